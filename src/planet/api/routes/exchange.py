"""Businesses, offers, data requests, grants and redemptions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from planet.api.context import ApiContext
from planet.api.errors import ERRORS
from planet.api.shapes import PAGE, ok
from planet.core.errors import InvalidField

MAX_ID = 2**53 - 1
Id = Annotated[int, Path(ge=0, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
AddressQ = Annotated[str | None, Query(max_length=200)]


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(prefix="/v1", tags=["exchange"], responses=ERRORS)

    @r.get("/businesses", summary="Approved businesses with their purse balance")
    def businesses() -> dict[str, Any]:
        rows = ctx.query("accounts/accounts", kind="business", limit=1000)
        items = []
        for account in rows:
            purse = ctx.query("exchange/purse", business=account["address"])
            items.append({**account, "purse_micro": purse["balance"]})
        return {"items": items}

    @r.get("/businesses/{address}/quota", summary="A business's daily Force quota")
    def quota(address: Annotated[str, Path(max_length=200)]) -> dict[str, Any]:
        return ctx.query("force/quota", address=address)  # type: ignore[no-any-return]

    @r.get("/offers", responses=ok(PAGE), summary="Offers, newest first")
    def offers(business: AddressQ = None, on_sale: bool = False, limit: Limit = 100,
               offset: Offset = 0) -> dict[str, Any]:
        return ctx.query("exchange/offers", business=business,  # type: ignore[no-any-return]
                         on_sale=on_sale, limit=limit, offset=offset)

    @r.get("/offers/{offer_id}", summary="One offer")
    def offer(offer_id: Id) -> dict[str, Any]:
        return ctx.query("exchange/offer", id=offer_id)  # type: ignore[no-any-return]

    @r.get("/requests", responses=ok(PAGE), summary="Data requests, newest first",
           description="`open=true`: only those a resident may still accept.")
    def requests(business: AddressQ = None, open: bool = False, limit: Limit = 100,
                 offset: Offset = 0) -> dict[str, Any]:
        return ctx.query("exchange/requests", business=business,  # type: ignore[no-any-return]
                         open=open, limit=limit, offset=offset)

    @r.get("/requests/{request_id}", summary="One data request")
    def request(request_id: Id) -> dict[str, Any]:
        return ctx.query("exchange/request", id=request_id)  # type: ignore[no-any-return]

    @r.get("/requests/{request_id}/eligible",
           summary="Exactly which of a resident's records this request would receive")
    def eligible(request_id: Id, resident: Annotated[str, Query(max_length=200)]
                 ) -> dict[str, Any]:
        return ctx.query("exchange/eligible",  # type: ignore[no-any-return]
                         request=request_id, owner=resident)

    @r.get("/grants", responses=ok(PAGE), summary="A resident's grants (resident=) or a request's (request=)")
    def grants(resident: AddressQ = None,
               request: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
               limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
        if (resident is None) == (request is None):
            raise InvalidField("give exactly one of `resident` and `request`")
        return ctx.query("exchange/grants", resident=resident,  # type: ignore[no-any-return]
                         request=request, limit=limit, offset=offset)

    @r.get("/redemptions", responses=ok(PAGE),
           summary="A resident's or a business's redemptions, newest first")
    def redemptions(address: Annotated[str, Query(max_length=200)], pending: bool = False,
                    limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
        return ctx.query("exchange/redemptions",  # type: ignore[no-any-return]
                         address=address, pending=pending, limit=limit, offset=offset)

    @r.get("/redemptions/{redemption_id}", summary="One redemption")
    def redemption(redemption_id: Id) -> dict[str, Any]:
        return ctx.query("exchange/redemption", id=redemption_id)  # type: ignore[no-any-return]

    return r
