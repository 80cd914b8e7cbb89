"""Generate the demo planet into a node home, through a real node, ending now.

The simulation (`planet.sim.world`) drives the embedded node block by block at simulated
times, so every block and transaction is stored and the explorer and the API show real
history. Keys a person will type into the browser come from BIP-39 mnemonics derived from
the seed (same seed, same keys, same world; only ciphertext differs, since sealing uses
fresh keys): the operator, the verifier, five businesses and one resident. What to print
is kept in HOME/demo.json, so a second `planet demo` reuses the world as it is.

This is a demonstration: its mnemonics are printed and stored in the clear (mode 0600).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mnemonic import Mnemonic

from planet.core.app import Application
from planet.core.drill.rules import compute_current_round, get_round
from planet.core.drill.state import COMMITTED, SEALED
from planet.core.encoding import b64encode
from planet.core.exchange.messages import AcceptRequest, CreateRequest, RedeemOffer
from planet.core.exchange.rules import get_purse
from planet.core.genesis import format_time, parse_genesis
from planet.core.messages import Event
from planet.core.transition import TxResult
from planet.core.types import MICRO_PER_BD
from planet.core.vault.messages import AllowDepositor
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.node.home import Home, init_home
from planet.sdk.envelope import reseal_for
from planet.sdk.keys import save_keystore, wallet_from_mnemonic
from planet.sim.world import (
    DAY,
    RECORD_CATEGORIES,
    BlockOutcome,
    SimConfig,
    World,
    WorldKeys,
    make_world_genesis,
)
from planet.storage.blobs import open_blob_store
from planet.storage.sqlite import BlockRecord, TxRecord

DEMO_FILE = "demo.json"
CHAIN_ID = "planet-demo-1"
BUSINESS_NAMES = ("Sunrise Coffee", "Starlight Cinemas", "Swift Rail", "Daily Reader",
                  "Friends Hub")
RESIDENT_INDEX = 3  # the demo resident joins on the first day, the fourth to join
Progress = Callable[[int, int], None]


@dataclass
class DemoAccount:
    role: str  # operator | verifier | business | resident
    name: str
    address: str
    mnemonic: str


@dataclass
class DemoInfo:
    """What `planet demo` prints: kept in HOME/demo.json."""

    seed: int
    residents: int
    days: int
    complete: bool = False
    generation_seconds: float = 0.0
    blocks: int = 0
    txs: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)
    resident_codes: list[str] = field(default_factory=list)  # the demo resident's to share
    spare_codes: list[str] = field(default_factory=list)  # unused, for new residents

    def account(self, role: str) -> DemoAccount:
        return next(a for a in self.accounts if a.role == role)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DemoInfo:
        accounts = [DemoAccount(**a) for a in data.pop("accounts", [])]
        return cls(**data, accounts=accounts)


def load_info(home: Home) -> DemoInfo | None:
    path = home.path / DEMO_FILE
    if not path.exists():
        return None
    return DemoInfo.from_json(json.loads(path.read_text()))


def save_info(home: Home, info: DemoInfo) -> None:
    path = home.path / DEMO_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(info.to_json(), f, indent=2)
        f.write("\n")


def demo_mnemonic(seed: int, role: str) -> str:
    """24 words from the seed and the role: the same demo always has the same keys."""
    entropy = hashlib.sha256(f"planet-demo/{seed}/{role}".encode()).digest()
    return str(Mnemonic("english").to_mnemonic(entropy))


def demo_keys(seed: int) -> tuple[WorldKeys, list[DemoAccount]]:
    names = [("operator", "Operator"), ("verifier", "Identity verifier")]
    names += [(f"business-{i}", name) for i, name in enumerate(BUSINESS_NAMES)]
    names.append(("resident", "Demo resident"))
    accounts, wallets = [], {}
    for role, name in names:
        words = demo_mnemonic(seed, role)
        wallets[role] = wallet_from_mnemonic(words)
        accounts.append(DemoAccount(role.split("-")[0], name, wallets[role].address, words))
    keys = WorldKeys(wallets["operator"], wallets["verifier"],
                     [wallets[f"business-{i}"] for i in range(len(BUSINESS_NAMES))],
                     list(BUSINESS_NAMES), residents={RESIDENT_INDEX: wallets["resident"]})
    return keys, accounts


def key_name(account: DemoAccount) -> str:
    """The account's keystore name in HOME/keys: `demo-resident`, `sunrise-coffee`, …"""
    if account.role == "resident":
        return "demo-resident"
    return account.name.lower().replace(" ", "-")


class NodeChain:
    """The world's blocks go through an embedded node: mempool admission, then a block at
    the simulated time, persisted with its transactions like any other block."""

    def __init__(self, node: EmbeddedNode) -> None:
        self.node = node
        self._records: dict[bytes, TxRecord] = {}
        node.add_listener(self._on_block)

    @property
    def app(self) -> Application:
        return self.node.app

    def _on_block(self, _block: BlockRecord, records: list[TxRecord]) -> None:
        self._records = {r.hash: r for r in records}

    def run_block(self, txs: list[bytes], time_ms: int) -> BlockOutcome:
        submitted = self.node.submit_many(txs) if txs else []
        self.node.produce_block(time_ms=time_ms)
        results: list[TxResult] = []
        refused: list[int] = []
        for i, sub in enumerate(submitted):
            record = self._records.get(sub.hash) if sub.accepted else None
            if record is None:
                refused.append(i)
                results.append(sub.result)
                continue
            r = record.result
            results.append(TxResult(code=record.code, codespace=r["codespace"], log=r["log"],
                                    error=r["error"],
                                    events=[Event(e["type"], e["attributes"])
                                            for e in r["events"]]))
        return BlockOutcome(results, [], refused)


def demo_config(residents: int, days: int, seed: int, now_ms: int) -> SimConfig:
    return SimConfig(residents=residents, days=days, seed=seed, chain_id=CHAIN_ID,
                     genesis_time=format_time(now_ms - days * DAY), exchange=True,
                     reveal_minutes=5, void_every=15, full_by=0.9, daily_sessions=True)


def clear_home(path: Path) -> None:
    """What a fresh demo replaces: the chain, its blobs, drill secrets and demo.json."""
    home = Home(path)
    for sub in (home.blobs_dir, home.drill_secrets_dir):
        if sub.is_dir():
            shutil.rmtree(sub)
    for name in ("node.db", "node.db-wal", "node.db-shm"):
        (home.db_file.parent / name).unlink(missing_ok=True)
    (path / DEMO_FILE).unlink(missing_ok=True)


def generate(path: Path, residents: int = 1_000, days: int = 90, seed: int = 1,
             progress: Progress | None = None, now_ms: int | None = None) -> DemoInfo:
    """Write a demo home at `path` (replacing any chain there) and fill it with history."""
    started = time.monotonic()
    now_ms = now_ms if now_ms is not None else time.time_ns() // 1_000_000
    now_ms -= now_ms % 1_000
    config = demo_config(residents, days, seed, now_ms)
    keys, accounts = demo_keys(seed)
    clear_home(path)
    home = init_home(path, CHAIN_ID, overwrite=True, operator=keys.operator,
                     verifier=keys.verifier, document=make_world_genesis(config, keys))
    for account in accounts:  # the CLI can act as them too: `--key sunrise-coffee`
        if account.role in ("business", "resident"):
            save_keystore(home.keys_dir / f"{key_name(account)}.json",
                          wallet_from_mnemonic(account.mnemonic), None, key_name(account))
    info = DemoInfo(seed=seed, residents=residents, days=days, accounts=accounts)
    save_info(home, info)  # not complete: an interrupted generation starts again
    blobs = open_blob_store(home.load_config().blob_store, home.blobs_dir)
    # The world's blocks carry the simulated time (`run_block`), so a block is never the one
    # the engine would open at its own clock: executing once would open each at the wall
    # clock, weeks past the world's, and run every time event up to now, block after block.
    node = EmbeddedNode(home.db_file, home.load_genesis(),
                        EngineConfig(max_block_txs=100_000, max_mempool_txs=200_000,
                                     execute_once=False))
    try:
        world = World(config, keys, NodeChain(node), blob_sink=blobs.put)
        world.run(progress)
        finish(world)
        keep_drill_secrets(world, home)
        resident = world.people[RESIDENT_INDEX].wallet.address
        info.resident_codes = world.kept_codes.get(resident, [])
        info.spare_codes = sorted(world.unused_codes)[:8]
        info.blocks, info.txs = node.height, world.txs
    finally:
        node.close()
        blobs.close()
    info.complete = True
    info.generation_seconds = round(time.monotonic() - started, 1)
    save_info(home, info)
    return info


def finish(world: World) -> None:
    """The last minutes before now: make sure the demo resident has something to show.

    Its partner (which the resident and a cohort's worth of neighbours allow to deposit)
    deposits shopping records, it buys a coffee, and Sunrise Coffee posts two data requests
    in cohorts of the genesis minimum: the resident and enough neighbours accept the first,
    so its cohort opens (a grant in the resident's history, a reward in its balance), and
    the second is left open for whoever logs in to accept in the browser.
    """
    person = world.people[RESIDENT_INDEX]
    shop, category = world.businesses[0], RECORD_CATEGORIES[0]
    cohort = world.params.min_cohort
    neighbours = [p for p in world.active() if p is not person][:cohort - 1]
    txs = [world.sign(p.wallet, AllowDepositor(business=shop.address))
           for p in [person, *neighbours] if 0 not in p.depositors]
    for p in [person, *neighbours]:
        p.depositors.add(0)
    txs += [world.record_txs(shop, person, category, json.dumps(
        {"from": BUSINESS_NAMES[0], "what": what, "amount_cny": amount}), deposit=True)
        for what, amount in (("Flat white and croissant", 38), ("Coffee beans 500 g", 96))]
    txs += [world.record_txs(shop, p, category, json.dumps(
        {"from": BUSINESS_NAMES[0], "what": "Americano", "amount_cny": 22 + i}), deposit=True)
        for i, p in enumerate(neighbours)]
    # Enough sales for the two requests' escrow (a purse only fills through sales).
    offer = world.market.offers.get(0)
    if offer is not None:
        buyers = [p for p in world.active() if p is not person][:12]
        txs += [world.sign(p.wallet, RedeemOffer(offer=offer[0])) for p in buyers]
    world.block(txs, dt=1_000)
    reward = min(2 * MICRO_PER_BD, world.params.resident_daily_cap_micro)
    purse = get_purse(world.app.state, shop.address).balance
    places = max(cohort, min(2 * cohort, (purse // reward - cohort) // cohort * cohort))
    first: list[int] = []
    txs = [world.then(world.sign(shop, CreateRequest(
        categories=(category,), period_start=world.genesis.genesis_time,
        period_end=world.time + 30 * DAY, purpose="Sunrise Coffee: which of our shops you visit, "
        "to open the next one near you", reward=reward, residents=cohort, cohort=cohort,
        expires_at=world.time + 7 * DAY, access_ms=30 * DAY)),
        lambda r: first.append(_request_id(r))),
        world.sign(shop, CreateRequest(
            categories=(category, "location"), period_start=world.genesis.genesis_time,
            period_end=world.time + 30 * DAY, purpose="Sunrise Coffee: your coffee and commute "
            "habits, to plan opening hours", reward=reward, residents=places, cohort=cohort,
            expires_at=world.time + 14 * DAY, access_ms=60 * DAY))]
    world.block(txs, dt=1_000)
    if not first:
        return
    accepts = []
    for p, n in [(person, 2), *((p, 1) for p in neighbours)]:
        digests = [d for d, c in p.records if c == category][:n]
        if not digests:
            continue
        keys = tuple(b64encode(reseal_for(world.market.blobs[d], p.wallet.encryption_key,
                                          shop.encryption_public_key)) for d in digests)
        p.answered.add(first[0])
        accepts.append(world.sign(p.wallet, AcceptRequest(request=first[0],
                                                          records=tuple(digests), keys=keys)))
    world.block(accepts, dt=1_000)


def _request_id(result: TxResult) -> int:
    return int(next(e.attributes["request"] for e in result.events
                    if e.type == "exchange/request_created"))


def keep_drill_secrets(world: World, home: Home) -> None:
    """Hand the live operator the secrets of rounds committed but not yet revealed, where
    `planet.sdk.drill.SecretStore` reads them."""
    folder = home.drill_secrets_dir
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    current = compute_current_round(world.params, world.genesis.genesis_time, world.time)
    for number, secret in world.secrets.items():
        round_ = get_round(world.app.state, number)
        if number >= current - 1 and round_ is not None and round_.status in (COMMITTED, SEALED):
            path = folder / f"round-{number}.hex"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secret.hex())


def is_complete(home: Home) -> bool:
    info = load_info(home)
    return bool(info is not None and info.complete and home.db_file.exists()
                and parse_genesis(json.loads(home.genesis_file.read_text())).chain_id
                == CHAIN_ID)


__all__ = ["DemoAccount", "DemoInfo", "generate", "is_complete", "key_name", "load_info"]
