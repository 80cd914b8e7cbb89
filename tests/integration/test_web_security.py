"""The web origin of a real `planet node` process serving the real build: every response
carries the security headers, the pages load only the node's own content-hashed files
(Swagger UI and ReDoc included, so /docs works offline), those files are compressed as the
client asks and cached for a year, and no source map is served.

How Chromium fares under the policy is tests/e2e/test_web_security.py.
"""

from __future__ import annotations

import gzip
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from planet.api.security import CSP
from planet.node.home import init_home
from tests.integration.nodeproc import NodeProcess
from tests.require import missing
from tests.webdist import built_dist

pytestmark = pytest.mark.slow

SECURITY = {"content-security-policy": CSP, "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer"}
PAGES = ("/", "/docs", "/redoc")
IMMUTABLE = "public, max-age=31536000, immutable"
# Attributes that load something, inline script, inline handlers and inline styles.
LINKS = re.compile(r'\b(?:src|href)="([^"]*)"')
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>")
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


@pytest.fixture(scope="module")
def dist() -> Path:
    return built_dist()


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory, dist: Path) -> Iterator[str]:
    home = tmp_path_factory.mktemp("websec")
    init_home(home, "planet-websec", preset="test")
    proc = NodeProcess(home).start()
    try:
        yield proc.url
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def http(node: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=node, timeout=10) as client:
        yield client


STABLE_URLS = {"/manifest.webmanifest"}
"""Served by the node too, at a fixed URL: a browser knows an installed app by its manifest's
URL, so it cannot be named by content (it is served no-cache; the files it names are)."""


def assets_of(http: httpx.Client) -> list[str]:
    """Every content-named URL the three pages load."""
    return sorted({url for page in PAGES for url in LINKS.findall(http.get(page).text)}
                  - STABLE_URLS)


def raw(http: httpx.Client, path: str, encoding: str) -> tuple[httpx.Headers, bytes]:
    """The response's headers and its body as sent (not decoded)."""
    with http.stream("GET", path, headers={"accept-encoding": encoding}) as r:
        assert r.status_code == 200, path
        return r.headers, b"".join(r.iter_raw())


def test_every_response_carries_the_security_headers(http: httpx.Client) -> None:
    responses = [http.get(p) for p in (*PAGES, "/openapi.json", "/v1/health", "/metrics",
                                       "/v1/status", "/v1/status", "/v1/blocks", "/v1/blocks",
                                       "/nope", "/assets/app.js.map")]
    responses += [http.post("/v1/txs", content=b"{"), http.put("/docs", content=b""),
                  http.head("/"), http.get(assets_of(http)[0])]
    for r in responses:
        for name, value in SECURITY.items():
            assert r.headers.get_list(name) == [value], (r.request.method, r.request.url, name)
        assert r.status_code < 500


def test_pages_load_only_the_nodes_own_hashed_files(http: httpx.Client) -> None:
    for page in PAGES:
        r = http.get(page)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert not INLINE_SCRIPT.search(r.text) and not INLINE_HANDLER.search(r.text)
        assert "style=" not in r.text and "<style" not in r.text
        urls = LINKS.findall(r.text)
        assert urls and all(u.startswith("/assets/") or u in STABLE_URLS for u in urls), (page, urls)
        assert http.get(page, headers={"if-none-match": r.headers["etag"]}).status_code == 304
    for url in STABLE_URLS:
        r = http.get(url)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-cache", url
        icons = [icon["src"] for icon in r.json()["icons"]]
        assert icons and all(i.startswith("/assets/") for i in icons), icons
    docs, redoc = http.get("/docs").text, http.get("/redoc").text
    assert re.search(r'src="/assets/vendor/swagger-ui-bundle-[0-9a-f]{12}\.js"', docs)
    assert re.search(r'href="/assets/vendor/swagger-ui-[0-9a-f]{12}\.css"', docs)
    assert re.search(r'src="/assets/vendor/redoc\.standalone-[0-9a-f]{12}\.js"', redoc)
    for url in assets_of(http):
        r = http.get(url)
        assert r.status_code == 200, url
        assert r.headers["cache-control"] == IMMUTABLE, url
        assert re.search(r"-[0-9A-Za-z]{8,}\.(js|css|svg|png)$", url), url  # named by content


def test_redocs_remote_logo_is_dropped_by_the_build(http: httpx.Client) -> None:
    # The bundles' one remote resource: what else they could load, Chromium reports in the
    # e2e test (no request leaves the node's origin).
    redoc = next(u for u in assets_of(http) if "redoc.standalone" in u)
    assert "cdn.redoc.ly" not in http.get(redoc).text


def test_assets_are_compressed_as_the_client_asks(http: httpx.Client, dist: Path) -> None:
    node_js = shutil.which("node")
    if node_js is None:
        missing("WEB", "node is missing (it decodes brotli here)")
    for url in assets_of(http):
        headers, plain = raw(http, url, "identity")
        on_disk = dist / url.removeprefix("/")
        assert plain == on_disk.read_bytes() and "content-encoding" not in headers
        if not (on_disk.with_name(on_disk.name + ".gz")).is_file():
            # Only tiny files go uncompressed, and images already compressed (a PNG's
            # deflate leaves gzip nothing to gain).
            assert len(plain) < 1024 or plain.startswith(b"\x89PNG"), url
            continue
        headers, gz = raw(http, url, "gzip, deflate")
        assert headers["content-encoding"] == "gzip" and headers["vary"] == "Accept-Encoding"
        assert gzip.decompress(gz) == plain
        headers, br = raw(http, url, "gzip, deflate, br, zstd")
        assert headers["content-encoding"] == "br"
        assert int(headers["content-length"]) == len(br) < len(gz)
        decoded = subprocess.run(
            [node_js, "-e", "process.stdout.write(require('zlib').brotliDecompressSync("
                            "require('fs').readFileSync(0)))"],
            input=br, capture_output=True, check=True, timeout=60).stdout
        assert decoded == plain, url
    swagger = next(u for u in assets_of(http) if "swagger-ui-bundle" in u)
    assert len(raw(http, swagger, "br")[1]) < len(raw(http, swagger, "identity")[1]) / 3


def test_no_source_map_is_built_or_served(http: httpx.Client, dist: Path) -> None:
    assert not list(dist.rglob("*.map"))
    for path in ("/assets/app.js.map", "/assets/app.js", "/app.css"):  # the old, unhashed ones
        assert http.get(path).status_code == 404, path
    for url in assets_of(http):  # a browser follows a file's last sourceMappingURL comment
        body = http.get(url).text
        assert not re.search(r"[#@] sourceMappingURL=(?!data:)\S*\s*(\*/)?\s*$", body), url


def test_paths_outside_the_build_are_not_found(node: str) -> None:
    port = int(node.rsplit(":", 1)[1])
    for target in ("/assets/../../../../pyproject.toml", "/%2e%2e/%2e%2e/pyproject.toml",
                   "/assets/..%2f..%2f..%2fapi%2fapp.py"):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 404 "), (target, answer[:200])
