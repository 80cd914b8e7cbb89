"""Security headers on every response: the node's origin keeps wallets' keys in the browser,
so nothing but the node's own files may run or be framed there.

The policy allows scripts, styles, fonts, workers and fetches from the node only, and no
inline script (web/build.mjs writes every initializer as a file). The PWA's service worker
(/sw.js) and manifest come from the node too; worker-src and manifest-src say so rather
than fall back to default-src. The exceptions are narrow:
images may be `data:` URLs (Swagger UI's icons are inline SVG in its CSS), and style-src
admits two hashes instead of 'unsafe-inline', both for ReDoc at /redoc: the empty string's
(its styled-components adds an empty <style> and fills it through the CSSOM's insertRule,
which CSP does not govern) and the exact stylesheet its bundle injects for perfect-scrollbar
(redoc 2.5.4; another version changes it, and tests/e2e/test_web_security.py then sees the
violation). Any other <style> with content is refused. Style attributes set from script
(Preact's `style=`) go through the CSSOM too and are allowed.

A pure-ASGI middleware, and the header list is built once: it runs on every request,
including the hot `POST /v1/txs`.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"  # sha256 of ""
REDOC_SCROLLBAR_STYLE = "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='"
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    f"style-src 'self' {EMPTY_STYLE} {REDOC_SCROLLBAR_STYLE}",
    "img-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)


class SecurityHeaders:
    """Adds HEADERS to the start of every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A new list: the response cache replays its stored header list.
                message["headers"] = [*message.get("headers", ()), *HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)
