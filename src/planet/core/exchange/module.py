"""The exchange module as the transition sees it: messages, request expiries, queries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planet.core.chain import get_meta
from planet.core.errors import NotFound
from planet.core.exchange.messages import (
    AcceptRequest,
    CloseRequest,
    CreateOffer,
    CreateRequest,
    FulfilRedemption,
    LiftSuspension,
    PauseOffer,
    RedeemOffer,
    RefundRedemption,
    ResumeOffer,
    RevokeGrant,
    StopOffer,
    SuspendBusiness,
    UpdateOffer,
)
from planet.core.exchange.rules import (
    check_read,
    compute_business_diamonds,
    compute_cap_left,
    get_grant,
    get_offer,
    get_purse,
    get_received_today,
    get_redemption,
    get_suspension,
    list_eligible,
    process_accept_request,
    process_close_request,
    process_create_offer,
    process_create_request,
    process_fulfil,
    process_lift_suspension,
    process_pause_offer,
    process_redeem,
    process_refund,
    process_request_expiries,
    process_resume_offer,
    process_revoke_grant,
    process_stop_offer,
    process_suspend_business,
    process_update_offer,
    require_request,
)
from planet.core.exchange.state import (
    OPEN,
    PAUSED,
    PREFIX,
    STOPPED,
    SUSPENDED_PREFIX,
    DataRequest,
    Grant,
    Offer,
    Suspension,
    grants_of_request_prefix,
)
from planet.core.force.days import compute_day
from planet.core.messages import Module
from planet.core.params import Params
from planet.core.queries import address_arg, bool_arg, int_arg
from planet.core.state import View
from planet.core.vault.module import digest_arg

MAX_PAGE = 500


def page(args: Mapping[str, Any], rows: list[Any]) -> dict[str, Any]:
    offset = int_arg(args, "offset", 0)
    limit = min(int_arg(args, "limit", 100), MAX_PAGE)
    return {"total": len(rows), "offset": offset,
            "items": rows[offset:offset + limit]}


def describe_request(request: DataRequest, time_ms: int) -> dict[str, Any]:
    open_now = request.status == OPEN and time_ms < request.expires_at
    places_left = request.residents - request.accepted - request.waiting
    return {**request.to_json(), "escrowed": request.escrowed, "paid": request.paid,
            "escrow": request.escrow, "places_left": places_left if open_now else 0,
            "cohort_missing": request.cohort - request.waiting if open_now else 0}


def describe_grant(grant: Grant, time_ms: int) -> dict[str, Any]:
    if grant.revoked_at:
        state = "revoked"
    elif grant.lapsed_at:
        state = "lapsed"
    elif grant.waits:
        state = "waiting"
    elif time_ms >= grant.access_until:
        state = "expired"
    else:
        state = "active"
    records = [{"digest": d, "key": k, "live": bool(k)}
               for d, k in zip(grant.records, grant.keys, strict=True)]
    out = grant.to_json()
    del out["keys"]
    return {**out, "records": records, "state": state}


def query_purse(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    business = address_arg(args, "business")
    return {"business": business, "balance": get_purse(view, business).balance}


def query_request(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    return describe_request(require_request(view, int_arg(args, "id")), get_meta(view).time)


def query_requests(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """Requests newest first; `open=true` lists only those a resident may still accept."""
    time_ms = get_meta(view).time
    business = address_arg(args, "business") if "business" in args else None
    only_open = bool_arg(args, "open")
    rows = []
    for _key, request in view.iter_prefix(f"{PREFIX}request/", DataRequest):
        if business is not None and request.business != business:
            continue
        described = describe_request(request, time_ms)
        if only_open and not described["places_left"]:
            continue
        rows.append(described)
    rows.reverse()
    return page(args, rows)


def query_eligible(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """Exactly which of a resident's records a request would receive, before they sign."""
    request = require_request(view, int_arg(args, "request"))
    owner = address_arg(args, "owner")
    return {"request": describe_request(request, get_meta(view).time), "owner": owner,
            "records": [r.to_json() for r in list_eligible(view, request, owner)]}


def query_grant(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    request_id, resident = int_arg(args, "request"), address_arg(args, "resident")
    grant = get_grant(view, request_id, resident)
    if grant is None:
        raise NotFound(f"{resident} has no grant on request {request_id}")
    return describe_grant(grant, get_meta(view).time)


def query_grants(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """A resident's grants (`resident=`) or the grants a request received (`request=`)."""
    time_ms = get_meta(view).time
    if "request" in args:
        prefix = grants_of_request_prefix(int_arg(args, "request"))
        grants = [g for _k, g in view.iter_prefix(prefix, Grant)]
    else:
        resident = address_arg(args, "resident")
        grants = []
        for key in view.iter_keys(f"{PREFIX}grant_of/{resident}/"):
            grant = get_grant(view, int(key.rsplit("/", 1)[1]), resident)
            assert grant is not None
            grants.append(grant)
    return page(args, [describe_grant(g, time_ms) for g in grants])


def query_read_check(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """Would the blob store serve this record to `address` now? Raises BlobRefused if not."""
    record = check_read(view, address_arg(args), digest_arg(args), get_meta(view).time)
    return record.to_json()


def offer_status(offer: Offer, time_ms: int, suspended: bool) -> str:
    """One word for where an offer stands: stopped and paused (by its business), suspended
    (its business, by the operator), upcoming, ended, sold_out, or on_sale."""
    if offer.status in (STOPPED, PAUSED):
        return offer.status
    if suspended:
        return "suspended"
    if time_ms < offer.starts_at:
        return "upcoming"
    if time_ms >= offer.ends_at:
        return "ended"
    return "sold_out" if offer.sold >= offer.stock else "on_sale"


def describe_offer(offer: Offer, time_ms: int, suspended: bool = False) -> dict[str, Any]:
    status = offer_status(offer, time_ms, suspended)
    return {**offer.to_json(), "left": offer.stock - offer.sold, "on_sale": status == "on_sale",
            "suspended": suspended, "status": status}


def query_offer(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    offer_id = int_arg(args, "id")
    offer = get_offer(view, offer_id)
    if offer is None:
        raise NotFound(f"no offer {offer_id}")
    suspended = get_suspension(view, offer.business) is not None
    return describe_offer(offer, get_meta(view).time, suspended)


def query_offers(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """Offers newest first; `business=` for one shop, `on_sale=true` for what sells now."""
    time_ms = get_meta(view).time
    business = address_arg(args, "business") if "business" in args else None
    on_sale = bool_arg(args, "on_sale")
    suspended = {key.removeprefix(SUSPENDED_PREFIX) for key in view.iter_keys(SUSPENDED_PREFIX)}
    rows = [describe_offer(o, time_ms, o.business in suspended)
            for _k, o in view.iter_prefix(f"{PREFIX}offer/", Offer)
            if business is None or o.business == business]
    rows = [r for r in rows if r["on_sale"] or not on_sale]
    rows.reverse()
    return page(args, rows)


def query_redemption(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    redemption_id = int_arg(args, "id")
    redemption = get_redemption(view, redemption_id)
    if redemption is None:
        raise NotFound(f"no redemption {redemption_id}")
    return redemption.to_json()


def query_redemptions(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """A resident's or a business's redemptions, newest first; `pending=true` for the
    ones a business still has to fulfil."""
    address = address_arg(args)
    pending = bool_arg(args, "pending")
    rows = []
    for key in view.iter_keys(f"{PREFIX}redemption_of/{address}/"):
        redemption = get_redemption(view, int(key.rsplit("/", 1)[1]))
        assert redemption is not None
        if not pending or redemption.status == "pending":
            rows.append(redemption.to_json())
    rows.reverse()
    return page(args, rows)


def query_books(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """Diamonds on the business side: in purses and in the escrow of open requests."""
    purses, escrow = compute_business_diamonds(view)
    return {"purses_micro": purses, "escrow_micro": escrow}


def query_suspension(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """Whether the operator suspended a business, since when and why."""
    business = address_arg(args, "business")
    suspension = get_suspension(view, business)
    return {"business": business, "suspended": suspension is not None,
            **(suspension.to_json() if suspension is not None else {})}


def query_suspensions(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """Every suspended business (the operator dashboard's list)."""
    return {"items": [{"business": key.removeprefix(SUSPENDED_PREFIX), **s.to_json()}
                      for key, s in view.iter_prefix(SUSPENDED_PREFIX, Suspension)]}


def query_received(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """What a resident received from businesses today and may still receive (the cap)."""
    resident = address_arg(args, "resident")
    time_ms = get_meta(view).time
    day = compute_day(time_ms, params.timezone_offset_minutes)
    return {"resident": resident, "day": day, "cap_micro": params.resident_daily_cap_micro,
            "received_micro": get_received_today(view, resident, day),
            "left_micro": compute_cap_left(view, params, resident, time_ms)}


MODULE = Module(
    name="exchange",
    messages=((CreateRequest, process_create_request), (CloseRequest, process_close_request),
              (AcceptRequest, process_accept_request), (RevokeGrant, process_revoke_grant),
              (CreateOffer, process_create_offer), (RedeemOffer, process_redeem),
              (UpdateOffer, process_update_offer), (PauseOffer, process_pause_offer),
              (ResumeOffer, process_resume_offer), (StopOffer, process_stop_offer),
              (FulfilRedemption, process_fulfil), (RefundRedemption, process_refund),
              (SuspendBusiness, process_suspend_business),
              (LiftSuspension, process_lift_suspension)),
    begin_block=process_request_expiries,
    queries={"purse": query_purse, "request": query_request, "requests": query_requests,
             "eligible": query_eligible, "grant": query_grant, "grants": query_grants,
             "read_check": query_read_check, "offer": query_offer, "offers": query_offers,
             "redemption": query_redemption, "redemptions": query_redemptions, "books": query_books,
             "suspension": query_suspension, "suspensions": query_suspensions,
             "received": query_received},
)
