"""Lucky Drill rounds."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from planet.api.context import ApiContext
from planet.api.errors import ERRORS

Round = Annotated[int, Path(ge=0, le=2**53 - 1)]


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(prefix="/v1/drill", tags=["drill"], responses=ERRORS)

    @r.get("/current", summary="The round open now, the jackpot, and whether `address` entered")
    def current(address: Annotated[str | None, Query(max_length=200)] = None
                ) -> dict[str, Any]:
        return ctx.query("drill/current", address=address)  # type: ignore[no-any-return]

    @r.get("/rounds", summary="The latest rounds, newest first")
    def rounds(limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[dict[str, Any]]:
        return ctx.query("drill/rounds", limit=limit)  # type: ignore[no-any-return]

    @r.get("/rounds/{round_number}", summary="One round")
    def round_(round_number: Round) -> dict[str, Any]:
        return ctx.query("drill/round", round=round_number)  # type: ignore[no-any-return]

    @r.get("/rounds/{round_number}/entries", summary="A round's entrants in entry order")
    def entries(round_number: Round, offset: Annotated[int, Query(ge=0, le=2**53 - 1)] = 0,
                limit: Annotated[int, Query(ge=1, le=1000)] = 1000) -> dict[str, Any]:
        return ctx.query("drill/entries", round=round_number,  # type: ignore[no-any-return]
                         offset=offset, limit=limit)

    return r
