"""The ASGI edge in front of FastAPI: request metrics, a body-size limit, the per-block
response cache, and transaction ingress (`POST /v1/txs` and `/v1/txs/batch`, answered by
planet.api.txs_edge through `IngressFront`, before even FastAPI's own middleware).

State changes only when a block commits, so a GET under /v1/ answers the same bytes for
every caller until the next block: the first answer at a height is kept, keyed by the
full URL, and served without entering FastAPI again. An entry is only valid at the height
it was computed at (checked on every hit against the node's last block, which is set
before any waiting submitter is told of a commit), so a read after a commit always sees
it. An answer is only kept if no block committed while it was computed.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.exceptions import HTTPException

from planet.api.metrics import Metrics, route_label
from planet.api.txs_edge import TxIngress
from planet.core.errors import BodyTooLarge
from planet.engines.base import Node

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UNCACHED_PREFIXES = ("/v1/events", "/v1/blobs", "/v1/identity",
                     "/v1/businesses/")  # signed, per caller: never answered from the cache
SHORT_LIVED = {"/v1/status": 0.5}  # the mempool size moves between blocks
MAX_ENTRIES = 20_000
MAX_ENTRY_BYTES = 1 << 20
MAX_CACHE_BYTES = 64 << 20
CACHED_STATUSES = frozenset({200, 404})


@dataclass(frozen=True, slots=True)
class Entry:
    height: int
    expires: float | None
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    route: str


class ResponseCache:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, bytes], Entry] = {}
        self.height = -1
        self.bytes = 0

    def get(self, key: tuple[str, bytes], height: int) -> Entry | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        if entry.height != height or (entry.expires is not None
                                      and entry.expires < time.monotonic()):
            return None
        return entry

    def put(self, key: tuple[str, bytes], entry: Entry) -> None:
        if entry.height != self.height or len(self.entries) >= MAX_ENTRIES \
                or self.bytes > MAX_CACHE_BYTES:
            self.clear()
            self.height = entry.height
        self.entries[key] = entry
        self.bytes += len(entry.body)

    def clear(self) -> None:
        self.entries = {}
        self.bytes = 0


def cacheable(path: str) -> bool:
    return path.startswith("/v1/") and not path.startswith(UNCACHED_PREFIXES)


class Edge:
    def __init__(self, app: ASGIApp, node: Node, metrics: Metrics,
                 cache: ResponseCache, max_body: int) -> None:
        self.app, self.node, self.metrics, self.cache = app, node, metrics, cache
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        method: str = scope["method"]
        path: str = scope["path"]
        key = (path, scope.get("query_string", b""))
        use_cache = method == "GET" and cacheable(path)
        height = self.node.height
        if use_cache:
            entry = self.cache.get(key, height)
            if entry is not None:
                await send({"type": "http.response.start", "status": entry.status,
                            "headers": entry.headers})
                await send({"type": "http.response.body", "body": entry.body})
                self.metrics.cache_hits.inc()
                self.metrics.observe(entry.route, method, entry.status,
                                     time.perf_counter() - start)
                return
        if method in ("POST", "PUT", "PATCH") and not path.startswith("/v1/blobs/"):
            length = _content_length(scope)
            if length is not None and length > self.max_body:
                await _send_error(send, 413, f"body of {length} bytes; at most {self.max_body}")
                self.metrics.observe("unmatched", method, 413, time.perf_counter() - start)
                return
            if length is None:  # chunked: no length to check first
                receive = _cut_off(receive, self.max_body)
        status = 500
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        keep = use_cache

        async def capture(message: Message) -> None:
            nonlocal status, headers, keep
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                keep = keep and status in CACHED_STATUSES
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                if sum(len(c) for c in chunks) > MAX_ENTRY_BYTES:
                    keep = False
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = route_label(scope, status)
            self.metrics.observe(route, method, status, time.perf_counter() - start)
        if keep and self.node.height == height:
            ttl = SHORT_LIVED.get(path)
            self.cache.put(key, Entry(height, None if ttl is None else time.monotonic() + ttl,
                                      status, headers, b"".join(chunks), route))


class IngressFront:
    """`POST /v1/txs` and `/v1/txs/batch` answered in front of FastAPI's whole middleware
    stack (its application call, error and body-limit middlewares, the security headers'
    send wrapper, the edge), which cost about 15 µs a request of the event loop's thread:
    a third of what the node spends on a submission in Python, and every layer had
    nothing to do. The front does what those layers did for it: the body-size refusal,
    the security headers on every answer, and the request metrics."""

    def __init__(self, ingress: TxIngress, metrics: Metrics, max_body: int,
                 headers: Sequence[tuple[bytes, bytes]]) -> None:
        self.ingress, self.metrics, self.max_body = ingress, metrics, max_body
        self.headers = tuple(headers)
        ingress.headers = self.headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Answer an ingress request; False (nothing read or sent) when FastAPI is to
        answer it: a query only its validation can judge."""
        start = time.perf_counter()
        method: str = scope["method"]
        length = _content_length(scope)
        if length is not None and length > self.max_body:
            await _send_error(send, 413, f"body of {length} bytes; at most {self.max_body}",
                              self.headers)
            self.metrics.observe("unmatched", method, 413, time.perf_counter() - start)
            return True
        answered = await self.ingress.handle(scope, receive, send)  # bounds its reads
        if answered is None:
            return False
        route, status = answered
        self.metrics.observe(route, method, status, time.perf_counter() - start)
        return True


def _cut_off(receive: Receive, limit: int) -> Receive:
    """`receive` refusing (413) a body once it passes `limit` bytes: a backstop behind the
    routes' own smaller limits (planet.api.body), so that no route can read more."""
    seen = 0

    async def bounded() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise HTTPException(413, f"body over {limit} bytes")
        return message

    return bounded


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_error(send: Send, status: int, message: str,
                      extra: Sequence[tuple[bytes, bytes]] = ()) -> None:
    body = orjson.dumps(BodyTooLarge(message).to_dict())
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *extra]})
    await send({"type": "http.response.body", "body": body})
