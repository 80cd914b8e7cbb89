"""The vault and the exchange under random lives: offers, redemptions, escrowed data
requests, grants, revocation, erasure and expiry, on one chain.

A Hypothesis state machine drives a chain with two businesses and four residents (each
checked in and collected once, so they hold diamonds; each redeemed a welcome offer, so
businesses hold diamonds; each has a record, two of them granted it to a first request)
through random transactions, ONE per block, with blocks from a second to two days
apart, so that offers end, requests expire and grants run out. Arguments are drawn wide
on purpose: free and unaffordable offers, budgets beyond the purse, nonexistent ids,
someone else's redemption, request or record, erased records; so refusals happen often,
and where a refusal (or a success) is certain the test says so.

Every block is also run empty on a twin of the chain (the same header, no transaction):
what differs between the twin and the chain is exactly the transaction's effect, and what
differs between the last state and the twin is the block's own begin step (request
expiries). After EVERY block the checks in `_check_block` run:

1. books: Σ resident balances + Σ purses + Σ escrow of open requests = collected + jackpot
   paid, with purses and escrow both from `exchange/books` and recomputed from the state;
2. escrow per request: escrowed = paid + refunded + escrow, escrow ≥ 0, accepted ≤
   residents and = the request's grants; a request not open holds nothing (and is
   consistent with its expiry marker and its status);
3. no diamond moves between residents: the begin step moves no resident's balance (only
   escrow of expired requests back to their business); a transaction moves at most one
   resident's balance: down only by that resident's own redemption, by the offer's price,
   into that offer's business's purse; up only by the resident's own collect, their own
   accepted reward out of that request's escrow, or a refund of their own redemption out
   of the business's purse; any other business-side movement is a request's budget into
   its escrow or a closed request's escrow back;
4. Force and purses are never negative;
5. access: the blob store's download rule (`exchange/read_check`) gives every business
   exactly what its unrevoked, unexpired grants cover, of records not erased, nothing
   more; the owner reads their live records; no one reads an erased record;
6. a refused transaction leaves the state as the empty block left it, but for the
   sender's sequence;
7. besides: a successful transaction had what it needed on the state it ran on (an offer
   on sale, in stock, within Force and daily limit; a pending redemption of the sender's;
   an open request with places left; an active grant; a live record of the sender's); no
   offer is oversold and `sold` is its redemptions not refunded; grants carry their
   request's terms, only their owner's eligible records, and blank keys exactly for
   revoked grants and erased records;
8. diamonds stay where they were earned (issue 15): no resident receives more from
   businesses on a local day than the daily cap (counted by the test from every payment
   it saw, not read from the rules' own count); no reward is paid and no grant readable
   before its request reached a whole cohort (an acceptance pays either no one or exactly
   one cohort, each at the reward; opened grants are whole cohorts; waiting, lapsed and
   withdrawn grants are never readable); a deposit into a vault whose owner did not allow
   that business is refused and changes nothing; a suspended business sells, asks,
   deposits and attests nothing, and its suspension refunded every open request;
9. offers edited, paused, resumed and stopped by their business (issue 17, item 4): only
   by that business, not while suspended, never a stopped one; nothing is redeemed from a
   paused or stopped offer, a stopped offer stays stopped, stock never falls below what is
   redeemed, and a redemption keeps the price and item it was made at whatever the offer
   becomes. They move no diamond (check 3 holds them to that).

Cohorts are of 2 (`min_cohort` 2, places 2 or 4) and the cap 600,000 µBD, so that both
are reached within a run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

from planet.core.accounts.state import account_key
from planet.core.app import Application
from planet.core.emission.messages import Collect
from planet.core.emission.rules import get_clock, get_holder
from planet.core.errors import PlanetError
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
    get_counters,
    get_grant,
    get_offer,
    get_redemption,
    get_request,
)
from planet.core.exchange.state import (
    CLOSED,
    EXPIRED,
    EXPIRY_PREFIX,
    FULFILLED,
    LISTED,
    OPEN,
    PAUSED,
    PENDING,
    REFUNDED,
    STOPPED,
    DailyCount,
    DataRequest,
    Grant,
    Offer,
    Purse,
    Redemption,
    access_key,
    daily_key,
    expiry_key,
    grants_of_request_prefix,
)
from planet.core.force.days import compute_day
from planet.core.force.grants import get_force
from planet.core.force.messages import AttestTasks, CompleteTask
from planet.core.messages import Msg
from planet.core.state import CommittedState, View
from planet.core.transition import TxResult
from planet.core.vault.messages import (
    AddRecord,
    AllowDepositor,
    DepositRecord,
    EraseRecord,
    RevokeDepositor,
)
from planet.core.vault.state import CATEGORIES, Allowance, VaultRecord, depositor_key, record_key
from planet.sdk.wallet import Wallet
from tests.chain import b64, make_chain

OFFER_EDITS = (UpdateOffer, PauseOffer, ResumeOffer, StopOffer)
SECOND = 1_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
BD = 1_000_000
N_RESIDENTS = 4
COHORT = 2
CAP = 600_000

DTS = st.sampled_from([SECOND, SECOND, SECOND, SECOND, MINUTE, HOUR, 7 * HOUR, DAY,
                       2 * DAY + HOUR])
PICK = st.integers(0, 40)


def digest_for(n: int) -> str:
    return hashlib.sha256(f"exchange-stateful/record/{n}".encode()).hexdigest()


def sealed_key(n: int) -> str:
    """80 bytes, as an HPKE-sealed data key is (the core checks only the length)."""
    seed = hashlib.sha256(f"exchange-stateful/key/{n}".encode()).digest()
    return b64((seed * 3)[:80])


VOUCHER = b64(hashlib.sha256(b"voucher").digest() * 2)  # 64 bytes: long enough
SHORT_VOUCHER = b64(b"short")


@dataclass(frozen=True)
class Money:
    """Where diamonds are in one state: balances, purses, escrow of open requests."""

    balances: dict[str, int]
    purses: dict[str, int]
    escrow: dict[int, int]  # request id -> escrow it still holds (0 once not open)
    collected: int
    jackpot_paid: int


def at(choice: int | str, times: dict[str, int]) -> int:
    """A drawn time: a fixed number of ms, or one named relative to the block's time."""
    return choice if isinstance(choice, int) else times[choice]


def nonzero_delta(before: dict[Any, int], after: dict[Any, int]) -> dict[Any, int]:
    keys = set(before) | set(after)
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in keys}
    return {k: v for k, v in delta.items() if v}


class ExchangeMachine(RuleBasedStateMachine):
    """One transaction per block, each checked against the invariants above."""

    def __init__(self) -> None:
        super().__init__()
        self.chain = make_chain(label="exchange-stateful", businesses=2,
                                params={"min_cohort": COHORT, "resident_daily_cap_micro": CAP})
        self.params = self.chain.params
        self.businesses = list(self.chain.businesses)
        self.residents = self.chain.register_residents(N_RESIDENTS)
        self.records_made = 0
        self.keys_made = 0
        self.outcomes: Counter[str] = Counter()
        self.refusals = 0
        self.read_allowed = 0
        self.received: Counter[tuple[str, int]] = Counter()  # (resident, local day) -> µBD
        self.suspended: set[str] = set()
        self.stopped: dict[int, int] = {}  # offer id -> when its business stopped it
        self.terms: dict[int, tuple[int, str]] = {}  # redemption id -> (price, item) when made
        self.money = self._money(self.chain.app.state)
        for r in self.residents:
            self._tx(r, CompleteTask(task_id="daily_checkin"), expect=True)
        for r in self.residents:
            self._tx(r, Collect(), dt=HOUR, expect=True)
        assert all(self.money.balances[r.address] > 0 for r in self.residents)
        # So that businesses have diamonds and residents records from the start: a long
        # sale at each business, one redemption per resident, one travel record each.
        for b in self.businesses:
            self._tx(b, CreateOffer(item="Welcome", price=5 * BD, stock=50, starts_at=0,
                                    ends_at=self.time + 30 * DAY, min_force=0, daily_limit=0),
                     expect=True)
        for i, r in enumerate(self.residents):
            self._tx(r, RedeemOffer(offer=i % 2 + 1), expect=True)
        for r in self.residents:
            self._tx(r, AddRecord(digest=self.new_digest(), category="travel",
                                  time=self.time - HOUR, size=100), expect=True)
        for r in self.residents[2:]:
            self._tx(r, AddRecord(digest=self.new_digest(), category="credit",
                                  time=self.time - HOUR, size=100), expect=True)
        # And grants from the start, for revocation, erasure and access to work on: a
        # request of the first business that two residents answer.
        self._tx(self.businesses[0], CreateRequest(
            categories=("travel",), period_start=0, period_end=self.time, purpose="Routes",
            reward=100_000, residents=4, cohort=COHORT, expires_at=self.time + 3 * DAY,
            access_ms=30 * DAY), expect=True)
        for r in self.residents[:2]:
            self._accept(r, 1, 0, "eligible", 1, SECOND)
        assert len(self.all_grants()) == 2

    # --- helpers ----------------------------------------------------------------------------

    @property
    def state(self) -> CommittedState:
        return self.chain.app.state

    @property
    def time(self) -> int:
        return self.chain.app.meta().time

    def q(self, path: str, **args: Any) -> Any:
        return self.chain.app.query(path, args)

    def resident(self, i: int) -> Wallet:
        return self.residents[i % len(self.residents)]

    def business(self, i: int) -> Wallet:
        return self.businesses[i % len(self.businesses)]

    def new_digest(self) -> str:
        self.records_made += 1
        return digest_for(self.records_made)

    def new_key(self) -> str:
        self.keys_made += 1
        return sealed_key(self.keys_made)

    def all_records(self, view: View | None = None) -> list[VaultRecord]:
        return [r for _k, r in (view or self.state).iter_prefix("vault/record/", VaultRecord)]

    def all_requests(self, view: View | None = None) -> list[DataRequest]:
        return [r for _k, r in (view or self.state).iter_prefix("exchange/request/", DataRequest)]

    def all_grants(self, view: View | None = None) -> list[Grant]:
        return [g for _k, g in (view or self.state).iter_prefix("exchange/grant/", Grant)]

    def _money(self, view: View) -> Money:
        balances: dict[str, int] = {}
        for w in self.residents:
            holder = get_holder(view, w.address)
            balances[w.address] = holder.balance if holder else 0
        purses = {k.removeprefix("exchange/purse/"): p.balance
                  for k, p in view.iter_prefix("exchange/purse/", Purse)}
        escrow = {r.id: (r.escrow if r.status == OPEN else 0) for r in self.all_requests(view)}
        clock = get_clock(view)
        return Money(balances, purses, escrow, clock.collected, clock.jackpot_paid)

    # --- one block ----------------------------------------------------------------------------

    def _tx(self, signer: Wallet | None, msg: Msg | None, dt: int = SECOND,
            expect: bool | None = None) -> TxResult | None:
        """One block, with `msg` from `signer` or empty; `expect` is True or False when the
        outcome is certain."""
        chain = self.chain
        before = self.money
        header = chain.next_header(dt)
        twin = Application(chain.genesis, CommittedState(list(chain.app.state.items())))
        twin.finalize_block(header, [])
        twin.commit()
        raws = [] if msg is None or signer is None else [chain.sign(signer, [msg])]
        result = chain.block(raws, dt=dt)
        assert chain.app.meta().time == header.time
        begun = self._money(twin.state)
        after = self._money(self.state)
        self._check_begin(before, begun, twin.state)
        out = None
        if msg is None:
            self._check_same_state(twin, None)
        else:
            assert signer is not None
            out = result.tx_results[0]
            name = type(msg).__name__
            self.outcomes[f"{name} {'ok' if out.ok else 'refused'}"] += 1
            if signer.address in self.suspended and isinstance(
                    msg, (CreateOffer, CreateRequest, DepositRecord, AttestTasks, *OFFER_EDITS)):
                expect = False
            if expect is not None:
                assert out.ok == expect, (name, msg, out.code, out.log)
            if out.ok:
                self._check_tx_money(signer, msg, twin.state, begun, after)
                self._check_tx_allowed(signer, msg, twin.state, header.time)
                self._count_received(msg, begun, after, header.time)
                if isinstance(msg, SuspendBusiness):
                    self.suspended.add(msg.business)
                elif isinstance(msg, LiftSuspension):
                    self.suspended.discard(msg.business)
                elif isinstance(msg, StopOffer):
                    self.stopped[msg.offer] = header.time
            else:
                self.refusals += 1
                self._check_same_state(twin, signer)
        self.money = after
        self._check_block(after)
        return out

    # --- the checks ---------------------------------------------------------------------------

    def _check_same_state(self, twin: Application, sender: Wallet | None) -> None:
        """6. A refused tx (or none): the empty block's state, but for the sender's sequence
        (a tx refused before it authenticates does not even consume that)."""
        real, empty = dict(self.state.items()), dict(twin.state.items())
        assert set(real) == set(empty), sorted(set(real) ^ set(empty))
        changed = sorted(k for k in real if real[k] != empty[k])
        if sender is None or not changed:
            assert changed == [], changed
            return
        key = account_key(sender.address)
        assert changed == [key], changed
        a, b = json.loads(real[key]), json.loads(empty[key])
        assert a.pop("sequence") == b.pop("sequence") + 1
        assert a == b

    def _check_begin(self, before: Money, begun: Money, view: View) -> None:
        """3. The block's begin step moves no resident's diamonds: it only gives expired
        requests' escrow back to their business."""
        assert begun.balances == before.balances
        assert (begun.collected, begun.jackpot_paid) == (before.collected, before.jackpot_paid)
        released: dict[str, int] = {}
        for r in self.all_requests(view):
            held = before.escrow.get(r.id, 0)
            if begun.escrow.get(r.id, 0) != held:
                assert r.status == EXPIRED and begun.escrow[r.id] == 0, r
                released[r.business] = released.get(r.business, 0) + held
        assert nonzero_delta(before.purses, begun.purses) == {
            b: v for b, v in released.items() if v}

    def _check_tx_money(self, signer: Wallet, msg: Msg, view: View, pre: Money,
                        post: Money) -> None:
        """3. What one successful transaction moved (`view` is the state it ran on)."""
        d_bal = nonzero_delta(pre.balances, post.balances)
        d_purse = nonzero_delta(pre.purses, post.purses)
        d_escrow = nonzero_delta(pre.escrow, post.escrow)
        d_collected = post.collected - pre.collected
        assert post.jackpot_paid == pre.jackpot_paid
        assert sum(d_bal.values()) + sum(d_purse.values()) + sum(d_escrow.values()) == d_collected
        sender = signer.address
        if isinstance(msg, AcceptRequest) and d_bal:
            # 8. A completed cohort: exactly `cohort` residents, the sender among them, each
            # paid the reward out of that request's escrow, and no one else's balance moved.
            request = get_request(view, msg.request)
            assert request is not None and sender in d_bal
            assert len(d_bal) == request.cohort and set(d_bal.values()) == {request.reward}
            assert (d_purse, d_escrow) == ({}, {msg.request: -request.reward * request.cohort})
            opened = [g for g in self.all_grants() if g.request == msg.request
                      and g.opened_at == self.time]
            assert sorted(g.resident for g in opened) == sorted(d_bal)
            return
        assert len(d_bal) <= 1, d_bal
        if d_collected:
            assert isinstance(msg, Collect) and d_bal == {sender: d_collected}, (msg, d_bal)
        if not d_bal:
            if isinstance(msg, CreateRequest):
                new_id = get_counters(view).requests + 1
                budget = msg.reward * msg.residents
                assert (d_purse, d_escrow) == ({sender: -budget}, {new_id: budget})
            elif isinstance(msg, CloseRequest):
                held = pre.escrow.get(msg.request, 0)
                assert (d_purse, d_escrow) == (({sender: held}, {msg.request: -held}) if held
                                               else ({}, {}))
            elif isinstance(msg, SuspendBusiness):
                held = {rid: v for rid, v in pre.escrow.items() if v and
                        (r := get_request(view, rid)) is not None and r.business == msg.business}
                assert d_escrow == {rid: -v for rid, v in held.items()}
                assert d_purse == ({msg.business: sum(held.values())} if held else {})
            else:
                assert (d_purse, d_escrow) == ({}, {}), (msg, d_purse, d_escrow)
            return
        ((who, amount),) = d_bal.items()
        if amount < 0:
            assert isinstance(msg, RedeemOffer) and who == sender, (msg, d_bal)
            offer = get_offer(view, msg.offer)
            assert offer is not None and -amount == offer.price
            assert (d_purse, d_escrow) == ({offer.business: offer.price}, {})
        elif isinstance(msg, Collect):
            assert who == sender and amount == d_collected
            assert (d_purse, d_escrow) == ({}, {})
        elif isinstance(msg, RefundRedemption):
            redemption = get_redemption(view, msg.redemption)
            assert redemption is not None
            assert who == redemption.resident and amount == redemption.price
            assert (d_purse, d_escrow) == ({sender: -amount}, {})
        else:
            raise AssertionError(f"{type(msg).__name__} by {sender} paid {who} {amount} µBD")

    def _check_tx_allowed(self, signer: Wallet, msg: Msg, view: View, t: int) -> None:
        """What a successful transaction needed, read on the state it ran on (`view`)."""
        sender = signer.address
        if isinstance(msg, RedeemOffer):
            offer = get_offer(view, msg.offer)
            assert offer is not None and offer.starts_at <= t < offer.ends_at, (offer, t)
            assert offer.sold < offer.stock and get_force(view, sender) >= offer.min_force
            assert offer.business not in self.suspended
            daily = view.get(daily_key(offer.id, sender), DailyCount)
            today = compute_day(t, self.params.timezone_offset_minutes)
            if offer.daily_limit and daily is not None and daily.day == today:
                assert daily.count < offer.daily_limit
            redemption = get_redemption(self.state, get_counters(view).redemptions + 1)
            assert redemption is not None
            assert (redemption.offer, redemption.resident, redemption.business, redemption.price,
                    redemption.status) == (offer.id, sender, offer.business, offer.price, PENDING)
            # 9. Never from a paused or stopped offer.
            assert offer.status == LISTED and offer.id not in self.stopped, offer
            self.terms[redemption.id] = (redemption.price, redemption.item)
        elif isinstance(msg, OFFER_EDITS):
            # 9. Only the offer's business, never a stopped offer; the state it leaves.
            offer = get_offer(view, msg.offer)
            assert offer is not None and offer.business == sender and offer.status != STOPPED
            assert sender not in self.suspended and msg.offer not in self.stopped
            new = get_offer(self.state, msg.offer)
            assert new is not None and new.changed_at == t
            if isinstance(msg, UpdateOffer):
                assert new == dataclasses.replace(offer, **msg.changes(), changed_at=t)
                assert new.sold <= new.stock and new.starts_at < new.ends_at
            else:
                assert offer.status == {PauseOffer: LISTED, ResumeOffer: PAUSED}.get(
                    type(msg), offer.status)
                assert new.status == {PauseOffer: PAUSED, ResumeOffer: LISTED,
                                      StopOffer: STOPPED}[type(msg)]
        elif isinstance(msg, AcceptRequest):
            request = get_request(view, msg.request)
            assert request is not None and request.status == OPEN and t < request.expires_at
            assert request.accepted + request.waiting < request.residents
            assert get_grant(view, msg.request, sender) is None
        elif isinstance(msg, (FulfilRedemption, RefundRedemption)):
            redemption = get_redemption(view, msg.redemption)
            assert redemption is not None and redemption.business == sender
            assert redemption.status == PENDING
        elif isinstance(msg, CloseRequest):
            request = get_request(view, msg.request)
            assert request is not None and request.business == sender and request.status == OPEN
        elif isinstance(msg, RevokeGrant):
            grant = get_grant(view, msg.request, sender)
            assert grant is not None and (grant.is_active(t) or grant.waits)
        elif isinstance(msg, (DepositRecord, AttestTasks)):
            assert sender not in self.suspended
            if isinstance(msg, DepositRecord):
                assert view.get(depositor_key(msg.owner, sender), Allowance) is not None
        elif isinstance(msg, EraseRecord):
            record = view.get(record_key(sender, msg.digest), VaultRecord)
            assert record is not None and not record.erased

    def _check_block(self, money: Money) -> None:
        state, t = self.state, self.time
        residents = {w.address for w in self.residents}

        # 1. Books, from the queries and recomputed from the state.
        supply = self.q("emission/supply")
        books = self.q("exchange/books")
        requests = self.all_requests()
        purses = sum(money.purses.values())
        escrow = sum(r.escrow for r in requests if r.status == OPEN)
        assert (books["purses_micro"], books["escrow_micro"]) == (purses, escrow)
        assert purses == sum(self.q("exchange/purse", business=b)["balance"] for b in money.purses)
        assert sum(money.balances.values()) + purses + escrow == \
            supply["collected_micro"] + supply["jackpot_paid_micro"]
        assert supply["jackpot_paid_micro"] == 0  # no drill here
        holders = {k.removeprefix("emission/holder/") for k in state.iter_keys("emission/holder/")}
        assert holders <= residents, holders - residents

        # 4. Purses and Force never negative; purses belong to businesses.
        assert all(v >= 0 for v in money.purses.values()), money.purses
        assert set(money.purses) <= {b.address for b in self.businesses}
        for w in self.residents:
            assert self.q("force/force", address=w.address)["force"] >= 0

        # 2. Escrow per request.
        grants = self.all_grants()
        for r in requests:
            got = [g for _k, g in state.iter_prefix(grants_of_request_prefix(r.id), Grant)]
            assert r.escrowed == r.reward * r.residents == \
                r.reward * r.accepted + r.refunded + r.escrow
            assert r.escrow >= 0 and r.refunded >= 0
            assert 0 <= r.accepted + r.waiting <= r.residents == \
                self.q("exchange/request", id=r.id)["residents"]
            # 8. Paid and opened only in whole cohorts; fewer than a cohort ever waits.
            assert r.accepted == sum(1 for g in got if g.opened_at)
            assert r.accepted % r.cohort == 0 and 0 <= r.waiting < r.cohort
            assert r.waiting == sum(1 for g in got if g.waits)
            assert r.waiting == 0 or r.status == OPEN
            assert state.has(expiry_key(r.expires_at, r.id)) == (r.status == OPEN)
            if r.status == OPEN:
                assert r.refunded == 0 and t < r.expires_at and r.ended_at == 0
            else:
                assert r.escrow == 0 and money.escrow[r.id] == 0
                assert r.refunded == r.reward * (r.residents - r.accepted)
                assert r.created_at <= r.ended_at <= t
                if r.status == EXPIRED:
                    assert r.ended_at >= r.expires_at
                else:
                    assert r.status == CLOSED and r.ended_at < r.expires_at
        expiring = list(state.iter_keys(EXPIRY_PREFIX))
        assert len(expiring) == sum(1 for r in requests if r.status == OPEN)

        # Offers: never oversold; what is sold is what was redeemed and not refunded.
        redemptions = [red for _k, red in state.iter_prefix("exchange/redemption/", Redemption)]
        for _k, offer in state.iter_prefix("exchange/offer/", Offer):
            kept = [red for red in redemptions if red.offer == offer.id and red.status != REFUNDED]
            assert 0 <= offer.sold == len(kept) <= offer.stock, offer
            # 9. A stopped offer stays stopped, and nothing was redeemed from it since.
            if offer.id in self.stopped:
                assert offer.status == STOPPED and offer.changed_at == self.stopped[offer.id]
                assert all(red.redeemed_at < offer.changed_at for red in kept)
        for red in redemptions:
            assert (red.status == FULFILLED) == bool(red.voucher)
            if red.id in self.terms:
                assert (red.price, red.item) == self.terms[red.id], red
            assert (red.status == PENDING) == (red.settled_at == 0)

        # 5. Access.
        records = {r.digest: r for r in self.all_records()}
        by_request = {r.id: r for r in requests}
        for g in grants:
            request = by_request[g.request]
            assert (g.business, g.reward, g.purpose) == (request.business, request.reward,
                                                         request.purpose)
            if g.opened_at:
                assert g.access_until == g.opened_at + request.access_ms
                assert g.granted_at <= g.opened_at < request.expires_at
            else:
                assert g.access_until == 0
            assert request.created_at <= g.granted_at < request.expires_at
            assert g.resident in residents
            assert g.revoked_at == 0 or g.granted_at <= g.revoked_at < max(g.access_until,
                                                                           g.revoked_at + 1)
            assert not (g.revoked_at and g.lapsed_at)
            for d, key in zip(g.records, g.keys, strict=True):
                record = records[d]
                assert record.owner == g.resident
                assert record.category in request.categories
                assert request.period_start <= record.time <= request.period_end
                assert not record.erased or record.erased_at >= g.granted_at
                live = not g.revoked_at and not g.lapsed_at and not record.erased
                assert bool(key) == live, (g, d)
                assert state.has(access_key(g.resident, d, g.request)) == (not record.erased)
        for d, record in records.items():
            for b in self.businesses:
                expected = not record.erased and any(
                    g.business == b.address and d in g.records and g.resident == record.owner
                    and g.opened_at and not g.revoked_at and t < g.access_until for g in grants)
                assert self._may_read(b.address, d) == expected, (b.address, record)
                self.read_allowed += expected
            assert self._may_read(record.owner, d) == (not record.erased)
            other = next(w.address for w in self.residents if w.address != record.owner)
            assert not self._may_read(other, d)

        # 8. The daily cap, from what the test saw paid, and suspended businesses hold no
        # open request.
        for (who, _day), micro in self.received.items():
            assert micro <= CAP, (who, micro)
        for r in requests:
            assert not (r.business in self.suspended and r.status == OPEN), r

    def _count_received(self, msg: Msg, pre: Money, post: Money, t: int) -> None:
        """What businesses paid residents in this tx (a refund of a redemption is the
        resident's own diamonds coming back), per resident and local day."""
        if isinstance(msg, AcceptRequest):
            day = compute_day(t, self.params.timezone_offset_minutes)
            for who, amount in nonzero_delta(pre.balances, post.balances).items():
                self.received[(who, day)] += amount

    def _may_read(self, address: str, digest: str) -> bool:
        try:
            self.q("exchange/read_check", address=address, digest=digest)
        except PlanetError:
            return False
        return True

    def teardown(self) -> None:
        """What the run exercised (see `pytest --hypothesis-show-statistics`)."""
        if not hasattr(self, "chain"):
            return
        for kind in ("AcceptRequest ok", "RedeemOffer ok", "RefundRedemption ok",
                     "CloseRequest ok", "RevokeGrant ok", "EraseRecord ok", "CreateRequest ok"):
            event(f"{kind}: {min(self.outcomes[kind], 3)}{'+' if self.outcomes[kind] >= 3 else ''}")
        edited = any(self.outcomes[f"{m.__name__} ok"] for m in OFFER_EDITS)
        event(f"an offer edited, paused or stopped: {edited}")
        event(f"an offer stopped: {bool(self.stopped)}")
        event(f"an expired request refunded: {any(r.status == EXPIRED for r in self.all_requests())}")
        event(f"a business could read a record: {self.read_allowed > 0}")
        event(f"a cohort opened: {any(r.accepted for r in self.all_requests())}")
        event(f"a deposit refused for want of consent: {self.outcomes['DepositRecord refused'] > 0}")
        event(f"someone reached the cap: {any(v + 1 > CAP - 300_000 for v in self.received.values())}")

    # --- rules: residents -----------------------------------------------------------------------

    @rule(who=PICK, dt=DTS)
    def check_in(self, who: int, dt: int) -> None:
        self._tx(self.resident(who), CompleteTask(task_id="daily_checkin"), dt=dt)

    @rule(who=PICK, dt=DTS)
    def collect(self, who: int, dt: int) -> None:
        self._tx(self.resident(who), Collect(), dt=dt, expect=True)

    @rule(who=PICK, pick=PICK, dt=DTS)
    def redeem(self, who: int, pick: int, dt: int) -> None:
        """A random offer id, up to two past the last one (which cannot succeed)."""
        last = get_counters(self.state).offers
        offer = pick % (last + 2) + 1
        self._tx(self.resident(who), RedeemOffer(offer=offer), dt=dt,
                 expect=False if offer > last else None)

    @rule(who=PICK, category=st.sampled_from(CATEGORIES[:5]),
          when=st.sampled_from([0, 1, "-day", "now", "+hour"]), again=st.booleans(), dt=DTS)
    def add_record(self, who: int, category: str, when: int | str, again: bool, dt: int) -> None:
        """A fresh record (always accepted), or one under a digest already on the ledger."""
        t = self.time + dt
        time = at(when, {"-day": t - DAY, "now": t, "+hour": t + HOUR})
        existing = [r.digest for r in self.all_records()]
        digest = existing[who % len(existing)] if again and existing else self.new_digest()
        self._tx(self.resident(who), AddRecord(digest=digest, category=category, time=time,
                                               size=100), dt=dt, expect=not (again and existing))

    @rule(who=PICK, pick=PICK, mode=st.sampled_from(["eligible", "eligible", "mine", "any",
                                                     "unknown"]),
          n=st.integers(1, 3), dt=DTS)
    def accept(self, who: int, pick: int, mode: str, n: int, dt: int) -> None:
        """Accept a random request (or none) with records: some of the eligible ones, any
        of one's own, any on the ledger (others', erased), or unknown digests."""
        requests = self.all_requests()
        self._accept(self.resident(who), pick % (len(requests) + 1) + 1, pick, mode, n, dt)

    def _accept(self, w: Wallet, request_id: int, pick: int, mode: str, n: int, dt: int) -> None:
        request = get_request(self.state, request_id)
        records = self.all_records()
        mine = [r for r in records if r.owner == w.address]
        if mode == "eligible" and request is not None:
            chosen = [r.digest for r in mine if not r.erased and r.category in request.categories
                      and request.period_start <= r.time <= request.period_end]
        elif mode == "mine":
            chosen = [r.digest for r in mine]
        elif mode == "any":
            chosen = [r.digest for r in records]
        else:
            chosen = []
        if chosen:
            start = pick % len(chosen)
            chosen = (chosen[start:] + chosen[:start])[:n]
        else:
            chosen = [self.new_digest()]
        ineligible = request is None or any(
            r.owner != w.address or r.erased or r.category not in request.categories
            or not request.period_start <= r.time <= request.period_end
            for r in records if r.digest in chosen)
        surely_refused = ineligible or not any(r.digest == chosen[0] for r in records) or \
            get_grant(self.state, request_id, w.address) is not None
        self._tx(w, AcceptRequest(request=request_id, records=tuple(chosen),
                                  keys=tuple(self.new_key() for _ in chosen)), dt=dt,
                 expect=False if surely_refused else None)

    @rule(who=PICK, pick=PICK, dt=st.sampled_from([SECOND, SECOND, MINUTE, HOUR, DAY]))
    def revoke(self, who: int, pick: int, dt: int) -> None:
        """Mostly a grant still active now, by its resident (it may end with the block's
        dt); else a random resident and request id (often no grant of theirs)."""
        w, request_id = self.resident(who), pick % 5 + 1
        active = [g for g in self.all_grants() if g.is_active(self.time)]
        if active and pick % 4:
            grant = active[pick % len(active)]
            w, request_id = next(r for r in self.residents if r.address == grant.resident), grant.request
        mine = [g.request for g in self.all_grants() if g.resident == w.address]
        self._tx(w, RevokeGrant(request=request_id), dt=dt,
                 expect=False if request_id not in mine else None)

    @rule(who=PICK, pick=PICK, own=st.booleans(), dt=DTS)
    def erase(self, who: int, pick: int, own: bool, dt: int) -> None:
        w = self.resident(who)
        records = self.all_records()
        pool = [r for r in records if r.owner == w.address] if own else records
        if not pool:
            digest, surely = self.new_digest(), False
        else:
            record = pool[pick % len(pool)]
            digest = record.digest
            surely = record.owner == w.address and not record.erased
        self._tx(w, EraseRecord(digest=digest), dt=dt, expect=surely)

    # --- rules: businesses ----------------------------------------------------------------------

    @rule(biz=PICK, price=st.sampled_from([0, 1, 999, 250_000, 3 * BD, 10**12]),
          stock=st.sampled_from([1, 2, 10]),
          starts=st.sampled_from([0, "now", "+hour", "+day"]),
          lasts=st.sampled_from([HOUR, DAY, 3 * DAY, 91 * DAY, 0]),
          min_force=st.sampled_from([0, 0, 2, 5, 1_000]), daily_limit=st.sampled_from([0, 0, 1, 2]),
          dt=DTS)
    def create_offer(self, biz: int, price: int, stock: int, starts: int | str, lasts: int,
                     min_force: int, daily_limit: int, dt: int) -> None:
        t = self.time + dt
        starts_at = at(starts, {"now": t, "+hour": t + HOUR, "+day": t + DAY})
        ends_at = max(starts_at, t) + lasts
        self._tx(self.business(biz), CreateOffer(item="Coffee", price=price, stock=stock,
                                                 starts_at=starts_at, ends_at=ends_at,
                                                 min_force=min_force, daily_limit=daily_limit),
                 dt=dt)

    @rule(biz=PICK, who=PICK, price=st.sampled_from([0, 1, 2 * BD]),
          min_force=st.sampled_from([0, 2, 3, 1_000]), daily_limit=st.sampled_from([0, 1, 2]),
          stock=st.sampled_from([1, 3, 10]), tries=st.integers(1, 4))
    def flash_sale(self, biz: int, who: int, price: int, min_force: int, daily_limit: int,
                   stock: int, tries: int) -> None:
        """A short sale, gated by Force and a daily limit, and one resident rushing it a
        few times within seconds (so limits and stock are reached)."""
        t = self.time + SECOND
        listed = self._tx(self.business(biz), CreateOffer(
            item="Flash", price=price, stock=stock, starts_at=t, ends_at=t + HOUR,
            min_force=min_force, daily_limit=daily_limit),
            expect=self.business(biz).address not in self.suspended)
        if listed is None or not listed.ok:
            return
        offer_id = get_counters(self.state).offers
        w = self.resident(who)
        for _ in range(tries):
            too_weak = get_force(self.state, w.address) < min_force  # Force only drops by itself
            self._tx(w, RedeemOffer(offer=offer_id), expect=False if too_weak else None)

    @rule(biz=PICK, pick=PICK, action=st.sampled_from(["update", "update", "pause", "resume",
                                                        "stop"]),
          price=st.sampled_from([None, 0, 1, 3 * BD]), stock=st.sampled_from([None, 1, 2, 60]),
          window=st.sampled_from([None, "end+day", "end-past", "start+week", "both"]),
          gate=st.sampled_from([None, (0, 0), (2, 1), (1_000, 0)]), dt=DTS)
    def edit_offer(self, biz: int, pick: int, action: str, price: int | None,
                   stock: int | None, window: str | None, gate: tuple[int, int] | None,
                   dt: int) -> None:
        """A business edits, pauses, resumes or stops one of its offers (or another's, or
        none): fields drawn so that stock below what is sold and broken windows happen."""
        b = self.business(biz)
        last = get_counters(self.state).offers
        mine = [o.id for _k, o in self.state.iter_prefix("exchange/offer/", Offer)
                if o.business == b.address]
        offer_id = mine[pick % len(mine)] if mine and pick % 4 else pick % (last + 1) + 1
        offer = get_offer(self.state, offer_id)
        surely_refused = offer is None or offer.business != b.address or \
            offer.status == STOPPED or b.address in self.suspended
        msg: Msg
        if action == "update":
            t = self.time + dt
            fields: dict[str, int] = {}
            if price is not None:
                fields["price"] = price
            if stock is not None:
                fields["stock"] = stock
            if window in ("end+day", "both"):
                fields["ends_at"] = t + DAY
            if window == "end-past":
                fields["ends_at"] = t - HOUR
            if window in ("start+week", "both"):
                fields["starts_at"] = t + 7 * DAY
            if gate is not None:
                fields["min_force"], fields["daily_limit"] = gate
            if not fields or window in ("end-past", "both"):
                surely_refused = True
            if offer is not None and fields.get("stock", offer.stock) < offer.sold:
                surely_refused = True
            msg = UpdateOffer(offer=offer_id, **fields)
        else:
            msg = {"pause": PauseOffer, "resume": ResumeOffer, "stop": StopOffer}[action](
                offer=offer_id)
            if offer is not None and (action == "pause") == (offer.status == PAUSED) \
                    and action != "stop":
                surely_refused = True
        if isinstance(msg, UpdateOffer) and not msg.changes():
            return  # an empty update does not even parse (NothingToUpdate): nothing to sign
        self._tx(b, msg, dt=dt, expect=False if surely_refused else None)

    @rule(biz=PICK, who=PICK, then=st.sampled_from(["pause", "stop", "resume", "reprice",
                                                     "restock"]))
    def change_a_sale(self, biz: int, who: int, then: str) -> None:
        """A sale that a resident redeems once, that its business then pauses (and perhaps
        resumes), stops, reprices or restocks to what is sold, and the resident tries again:
        certainly refused while paused or stopped, or once the stock is what is sold."""
        b, w = self.business(biz), self.resident(who)
        t = self.time + SECOND
        listed = self._tx(b, CreateOffer(item="Sale", price=BD // 4, stock=5, starts_at=t,
                                         ends_at=t + DAY, min_force=0, daily_limit=0),
                          expect=b.address not in self.suspended)
        if listed is None or not listed.ok:
            return
        offer_id = get_counters(self.state).offers
        self._tx(w, RedeemOffer(offer=offer_id))
        sold = get_offer(self.state, offer_id).sold  # type: ignore[union-attr]
        steps: list[Msg] = {"pause": [PauseOffer(offer=offer_id)],
                            "stop": [StopOffer(offer=offer_id)],
                            "resume": [PauseOffer(offer=offer_id), ResumeOffer(offer=offer_id)],
                            "reprice": [UpdateOffer(offer=offer_id, price=BD // 2)],
                            "restock": [UpdateOffer(offer=offer_id, stock=max(sold, 1))]}[then]
        for step in steps:
            self._tx(b, step, expect=True)
        refused = then in ("pause", "stop") or (then == "restock" and sold >= 1)
        self._tx(w, RedeemOffer(offer=offer_id), expect=False if refused else None)

    @rule(biz=PICK, pick=PICK, fulfil=st.booleans(), good_voucher=st.booleans(), dt=DTS)
    def settle(self, biz: int, pick: int, fulfil: bool, good_voucher: bool, dt: int) -> None:
        """Fulfil or refund one of the business's pending redemptions, or any id (someone
        else's, settled, nonexistent)."""
        b = self.business(biz)
        last = get_counters(self.state).redemptions
        pending = [red.id for _k, red in self.state.iter_prefix("exchange/redemption/", Redemption)
                   if red.business == b.address and red.status == PENDING]
        redemption_id = pending[pick % len(pending)] if pending and pick % 3 else pick % (last + 1) + 1
        redemption = get_redemption(self.state, redemption_id)
        surely_refused = redemption is None or redemption.business != b.address or \
            redemption.status != PENDING or (fulfil and not good_voucher)
        msg: Msg = (FulfilRedemption(redemption=redemption_id,
                                     voucher=VOUCHER if good_voucher else SHORT_VOUCHER)
                    if fulfil else RefundRedemption(redemption=redemption_id))
        self._tx(b, msg, dt=dt, expect=False if surely_refused else None)

    @rule(biz=PICK, categories=st.lists(st.sampled_from(CATEGORIES[:5]), min_size=1, max_size=3,
                                        unique=True),
          start=st.sampled_from([0, "-2days", "-hour"]), end=st.sampled_from(["-hour", "now", "+day"]),
          reward=st.sampled_from([1, 1_000, 250_000, 2 * BD, 10**12]),
          places=st.sampled_from([1, 2, 4]),
          expires=st.sampled_from([0, SECOND, HOUR, DAY, 3 * DAY, 91 * DAY]),
          access=st.sampled_from([SECOND, HOUR, DAY, 3 * DAY]), dt=DTS)
    def create_request(self, biz: int, categories: list[str], start: int | str, end: str,
                       reward: int, places: int, expires: int, access: int, dt: int) -> None:
        """A data request; its budget is sometimes more than the purse (always refused)."""
        b = self.business(biz)
        t = self.time + dt
        period_start = at(start, {"-2days": t - 2 * DAY, "-hour": t - HOUR})
        period_end = {"-hour": t - HOUR, "now": t, "+day": t + DAY}[end]
        # The purse at the block's time: expiries in the block's begin step may add to it.
        purse = self.money.purses.get(b.address, 0) + sum(
            r.escrow for r in self.all_requests()
            if r.business == b.address and r.status == OPEN and r.expires_at <= t)
        self._tx(b, CreateRequest(categories=tuple(categories), period_start=period_start,
                                  period_end=max(period_start, period_end), purpose="Research",
                                  reward=reward, residents=places, cohort=min(places, COHORT),
                                  expires_at=t + expires, access_ms=access), dt=dt,
                 expect=False if reward * places > purse or not expires or reward > CAP
                 or places < COHORT else None)

    @rule(biz=PICK, who=PICK, reward=st.sampled_from([1, 300_000, BD]),
          places=st.sampled_from([2, 4]),
          access=st.sampled_from([SECOND, HOUR, DAY, 3 * DAY, 30 * DAY]), n=st.integers(1, 3),
          then=st.sampled_from(["", "revoke", "revoke", "erase", "erase", "close", "again"]))
    def post_and_accept(self, biz: int, who: int, reward: int, places: int, access: int,
                        n: int, then: str) -> None:
        """A few blocks: a broad request anyone can answer, then a resident answers it with
        some of their eligible records (so that grants are common), then perhaps at once
        revokes it, erases one of its records, tries to answer again, or the business
        closes the request."""
        b, w = self.business(biz), self.resident(who)
        t = self.time + SECOND
        result = self._tx(b, CreateRequest(
            categories=CATEGORIES[:5], period_start=0, period_end=t + DAY, purpose="Survey",
            reward=reward, residents=places, cohort=COHORT, expires_at=t + DAY, access_ms=access))
        if result is None or not result.ok:
            return
        request_id = get_counters(self.state).requests
        self._accept(w, request_id, who, "eligible", n, SECOND)
        if then != "close":  # a second resident completes the cohort
            self._accept(self.resident(who + 1), request_id, who, "eligible", n, SECOND)
        grant = get_grant(self.state, request_id, w.address)
        if then == "close":
            self._tx(b, CloseRequest(request=request_id), expect=True)
        elif grant is not None and then == "revoke":
            self._tx(w, RevokeGrant(request=request_id),
                     expect=access > SECOND or grant.waits)
        elif grant is not None and then == "erase":
            self._tx(w, EraseRecord(digest=grant.records[who % len(grant.records)]), expect=True)
        elif grant is not None and then == "again":
            self._accept(w, request_id, who, "eligible", n, SECOND)

    @rule(biz=PICK, pick=PICK, own_open=st.booleans(), dt=DTS)
    def close_request(self, biz: int, pick: int, own_open: bool, dt: int) -> None:
        """One of the business's open requests, or any id (another's, closed, none)."""
        b = self.business(biz)
        last = get_counters(self.state).requests
        mine = [r.id for r in self.all_requests() if r.business == b.address and r.status == OPEN]
        request_id = mine[pick % len(mine)] if own_open and mine else pick % (last + 1) + 1
        request = get_request(self.state, request_id)
        surely_refused = request is None or request.business != b.address or request.status != OPEN
        self._tx(b, CloseRequest(request=request_id), dt=dt, expect=False if surely_refused else None)

    @rule(biz=PICK, owner=st.integers(0, N_RESIDENTS), category=st.sampled_from(CATEGORIES[:5]),
          past=st.sampled_from([0, HOUR, DAY]), task=st.sampled_from(["", "", "shopping"]), dt=DTS)
    def deposit_record(self, biz: int, owner: int, category: str, past: int, task: str,
                       dt: int) -> None:
        """A business deposits into a resident's vault (owner N_RESIDENTS: the other
        business, not a resident, so refused), sometimes earning them Force."""
        b = self.business(biz)
        target = self.residents[owner].address if owner < N_RESIDENTS else self.business(biz + 1).address
        allowed = self.state.get(depositor_key(target, b.address), Allowance) is not None
        self._tx(b, DepositRecord(owner=target, digest=self.new_digest(), category=category,
                                  time=self.time + dt - past, size=10, task=task), dt=dt,
                 expect=False if owner == N_RESIDENTS or not allowed else None)

    @rule(who=PICK, biz=PICK, revoke=st.booleans(), dt=DTS)
    def consent(self, who: int, biz: int, revoke: bool, dt: int) -> None:
        """A resident allows a business to deposit, or revokes that (refused if there is
        nothing to revoke, or already allowed)."""
        w, b = self.resident(who), self.business(biz)
        allowed = self.state.get(depositor_key(w.address, b.address), Allowance) is not None
        msg: Msg = (RevokeDepositor(business=b.address) if revoke
                    else AllowDepositor(business=b.address))
        self._tx(w, msg, dt=dt, expect=allowed if revoke else not allowed)

    @rule(biz=PICK, who=PICK, dt=DTS)
    def attest(self, biz: int, who: int, dt: int) -> None:
        """A business attests a shopping task (refused while it is suspended)."""
        self._tx(self.business(biz), AttestTasks(task_id="shopping",
                                                 residents=(self.resident(who).address,)), dt=dt)

    @rule(biz=PICK, lift=st.booleans(), dt=DTS)
    def suspend(self, biz: int, lift: bool, dt: int) -> None:
        """The operator suspends a business (closing its open requests) or lifts it."""
        b = self.business(biz)
        suspended = b.address in self.suspended
        msg: Msg = (LiftSuspension(business=b.address) if lift
                    else SuspendBusiness(business=b.address, reason="relay report"))
        self._tx(self.chain.operator, msg, dt=dt, expect=suspended if lift else not suspended)

    # --- rules: time ----------------------------------------------------------------------------

    @rule(dt=st.sampled_from([HOUR, DAY, 2 * DAY, 3 * DAY]))
    def wait(self, dt: int) -> None:
        self._tx(None, None, dt=dt)


ExchangeMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestExchange = ExchangeMachine.TestCase
