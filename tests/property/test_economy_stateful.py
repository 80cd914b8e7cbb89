"""A whole economy under random lives: residents, Force, emission and the Lucky Drill.

A Hypothesis state machine drives one chain through random sequences of registrations,
check-ins, temporary and permanent Force (self-completed, business- and
verifier-attested), time passing by seconds to days, collects, and drill rounds that are
committed ahead, entered, revealed (with the right or a wrong secret) or left to go void,
and bursts of Force changes (enough for the hourly bubbles to fold old pieces). Genesis
varies too: the emission rate (large, or 7 µBD/s so that sub-µBD fractions matter), a
730- or 3-day halving (emission ends within the run), the jackpot's share, 1 or 2 winners.

Beside the chain it keeps a small independent model of what must happen: every grant
with its expiry and what is left of it (spending order, expiry, refunds of void rounds),
task usage per local day, business quotas, who is dormant since when, every drill round
with its entrants, the winners it must draw and the prize it must pay. Every transaction's
success or refusal is predicted by the model, and after EVERY block the checks in
`_check_block` run, reading the chain only through `app.query` and `app.state`:

1. emission is conserved exactly, down to the scaled sub-µBD fractions of the accumulator;
2. supply follows the schedule and never exceeds the cap;
3. nothing is minted twice (balances = collected + jackpot paid; the jackpot's share);
4. a resident dormant through a block accrues nothing and has no Force in the pool;
5. Force is never negative and equals the sum of its grants (and the model's grants);
6. hourly bubbles add up to pending;
7. drawn rounds redraw identically from public data; void rounds refund the entry fee
   and pay no jackpot;
8. a refused transaction changes nothing but its sender's sequence (compared byte for
   byte with a twin chain that ran the same block empty).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites, RegisterResident
from planet.core.accounts.state import account_key
from planet.core.app import Application
from planet.core.drill.draw import check_draw, compute_commitment, compute_seed, draw_winners
from planet.core.drill.messages import CommitRound, EnterRound, RevealRound
from planet.core.emission.accumulator import ACC_SCALE
from planet.core.emission.messages import Collect
from planet.core.emission.queries import compute_census_by_scan
from planet.core.emission.rules import get_clock, get_holder, get_pool, get_share
from planet.core.emission.schedule import compute_emitted
from planet.core.encoding import b64encode
from planet.core.errors import NotFound
from planet.core.force.catalog import DEFAULT_CATALOG
from planet.core.force.days import compute_day
from planet.core.force.messages import AttestTasks, CompleteTask, SetBusinessQuota, UpsertTask
from planet.core.messages import Msg
from planet.core.state import CommittedState
from planet.core.transition import TxResult
from planet.sdk.wallet import Wallet
from tests.chain import make_chain, new_code, wallet

SECOND = 1_000
HOUR = 3_600_000
DAY = 24 * HOUR
ROUND_MS = 6 * HOUR
REVEAL_MS = HOUR
MAX_RESIDENTS = 8
QUOTA = 12  # the business's daily Force quota
PERMANENT = 0

POWER = UpsertTask(id="power", title="Big permanent Force", category="test", force=40,
                   duration_days=0, limit="unlimited", attester="resident", enabled=True)
BOOST = UpsertTask(id="boost", title="Small temporary Force", category="test", force=3,
                   duration_days=2, limit="unlimited", attester="resident", enabled=True)
TASKS: dict[str, tuple[int, int, str]] = {  # id -> (force, duration_days, limit)
    **{t["id"]: (t["force"], t["duration_days"], t["limit"]) for t in DEFAULT_CATALOG},
    **{t.id: (t.force, t.duration_days, t.limit) for t in (POWER, BOOST)},
}
WAITS = [SECOND, 59 * SECOND, HOUR, 5 * HOUR, 13 * HOUR, DAY, 47 * HOUR, 48 * HOUR, 49 * HOUR,
         3 * DAY, 8 * DAY]


def secret_for(round_: int) -> bytes:
    return hashlib.sha256(f"stateful-drill-secret-{round_}".encode()).digest()


# --- the model ------------------------------------------------------------------------------------


@dataclass
class GrantM:
    grant_id: int
    task_id: str
    expires_at: int  # PERMANENT = never
    remaining: int


@dataclass
class Piece:
    task_id: str
    amount: int
    expires_at: int


@dataclass
class HolderM:
    last_collect_at: int
    dormant: bool = False


@dataclass
class RoundM:
    number: int
    committed_at: int
    opens_at: int
    closes_at: int
    status: str = "committed"
    entrants: list[str] = field(default_factory=list)
    spent: dict[str, list[Piece]] = field(default_factory=dict)
    seal_height: int = 0
    seal_time: int = 0
    deadline: int = 0
    winners: list[str] = field(default_factory=list)
    prize_each: int = 0


@dataclass
class BlockPlan:
    """What the model expects of one block, beyond each transaction's success."""

    time: int
    height: int
    expired: dict[str, int] = field(default_factory=dict)  # Force expired at block start
    refunds: dict[str, list[tuple[int, int, bool]]] = field(default_factory=dict)
    # resident -> [(round, Force restored, whether the fee came only from permanent grants)]
    prizes: dict[str, int] = field(default_factory=dict)
    collectors: set[str] = field(default_factory=set)
    actors: set[str] = field(default_factory=set)  # senders and attested residents


class EconomyMachine(RuleBasedStateMachine):
    """Random blocks on one chain, each checked against the model and the invariants."""

    # --- setup ----------------------------------------------------------------------------------

    @initialize(
        rate=st.sampled_from([3_125_000, 7]),
        halving_days=st.sampled_from([730, 3]),
        share_bps=st.sampled_from([500, 3_333]),
        winners=st.sampled_from([1, 2]),
    )
    def setup(self, rate: int, halving_days: int, share_bps: int, winners: int) -> None:
        self.chain = make_chain(label="eco-stateful", businesses=1, params={
            "drill_round_ms": ROUND_MS, "drill_reveal_ms": REVEAL_MS,
            "emission_rate_micro_per_second": rate, "halving_interval_ms": halving_days * DAY,
            "drill_share_bps": share_bps, "drill_winners": winners})
        self.params = self.chain.params
        self.genesis_time = self.chain.app.meta().genesis_time
        self.business = self.chain.businesses[0]
        self.hashes: dict[int, bytes] = {}
        self.residents: list[Wallet] = []
        self.grants: dict[str, list[GrantM]] = {}
        self.next_grant: dict[str, int] = {}
        self.usage: dict[tuple[str, str], tuple[int, int, int]] = {}  # (day, count, lifetime)
        self.quota = (0, 0)  # the business's (day, used)
        self.quota_limit = self.params.business_daily_force_quota
        self.holders: dict[str, HolderM] = {}
        self.rounds: dict[int, RoundM] = {}
        self.paid = 0  # jackpot paid, ever
        self.refusals = 0
        self._block([(self.chain.operator, POWER), (self.chain.verifier, BOOST)],
                     expect=[True, False])
        self._block([(self.chain.operator, BOOST)])
        # A small daily quota, so that business batches are sometimes refused for it.
        self._block([(self.chain.operator, SetBusinessQuota(business=self.business.address,
                                                             daily_force=QUOTA))])
        self._register(2)
        # Permanent Force to enter rounds: 80 (many rounds) and 40 (one round, then exactly
        # the minimum of 35, which is not enough).
        for w, times in zip(self.residents, (2, 1), strict=True):
            self._block([(w, [CompleteTask(task_id="power")] * times)])
        for number in (1, 2):
            self._block([(self.chain.operator, CommitRound(
                round=number, commitment=compute_commitment(number, secret_for(number)).hex()))])

    # --- helpers --------------------------------------------------------------------------------

    @property
    def time(self) -> int:
        return self.chain.app.meta().time

    def pick(self, i: int) -> Wallet:
        return self.residents[i % len(self.residents)]

    def q(self, path: str, **args: Any) -> Any:
        return self.chain.app.query(path, args)

    def holder(self, address: str) -> dict[str, Any] | None:
        try:
            return self.q("emission/holder", address=address)  # type: ignore[no-any-return]
        except NotFound:
            return None

    def current_round(self, t: int) -> int:
        return (t - self.genesis_time) // ROUND_MS

    def filled(self, t: int) -> int:
        """The jackpot's share of everything emitted by `t`, computed from the schedule."""
        return compute_emitted(self.params, t - self.genesis_time) * self.params.drill_share_bps // 10_000

    def model_force(self, resident: str) -> int:
        return sum(g.remaining for g in self.grants.get(resident, []))

    def _register(self, n: int) -> None:
        chain = self.chain
        codes = [new_code(chain.fresh_label("code")) for _ in range(n)]
        self._block([(chain.operator, CreateInvites(code_hashes=tuple(
            compute_invite_hash(c) for c in codes)))])
        wallets = [wallet(chain.fresh_label("resident")) for _ in range(n)]
        self._block([(w, RegisterResident(invite_code=c, encryption_key=b64encode(
            w.encryption_public_key))) for w, c in zip(wallets, codes, strict=True)])
        self.residents.extend(wallets)

    # --- the model's side of a block ------------------------------------------------------------

    def _advance(self, plan: BlockPlan) -> None:
        """What the block's begin step does: expiries and dormancy (emission), then void
        rounds whose deadline passed and seal rounds that closed (drill)."""
        t, h = plan.time, plan.height
        for resident, grants in self.grants.items():
            gone = [g for g in grants if g.expires_at != PERMANENT and g.expires_at <= t]
            if gone:
                plan.expired[resident] = sum(g.remaining for g in gone)
                self.grants[resident] = [g for g in grants if g not in gone]
        for holder in self.holders.values():
            if not holder.dormant and holder.last_collect_at + self.params.dormancy_ms <= t:
                holder.dormant = True
        sealed = sorted((r for r in self.rounds.values() if r.status == "sealed" and r.deadline <= t),
                        key=lambda r: (r.deadline, r.number))
        for round_ in sealed:
            for resident in round_.entrants:
                pieces = round_.spent[resident]
                restored = 0
                for piece in pieces:
                    if piece.expires_at != PERMANENT and piece.expires_at <= t:
                        continue
                    self._add_grant(resident, "refund", piece.amount, piece.expires_at)
                    restored += piece.amount
                only_permanent = all(p.expires_at == PERMANENT for p in pieces)
                plan.refunds.setdefault(resident, []).append((round_.number, restored, only_permanent))
            round_.status = "void"
        for round_ in sorted(self.rounds.values(), key=lambda r: (r.closes_at, r.number)):
            if round_.status == "committed" and round_.closes_at <= t:
                round_.status, round_.seal_height, round_.seal_time = "sealed", h, t
                round_.deadline = t + REVEAL_MS

    def _add_grant(self, resident: str, task_id: str, force: int, expires_at: int) -> None:
        gid = self.next_grant.get(resident, 0)
        self.next_grant[resident] = gid + 1
        self.grants.setdefault(resident, []).append(GrantM(gid, task_id, expires_at, force))

    def _touch_holder(self, resident: str, t: int) -> None:
        """The first Force change (or collect) opens the holder and starts its 48 hours."""
        self.holders.setdefault(resident, HolderM(last_collect_at=t))

    def _limit_ok(self, resident: str, task_id: str, t: int) -> bool:
        usage = self.usage.get((resident, task_id))
        if usage is None:
            return True
        limit = TASKS[task_id][2]
        if limit == "once":
            return usage[2] < 1
        if limit.startswith("daily:"):
            day = compute_day(t, self.params.timezone_offset_minutes)
            return not (usage[0] == day and usage[1] >= int(limit.split(":")[1]))
        return True

    def _count_usage(self, resident: str, task_id: str, t: int) -> None:
        day = compute_day(t, self.params.timezone_offset_minutes)
        old = self.usage.get((resident, task_id))
        if old is None:
            self.usage[(resident, task_id)] = (day, 1, 1)
        else:
            self.usage[(resident, task_id)] = (day, old[1] + 1 if old[0] == day else 1, old[2] + 1)

    def _batch_ok(self, residents: tuple[str, ...], task_id: str, t: int) -> bool:
        """A batch may name a resident twice: each completion counts against the limit of
        the next one. All or nothing, so the usage is only tried out here."""
        saved = dict(self.usage)
        try:
            for resident in residents:
                if not self._limit_ok(resident, task_id, t):
                    return False
                self._count_usage(resident, task_id, t)
            return True
        finally:
            self.usage = saved

    def _grant_task(self, resident: str, task_id: str, t: int) -> None:
        force, days, _limit = TASKS[task_id]
        self._count_usage(resident, task_id, t)
        self._add_grant(resident, task_id, force, PERMANENT if days == 0 else t + days * DAY)
        self._touch_holder(resident, t)

    def _spend(self, resident: str, amount: int) -> list[Piece]:
        """Soonest-expiring temporary grants first, then permanent ones, oldest first."""
        pieces, left = [], amount
        grants = self.grants[resident]
        for g in sorted(grants, key=lambda g: (g.expires_at == PERMANENT, g.expires_at, g.grant_id)):
            if left == 0:
                break
            take = min(left, g.remaining)
            if take:
                pieces.append(Piece(g.task_id, take, g.expires_at))
                g.remaining -= take
                left -= take
        assert left == 0
        self.grants[resident] = [g for g in grants if g.remaining > 0]
        return pieces

    def _apply_tx(self, plan: BlockPlan, signer: Wallet, msg: Msg | list[CompleteTask]) -> bool:
        """A transaction is all or nothing; only bursts of task completions that cannot be
        refused (unlimited tasks) come several to a transaction here."""
        if not isinstance(msg, list):
            return self._apply(plan, signer, msg)
        assert all(TASKS[m.task_id][2] == "unlimited" for m in msg)
        return all([self._apply(plan, signer, m) for m in msg])

    def _apply(self, plan: BlockPlan, signer: Wallet, msg: Msg) -> bool:
        """Predict whether the transaction succeeds; if so, apply it to the model."""
        t, who = plan.time, signer.address
        plan.actors.add(who)
        if isinstance(msg, CreateInvites):
            return True
        if isinstance(msg, RegisterResident):
            self.grants[who], self.next_grant[who] = [], 0
            return True
        if isinstance(msg, UpsertTask):
            return signer is self.chain.operator
        if isinstance(msg, SetBusinessQuota):
            self.quota_limit = msg.daily_force
            return True
        if isinstance(msg, CompleteTask):
            if not self._limit_ok(who, msg.task_id, t):
                return False
            self._grant_task(who, msg.task_id, t)
            return True
        if isinstance(msg, AttestTasks):
            plan.actors.update(msg.residents)
            force = TASKS[msg.task_id][0]
            if signer is self.business:
                day = compute_day(t, self.params.timezone_offset_minutes)
                used = self.quota[1] if self.quota[0] == day else 0
                needed = force * len(msg.residents)
                if used + needed > self.quota_limit:
                    return False
            if not self._batch_ok(msg.residents, msg.task_id, t):
                return False
            if signer is self.business:
                self.quota = (day, used + needed)
            for r in msg.residents:
                self._grant_task(r, msg.task_id, t)
            return True
        if isinstance(msg, Collect):
            self._touch_holder(who, t)
            self.holders[who] = HolderM(last_collect_at=t)
            plan.collectors.add(who)
            return True
        if isinstance(msg, CommitRound):
            opens_at = self.genesis_time + msg.round * ROUND_MS
            if msg.round in self.rounds or t >= opens_at:
                return False
            self.rounds[msg.round] = RoundM(msg.round, t, opens_at, opens_at + ROUND_MS)
            return True
        if isinstance(msg, EnterRound):
            round_ = self.rounds.get(msg.round)
            if (round_ is None or round_.status != "committed" or not round_.opens_at <= t < round_.closes_at
                    or who in round_.entrants or self.model_force(who) <= self.params.drill_min_force):
                return False
            round_.spent[who] = self._spend(who, self.params.drill_entry_force)
            round_.entrants.append(who)
            return True
        if isinstance(msg, RevealRound):
            round_ = self.rounds.get(msg.round)
            if (round_ is None or round_.status != "sealed" or plan.height <= round_.seal_height
                    or msg.secret != secret_for(msg.round).hex()):
                return False
            seed = compute_seed(msg.round, secret_for(msg.round), self.hashes[round_.seal_height])
            entrants = round_.entrants
            winners = [entrants[i] for i in draw_winners(seed, len(entrants), self.params.drill_winners)]
            prize = (self.filled(t) - self.paid) // len(winners) if winners else 0
            for w in winners:
                plan.prizes[w] = plan.prizes.get(w, 0) + prize
            self.paid += prize * len(winners)
            round_.status, round_.winners, round_.prize_each = "drawn", winners, prize
            return True
        raise AssertionError(f"no model for {msg}")

    # --- one block --------------------------------------------------------------------------------

    def _block(self, txs: list[tuple[Wallet, Msg | list[CompleteTask]]], dt: int = SECOND,
               expect: list[bool] | None = None) -> list[TxResult]:
        chain = self.chain
        before = self._observe()
        header = chain.next_header(dt)
        self.hashes[header.height] = header.hash
        plan = BlockPlan(time=header.time, height=header.height)
        self._advance(plan)
        raws = [chain.sign(signer, msg if isinstance(msg, list) else [msg]) for signer, msg in txs]
        predicted = [self._apply_tx(plan, signer, msg) for signer, msg in txs]
        if expect is not None:
            assert predicted == expect
        twin = None
        if len(txs) == 1 and not predicted[0]:  # a refusal: run the same block empty beside it
            twin = Application(chain.genesis, CommittedState(list(chain.app.state.items())))
            twin.finalize_block(chain.next_header(dt), [])
            twin.commit()
        result = chain.block(raws, dt=dt)
        got = [r.ok for r in result.tx_results]
        assert got == predicted, [(type(m).__name__, r.code, r.log) for (_s, m), r in
                                  zip(txs, result.tx_results, strict=True)]
        if twin is not None:
            self.refusals += 1
            self._check_refusal(twin, txs[0][0])
        self._check_block(before, plan)
        return result.tx_results

    def _observe(self) -> dict[str, Any]:
        people = [w.address for w in self.residents]
        return {"supply": self.q("emission/supply"),
                "holders": {a: self.holder(a) for a in people},
                "force": {a: int(self.q("force/force", address=a)["force"]) for a in people}}

    # --- the checks -------------------------------------------------------------------------------

    def _check_refusal(self, twin: Application, sender: Wallet) -> None:
        """8. A refused tx: the state is the empty block's but for the sender's sequence."""
        real, empty = dict(self.chain.app.state.items()), dict(twin.state.items())
        assert set(real) == set(empty)
        changed = sorted(k for k in real if real[k] != empty[k])
        key = account_key(sender.address)
        assert changed == [key], changed
        a, b = json.loads(real[key]), json.loads(empty[key])
        assert a.pop("sequence") == b.pop("sequence") + 1
        assert a == b

    def _check_block(self, before: dict[str, Any], plan: BlockPlan) -> None:
        chain, params, state = self.chain, self.params, self.chain.app.state
        meta = chain.app.meta()
        assert (meta.time, meta.height) == (plan.time, plan.height)
        elapsed = meta.time - self.genesis_time
        supply = self.q("emission/supply")
        pool, clock = get_pool(state), get_clock(state)

        # 2. The schedule, the cap, and where every released µBD went.
        emitted = compute_emitted(params, elapsed)
        assert supply["emitted_micro"] == emitted <= supply["cap_micro"]
        assert clock.released_to_ms == elapsed
        assert pool.distributed + clock.jackpot_filled == emitted
        assert supply["distributed_micro"] == pool.distributed
        assert supply["carried_micro"] == pool.carried

        # The census kept by the rules is the census counted by walking every resident.
        assert self.q("emission/census") == compute_census_by_scan(state)

        # 3. Nothing minted twice.
        assert supply["jackpot_filled_micro"] == emitted * params.drill_share_bps // 10_000
        assert supply["jackpot_filled_micro"] == self.filled(meta.time)
        assert supply["jackpot_paid_micro"] == self.paid
        assert supply["jackpot_micro"] == supply["jackpot_filled_micro"] - self.paid >= 0
        holders = {w.address: self.holder(w.address) for w in self.residents}
        present = {a: h for a, h in holders.items() if h is not None}
        balances = sum(h["balance_micro"] for h in present.values())
        pending = sum(h["pending_micro"] for h in present.values())
        assert balances == supply["collected_micro"] + supply["jackpot_paid_micro"]

        # 1. Conservation, exactly. Only sub-µBD fractions are not yet claimable: the
        # pool's carried fraction and each share's unsettled fraction, each below one µBD,
        # so the slack is below (holders + 1) µBD; scaled, it is exactly their sum.
        slack = emitted - balances - pending - supply["jackpot_micro"] - supply["carried_micro"]
        assert 0 <= slack < len(present) + 1, (slack, len(present))
        shares = {a: get_share(state, a) for a in present}
        fractions = pool.carried_fraction + sum(
            (s.force * (pool.acc - s.acc_snapshot) + s.remainder) % ACC_SCALE for s in shares.values())
        assert slack * ACC_SCALE == fractions
        assert pool.total_force == sum(s.force for s in shares.values()) == supply["active_force"]

        # Per resident: Force (5), dormancy (4), bubbles (6), balances and pending.
        delta_collected = supply["collected_micro"] - before["supply"]["collected_micro"]
        assert len(plan.collectors) <= 1
        for w in self.residents:
            a = w.address
            view = self.q("force/force", address=a)
            grants = view["grants"]
            assert view["force"] >= 0
            assert view["force"] == sum(g["remaining"] for g in grants)
            assert all(0 < g["remaining"] <= g["force"] for g in grants)
            assert [(g["grant_id"], g["task_id"], g["expires_at"], g["remaining"]) for g in grants] == \
                [(g.grant_id, g.task_id, g.expires_at, g.remaining) for g in self.grants[a]], a
            h = holders[a]
            model = self.holders.get(a)
            assert (h is None) == (model is None), (a, h, model)
            if h is None or model is None:
                assert get_holder(state, a) is None
                continue
            assert (h["dormant"], h["last_collect_at"]) == (model.dormant, model.last_collect_at)
            assert h["force"] == view["force"]
            assert h["force_in_pool"] == (0 if h["dormant"] else h["force"])
            bubbles = self.q("emission/bubbles", address=a)
            assert sum(b["amount_micro"] for b in bubbles["bubbles"]) == h["pending_micro"] \
                == bubbles["pending_micro"]
            old = before["holders"].get(a)
            prize = plan.prizes.get(a, 0)
            if old is None:
                assert h["balance_micro"] == prize + (delta_collected if a in plan.collectors else 0)
                continue
            if old["dormant"] and h["dormant"]:
                assert h["pending_micro"] == old["pending_micro"]
                assert h["force_in_pool"] == 0
            if a in plan.collectors:
                assert h["pending_micro"] == 0
                assert h["balance_micro"] == old["balance_micro"] + delta_collected + prize
                assert delta_collected >= old["pending_micro"]
            else:
                assert h["pending_micro"] >= old["pending_micro"]
                assert h["balance_micro"] == old["balance_micro"] + prize
        if not plan.collectors:
            assert delta_collected == 0

        # 7. Void rounds refund the fee (pieces that would have expired excepted) and pay
        # nothing from the jackpot; drawn rounds redraw identically.
        if not plan.prizes:
            assert supply["jackpot_paid_micro"] == before["supply"]["jackpot_paid_micro"]
        for resident, refunds in plan.refunds.items():
            restored = sum(r for _n, r, _p in refunds)
            for _n, r, only_permanent in refunds:
                if only_permanent:
                    assert r == params.drill_entry_force
            if resident not in plan.actors:
                force_now = int(self.q("force/force", address=resident)["force"])
                assert force_now == before["force"][resident] - plan.expired.get(resident, 0) + restored
        self._check_rounds()

    def _check_rounds(self) -> None:
        rounds = self.q("drill/rounds", limit=100)
        assert sorted(r["round"] for r in rounds) == sorted(self.rounds)
        for r in rounds:
            model = self.rounds[r["round"]]
            entrants = self.q("drill/entries", round=r["round"])["entrants"]
            assert r["status"] == model.status, (r, model)
            assert entrants == model.entrants
            assert r["entries"] == len(entrants)
            assert r["commitment"] == compute_commitment(r["round"], secret_for(r["round"])).hex()
            assert (r["committed_at"], r["opens_at"], r["closes_at"]) == \
                (model.committed_at, model.opens_at, model.closes_at)
            if model.status in ("sealed", "drawn", "void"):
                seal_hash = self.hashes[model.seal_height].hex()
                assert (r["seal_height"], r["seal_time"], r["seal_block_hash"]) == \
                    (model.seal_height, model.seal_time, seal_hash)
                assert r["reveal_deadline"] == model.deadline
            if model.status == "drawn":
                assert check_draw(r, entrants, seal_hash, self.params.drill_winners) == []
                assert set(r["winners"]) <= set(entrants)
                assert len(set(r["winners"])) == len(r["winners"])
                assert (r["winners"], r["prize_each"]) == (model.winners, model.prize_each)
            else:
                assert r["winners"] == [] and r["prize_each"] == 0 and r["secret"] == ""
        current = self.q("drill/current")
        assert current["jackpot_micro"] == self.q("emission/supply")["jackpot_micro"]

    def teardown(self) -> None:
        """What the run exercised (see `pytest --hypothesis-show-statistics`)."""
        if not hasattr(self, "chain"):
            return
        rounds = self.rounds.values()
        supply = self.q("emission/supply")
        event(f"drawn rounds with entrants: {sum(1 for r in rounds if r.status == 'drawn' and r.entrants)}")
        event(f"void rounds with entrants: {sum(1 for r in rounds if r.status == 'void' and r.entrants)}")
        event(f"refused transactions: {min(self.refusals, 5)}{'+' if self.refusals >= 5 else ''}")
        event(f"someone went dormant: {any(h.dormant for h in self.holders.values())}")
        event(f"emission ended: {supply['emitted_micro'] == supply['cap_micro']}")

    # --- rules ------------------------------------------------------------------------------------

    @precondition(lambda self: len(self.residents) < MAX_RESIDENTS)
    @rule(n=st.integers(1, 3))
    def register(self, n: int) -> None:
        self._register(min(n, MAX_RESIDENTS - len(self.residents)))

    @rule(who=st.integers(0, MAX_RESIDENTS - 1),
          when=st.sampled_from(["now", "now", "in 4 h", "in 9 h", "last second of the day",
                                "first second of the next day"]))
    def check_in(self, who: int, when: str) -> None:
        """Once per local day (UTC+8 by default: the day turns at 16:00 UTC)."""
        t = self.time
        offset = self.params.timezone_offset_minutes * 60 * SECOND
        next_day = ((t + offset) // DAY + 1) * DAY - offset  # the next local midnight
        dt = {"now": SECOND, "in 4 h": 4 * HOUR, "in 9 h": 9 * HOUR,
              "last second of the day": max(SECOND, next_day - SECOND - t),
              "first second of the next day": next_day - t}[when]
        self._block([(self.pick(who), CompleteTask(task_id="daily_checkin"))], dt=dt)

    @rule(who=st.integers(0, MAX_RESIDENTS - 1), task=st.sampled_from(["power", "boost"]))
    def own_task(self, who: int, task: str) -> None:
        self._block([(self.pick(who), CompleteTask(task_id=task))])

    @rule(task=st.sampled_from(["shopping", "browsing", "education"]),
          picks=st.lists(st.integers(0, MAX_RESIDENTS - 1), min_size=1, max_size=3))
    def business_attests(self, task: str, picks: list[int]) -> None:
        """A batch, possibly naming someone twice; refused past a daily limit (after the
        first completions of the batch were written: they must all be dropped) or past
        the business's daily quota."""
        residents = tuple(self.pick(i).address for i in picks)
        self._block([(self.business, AttestTasks(task_id=task, residents=residents))])

    @rule(picks=st.lists(st.integers(0, MAX_RESIDENTS - 1), min_size=1, max_size=2))
    def verifier_attests_face(self, picks: list[int]) -> None:
        residents = tuple(self.pick(i).address for i in picks)
        self._block([(self.chain.verifier, AttestTasks(task_id="face_verification",
                                                        residents=residents))])

    @rule(who=st.integers(0, MAX_RESIDENTS - 1), blocks=st.sampled_from([1, 8]),
          per_tx=st.sampled_from([1, 8]), gap=st.sampled_from([SECOND, 7 * 60 * SECOND]))
    def burst(self, who: int, blocks: int, per_tx: int, gap: int) -> None:
        """A collect (to be active), then many Force changes: each completion starts a new
        accrual piece, so beyond 48 of them the oldest fold into one "earlier" bubble."""
        w = self.pick(who)
        self._block([(w, Collect())])
        for i in range(blocks):
            task = "boost" if i % 2 else "power"
            self._block([(w, [CompleteTask(task_id=task)] * per_tx)], dt=gap)

    @rule(who=st.integers(0, MAX_RESIDENTS - 1))
    def collect(self, who: int) -> None:
        self._block([(self.pick(who), Collect())])

    @rule(dt=st.sampled_from(WAITS))
    def wait(self, dt: int) -> None:
        self._block([], dt=dt)

    @rule(what=st.sampled_from(["expiry", "dormancy"]), extra=st.sampled_from([-SECOND, 0, 0, SECOND]),
          pick=st.integers(0, 3))
    def wait_until(self, what: str, extra: int, pick: int) -> None:
        """Land a block exactly on one of the next grant expiries or 48-hour instants (or
        a second either side): Force is gone at `expires_at`, accrual stops at the 48th hour."""
        t = self.time
        if what == "expiry":
            instants = [g.expires_at for gs in self.grants.values() for g in gs if g.expires_at]
        else:
            instants = [h.last_collect_at + self.params.dormancy_ms for h in self.holders.values()
                        if not h.dormant]
        future = sorted({i + extra for i in instants if i + extra > t})
        self._block([], dt=future[pick % len(future)] - t if future else SECOND)

    @rule(moment=st.sampled_from(["open", "close", "reveal", "deadline", "just_before_deadline"]),
          extra=st.sampled_from([0, 0, SECOND, 20 * 60 * SECOND]))
    def wait_for_drill(self, moment: str, extra: int) -> None:
        """Jump to the next instant that matters to a round (exactly, or a little after)."""
        t = self.time
        instants = {
            "open": [r.opens_at for r in self.rounds.values() if r.opens_at > t],
            "close": [r.closes_at for r in self.rounds.values()
                      if r.status == "committed" and r.closes_at > t],
            "reveal": [r.seal_time + SECOND for r in self.rounds.values() if r.status == "sealed"],
            "deadline": [r.deadline for r in self.rounds.values() if r.status == "sealed"],
            "just_before_deadline": [r.deadline - SECOND for r in self.rounds.values()
                                     if r.status == "sealed"],
        }[moment]
        future = [i for i in instants if i > t]
        self._block([], dt=(min(future) - t + extra) if future else SECOND)

    @rule(ahead=st.sampled_from([1, 1, 1, 2, 3, 0, -1]), after_last=st.booleans())
    def commit_round(self, ahead: int, after_last: bool) -> None:
        """Commit a round ahead (refused if it already opened or is committed); with
        `after_last`, the first round after the last one committed."""
        current = self.current_round(self.time + SECOND)
        number = max(0, current + ahead)
        if after_last and self.rounds:
            number = max(current + 1, max(self.rounds) + 1)
        self._block([(self.chain.operator, CommitRound(
            round=number, commitment=compute_commitment(number, secret_for(number)).hex()))])

    @rule(who=st.integers(0, MAX_RESIDENTS - 1), offset=st.sampled_from([0, 0, 0, 0, 1, -1]),
          when=st.sampled_from(["now", "now", "at_next_open"]))
    def enter(self, who: int, offset: int, when: str) -> None:
        """Enter the round open at the block's time (or a neighbour, refused); "at_next_open"
        makes the block land just after the next committed round opens."""
        t, dt = self.time, SECOND
        later = [r.opens_at for r in self.rounds.values() if r.opens_at > t]
        if when == "at_next_open" and later:
            dt = min(later) - t + SECOND
        number = max(0, self.current_round(t + dt) + offset)
        self._block([(self.pick(who), EnterRound(round=number))], dt=dt)

    @rule(who=st.integers(0, MAX_RESIDENTS - 1))
    def enter_again(self, who: int) -> None:
        """An entrant of a round still open tries a second entry."""
        t = self.time + SECOND
        open_ = [r for r in self.rounds.values()
                 if r.status == "committed" and r.opens_at <= t < r.closes_at and r.entrants]
        if not open_:
            return
        round_ = open_[0]
        entrant = next(w for w in self.residents if w.address == round_.entrants[who % len(round_.entrants)])
        results = self._block([(entrant, EnterRound(round=round_.number))])
        assert results[0].code == 502

    @rule(picks=st.lists(st.integers(0, MAX_RESIDENTS - 1), min_size=1, max_size=4),
          outcome=st.sampled_from(["reveal", "reveal", "wrong_then_reveal", "early_then_reveal",
                                   "void", "late_reveal",
                                   "leave_open", "leave_sealed"]),
          delay=st.sampled_from([0, SECOND, 20 * 60 * SECOND]),
          reveal_after=st.sampled_from([SECOND, REVEAL_MS - SECOND]),
          expiring=st.sampled_from([None, None, 30 * 60 * SECOND, HOUR, HOUR + SECOND]))
    def drill_round(self, picks: list[int], outcome: str, delay: int, reveal_after: int,
                    expiring: int | None) -> None:
        self._drill_round(picks, outcome, delay, reveal_after, expiring)

    @rule(picks=st.lists(st.integers(0, 1), min_size=1, max_size=2, unique=True),
          outcome=st.sampled_from(["reveal", "void"]),
          expiring=st.sampled_from([None, HOUR]))
    def drill_round_to_the_end(self, picks: list[int], outcome: str, expiring: int | None) -> None:
        """The same, more often, and to a draw or a void, by the first two residents (who
        have permanent Force from the setup)."""
        self._drill_round(picks, outcome, 0, SECOND, expiring)

    def _drill_round(self, picks: list[int], outcome: str, delay: int, reveal_after: int,
                     expiring: int | None) -> None:
        """A round's life in a few blocks: commit the next round if needed, enter it as it
        opens, let it be sealed, then reveal it (after a wrong secret, or too late) or let
        it go void; or stop half-way and let other rules carry on.

        With `expiring`, the round is one at least two days ahead and the first entrant
        first gets a 2-day "boost" that expires `expiring` after the seal: before the
        reveal deadline, exactly at it, or a second after it. The entry fee takes that
        soonest-expiring Force first, so a void round must not give back what expired."""
        operator = self.chain.operator
        ahead = 2 * DAY if expiring is not None else 0
        number = self.current_round(self.time + ahead + SECOND) + 1
        if number not in self.rounds:
            self._block([(operator, CommitRound(
                round=number, commitment=compute_commitment(number, secret_for(number)).hex()))])
        round_ = self.rounds[number]
        if expiring is not None:
            granted_at = round_.closes_at + delay + expiring - TASKS["boost"][1] * DAY
            self._block([(self.pick(picks[0]), CompleteTask(task_id="boost"))],
                        dt=granted_at - self.time)
        for i, p in enumerate(picks):
            dt = round_.opens_at - self.time + delay if i == 0 else SECOND
            self._block([(self.pick(p), EnterRound(round=number))], dt=dt)
        if outcome == "leave_open":
            return
        right = RevealRound(round=number, secret=secret_for(number).hex())
        wrong = RevealRound(round=number, secret=hashlib.sha256(b"wrong").hexdigest())
        # The seal block itself; a reveal riding in it is refused (its hash was unknown
        # when the secret was sent only if the reveal comes in a later block).
        self._block([(operator, right)] if outcome == "early_then_reveal" else [],
                    dt=round_.closes_at - self.time + delay)
        assert round_.status == "sealed"
        if outcome == "leave_sealed":
            return
        if outcome == "wrong_then_reveal":
            self._block([(operator, wrong)], dt=SECOND)
        if outcome in ("reveal", "wrong_then_reveal", "early_then_reveal"):
            self._block([(operator, right)], dt=max(SECOND, round_.seal_time + reveal_after - self.time))
            assert round_.status == "drawn"
        else:
            self._block([(operator, right)] if outcome == "late_reveal" else [],
                        dt=round_.deadline - self.time)
            assert round_.status == "void"

    @rule(pick=st.integers(0, 10), correct=st.sampled_from([True, True, True, False]),
          seal_first=st.booleans())
    def reveal(self, pick: int, correct: bool, seal_first: bool) -> None:
        """Reveal a sealed round (or, refused, any other); with `seal_first`, first let the
        earliest open round with entrants close and be sealed by an empty block."""
        t = self.time
        open_ = [r for r in self.rounds.values() if r.status == "committed" and r.entrants]
        if seal_first and open_:
            closes = min(r.closes_at for r in open_)
            self._block([], dt=closes - t + pick * 60 * SECOND)
        sealed = sorted(n for n, r in self.rounds.items() if r.status == "sealed")
        candidates = sealed or sorted(self.rounds) or [0]
        number = candidates[pick % len(candidates)]
        secret = secret_for(number) if correct else hashlib.sha256(b"wrong").digest()
        self._block([(self.chain.operator, RevealRound(round=number, secret=secret.hex()))])

EconomyMachine.TestCase.settings = settings(max_examples=120, stateful_step_count=30, deadline=None)
TestEconomy = EconomyMachine.TestCase
