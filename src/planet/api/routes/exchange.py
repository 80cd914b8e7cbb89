"""Businesses, offers, data requests, grants and redemptions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from planet.api.context import ApiContext
from planet.api.errors import ERRORS
from planet.api.relays import MAX_WINDOW_MS, compute_relays, iter_window_payments
from planet.api.shapes import PAGE, ok
from planet.core.errors import InvalidField
from planet.core.types import MILLIS_PER_DAY

MAX_ID = 2**53 - 1
Id = Annotated[int, Path(ge=0, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
AddressQ = Annotated[str | None, Query(max_length=200)]
Instant = Annotated[int | None, Query(ge=0, le=MAX_ID, description="block time, epoch ms")]
DEFAULT_WINDOW_MS = 7 * MILLIS_PER_DAY


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(prefix="/v1", tags=["exchange"], responses=ERRORS)

    @r.get("/businesses", summary="Approved businesses with their purse and suspension")
    def businesses() -> dict[str, Any]:
        rows = ctx.query("accounts/accounts", kind="business", limit=1000)
        suspended = {s["business"]: s for s in ctx.query("exchange/suspensions")["items"]}
        items = []
        for account in rows:
            purse = ctx.query("exchange/purse", business=account["address"])
            suspension = suspended.get(account["address"])
            items.append({**account, "purse_micro": purse["balance"],
                          "suspended": suspension is not None,
                          "suspension": suspension})
        return {"items": items}

    @r.get("/businesses/{address}/suspension",
           summary="Whether the operator suspended a business, since when and why")
    def suspension(address: Annotated[str, Path(max_length=200)]) -> dict[str, Any]:
        return ctx.query("exchange/suspension", business=address)  # type: ignore[no-any-return]

    @r.get("/suspensions", summary="Every suspended business")
    def suspensions() -> dict[str, Any]:
        return ctx.query("exchange/suspensions")  # type: ignore[no-any-return]

    @r.get("/residents/{address}/received",
           summary="What a resident received from businesses today, and the daily cap")
    def received(address: Annotated[str, Path(max_length=200)]) -> dict[str, Any]:
        return ctx.query("exchange/received", resident=address)  # type: ignore[no-any-return]

    @r.get("/audit/relays",
           summary="Resident → business → resident flows over a window, from the ledger's events",
           description="Read-only, computed from committed transactions' events in blocks with "
                       "since ≤ time < until (default: the 7 days up to the last block): per "
                       "business what residents paid it and what it paid residents, ranked by "
                       "the share paid back out (`payout_bps`, null when it paid out without "
                       "receiving in the window), and each payer paired with each later, "
                       "different payee (the largest first, at most 500). A window is at most 31 "
                       "days.")
    def relays(since: Instant = None, until: Instant = None) -> dict[str, Any]:
        last = ctx.node.last_block
        end = until if until is not None else (last.time + 1 if last else 0)
        start = since if since is not None else max(0, end - DEFAULT_WINDOW_MS)
        if start > end:
            raise InvalidField(f"since ({start}) is after until ({end})")
        if end - start > MAX_WINDOW_MS:
            raise InvalidField(f"the window is {end - start} ms; at most {MAX_WINDOW_MS} ms "
                               f"({MAX_WINDOW_MS // 86_400_000} days) per report")
        return compute_relays(iter_window_payments(ctx.node.store, start, end), start, end)

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
