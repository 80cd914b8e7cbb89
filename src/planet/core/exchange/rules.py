"""The rules of the exchange, one small function per rule.

Diamonds move only between a resident and a business, never between two residents:
  resident → business   redeeming an offer (`process_redeem`)
  business → resident   a data-access reward, paid from escrow (`process_accept_request`),
                        or a refunded redemption (`process_refund`)
  business → escrow → business   a request's budget held, then what is left refunded
A business's diamonds are its purse; a resident's are their balance (emission's holder).

A request's budget is escrowed when it is posted, so a resident who accepts is always
paid. A grant covers only the resident's own live records of the categories and period
asked for, each with its data key resealed to the business. The blob store serves a
record to a business only while a grant covering it is active (`check_read`): opened with
its cohort, not revoked, not past its access period, the record not erased.

Diamonds stay where they were earned. Each rule alone keeps a transfer between residents
impossible, but a business could chain them into one (r1 redeems its offer, it deposits a
record into r7's vault, asks for exactly that record, r7 accepts and is paid: a relay).
So: deposits need the owner's consent (the vault's rule); a request pays and opens nothing
until a whole cohort of at least `min_cohort` residents accepted (`open_cohort`), so a
relay needs that many accomplices; what a resident receives from businesses is capped per
local day (`pay_from_business`); and the operator can suspend a business
(`process_suspend_business`), which closes its requests and stops its trade.
"""

from __future__ import annotations

import dataclasses

from planet.core.accounts.rules import is_business, require_operator, require_resident
from planet.core.emission.rules import credit_balance, debit_balance
from planet.core.errors import (
    AlreadyGranted,
    AlreadySuspended,
    BlobRefused,
    BusinessSuspended,
    DailyCapReached,
    DailyLimitReached,
    ForceTooLow,
    GrantEnded,
    GrantUnknown,
    InvalidField,
    NotBusiness,
    NotEnoughDiamonds,
    NotOfferOwner,
    NotSuspended,
    OfferNotOnSale,
    OfferNotPaused,
    OfferPaused,
    OfferStopped,
    OfferUnknown,
    OfferWindowInvalid,
    RecordNotEligible,
    RedemptionSettled,
    RedemptionUnknown,
    RequestClosed,
    RequestUnknown,
    RewardOverCap,
    SoldOut,
    StockBelowSold,
    Unauthorized,
)
from planet.core.exchange.messages import (
    AcceptRequest,
    CloseRequest,
    CreateOffer,
    CreateRequest,
    FulfilRedemption,
    LiftSuspension,
    OfferMsg,
    PauseOffer,
    RedeemOffer,
    RefundRedemption,
    ResumeOffer,
    RevokeGrant,
    StopOffer,
    SuspendBusiness,
    UpdateOffer,
)
from planet.core.exchange.state import (
    CLOSED,
    COUNTERS_KEY,
    EXPIRED,
    EXPIRY_PREFIX,
    FULFILLED,
    LISTED,
    OPEN,
    PAUSED,
    PENDING,
    PREFIX,
    REFUNDED,
    STOPPED,
    Counters,
    DailyCount,
    DataRequest,
    Grant,
    Offer,
    Purse,
    Receipts,
    Redemption,
    Suspension,
    access_key,
    access_prefix,
    daily_key,
    expiry_key,
    grant_key,
    grant_of_key,
    offer_key,
    parse_expiry_key,
    purse_key,
    receipts_key,
    redemption_key,
    redemption_of_key,
    request_key,
    suspension_key,
    waiting_key,
    waiting_prefix,
)
from planet.core.force.days import compute_day
from planet.core.force.grants import get_force
from planet.core.messages import Ctx, Event
from planet.core.params import Params
from planet.core.records import Marker
from planet.core.state import Layer, View
from planet.core.vault.rules import find_record, get_record
from planet.core.vault.state import VaultRecord, records_prefix

# --- reads ------------------------------------------------------------------------------------


def get_counters(view: View) -> Counters:
    return view.get(COUNTERS_KEY, Counters) or Counters()


def get_purse(view: View, business: str) -> Purse:
    return view.get(purse_key(business), Purse) or Purse()


def get_request(view: View, request_id: int) -> DataRequest | None:
    return view.get(request_key(request_id), DataRequest)


def require_request(view: View, request_id: int) -> DataRequest:
    request = get_request(view, request_id)
    if request is None:
        raise RequestUnknown(f"no data request {request_id}")
    return request


def get_grant(view: View, request_id: int, resident: str) -> Grant | None:
    return view.get(grant_key(request_id, resident), Grant)


def get_offer(view: View, offer_id: int) -> Offer | None:
    return view.get(offer_key(offer_id), Offer)


def get_redemption(view: View, redemption_id: int) -> Redemption | None:
    return view.get(redemption_key(redemption_id), Redemption)


def get_suspension(view: View, business: str) -> Suspension | None:
    return view.get(suspension_key(business), Suspension)


def get_suspension_reason(view: View, business: str) -> str:
    """Why the business is suspended, "" if it is not (the hook force and the vault ask)."""
    suspension = get_suspension(view, business)
    return suspension.reason if suspension is not None else ""


def check_not_suspended(view: View, business: str, action: str) -> None:
    suspension = get_suspension(view, business)
    if suspension is not None:
        raise BusinessSuspended(f"{business} is suspended since {suspension.since} "
                                f"({suspension.reason}): {action}")


def require_business(ctx: Ctx, action: str) -> None:
    """An approved business that the operator has not suspended."""
    if not is_business(ctx.state, ctx.sender):
        raise NotBusiness(f"only approved businesses {action}")
    check_not_suspended(ctx.state, ctx.sender, f"it may not {action} until it is lifted")


# --- the daily cap on what a resident receives from businesses ------------------------------


def get_received_today(view: View, resident: str, day: int) -> int:
    receipts = view.get(receipts_key(resident), Receipts)
    return receipts.micro if receipts is not None and receipts.day == day else 0


def compute_cap_left(view: View, params: Params, resident: str, time_ms: int) -> int:
    """µBD the resident may still receive from businesses on the local day of `time_ms`."""
    day = compute_day(time_ms, params.timezone_offset_minutes)
    return max(0, params.resident_daily_cap_micro - get_received_today(view, resident, day))


def check_daily_cap(view: View, params: Params, resident: str, amount: int, time_ms: int) -> None:
    left = compute_cap_left(view, params, resident, time_ms)
    if amount > left:
        raise DailyCapReached(f"{resident} may receive {left} µBD more from businesses today "
                              f"(daily cap {params.resident_daily_cap_micro} µBD); "
                              f"this pays {amount} µBD")


def pay_from_business(state: Layer, params: Params, resident: str, amount: int,
                      time_ms: int) -> None:
    """Every payment of a business to a resident (a data reward) goes through the daily cap
    (a refunded redemption is the resident's own diamonds coming back, and does not)."""
    check_daily_cap(state, params, resident, amount, time_ms)
    day = compute_day(time_ms, params.timezone_offset_minutes)
    state.set(receipts_key(resident),
              Receipts(day=day, micro=get_received_today(state, resident, day) + amount))
    credit_balance(state, params, resident, amount, time_ms)


# --- diamonds of businesses -------------------------------------------------------------------


def credit_purse(state: Layer, business: str, amount: int) -> None:
    purse = get_purse(state, business)
    state.set(purse_key(business), dataclasses.replace(purse, balance=purse.balance + amount))


def debit_purse(state: Layer, business: str, amount: int) -> None:
    purse = get_purse(state, business)
    if purse.balance < amount:
        raise NotEnoughDiamonds(f"needs {amount} µBD; {business} has {purse.balance} µBD")
    state.set(purse_key(business), dataclasses.replace(purse, balance=purse.balance - amount))


# --- data requests and their escrow -----------------------------------------------------------


def next_id(state: Layer, kind: str) -> int:
    counters = get_counters(state)
    value: int = getattr(counters, kind) + 1
    state.set(COUNTERS_KEY, dataclasses.replace(counters, **{kind: value}))
    return value


def process_create_request(ctx: Ctx, msg: CreateRequest) -> None:
    """The whole budget goes into escrow now, so every resident who accepts is paid."""
    require_business(ctx, "post data requests")
    if msg.reward > ctx.params.resident_daily_cap_micro:
        raise RewardOverCap(f"{msg.TYPE}.reward: {msg.reward} µBD per resident is more than "
                            f"a resident may receive from businesses in a day "
                            f"({ctx.params.resident_daily_cap_micro} µBD)")
    if not ctx.time < msg.expires_at <= ctx.time + ctx.params.exchange_max_open_ms:
        raise InvalidField(f"{msg.TYPE}.expires_at: must be after the block time {ctx.time} and "
                           f"within {ctx.params.exchange_max_open_ms} ms of it")
    budget = msg.reward * msg.residents
    debit_purse(ctx.state, ctx.sender, budget)
    request = DataRequest(
        id=next_id(ctx.state, "requests"), business=ctx.sender, categories=msg.categories,
        period_start=msg.period_start, period_end=msg.period_end, purpose=msg.purpose,
        reward=msg.reward, residents=msg.residents, expires_at=msg.expires_at,
        access_ms=msg.access_ms, created_at=ctx.time, cohort=msg.cohort)
    ctx.state.set(request_key(request.id), request)
    ctx.state.set(expiry_key(request.expires_at, request.id), Marker())
    ctx.emit("exchange/request_created", request=request.id, business=ctx.sender,
             escrowed=budget, cohort=msg.cohort)


def lapse_waiting(state: Layer, request: DataRequest, time_ms: int) -> None:
    """Grants still waiting for their cohort never open: their keys are blanked."""
    for key in list(state.iter_keys(waiting_prefix(request.id))):
        resident = key.rsplit("/", 1)[1]
        grant = get_grant(state, request.id, resident)
        assert grant is not None
        state.set(grant_key(request.id, resident),
                  dataclasses.replace(end_grant_keys(grant), lapsed_at=time_ms))
        state.delete(key)


def end_request(state: Layer, request: DataRequest, status: str, time_ms: int) -> Event:
    """Closed or expired: what escrow remains goes back to the business, and acceptances
    of an incomplete cohort lapse unpaid and unread."""
    refund = request.escrow
    credit_purse(state, request.business, refund)
    lapse_waiting(state, request, time_ms)
    state.delete(expiry_key(request.expires_at, request.id))
    state.set(request_key(request.id), dataclasses.replace(
        request, status=status, refunded=request.refunded + refund, ended_at=time_ms,
        waiting=0))
    return Event(f"exchange/request_{status}", {"request": request.id,
                                                "business": request.business,
                                                "refunded": refund,
                                                "lapsed": request.waiting})


def process_close_request(ctx: Ctx, msg: CloseRequest) -> None:
    request = require_request(ctx.state, msg.request)
    if request.business != ctx.sender:
        raise Unauthorized(f"request {msg.request} belongs to {request.business}")
    if request.status != OPEN:
        raise RequestClosed(f"request {msg.request} is already {request.status}")
    ctx.events.append(end_request(ctx.state, request, CLOSED, ctx.time))


def process_request_expiries(ctx: Ctx) -> None:
    """Every request whose expiry has come refunds its escrow (in each block's begin step)."""
    for key in list(ctx.state.iter_keys(EXPIRY_PREFIX)):
        expires_at, request_id = parse_expiry_key(key)
        if expires_at > ctx.time:
            break
        request = require_request(ctx.state, request_id)
        ctx.events.append(end_request(ctx.state, request, EXPIRED, ctx.time))


def check_open(request: DataRequest, time_ms: int) -> None:
    if request.status != OPEN:
        raise RequestClosed(f"request {request.id} is {request.status}")
    if time_ms >= request.expires_at:
        raise RequestClosed(f"request {request.id} expired at {request.expires_at}")
    if request.accepted + request.waiting >= request.residents:
        raise RequestClosed(f"request {request.id} has all {request.residents} residents it "
                            "asked for")


def check_eligible(record: VaultRecord | None, request: DataRequest, digest: str) -> VaultRecord:
    """A record a request may receive: the resident's own, live, of a category and period
    the request named."""
    if record is None:
        raise RecordNotEligible(f"{digest} is not one of your records")
    if record.erased:
        raise RecordNotEligible(f"{digest} was erased")
    if record.category not in request.categories:
        raise RecordNotEligible(f"{digest} is {record.category}; request {request.id} asks for "
                                f"{', '.join(request.categories)}")
    if not request.period_start <= record.time <= request.period_end:
        raise RecordNotEligible(f"{digest} is from {record.time}, outside the period "
                                f"{request.period_start}–{request.period_end}")
    return record


def list_eligible(view: View, request: DataRequest, owner: str) -> list[VaultRecord]:
    """What a resident could share: shown before they sign, so they see exactly that."""
    out = []
    for _key, record in view.iter_prefix(records_prefix(owner), VaultRecord):
        try:
            out.append(check_eligible(record, request, record.digest))
        except RecordNotEligible:
            continue
    return out


def process_accept_request(ctx: Ctx, msg: AcceptRequest) -> None:
    """The resident signs a grant; it waits for its cohort, which opens when complete.

    The reward must fit in what the resident may still receive today, so they learn now
    rather than see their acceptance dropped when the cohort completes.
    """
    require_resident(ctx.state, ctx.sender, "grant access to their data")
    request = require_request(ctx.state, msg.request)
    check_open(request, ctx.time)
    if get_grant(ctx.state, request.id, ctx.sender) is not None:
        raise AlreadyGranted(f"you already answered request {request.id}")
    for i, digest in enumerate(msg.records):
        try:
            check_eligible(get_record(ctx.state, ctx.sender, digest), request, digest)
        except RecordNotEligible as err:
            raise RecordNotEligible(f"records[{i}]: {err.message}") from None
    check_daily_cap(ctx.state, ctx.params, ctx.sender, request.reward, ctx.time)
    grant = Grant(request=request.id, resident=ctx.sender, business=request.business,
                  purpose=request.purpose, records=msg.records, keys=msg.keys,
                  reward=request.reward, granted_at=ctx.time, access_until=0)
    ctx.state.set(grant_key(request.id, ctx.sender), grant)
    ctx.state.set(grant_of_key(ctx.sender, request.id), Marker())
    ctx.state.set(waiting_key(request.id, ctx.sender), Marker())
    for digest in msg.records:
        ctx.state.set(access_key(ctx.sender, digest, request.id), Marker())
    request = dataclasses.replace(request, waiting=request.waiting + 1)
    ctx.state.set(request_key(request.id), request)
    ctx.emit("exchange/accepted", request=request.id, resident=ctx.sender,
             business=request.business, records=len(msg.records), waiting=request.waiting,
             cohort=request.cohort)
    if request.waiting == request.cohort:
        ctx.events.extend(open_cohort(ctx.state, ctx.params, request, ctx.time))


def drop_acceptance(state: Layer, grant: Grant) -> None:
    """An acceptance that cannot be paid leaves no trace but its event: the resident may
    accept again (another day), and the place is free for someone else."""
    state.delete(grant_key(grant.request, grant.resident))
    state.delete(grant_of_key(grant.resident, grant.request))
    state.delete(waiting_key(grant.request, grant.resident))
    for digest in grant.records:
        state.delete(access_key(grant.resident, digest, grant.request))


def open_cohort(state: Layer, params: Params, request: DataRequest, time_ms: int) -> list[Event]:
    """A complete cohort opens at once: every grant in it is paid from escrow and readable.

    A resident whose daily cap no longer has room for the reward (it was checked when they
    accepted, perhaps on another day) is dropped from the cohort, their share stays in
    escrow for whoever takes the place (refunded to the business if no one does), and the
    others keep waiting: no grant ever opens in a cohort smaller than `request.cohort`.
    """
    waiting = [get_grant(state, request.id, key.rsplit("/", 1)[1])
               for key in state.iter_keys(waiting_prefix(request.id))]
    events = []
    for grant in waiting:
        assert grant is not None
        left = compute_cap_left(state, params, grant.resident, time_ms)
        if request.reward > left:
            drop_acceptance(state, grant)
            events.append(Event("exchange/acceptance_dropped", {
                "request": request.id, "resident": grant.resident, "business": request.business,
                "reason": f"daily cap: {left} µBD left today, the reward is {request.reward} µBD"}))
    if events:
        state.set(request_key(request.id), dataclasses.replace(
            request, waiting=request.waiting - len(events)))
        return events
    access_until = time_ms + request.access_ms
    for grant in waiting:
        assert grant is not None
        state.set(grant_key(request.id, grant.resident), dataclasses.replace(
            grant, opened_at=time_ms, access_until=access_until))
        state.delete(waiting_key(request.id, grant.resident))
        pay_from_business(state, params, grant.resident, request.reward, time_ms)
        events.append(Event("exchange/granted", {
            "request": request.id, "resident": grant.resident, "business": request.business,
            "records": len(grant.records), "paid": request.reward, "access_until": access_until}))
    state.set(request_key(request.id), dataclasses.replace(
        request, accepted=request.accepted + len(waiting), waiting=0))
    events.append(Event("exchange/cohort_opened", {
        "request": request.id, "business": request.business, "residents": len(waiting),
        "paid": request.reward * len(waiting)}))
    return events


def end_grant_keys(grant: Grant, digest: str | None = None) -> Grant:
    """Blank the resealed key of one record (erased), or of all (revoked)."""
    keys = tuple("" if digest is None or d == digest else k
                 for d, k in zip(grant.records, grant.keys, strict=True))
    return dataclasses.replace(grant, keys=keys)


def process_revoke_grant(ctx: Ctx, msg: RevokeGrant) -> None:
    """Ends an open grant; withdraws one still waiting, which frees its place."""
    grant = get_grant(ctx.state, msg.request, ctx.sender)
    if grant is None:
        raise GrantUnknown(f"you have no grant on request {msg.request}")
    if grant.revoked_at:
        raise GrantEnded(f"your grant on request {msg.request} was revoked at {grant.revoked_at}")
    if grant.lapsed_at:
        raise GrantEnded(f"your grant on request {msg.request} lapsed at {grant.lapsed_at}: its "
                         "cohort never completed")
    if grant.waits:
        request = require_request(ctx.state, msg.request)
        ctx.state.delete(waiting_key(msg.request, ctx.sender))
        ctx.state.set(request_key(request.id), dataclasses.replace(
            request, waiting=request.waiting - 1))
    elif ctx.time >= grant.access_until:
        raise GrantEnded(f"your grant on request {msg.request} ended at {grant.access_until}")
    revoked = dataclasses.replace(end_grant_keys(grant), revoked_at=ctx.time)
    ctx.state.set(grant_key(msg.request, ctx.sender), revoked)
    ctx.emit("exchange/grant_revoked", request=msg.request, resident=ctx.sender,
             business=grant.business, waited=grant.waits)


def end_grants_on_erasure(state: Layer, owner: str, digest: str, time_ms: int) -> list[Event]:
    """An erased record leaves every grant that covered it (the vault's hook)."""
    events = []
    for key in list(state.iter_keys(access_prefix(owner, digest))):
        request_id = int(key.rsplit("/", 1)[1])
        grant = get_grant(state, request_id, owner)
        assert grant is not None
        state.set(grant_key(request_id, owner), end_grant_keys(grant, digest))
        state.delete(key)
        events.append(Event("exchange/grant_record_ended", {
            "request": request_id, "resident": owner, "business": grant.business,
            "digest": digest}))
    return events


def describe_closed_grant(view: View, grant: Grant) -> str:
    """Why a grant does not let its business read (for check_read's refusal)."""
    where = f"the grant on request {grant.request}"
    if grant.revoked_at:
        return f"{where} was revoked at {grant.revoked_at}"
    if grant.lapsed_at:
        return f"{where} lapsed at {grant.lapsed_at}: its cohort never completed"
    if grant.waits:
        request = require_request(view, grant.request)
        return (f"{where} waits for its cohort ({request.waiting} of {request.cohort} "
                "residents accepted)")
    return f"{where} ended at {grant.access_until}"


def check_read(view: View, reader: str, digest: str, time_ms: int) -> VaultRecord:
    """The blob store's download rule: the owner always; a business only through an active
    grant that covers the record. Raises BlobRefused with the reason."""
    record = find_record(view, digest)
    if record is None:
        raise BlobRefused(f"no record {digest} on the ledger")
    if record.erased:
        raise BlobRefused(f"record {digest} was erased at {record.erased_at}")
    if reader == record.owner:
        return record
    reasons = []
    for key in view.iter_keys(access_prefix(record.owner, digest)):
        grant = get_grant(view, int(key.rsplit("/", 1)[1]), record.owner)
        if grant is None or grant.business != reader:
            continue
        if grant.is_active(time_ms):
            return record
        reasons.append(describe_closed_grant(view, grant))
    if reasons:
        raise BlobRefused(f"{reader} may not read {digest}: {'; '.join(reasons)}")
    raise BlobRefused(f"{reader} may not read {digest}: no active grant from its owner covers it")


# --- offers and redemptions -------------------------------------------------------------------


def process_create_offer(ctx: Ctx, msg: CreateOffer) -> None:
    require_business(ctx, "list offers")
    if msg.ends_at <= ctx.time or msg.ends_at > ctx.time + ctx.params.exchange_max_open_ms:
        raise InvalidField(f"{msg.TYPE}.ends_at: must be after the block time {ctx.time} and "
                           f"within {ctx.params.exchange_max_open_ms} ms of it")
    offer = Offer(id=next_id(ctx.state, "offers"), business=ctx.sender, item=msg.item,
                  price=msg.price, stock=msg.stock, starts_at=msg.starts_at, ends_at=msg.ends_at,
                  min_force=msg.min_force, daily_limit=msg.daily_limit, created_at=ctx.time)
    ctx.state.set(offer_key(offer.id), offer)
    ctx.emit("exchange/offer_created", offer=offer.id, business=ctx.sender, item=msg.item)


def check_on_sale(offer: Offer, time_ms: int) -> None:
    if offer.status == STOPPED:
        raise OfferStopped(f"offer {offer.id} was stopped by its business at {offer.changed_at}")
    if offer.status == PAUSED:
        raise OfferPaused(f"offer {offer.id} is paused by its business since {offer.changed_at}")
    if time_ms < offer.starts_at:
        raise OfferNotOnSale(f"offer {offer.id} has not started: the sale opens at "
                             f"{offer.starts_at}")
    if time_ms >= offer.ends_at:
        raise OfferNotOnSale(f"offer {offer.id} ended at {offer.ends_at}")
    if offer.sold >= offer.stock:
        raise SoldOut(f"offer {offer.id} is sold out ({offer.stock} of {offer.stock})")


def require_own_offer(ctx: Ctx, msg: OfferMsg | UpdateOffer, action: str) -> Offer:
    """The offer, if the sender listed it, may still trade, and it is not stopped."""
    require_business(ctx, action)
    offer = get_offer(ctx.state, msg.offer)
    if offer is None:
        raise OfferUnknown(f"no offer {msg.offer}")
    if offer.business != ctx.sender:
        raise NotOfferOwner(f"offer {offer.id} belongs to {offer.business}")
    if offer.status == STOPPED:
        raise OfferStopped(f"offer {offer.id} was stopped at {offer.changed_at}: it is final")
    return offer


def check_offer_window(msg: UpdateOffer, starts_at: int, ends_at: int, time_ms: int,
                       params: Params) -> None:
    """An edited window ends after it starts; a new end is after now and within the longest
    sale a new offer may have."""
    if ends_at <= starts_at:
        raise OfferWindowInvalid(f"{msg.TYPE}: the sale would end at {ends_at}, not after it "
                                 f"starts at {starts_at}")
    if "ends_at" in msg.changes() and not time_ms < ends_at <= time_ms + params.exchange_max_open_ms:
        raise OfferWindowInvalid(f"{msg.TYPE}.ends_at: must be after the block time {time_ms} "
                                 f"and within {params.exchange_max_open_ms} ms of it")


def process_update_offer(ctx: Ctx, msg: UpdateOffer) -> None:
    """Only the fields given change. Redemptions already made keep their price and item;
    stock never goes below what is redeemed."""
    offer = require_own_offer(ctx, msg, "edit offers")
    changes = msg.changes()
    stock = changes.get("stock", offer.stock)
    if stock < offer.sold:
        raise StockBelowSold(f"offer {offer.id} has {offer.sold} redeemed; its stock cannot be "
                             f"{stock}")
    check_offer_window(msg, changes.get("starts_at", offer.starts_at),
                       changes.get("ends_at", offer.ends_at), ctx.time, ctx.params)
    changed: Offer = dataclasses.replace(offer, changed_at=ctx.time, **changes)  # type: ignore[arg-type]
    ctx.state.set(offer_key(offer.id), changed)
    ctx.emit("exchange/offer_updated", offer=offer.id, business=ctx.sender,
             fields=",".join(sorted(changes)))


def set_offer_status(ctx: Ctx, offer: Offer, status: str, event: str) -> None:
    ctx.state.set(offer_key(offer.id), dataclasses.replace(offer, status=status,
                                                           changed_at=ctx.time))
    ctx.emit(f"exchange/offer_{event}", offer=offer.id, business=ctx.sender)


def process_pause_offer(ctx: Ctx, msg: PauseOffer) -> None:
    offer = require_own_offer(ctx, msg, "pause offers")
    if offer.status == PAUSED:
        raise OfferPaused(f"offer {offer.id} is already paused since {offer.changed_at}")
    set_offer_status(ctx, offer, PAUSED, "paused")


def process_resume_offer(ctx: Ctx, msg: ResumeOffer) -> None:
    offer = require_own_offer(ctx, msg, "resume offers")
    if offer.status != PAUSED:
        raise OfferNotPaused(f"offer {offer.id} is not paused")
    set_offer_status(ctx, offer, LISTED, "resumed")


def process_stop_offer(ctx: Ctx, msg: StopOffer) -> None:
    """Final: nothing more is redeemed; redemptions already made are still settled."""
    offer = require_own_offer(ctx, msg, "stop offers")
    set_offer_status(ctx, offer, STOPPED, "stopped")


def count_today(view: View, offer: Offer, resident: str, day: int) -> int:
    count = view.get(daily_key(offer.id, resident), DailyCount)
    return count.count if count is not None and count.day == day else 0


def process_redeem(ctx: Ctx, msg: RedeemOffer) -> None:
    """Refusals say why: not started, ended, sold out, Force, daily limit, diamonds."""
    require_resident(ctx.state, ctx.sender, "redeem offers")
    offer = get_offer(ctx.state, msg.offer)
    if offer is None:
        raise OfferUnknown(f"no offer {msg.offer}")
    check_not_suspended(ctx.state, offer.business, "its offers cannot be redeemed until the "
                        "operator lifts it")
    check_on_sale(offer, ctx.time)
    force = get_force(ctx.state, ctx.sender)
    if force < offer.min_force:
        raise ForceTooLow(f"offer {offer.id} needs {offer.min_force} Force; you have {force}")
    day = compute_day(ctx.time, ctx.params.timezone_offset_minutes)
    today = count_today(ctx.state, offer, ctx.sender, day)
    if offer.daily_limit and today >= offer.daily_limit:
        raise DailyLimitReached(f"offer {offer.id} allows {offer.daily_limit} a day; you "
                                "reached it today")
    debit_balance(ctx.state, ctx.sender, offer.price)
    credit_purse(ctx.state, offer.business, offer.price)
    ctx.state.set(offer_key(offer.id), dataclasses.replace(offer, sold=offer.sold + 1))
    ctx.state.set(daily_key(offer.id, ctx.sender), DailyCount(day=day, count=today + 1))
    redemption = Redemption(id=next_id(ctx.state, "redemptions"), offer=offer.id,
                            business=offer.business, resident=ctx.sender, item=offer.item,
                            price=offer.price, redeemed_at=ctx.time)
    ctx.state.set(redemption_key(redemption.id), redemption)
    ctx.state.set(redemption_of_key(ctx.sender, redemption.id), Marker())
    ctx.state.set(redemption_of_key(offer.business, redemption.id), Marker())
    ctx.emit("exchange/redeemed", redemption=redemption.id, offer=offer.id, resident=ctx.sender,
             business=offer.business, price=offer.price)


def require_pending_redemption(ctx: Ctx, redemption_id: int) -> Redemption:
    redemption = get_redemption(ctx.state, redemption_id)
    if redemption is None:
        raise RedemptionUnknown(f"no redemption {redemption_id}")
    if redemption.business != ctx.sender:
        raise Unauthorized(f"redemption {redemption_id} is for {redemption.business}")
    if redemption.status != PENDING:
        raise RedemptionSettled(f"redemption {redemption_id} is already {redemption.status}")
    return redemption


def process_fulfil(ctx: Ctx, msg: FulfilRedemption) -> None:
    redemption = require_pending_redemption(ctx, msg.redemption)
    ctx.state.set(redemption_key(redemption.id), dataclasses.replace(
        redemption, status=FULFILLED, voucher=msg.voucher, settled_at=ctx.time))
    ctx.emit("exchange/fulfilled", redemption=redemption.id, resident=redemption.resident,
             business=ctx.sender)


def process_refund(ctx: Ctx, msg: RefundRedemption) -> None:
    redemption = require_pending_redemption(ctx, msg.redemption)
    debit_purse(ctx.state, ctx.sender, redemption.price)
    credit_balance(ctx.state, ctx.params, redemption.resident, redemption.price, ctx.time)
    offer = get_offer(ctx.state, redemption.offer)
    assert offer is not None
    ctx.state.set(offer_key(offer.id), dataclasses.replace(offer, sold=offer.sold - 1))
    ctx.state.set(redemption_key(redemption.id), dataclasses.replace(
        redemption, status=REFUNDED, settled_at=ctx.time))
    ctx.emit("exchange/refunded", redemption=redemption.id, resident=redemption.resident,
             business=ctx.sender, amount=redemption.price)


def compute_business_diamonds(view: View) -> tuple[int, int]:
    """(Σ purses, Σ escrow): the diamonds held on the business side, for the books."""
    purses = sum(p.balance for _k, p in view.iter_prefix(f"{PREFIX}purse/", Purse))
    escrow = sum(r.escrow for _k, r in view.iter_prefix(f"{PREFIX}request/", DataRequest)
                 if r.status == OPEN)
    return purses, escrow



# --- suspension by the operator ---------------------------------------------------------------


def list_open_requests_of(view: View, business: str) -> list[DataRequest]:
    """The business's requests still holding escrow (those with an expiry marker).

    It reads every open request on the chain, not just this business's: the expiry markers
    name a time and an id, and the state keeps no index of open requests by business. One
    (say `exchange/open_of/<business>/<id>`) would be new records in the state tree, so a
    new layout and app hash for every chain, to speed up a message only the operator sends
    and rarely: it is left out. The scan costs one key and one record read per open
    request, all in the one block that carries the suspension, the same on every node."""
    out = []
    for key in view.iter_keys(EXPIRY_PREFIX):
        request = require_request(view, parse_expiry_key(key)[1])
        if request.business == business:
            out.append(request)
    return out


def process_suspend_business(ctx: Ctx, msg: SuspendBusiness) -> None:
    """Trade stops; open requests close now and refund their escrow to the business. Finding
    them scans every open request on the chain (`list_open_requests_of` says why there is no
    index by business)."""
    require_operator(ctx, "may suspend a business")
    if not is_business(ctx.state, msg.business):
        raise NotBusiness(f"{msg.business} is not an approved business")
    suspension = get_suspension(ctx.state, msg.business)
    if suspension is not None:
        raise AlreadySuspended(f"{msg.business} is already suspended since {suspension.since} "
                               f"({suspension.reason})")
    ctx.state.set(suspension_key(msg.business), Suspension(reason=msg.reason, since=ctx.time))
    ctx.emit("exchange/business_suspended", business=msg.business, reason=msg.reason)
    for request in list_open_requests_of(ctx.state, msg.business):
        ctx.events.append(end_request(ctx.state, request, CLOSED, ctx.time))


def process_lift_suspension(ctx: Ctx, msg: LiftSuspension) -> None:
    require_operator(ctx, "may lift a business's suspension")
    if get_suspension(ctx.state, msg.business) is None:
        raise NotSuspended(f"{msg.business} is not suspended")
    ctx.state.delete(suspension_key(msg.business))
    ctx.emit("exchange/suspension_lifted", business=msg.business)
