"""GET /v1/events: server-sent events for new blocks and, with ?address=, that account's
committed transactions (see planet.api.events). Streams are capped in all and per client
address; a stream over a cap is refused (429 or 503) rather than held."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from planet.api.context import ApiContext
from planet.api.errors import ERROR_SCHEMA, ERRORS, error_response
from planet.api.events import StreamLimit, Subscriber
from planet.core.address import parse_address
from planet.core.errors import TooManyStreams

RETRY_AFTER_S = 5


class EventStream(StreamingResponse):
    """Releases its subscriber's slot when the response ends, however it ends (the client
    gone, the node stopping), without waiting for the generator to be collected."""

    def __init__(self, ctx: ApiContext, sub: Subscriber) -> None:
        super().__init__(ctx.events.stream(sub), media_type="text/event-stream",
                         headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        self.ctx, self.sub = ctx, sub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.ctx.events.unsubscribe(self.sub)
            self.ctx.metrics.sse.set(self.ctx.events.count)


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(prefix="/v1", tags=["events"], responses=ERRORS)

    @r.get("/events", response_class=StreamingResponse,
           summary="Live events (text/event-stream)",
           description="Event `block` for every new block; with `address`, event `tx` for "
                       "each committed transaction it signed or whose events name it. "
                       "A `: keep-alive` comment every 15 s. A node serves a limited number "
                       "of streams: over its cap per client address the answer is 429, over "
                       "its total 503, both with Retry-After.",
           responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}},
                      429: ERROR_SCHEMA, 503: ERROR_SCHEMA})
    async def events(request: Request,
                     address: Annotated[str | None, Query(max_length=200)] = None
                     ) -> Response:
        who = parse_address(address, field="address") if address else None
        client = request.client.host if request.client else ""
        try:
            sub = ctx.events.subscribe(who, client)
        except StreamLimit as err:
            refusal = error_response(err.status, TooManyStreams(err.message))
            refusal.headers["Retry-After"] = str(RETRY_AFTER_S)
            return refusal
        ctx.metrics.sse.set(ctx.events.count)
        return EventStream(ctx, sub)

    return r
