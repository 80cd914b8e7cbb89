"""The web build's serving rules (planet.api.static) and the security headers
(planet.api.security), on the real app over a build laid out as web/build.mjs writes one.

What the real build contains, and how Chromium fares under the policy, is checked by
tests/integration/test_web_security.py and tests/e2e/test_web_security.py.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from planet.api.app import create_app
from planet.api.security import CSP
from planet.api.static import IMMUTABLE, accepted_encodings
from planet.core.genesis import parse_genesis
from planet.engines.embedded import EmbeddedNode
from planet.node.home import make_genesis_document
from planet.sdk.wallet import Wallet

APP_JS = b"export const planet = 'hello';\n" * 100
FAKE_BR = b"not really brotli, served as it is"
SECURITY = {"content-security-policy": CSP, "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer"}


def make_dist(root: Path) -> Path:
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text('<!doctype html><script type="module" '
                                     'src="/assets/app-ABCD1234.js"></script>')
    (root / "docs.html").write_text("<!doctype html><title>docs</title>")
    (root / "redoc.html").write_text("<!doctype html><title>redoc</title>")
    js = root / "assets" / "app-ABCD1234.js"
    js.write_bytes(APP_JS)
    js.with_name(js.name + ".gz").write_bytes(gzip.compress(APP_JS))
    js.with_name(js.name + ".br").write_bytes(FAKE_BR)
    js.with_name(js.name + ".map").write_text('{"version": 3}')
    (root / "assets" / "logo-0011.svg").write_text("<svg/>")
    (root / "assets" / "icon-192-0022.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "manifest.webmanifest").write_text('{"name": "星球 Planet"}')
    (root / "sw.js").write_text('const VERSION = "0123";\n')
    return root


@pytest.fixture
def node(tmp_path: Path) -> Iterator[EmbeddedNode]:
    genesis = parse_genesis(make_genesis_document("planet-static", Wallet.generate(), []))
    node = EmbeddedNode(tmp_path / "node.db", genesis)
    yield node
    node.close()


@pytest.fixture
def client(tmp_path: Path, node: EmbeddedNode) -> Iterator[TestClient]:
    with TestClient(create_app(node, web_dir=make_dist(tmp_path / "dist"))) as c:
        yield c


def raw(client: TestClient, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and the body as sent (not decoded by the client)."""
    with client.stream("GET", path, headers=headers) as r:
        return r.status_code, dict(r.headers), b"".join(r.iter_raw())


def test_pages_are_revalidated_and_hashed_assets_cached_for_a_year(client: TestClient) -> None:
    for page in ("/", "/index.html", "/docs", "/redoc"):
        r = client.get(page)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-cache", page
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert r.headers["etag"]
    assert "swagger" not in client.get("/docs").text  # the build's page, not FastAPI's
    r = client.get("/assets/logo-0011.svg")
    assert r.headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert r.headers["content-type"] == "image/svg+xml"
    assert "vary" not in r.headers and "content-encoding" not in r.headers  # no variants


def test_the_encoding_follows_accept_encoding(client: TestClient) -> None:
    js = "/assets/app-ABCD1234.js"
    status, headers, body = raw(client, js, **{"accept-encoding": "gzip, deflate, br, zstd"})
    assert (status, headers["content-encoding"], body) == (200, "br", FAKE_BR)
    assert headers["content-length"] == str(len(FAKE_BR))
    assert headers["vary"] == "Accept-Encoding"
    assert headers["content-type"] == "text/javascript; charset=utf-8"
    _, headers, body = raw(client, js, **{"accept-encoding": "br;q=0, gzip"})
    assert headers["content-encoding"] == "gzip" and gzip.decompress(body) == APP_JS
    _, headers, body = raw(client, js, **{"accept-encoding": "identity"})
    assert "content-encoding" not in headers and body == APP_JS
    assert headers["vary"] == "Accept-Encoding"
    _, headers, body = raw(client, js, **{"accept-encoding": "*"})
    assert headers["content-encoding"] == "br"


def test_accept_encoding_parsing() -> None:
    assert accepted_encodings("gzip, deflate, br, zstd") == {"gzip", "deflate", "br", "zstd"}
    assert accepted_encodings("BR;q=0.5 , gzip;q=0") == {"br"}
    assert accepted_encodings("gzip;q=nonsense, br;q=1.0") == {"br"}
    assert accepted_encodings("") == frozenset()


def test_the_pwa_manifest_worker_and_icons_have_their_types(client: TestClient) -> None:
    # A browser refuses a service worker not served as JavaScript, and looks for a new one
    # at each visit, so the worker is revalidated like the pages; the icons are assets.
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["cache-control"] == "no-cache"
    manifest = client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert manifest.headers["cache-control"] == "no-cache"
    assert manifest.json() == {"name": "星球 Planet"}
    icon = client.get("/assets/icon-192-0022.png")
    assert icon.headers["content-type"] == "image/png"
    assert icon.headers["cache-control"] == IMMUTABLE
    for response in (worker, manifest, icon):
        assert {k: response.headers[k] for k in SECURITY} == SECURITY


def test_a_matching_etag_gives_304_per_encoding(client: TestClient) -> None:
    js = "/assets/app-ABCD1234.js"
    br = client.get(js, headers={"accept-encoding": "br"}).headers["etag"]
    gz = client.get(js, headers={"accept-encoding": "gzip"}).headers["etag"]
    assert len({br, gz}) == 2
    r = client.get(js, headers={"accept-encoding": "br", "if-none-match": f'"x", W/{br}'})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == br
    assert r.headers["cache-control"] == IMMUTABLE
    r = client.get(js, headers={"accept-encoding": "gzip", "if-none-match": br})
    assert r.status_code == 200
    etag = client.get("/").headers["etag"]
    assert client.get("/", headers={"if-none-match": etag}).status_code == 304


def test_head_gives_the_length_without_a_body(client: TestClient) -> None:
    r = client.head("/assets/app-ABCD1234.js", headers={"accept-encoding": "identity"})
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-length"] == str(len(APP_JS))


def test_source_maps_and_unknown_paths_are_refused_as_json(client: TestClient) -> None:
    for path in ("/assets/app-ABCD1234.js.map", "/assets/app-ABCD1234.js.gz", "/assets/",
                 "/assets", "/nope", "/docs.html/"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert r.json()["code"] == 911 and r.headers["content-security-policy"] == CSP
    r = client.post("/assets/app-ABCD1234.js", content=b"{}")
    assert r.status_code == 405 and r.json()["error"] == "MethodNotAllowed"


def test_a_rebuild_is_served_without_a_restart(client: TestClient, tmp_path: Path) -> None:
    index = tmp_path / "dist" / "index.html"
    before = client.get("/")
    (tmp_path / "dist" / "assets" / "app-NEW00000.js").write_bytes(b"1")
    assert client.get("/assets/app-NEW00000.js").status_code == 404  # index.html unchanged
    index.write_text("<!doctype html><p>rebuilt</p>")
    stat = index.stat()
    os.utime(index, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    after = client.get("/")
    assert "rebuilt" in after.text and after.headers["etag"] != before.headers["etag"]
    assert client.get("/assets/app-NEW00000.js").status_code == 200


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    responses = [client.get("/"), client.get("/docs"), client.get("/assets/logo-0011.svg"),
                 client.get("/v1/status"), client.get("/openapi.json"), client.get("/nope"),
                 client.post("/v1/txs", content=b"not json"), client.get("/metrics")]
    for r in responses:
        for name, value in SECURITY.items():
            assert r.headers.get_list(name) == [value], (r.request.url, name)
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'",
                      "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in CSP.split("; ")
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP


def test_without_a_build_the_pages_say_how_to_build_it(node: EmbeddedNode, tmp_path: Path
                                                       ) -> None:
    with TestClient(create_app(node, web_dir=tmp_path / "missing")) as c:
        for page in ("/", "/docs", "/redoc"):
            r = c.get(page)
            assert r.status_code == 200 and "./scripts/install" in r.text
            assert r.headers["content-security-policy"] == CSP
            assert "style=" not in r.text and "<script" not in r.text  # nothing the CSP stops
