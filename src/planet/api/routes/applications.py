"""Business applications: the operator's queue, one application, a key's own status."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from planet.api.context import ApiContext
from planet.api.errors import ERRORS
from planet.api.shapes import APPLICATION, APPLICATION_OF, APPLICATIONS, ok

MAX_ID = 2**53 - 1
FLOW = ("A business applies with a signed `applications/apply` (POST /v1/txs; its new key "
        "needs no account), the operator approves (`applications/approve`, which registers "
        "the business with the application's name and keys) or declines with a reason "
        "(`applications/decline`), and the applicant may withdraw (`applications/withdraw`). "
        "See POST /v1/txs for signed examples.")


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(prefix="/v1/applications", tags=["applications"], responses=ERRORS)

    @r.get("", responses=ok(APPLICATIONS), summary="The operator's queue: pending applications",
           description=f"{FLOW} Oldest first; page with `after` (the previous page's "
                       "`next_after`, null on the last page). `pending` counts the whole queue.")
    def pending(limit: Annotated[int, Query(ge=1, le=100)] = 50,
                after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> dict[str, Any]:
        return ctx.query("applications/pending",  # type: ignore[no-any-return]
                         limit=limit, after=after or None)

    @r.get("/{application_id}", responses=ok(APPLICATION),
           summary="One application: pending, approved, declined (with the reason) or withdrawn")
    def application(application_id: Annotated[int, Path(ge=0, le=MAX_ID)]) -> dict[str, Any]:
        return ctx.query("applications/application", id=application_id)  # type: ignore[no-any-return]

    @r.get("/of/{address}", responses=ok(APPLICATION_OF),
           summary="A key's latest application (null if none) and its next sequence",
           description="What the business console shows an applicant; `sequence` is what the "
                       "key's next transaction must carry (it has no account until approved).")
    def of(address: Annotated[str, Path(max_length=200)]) -> dict[str, Any]:
        return ctx.query("applications/of", address=address)  # type: ignore[no-any-return]

    return r
