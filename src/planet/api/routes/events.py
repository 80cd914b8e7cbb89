"""GET /v1/events: server-sent events for new blocks and, with ?address=, that account's
committed transactions (see planet.api.events)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from planet.api.context import ApiContext
from planet.api.errors import ERRORS
from planet.core.address import parse_address


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(prefix="/v1", tags=["events"], responses=ERRORS)

    @r.get("/events", response_class=StreamingResponse,
           summary="Live events (text/event-stream)",
           description="Event `block` for every new block; with `address`, event `tx` for "
                       "each committed transaction it signed or whose events name it. "
                       "A `: keep-alive` comment every 15 s.",
           responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}})
    async def events(address: Annotated[str | None, Query(max_length=200)] = None
                     ) -> StreamingResponse:
        who = parse_address(address, field="address") if address else None
        sub = ctx.events.subscribe(who)
        ctx.metrics.sse.set(ctx.events.count)

        async def body() -> AsyncIterator[bytes]:
            try:
                async for chunk in ctx.events.stream(sub):
                    yield chunk
            finally:
                ctx.metrics.sse.set(ctx.events.count)

        return StreamingResponse(body(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache",
                                          "X-Accel-Buffering": "no"})

    return r
