"""Reading a request body with a size limit that holds for chunked bodies too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import ClientDisconnect, Request

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]


async def read_body(request: Request, limit: int, too_large: Callable[[int], Exception]
                    ) -> bytes:
    """The whole body, refused with `too_large(size)` as soon as it passes `limit` bytes:
    at once when its Content-Length says so, else (a chunked body has no length) once that
    many have arrived. Every route that reads a body reads it here (see planet.api.limits).
    """
    return await receive_body(request.headers.get("content-length"), request.receive, limit,
                              too_large)


async def receive_body(declared: str | None, receive: Receive, limit: int,
                       too_large: Callable[[int], Exception]) -> bytes:
    """`read_body` on the bare ASGI `receive`, for the edge's own routes (planet.api.txs_edge):
    `declared` is the request's Content-Length header, if any.

    Reads the ASGI messages directly rather than through `Request.stream()`: that is an
    async generator, and the event loop's bookkeeping of async generators (a WeakSet add
    per request) was 9% of a node busy with `POST /v1/txs`.
    """
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(int(declared))  # refused before a byte of the body is read
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large(size)
        if chunk:
            chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
