"""Supply against the schedule, and the residents' census (the operator's dashboard)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from planet.api.context import ApiContext
from planet.api.errors import ERRORS
from planet.api.shapes import CENSUS, SCHEDULE, SUPPLY, ok


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(prefix="/v1", tags=["supply"], responses=ERRORS)

    @r.get("/supply", responses=ok(SUPPLY), summary="Emitted by the schedule so far against what exists")
    def supply() -> dict[str, Any]:
        return ctx.query("emission/supply")  # type: ignore[no-any-return]

    @r.get("/supply/schedule", responses=ok(SCHEDULE), summary="The emission schedule as chart points",
           description="`points` samples {time, emitted_cap} from genesis to the end of "
                       "emission, plus every halving instant, and the current emitted, "
                       "distributed and collected totals.")
    def schedule(points: Annotated[int, Query(ge=2, le=2000)] = 200) -> dict[str, Any]:
        return ctx.query("emission/schedule", points=points)  # type: ignore[no-any-return]

    @r.get("/census", responses=ok(CENSUS),
           summary="Residents: active, dormant, total Force, Force histogram")
    def census() -> dict[str, Any]:
        return ctx.query("emission/census")  # type: ignore[no-any-return]

    return r
