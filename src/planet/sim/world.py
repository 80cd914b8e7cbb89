"""A simulated planet: the real core, a simulated clock and a simulated population.

`planet simulate` and the demo world run this. Every action is a signed transaction in
a block of the real `Application`; only time and people are simulated. One block per
simulated `block_minutes` (an hour by default); the population is drawn from a seeded
generator, so the same arguments give the same planet.

People, by habit (drawn once per resident):
- *engaged*: check in most days, collect every 12–30 h, enter the Lucky Drill often;
- *casual*: check in some days, collect every 1–3 days (so sometimes go dormant);
- *lapsed*: behave as casual until a random day, then never come back (dormant for good).

Residents join along an invitation tree (the operator invites the first, then each
resident's codes invite the next, growing to `residents` by 30% of the run), most pass
identity verification a few hours later (paying their inviter, one level), partner
businesses attest tasks in daily batches within their quota, and the operator commits
every drill round ahead and reveals it after its seal, except one round in
`void_every`, which it lets go void.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from planet.core.accounts.codes import code_from_bytes, compute_invite_hash
from planet.core.accounts.messages import AttestIdentity, CreateInvites, RegisterResident
from planet.core.app import Application, BlockHeader
from planet.core.drill.draw import compute_commitment
from planet.core.drill.messages import CommitRound, EnterRound, RevealRound
from planet.core.drill.rules import compute_current_round, get_round
from planet.core.drill.state import SEALED
from planet.core.emission.accumulator import compute_claimable
from planet.core.emission.messages import Collect
from planet.core.emission.rules import get_clock, get_holder, get_pool, get_share
from planet.core.emission.schedule import compute_emitted
from planet.core.encoding import b64encode
from planet.core.force.grants import get_force
from planet.core.force.messages import AttestTasks, CompleteTask
from planet.core.genesis import parse_genesis
from planet.core.messages import Msg
from planet.node.home import make_genesis_document
from planet.sdk.wallet import Wallet

HOUR = 3_600_000
DAY = 24 * HOUR
BUSINESS_TASKS = ("shopping", "entertainment", "education", "finance", "travel", "browsing",
                  "social")


@dataclass
class SimConfig:
    residents: int = 1_000
    days: int = 30
    seed: int = 1
    block_minutes: int = 60
    businesses: int = 5
    void_every: int = 10
    chain_id: str = "planet-sim"
    genesis_time: str = "2026-01-01T00:00:00Z"
    params: dict[str, int] = field(default_factory=dict)


@dataclass
class Person:
    wallet: Wallet
    habit: str
    checkin_p: float
    collect_every_h: int
    drill_p: float
    lapse_day: int
    checkin_hour: int
    last_collect: int = 0
    verify_at: int = 0  # block time at which the verifier attests (0: never)


@dataclass
class DayStats:
    day: int
    emitted_micro: int
    minted_micro: int
    pending_micro: int
    jackpot_micro: int
    carried_micro: int
    residents: int
    active_residents: int
    dormant_residents: int


def _seed(*parts: object) -> bytes:
    return hashlib.sha256("/".join(map(str, parts)).encode()).digest()


class World:
    """The planet being simulated, block by block."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.operator = Wallet.from_seeds(_seed("op", config.seed, 0), _seed("op", config.seed, 1))
        self.verifier = Wallet.from_seeds(_seed("vf", config.seed, 0), _seed("vf", config.seed, 1))
        self.businesses = [Wallet.from_seeds(_seed("biz", i, 0), _seed("biz", i, 1))
                           for i in range(config.businesses)]
        doc = make_genesis_document(config.chain_id, self.operator, [self.verifier],
                                    genesis_time=config.genesis_time)
        doc["businesses"] = [b.genesis_key(f"Partner {i + 1}")
                             for i, b in enumerate(self.businesses)]
        # The operator reveals in the block after a seal; blocks here are minutes apart, so
        # leave it a few blocks (production blocks are seconds apart).
        doc["params"] = {"drill_reveal_ms": 3 * config.block_minutes * 60_000, **config.params}
        self.genesis = parse_genesis(doc)
        self.params = self.genesis.params
        self.app = Application(self.genesis)
        self.app.init_chain()
        self.app.commit()
        self.time: int = self.genesis.genesis_time
        self.sequences: dict[str, int] = {}
        self.people: list[Person] = []
        self.unused_codes: list[str] = []  # published by the operator or a resident
        self.secrets: dict[int, bytes] = {}
        self.stats: list[DayStats] = []
        self.jackpots: list[dict[str, Any]] = []
        self.txs = 0
        self.refusals: dict[str, int] = {}

    # --- plumbing ---------------------------------------------------------------------------

    def sign(self, wallet: Wallet, *messages: Msg) -> bytes:
        seq = self.sequences.get(wallet.address, 0)
        self.sequences[wallet.address] = seq + 1
        return wallet.sign_tx(chain_id=self.genesis.chain_id, sequence=seq,
                              messages=list(messages))

    def block(self, txs: list[bytes], dt: int) -> None:
        self.time += dt
        height = self.app.meta().height + 1
        block_hash = hashlib.sha256(f"{self.genesis.chain_id}/{height}/{self.time}".encode())
        result = self.app.finalize_block(BlockHeader(height, self.time, "sim",
                                                     block_hash.digest()), txs)
        self.app.commit()
        self.txs += len(txs)
        for r in result.tx_results:
            if not r.ok:
                self.refusals[r.error] = self.refusals.get(r.error, 0) + 1
        events = result.events + [e for r in result.tx_results for e in r.events]
        for event in events:
            if event.type == "drill/drawn":
                self.jackpots.append({"round": event.attributes["round"], "day": self.day,
                                      "prize_each_micro": event.attributes["prize_each"],
                                      "entries": event.attributes["entries"], "void": False})
            elif event.type == "drill/void":
                self.jackpots.append({"round": event.attributes["round"], "day": self.day,
                                      "prize_each_micro": 0,
                                      "entries": event.attributes["entries"], "void": True})

    @property
    def day(self) -> int:
        return (self.time - self.genesis.genesis_time) // DAY

    # --- people -----------------------------------------------------------------------------

    def new_person(self, index: int) -> Person:
        rng = self.rng
        wallet = Wallet.from_seeds(_seed("res", self.config.seed, index, 0),
                                   _seed("res", self.config.seed, index, 1))
        habit = rng.choices(("engaged", "casual", "lapsed"), (0.35, 0.45, 0.20))[0]
        if habit == "engaged":
            checkin_p, collect_h, drill_p = 0.9, rng.randint(12, 30), 0.5
        else:
            checkin_p, collect_h, drill_p = 0.45, rng.randint(24, 72), 0.15
        lapse = rng.randint(3, max(4, self.config.days)) if habit == "lapsed" else 10**9
        return Person(wallet, habit, checkin_p, collect_h, drill_p, lapse, rng.randint(7, 22))

    def target_population(self, day: int) -> int:
        """Logistic-ish growth to the full population by 30% of the run."""
        full_by = max(1, int(self.config.days * 0.3))
        share = min(1.0, (day + 1) / full_by)
        return max(1, int(self.config.residents * share * share))

    def join(self, limit: int) -> list[bytes]:
        txs: list[bytes] = []
        while len(self.people) < limit:
            if not self.unused_codes:
                codes = [code_from_bytes(_seed("opcode", self.config.seed, len(self.people),
                                               i)[:10]) for i in range(16)]
                self.block([self.sign(self.operator, CreateInvites(
                    code_hashes=tuple(compute_invite_hash(c) for c in codes)))], dt=0)
                self.unused_codes.extend(codes)
            code = self.unused_codes.pop(self.rng.randrange(len(self.unused_codes)))
            person = self.new_person(len(self.people))
            own = [code_from_bytes(_seed("code", self.config.seed, len(self.people), i)[:10])
                   for i in range(self.params.invites_per_resident)]
            txs.append(self.sign(person.wallet, RegisterResident(
                invite_code=code, encryption_key=b64encode(person.wallet.encryption_public_key)),
                CreateInvites(code_hashes=tuple(compute_invite_hash(c) for c in own))))
            self.unused_codes.extend(own)
            person.last_collect = self.time
            if self.rng.random() < 0.85:
                person.verify_at = self.time + self.rng.randint(1, 12) * HOUR
            self.people.append(person)
        return txs

    # --- one simulated hour -----------------------------------------------------------------

    def hour_txs(self, hour_of_day: int) -> list[bytes]:
        """What people do in this block; `hour_of_day` is on the deployment's local clock."""
        rng, t, day = self.rng, self.time, self.day
        txs: list[bytes] = []
        verify = [p for p in self.people if p.verify_at and p.verify_at <= t]
        for p in verify:
            p.verify_at = 0
            txs.append(self.sign(self.verifier, AttestIdentity(
                resident=p.wallet.address, nullifier=_seed("id", p.wallet.address).hex())))
        for p in self.people:
            if day >= p.lapse_day:
                continue
            msgs: list[Msg] = []
            if hour_of_day == p.checkin_hour and rng.random() < p.checkin_p:
                msgs.append(CompleteTask(task_id="daily_checkin"))
            if t - p.last_collect >= p.collect_every_h * HOUR:
                msgs.append(Collect())
                p.last_collect = t
            if msgs:
                txs.append(self.sign(p.wallet, *msgs))
        if hour_of_day == 20:
            txs.extend(self.business_batches())
        if hour_of_day == 21:
            txs.extend(self.drill_entries())
        return txs

    def business_batches(self) -> list[bytes]:
        active = [p for p in self.people if self.day < p.lapse_day]
        txs = []
        for business in self.businesses:
            task = self.rng.choice(BUSINESS_TASKS)
            size = min(self.params.max_list_items, max(1, len(active) // 20))
            chosen = self.rng.sample(active, min(size, len(active)))
            if chosen:
                txs.append(self.sign(business, AttestTasks(
                    task_id=task, residents=tuple(p.wallet.address for p in chosen))))
        return txs

    def drill_entries(self) -> list[bytes]:
        meta = self.app.meta()
        number = compute_current_round(self.params, meta.genesis_time, self.time)
        if get_round(self.app.state, number) is None:
            return []
        txs = []
        for p in self.people:
            if self.day >= p.lapse_day or self.rng.random() >= p.drill_p:
                continue
            if get_force(self.app.state, p.wallet.address) > self.params.drill_min_force:
                txs.append(self.sign(p.wallet, EnterRound(round=number)))
        return txs

    def operator_txs(self) -> list[bytes]:
        """Commit the next rounds ahead; reveal sealed rounds (but let one in N go void)."""
        meta = self.app.meta()
        current = compute_current_round(self.params, meta.genesis_time, self.time)
        msgs: list[Msg] = []
        for number in range(current + 1, current + 3):
            if number not in self.secrets:
                self.secrets[number] = _seed("drill", self.config.seed, number)
                msgs.append(CommitRound(round=number, commitment=compute_commitment(
                    number, self.secrets[number]).hex()))
        for number in range(max(0, current - 2), current + 1):
            round_ = get_round(self.app.state, number)
            if (round_ is not None and round_.status == SEALED and meta.height > round_.seal_height
                    and number % self.config.void_every != self.config.void_every - 1):
                msgs.append(RevealRound(round=number, secret=self.secrets[number].hex()))
        return [self.sign(self.operator, *msgs)] if msgs else []

    # --- measuring --------------------------------------------------------------------------

    def measure(self) -> DayStats:
        view, pool = self.app.state, get_pool(self.app.state)
        clock = get_clock(view)
        pending = active = dormant = 0
        for p in self.people:
            holder = get_holder(view, p.wallet.address)
            if holder is None:
                continue
            pending += compute_claimable(get_share(view, p.wallet.address), pool)
            dormant += holder.dormant
            active += not holder.dormant
        elapsed = self.time - self.genesis.genesis_time
        return DayStats(self.day, compute_emitted(self.params, elapsed),
                        clock.collected + clock.jackpot_paid, pending, clock.jackpot,
                        pool.carried, len(self.people), active, dormant)

    def forces(self) -> list[int]:
        return [get_force(self.app.state, p.wallet.address) for p in self.people]

    def run(self, progress: Callable[[int, int], None] | None = None) -> None:
        step = self.config.block_minutes * 60_000
        blocks_per_day = DAY // step
        for day in range(self.config.days):
            txs = self.join(min(self.config.residents, self.target_population(day)))
            for _ in range(blocks_per_day):
                local_hour = ((self.time + self.params.timezone_offset_minutes * 60_000)
                              // HOUR) % 24
                txs += self.operator_txs() + self.hour_txs(local_hour)
                self.block(txs, dt=step)
                txs = []
            self.stats.append(self.measure())
            if progress is not None:
                progress(day + 1, self.config.days)
