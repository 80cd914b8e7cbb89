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
resident's codes invite the next, growing to `residents` by `full_by` of the run), most pass
identity verification a few hours later (paying their inviter, one level), partner
businesses attest tasks in daily batches within their quota, and the operator commits
every drill round ahead and reveals it after its seal, except one round in
`void_every`, which it lets go void.

The same world runs either on the bare `Application` in memory (`planet simulate`) or
through a node that stores every block (`planet demo`, via the `Chain` protocol). With
`exchange` on, businesses also list offers that residents redeem, deposit sealed records
into residents' vaults and post data requests that residents accept (the demo's shop and
data market); record ciphertext goes to `blob_sink`.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from planet.core.accounts.codes import code_from_bytes, compute_invite_hash
from planet.core.accounts.messages import AttestIdentity, CreateInvites, RegisterResident
from planet.core.accounts.rules import get_account
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
from planet.core.exchange.messages import (
    AcceptRequest,
    CreateOffer,
    CreateRequest,
    FulfilRedemption,
    RedeemOffer,
)
from planet.core.exchange.rules import get_purse
from planet.core.force.grants import get_force
from planet.core.force.messages import AttestTasks, CompleteTask
from planet.core.genesis import Genesis, parse_genesis
from planet.core.messages import Event, Msg
from planet.core.state import CommittedState
from planet.core.transition import TxResult
from planet.core.types import MICRO_PER_BD
from planet.core.vault.messages import AddRecord, AllowDepositor, DepositRecord
from planet.node.home import make_genesis_document
from planet.sdk.envelope import VOUCHER_INFO, reseal_for, seal_record, seal_to
from planet.sdk.wallet import Wallet
from planet.storage.state_store import tree_class

HOUR = 3_600_000
DAY = 24 * HOUR
BUSINESS_TASKS = ("shopping", "entertainment", "education", "finance", "travel", "browsing",
                  "social")
# What each partner business sells in the shop and which kind of record it deposits.
OFFER_ITEMS = ("Coffee", "Cinema ticket", "Train ticket discount", "Month of news",
               "Community meetup pass", "Bike day pass", "Gym day pass")
RECORD_CATEGORIES = ("shopping", "entertainment", "travel", "browsing", "social", "location",
                     "health")


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
    exchange: bool = False  # offers, redemptions, vault records, data requests and grants
    # > 0: reveal drill rounds in an extra block this many minutes after the seal, so the
    # production reveal window (an hour) holds with hourly blocks; 0: widen the window.
    reveal_minutes: int = 0
    full_by: float = 0.3  # share of the run by which the population has all joined
    # People act once a day in one transaction (check-in, collect if due, drill) rather
    # than whenever each habit falls due: the same habits in about half the transactions.
    daily_sessions: bool = False


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
    records: list[tuple[str, str]] = field(default_factory=list)  # (digest, category), live
    answered: set[int] = field(default_factory=set)  # data requests already accepted
    depositors: set[int] = field(default_factory=set)  # businesses allowed to deposit


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


@dataclass
class OpenRequest:
    business: int  # index
    category: str
    expires_at: int
    places: int  # residents it still pays


@dataclass
class Market:
    """What the simulated businesses know of their own shop and data requests."""

    # business index → (offer id, price, ends at)
    offers: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    # business index → [(redemption id, resident)] waiting for a voucher
    to_fulfil: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    requests: dict[int, OpenRequest] = field(default_factory=dict)  # by request id
    blobs: dict[str, bytes] = field(default_factory=dict)  # digest → ciphertext (owners' copy)


def _seed(*parts: object) -> bytes:
    return hashlib.sha256("/".join(map(str, parts)).encode()).digest()


def _attr(result: TxResult, event_type: str, name: str) -> int:
    """An id the ledger assigned, read from the committed transaction's event."""
    return int(next(e.attributes[name] for e in result.events if e.type == event_type))


@dataclass
class WorldKeys:
    """Who signs: the operator, the identity verifier, the partner businesses, and any
    residents (by join order) whose keys are chosen rather than drawn; those stay engaged
    and keep their own invitation codes unpublished (`World.kept_codes`)."""

    operator: Wallet
    verifier: Wallet
    businesses: list[Wallet]
    business_names: list[str]
    residents: dict[int, Wallet] = field(default_factory=dict)

    @classmethod
    def seeded(cls, config: SimConfig) -> WorldKeys:
        return cls(Wallet.from_seeds(_seed("op", config.seed, 0), _seed("op", config.seed, 1)),
                   Wallet.from_seeds(_seed("vf", config.seed, 0), _seed("vf", config.seed, 1)),
                   [Wallet.from_seeds(_seed("biz", i, 0), _seed("biz", i, 1))
                    for i in range(config.businesses)],
                   [f"Partner {i + 1}" for i in range(config.businesses)])


def make_world_genesis(config: SimConfig, keys: WorldKeys) -> dict[str, Any]:
    doc = make_genesis_document(config.chain_id, keys.operator, [keys.verifier],
                                genesis_time=config.genesis_time)
    doc["businesses"] = [b.genesis_key(name)
                         for b, name in zip(keys.businesses, keys.business_names, strict=True)]
    params = dict(config.params)
    if not config.reveal_minutes:
        # The operator reveals in the block after a seal; blocks here are minutes apart, so
        # leave it a few blocks (production blocks are seconds apart).
        params = {"drill_reveal_ms": 3 * config.block_minutes * 60_000, **params}
    if params:
        doc["params"] = params
    return doc


@dataclass
class BlockOutcome:
    results: list[TxResult]  # one per transaction offered, in order
    events: list[Event] = field(default_factory=list)  # the block's own (time-driven) events
    refused: list[int] = field(default_factory=list)  # indexes never included (mempool refusal)


class Chain(Protocol):
    """Where the world's blocks go: the bare application, or a node that stores them."""

    @property
    def app(self) -> Application: ...

    def run_block(self, txs: list[bytes], time_ms: int) -> BlockOutcome: ...


class AppChain:
    """The application alone, in memory: the fastest way to run a world."""

    def __init__(self, genesis: Genesis) -> None:
        self._app = Application(genesis, CommittedState(tree_class=tree_class()))
        self._app.init_chain()
        self._app.commit()

    @property
    def app(self) -> Application:
        return self._app

    def run_block(self, txs: list[bytes], time_ms: int) -> BlockOutcome:
        height = self._app.meta().height + 1
        chain_id = self._app.genesis.chain_id
        block_hash = hashlib.sha256(f"{chain_id}/{height}/{time_ms}".encode()).digest()
        result = self._app.finalize_block(BlockHeader(height, time_ms, "sim", block_hash), txs)
        self._app.commit()
        return BlockOutcome(result.tx_results, result.events)


OnCommit = Callable[[TxResult], None]


class World:
    """The planet being simulated, block by block."""

    def __init__(self, config: SimConfig, keys: WorldKeys | None = None,
                 chain: Chain | None = None,
                 blob_sink: Callable[[str, bytes], object] | None = None) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.keys = keys or WorldKeys.seeded(config)
        self.operator, self.verifier = self.keys.operator, self.keys.verifier
        self.businesses = self.keys.businesses
        self.chain: Chain = chain or AppChain(parse_genesis(make_world_genesis(config,
                                                                               self.keys)))
        self.genesis = self.app.genesis
        self.params = self.genesis.params
        self.blob_sink = blob_sink
        self.time: int = self.app.meta().time
        self.sequences: dict[str, int] = {}
        self.people: list[Person] = []
        self.by_address: dict[str, Person] = {}
        self.unused_codes: list[str] = []  # published by the operator or a resident
        self.kept_codes: dict[str, list[str]] = {}  # codes of residents with chosen keys
        self.secrets: dict[int, bytes] = {}
        self.market = Market()
        self.on_commit: dict[bytes, OnCommit] = {}
        self.stats: list[DayStats] = []
        self.jackpots: list[dict[str, Any]] = []
        self.txs = 0
        self.refusals: dict[str, int] = {}

    @property
    def app(self) -> Application:
        return self.chain.app

    # --- plumbing ---------------------------------------------------------------------------

    def sign(self, wallet: Wallet, *messages: Msg) -> bytes:
        seq = self.sequences.get(wallet.address, 0)
        self.sequences[wallet.address] = seq + 1
        return wallet.sign_tx(chain_id=self.genesis.chain_id, sequence=seq,
                              messages=list(messages))

    def block(self, txs: list[bytes], dt: int) -> None:
        self.time += dt
        outcome = self.chain.run_block(txs, self.time)
        self.txs += len(txs) - len(outcome.refused)
        for raw, r in zip(txs, outcome.results, strict=True):
            if not r.ok:
                self.refusals[r.error] = self.refusals.get(r.error, 0) + 1
            then = self.on_commit.pop(raw, None)
            if then is not None and r.ok:
                then(r)
        self.resync([txs[i] for i in outcome.refused])
        events = outcome.events + [e for r in outcome.results for e in r.events]
        for event in events:
            if event.type == "drill/drawn":
                self.jackpots.append({"round": event.attributes["round"], "day": self.day,
                                      "prize_each_micro": event.attributes["prize_each"],
                                      "entries": event.attributes["entries"], "void": False})
            elif event.type == "drill/void":
                self.jackpots.append({"round": event.attributes["round"], "day": self.day,
                                      "prize_each_micro": 0,
                                      "entries": event.attributes["entries"], "void": True})

    def resync(self, refused: list[bytes]) -> None:
        """A tx a mempool refused never took its sequence: take the next one from the ledger."""
        for raw in refused:
            self.on_commit.pop(raw, None)
            sender = json.loads(raw)["body"]["sender"]
            account = get_account(self.app.state, sender)
            self.sequences[sender] = account.sequence if account is not None else 0

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
        person = Person(wallet, habit, checkin_p, collect_h, drill_p, lapse, rng.randint(7, 22))
        chosen = self.keys.residents.get(index)
        if chosen is not None:  # a resident someone will log in as: keeps coming back
            person.wallet, person.habit, person.lapse_day = chosen, "engaged", 10**9
            person.checkin_p, person.collect_every_h, person.drill_p = 0.95, 20, 0.6
        return person

    def target_population(self, day: int) -> int:
        """Quadratic growth to the full population by `full_by` of the run (30%)."""
        full_by = max(1, int(self.config.days * self.config.full_by))
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
            if len(self.people) in self.keys.residents:
                self.kept_codes[person.wallet.address] = own
            else:
                self.unused_codes.extend(own)
            person.last_collect = self.time
            if self.rng.random() < 0.85 or len(self.people) in self.keys.residents:
                person.verify_at = self.time + self.rng.randint(1, 12) * HOUR
            self.people.append(person)
            self.by_address[person.wallet.address] = person
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
        if self.config.daily_sessions:
            return txs + self.sessions(hour_of_day) + self.partner_txs(hour_of_day)
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
        if hour_of_day == 21:
            txs.extend(self.drill_entries())
        return txs + self.partner_txs(hour_of_day)

    def partner_txs(self, hour_of_day: int) -> list[bytes]:
        txs = self.business_batches() if hour_of_day == 20 else []
        if self.config.exchange:
            txs.extend(self.market_txs(hour_of_day))
        return txs

    def sessions(self, hour_of_day: int) -> list[bytes]:
        """Each person opens the app at their hour on the days they do: check in, collect
        when it has been their interval, enter the open drill round; one tx per session."""
        number = compute_current_round(self.params, self.genesis.genesis_time, self.time)
        drill_open = get_round(self.app.state, number) is not None
        txs = []
        for p in self.people:
            if (self.day >= p.lapse_day or hour_of_day != p.checkin_hour
                    or self.rng.random() >= p.checkin_p):
                continue
            msgs: list[Msg] = [CompleteTask(task_id="daily_checkin")]
            if self.time - p.last_collect >= (p.collect_every_h - 1) * HOUR:
                msgs.append(Collect())
                p.last_collect = self.time
            if (drill_open and self.rng.random() < p.drill_p
                    and get_force(self.app.state, p.wallet.address) > self.params.drill_min_force):
                msgs.append(EnterRound(round=number))
            txs.append(self.sign(p.wallet, *msgs))
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

    # --- the shop and the data market (config.exchange) -------------------------------------

    def market_txs(self, hour_of_day: int) -> list[bytes]:
        """One kind of market activity per local hour, so each stays a small daily batch."""
        if hour_of_day == 8:
            return self.list_offers()
        if hour_of_day == 10 and self.day % 7 == 2:
            return self.post_requests()
        if hour_of_day == 12:
            return self.redemptions()
        if hour_of_day == 14:
            return self.fulfilments()
        if hour_of_day == 18:
            return self.acceptances()
        if hour_of_day == 19:
            return self.deposits()
        return []

    def then(self, raw: bytes, fn: OnCommit) -> bytes:
        self.on_commit[raw] = fn
        return raw

    def active(self) -> list[Person]:
        return [p for p in self.people if self.day < p.lapse_day]

    def list_offers(self) -> list[bytes]:
        """Each business keeps one offer on sale (30 days at a time)."""
        txs = []
        for i, business in enumerate(self.businesses):
            offer = self.market.offers.get(i)
            if offer is not None and offer[2] > self.time + DAY:
                continue
            # About a day's diamonds for an early resident of a thousand (~270 BD).
            price = (100, 250, 500)[i % 3] * MICRO_PER_BD
            ends = self.time + 30 * DAY

            def listed(r: TxResult, i: int = i, price: int = price, ends: int = ends) -> None:
                self.market.offers[i] = (_attr(r, "exchange/offer_created", "offer"), price, ends)

            txs.append(self.then(self.sign(business, CreateOffer(
                item=OFFER_ITEMS[i % len(OFFER_ITEMS)], price=price, stock=100_000,
                starts_at=self.time, ends_at=ends, min_force=0, daily_limit=1)), listed))
        return txs

    def redemptions(self) -> list[bytes]:
        """A few residents a day spend diamonds in the shop (the businesses' purses fill)."""
        txs = []
        for p in self.active():
            if not self.market.offers or self.rng.random() >= 0.03:
                continue
            i = self.rng.choice(sorted(self.market.offers))
            offer_id, price, ends = self.market.offers[i]
            holder = get_holder(self.app.state, p.wallet.address)
            if ends <= self.time + HOUR or holder is None or holder.balance < price:
                continue

            def redeemed(r: TxResult, i: int = i, p: Person = p) -> None:
                rid = _attr(r, "exchange/redeemed", "redemption")
                self.market.to_fulfil.setdefault(i, []).append((rid, p.wallet.address))

            txs.append(self.then(self.sign(p.wallet, RedeemOffer(offer=offer_id)), redeemed))
        return txs

    def fulfilments(self) -> list[bytes]:
        """Businesses deliver vouchers sealed to each buyer (HPKE), in batches."""
        txs: list[bytes] = []
        for i, business in enumerate(self.businesses):
            due = self.market.to_fulfil.pop(i, [])
            msgs: list[Msg] = [FulfilRedemption(redemption=rid, voucher=b64encode(seal_to(
                f"{OFFER_ITEMS[i % len(OFFER_ITEMS)]} voucher #{rid:06d}".encode(),
                self.by_address[resident].wallet.encryption_public_key, VOUCHER_INFO)))
                for rid, resident in due]
            txs.extend(self.sign(business, *msgs[k:k + self.params.max_messages_per_tx])
                       for k in range(0, len(msgs), self.params.max_messages_per_tx))
        return txs

    def record_txs(self, sender: Wallet, owner: Person, category: str, text: str,
                   deposit: bool) -> bytes:
        """Seal a record to its owner, commit it; once committed, its ciphertext is stored."""
        sealed = seal_record(text.encode(), owner.wallet.encryption_public_key)
        when = max(self.genesis.genesis_time, self.time - self.rng.randint(0, 20) * HOUR)
        msg: Msg = (DepositRecord(owner=owner.wallet.address, digest=sealed.digest,
                                  category=category, time=when, size=len(sealed.blob))
                    if deposit else AddRecord(digest=sealed.digest, category=category, time=when,
                                              size=len(sealed.blob)))

        def committed(_r: TxResult) -> None:
            owner.records.append((sealed.digest, category))
            self.market.blobs[sealed.digest] = sealed.blob
            if self.blob_sink is not None:
                self.blob_sink(sealed.digest, sealed.blob)

        return self.then(self.sign(sender, msg), committed)

    def deposits(self) -> list[bytes]:
        """Partners deposit what they saw into residents' vaults; a few residents add notes."""
        active = self.active()
        txs = []
        for i, business in enumerate(self.businesses):
            category = RECORD_CATEGORIES[i % len(RECORD_CATEGORIES)]
            name = self.keys.business_names[i]
            for p in self.rng.sample(active, min(len(active), max(1, len(active) // 200))):
                amount = self.rng.randint(5, 300)
                if i not in p.depositors:  # a deposit needs the owner's consent, given once
                    p.depositors.add(i)
                    txs.append(self.sign(p.wallet, AllowDepositor(business=business.address)))
                txs.append(self.record_txs(business, p, category, json.dumps(
                    {"from": name, "what": OFFER_ITEMS[i % len(OFFER_ITEMS)],
                     "amount_cny": amount, "day": self.day}), deposit=True))
        for p in active:
            if p.habit == "engaged" and self.rng.random() < 0.01:
                txs.append(self.record_txs(p.wallet, p, "location", json.dumps(
                    {"note": "weekly commute", "km": self.rng.randint(10, 200)}), deposit=False))
        return txs

    def post_requests(self) -> list[bytes]:
        """Weekly, each business with diamonds in its purse asks for its kind of record, in
        whole cohorts of the genesis minimum, at a reward within the residents' daily cap."""
        txs = []
        reward = min(2 * MICRO_PER_BD, self.params.resident_daily_cap_micro)
        cohort = self.params.min_cohort
        for i, business in enumerate(self.businesses):
            count = min(40, get_purse(self.app.state, business.address).balance // reward)
            count -= count % cohort
            if count < cohort:
                continue
            category = RECORD_CATEGORIES[i % len(RECORD_CATEGORIES)]
            expires = self.time + 14 * DAY

            def posted(r: TxResult, i: int = i, category: str = category,
                       expires: int = expires, count: int = count) -> None:
                rid = _attr(r, "exchange/request_created", "request")
                self.market.requests[rid] = OpenRequest(i, category, expires, count)

            txs.append(self.then(self.sign(business, CreateRequest(
                categories=(category,), period_start=self.genesis.genesis_time,
                period_end=expires, purpose=f"{self.keys.business_names[i]}: better "
                f"{category} suggestions for you", reward=reward, residents=count,
                cohort=cohort, expires_at=expires, access_ms=30 * DAY)), posted))
        return txs

    def acceptances(self) -> list[bytes]:
        """Residents with matching records accept some open requests, resealing each record's
        key to the business; the reward comes from escrow once a whole cohort accepted."""
        txs: list[bytes] = []
        for rid, wanted in list(self.market.requests.items()):
            if wanted.expires_at <= self.time + HOUR or wanted.places <= 0:
                del self.market.requests[rid]
                continue
            business_key = self.businesses[wanted.business].encryption_public_key
            for p in self.active():
                digests = [d for d, c in p.records if c == wanted.category][:3]
                if (not digests or rid in p.answered or wanted.places <= 0
                        or self.rng.random() >= 0.15):
                    continue
                p.answered.add(rid)
                wanted.places -= 1
                keys = tuple(b64encode(reseal_for(self.market.blobs[d], p.wallet.encryption_key,
                                                  business_key)) for d in digests)
                txs.append(self.sign(p.wallet, AcceptRequest(request=rid, records=tuple(digests),
                                                             keys=keys)))
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

    def operator_txs(self, reveal: bool = True) -> list[bytes]:
        """Commit the next rounds ahead; reveal sealed rounds (but let one in N go void)."""
        meta = self.app.meta()
        current = compute_current_round(self.params, meta.genesis_time, self.time)
        msgs: list[Msg] = []
        for number in range(current + 1, current + 3):
            if number not in self.secrets:
                self.secrets[number] = _seed("drill", self.config.seed, number)
                msgs.append(CommitRound(round=number, commitment=compute_commitment(
                    number, self.secrets[number]).hex()))
        if reveal:
            msgs.extend(self.reveals(current))
        return [self.sign(self.operator, *msgs)] if msgs else []

    def reveals(self, current: int) -> list[Msg]:
        height = self.app.meta().height
        msgs: list[Msg] = []
        for number in range(max(0, current - 2), current + 1):
            round_ = get_round(self.app.state, number)
            # A reveal goes into the next block, which must come after the seal block.
            if (round_ is not None and round_.status == SEALED and height >= round_.seal_height
                    and number % self.config.void_every != self.config.void_every - 1):
                msgs.append(RevealRound(round=number, secret=self.secrets[number].hex()))
        return msgs

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
        reveal_ms = self.config.reveal_minutes * 60_000
        blocks_per_day = DAY // step
        for day in range(self.config.days):
            txs = self.join(min(self.config.residents, self.target_population(day)))
            for _ in range(blocks_per_day):
                dt = step
                if reveal_ms:  # the round sealed by the last block, revealed minutes later
                    current = compute_current_round(self.params, self.genesis.genesis_time,
                                                    self.time)
                    msgs = self.reveals(current)
                    if msgs:
                        self.block([self.sign(self.operator, *msgs)], dt=reveal_ms)
                        dt -= reveal_ms
                local_hour = ((self.time + self.params.timezone_offset_minutes * 60_000)
                              // HOUR) % 24
                txs += self.operator_txs(reveal=not reveal_ms) + self.hour_txs(local_hour)
                self.block(txs, dt=dt)
                txs = []
            self.stats.append(self.measure())
            if progress is not None:
                progress(day + 1, self.config.days)
