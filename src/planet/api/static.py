"""The built web app and API docs (src/planet/web/dist, written by web/build.mjs), served
from memory.

The build names everything under assets/ by its content and writes a .br and a .gz next to
each compressible file, so here nothing is compressed per request, and what is under
/assets/ is cached by browsers for a year (`immutable`); the pages (index.html, docs.html,
redoc.html) are revalidated (`no-cache`, with an ETag), and so are the PWA's manifest and
its service worker, /sw.js (served as JavaScript from the root, so its scope is the whole app;
a worker fetched again with each build is how browsers learn of a new app shell). Source maps
are never served.
The whole build (about 5 MB with its compressed copies) is read into memory at start and
again when index.html changes (the build writes it last): a rebuild shows up without a
restart, and one under way never leaves the node serving half of it.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
IMMUTABLE_PREFIX = "/assets/"
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))  # preferred first
NOT_SERVED = (".br", ".gz", ".map")
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html",
               ".txt": "text/plain", ".json": "application/json", ".svg": "image/svg+xml",
               ".png": "image/png", ".webmanifest": "application/manifest+json"}
NOT_BUILT = """<!doctype html><html><head><meta charset="utf-8"><title>Planet</title></head>
<body><h1>Planet</h1><p>The web app is not built: run <code>./scripts/install</code>.</p>
<p>The API is up: see <a href="/openapi.json">/openapi.json</a> and
<a href="/v1/status">/v1/status</a>.</p></body></html>"""
PAGES = {"/docs": "/docs.html", "/redoc": "/redoc.html"}

__all__ = ["StaticSite", "install_web"]


@dataclass(frozen=True, slots=True)
class Variant:
    body: bytes
    etag: str
    encoding: str | None


@dataclass(frozen=True, slots=True)
class Asset:
    """One file of the build, in each encoding the build wrote (None: as it is)."""

    media_type: str
    cache_control: str
    variants: dict[str | None, Variant]

    @classmethod
    def read(cls, path: Path, media_type: str, cache_control: str) -> Asset:
        body = path.read_bytes()
        tag = hashlib.sha256(body).hexdigest()[:20]
        variants: dict[str | None, Variant] = {None: Variant(body, f'"{tag}"', None)}
        for encoding, suffix in ENCODINGS:
            packed = path.with_name(path.name + suffix)
            if packed.is_file():
                variants[encoding] = Variant(packed.read_bytes(), f'"{tag}-{suffix[1:]}"',
                                             encoding)
        return cls(media_type, cache_control, variants)

    def variant(self, accepted: frozenset[str]) -> Variant:
        for encoding, _suffix in ENCODINGS:
            if encoding in self.variants and (encoding in accepted or "*" in accepted):
                return self.variants[encoding]
        return self.variants[None]


def accepted_encodings(header: str) -> frozenset[str]:
    """The content codings an Accept-Encoding header allows (q > 0)."""
    names = set()
    for part in header.split(","):
        name, _, params = part.partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0 and name.strip():
            names.add(name.strip().lower())
    return frozenset(names)


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


class StaticSite:
    """An ASGI app answering GET and HEAD for the files of one build."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.stamp = -1
        self.assets: dict[str, Asset] = {}
        self._refresh()

    def _refresh(self) -> None:
        try:
            stamp = (self.root / "index.html").stat().st_mtime_ns
            if stamp != self.stamp:
                self.assets, self.stamp = self._scan(), stamp
        except OSError:
            return  # mid-build: keep serving the last build

    def _scan(self) -> dict[str, Asset]:
        assets: dict[str, Asset] = {}
        for path in sorted(self.root.rglob("*")):
            if not path.is_file() or path.name.startswith(".") or path.suffix in NOT_SERVED:
                continue
            url = "/" + path.relative_to(self.root).as_posix()
            media = MEDIA_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] \
                or "application/octet-stream"
            cache = IMMUTABLE if url.startswith(IMMUTABLE_PREFIX) else REVALIDATE
            assets[url] = Asset.read(path, media, cache)
        if "/index.html" in assets:
            assets["/"] = assets["/index.html"]
        return assets

    def response(self, url: str, method: str, headers: Headers) -> Response:
        """The file at `url` in the encoding the request accepts; 304 if its ETag matches."""
        if method not in ("GET", "HEAD"):
            raise HTTPException(405, headers={"Allow": "GET, HEAD"})
        self._refresh()
        asset = self.assets.get(url)
        if asset is None:
            raise HTTPException(404)
        variant = asset.variant(accepted_encodings(headers.get("accept-encoding", "")))
        out = {"cache-control": asset.cache_control, "etag": variant.etag}
        if len(asset.variants) > 1:
            out["vary"] = "Accept-Encoding"
        if _etag_matches(headers.get("if-none-match", ""), variant.etag):
            return Response(status_code=304, headers=out)
        if variant.encoding is not None:
            out["content-encoding"] = variant.encoding
        body = b"" if method == "HEAD" else variant.body
        response = Response(body, media_type=asset.media_type, headers=out)
        response.headers["content-length"] = str(len(variant.body))
        return response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        root = scope.get("root_path", "")
        url: str = scope["path"][len(root):] if scope["path"].startswith(root) else scope["path"]
        response = self.response(url, scope["method"], Headers(scope=scope))
        await response(scope, receive, send)


def install_web(api: FastAPI, web_dir: Path | None) -> None:
    """Serve the build at `/` (and Swagger UI at /docs, ReDoc at /redoc), or a page saying
    how to build it. Call after every API route: the site answers whatever they do not."""
    if web_dir is None or not (web_dir / "index.html").is_file():
        for path in ("/", *PAGES):
            api.add_api_route(path, _not_built, methods=["GET"], include_in_schema=False)
        return
    site = StaticSite(web_dir)
    for path, page in PAGES.items():
        api.add_api_route(path, _page(site, page), methods=["GET", "HEAD"],
                          include_in_schema=False)
    api.mount("/", site, name="web")


def _page(site: StaticSite, url: str) -> Callable[[Request], Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        return site.response(url, request.method, request.headers)
    return serve


async def _not_built() -> HTMLResponse:
    return HTMLResponse(NOT_BUILT)
