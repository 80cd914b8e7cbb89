"""`planet bench scale`: what a node costs at 10⁴, 10⁵, 10⁶ (and 10⁷) residents, state on disk.

**Building a size.** A fresh `NodeStore` gets the economy benchmark's genesis
(`open_application`, as a new node does), then residents in blocks of `batch`: each
block's records are written by the core's own rules (`economy.populate_range`:
registration, a check-in, an identity for one in four, each resident at its own instant of
the first local day), folded in by `CommittedState.apply` (the incremental tree) and
stored with `NodeStore.commit_block`, records, tree nodes and block in one transaction, as
the node stores a block; memory stays bounded by the batch. The build reads the store
through one plain sqlite3 connection (`DirectReads`) and a larger node cache: the same
rows, checked against the tree by the same `CommittedState`, without a pool checkout per
read. Such a chain cannot be replayed (its blocks carry no transactions): `planet verify`
is not for it; `check_built` is.

**Checking it** (`check_built`, in full at every size, streaming): the stored tree hashes
up to the last app hash node by node, every record is a leaf of it and every leaf a record
(`verify_stored_tree`); residents = holders = n, none dormant; the pool's Force is the sum
of the residents' Force and of their shares; and every µBD the schedule released is in
a balance, pending, the jackpot, carried, or a sub-µBD fraction, exactly as
`tests/property/test_economy_stateful.py` states it. The signers' accounts are then read
through the node's own state (`open_state`), each read checked against the app hash.

**The cache.** A built database is kept in `--cache-dir` as `scale-<n>-<key>.db` (with
its build report, `.json`), `key` hashing the build's parameters and the app hash of a
tiny build run now through the same code (`fingerprint`): a change of rules, encoding or
tree that would write other records gives another key, and the stale file is replaced.

**Measuring a size**, in fresh processes (`python -m planet.bench.scale measure`) on a
copy of the cached database (the measured blocks change it): first the restart with the
file dropped from the OS page cache (`posix_fadvise`, as after a reboot; the VM's host may
still cache it), then, in a second process, the figures: RSS before and after opening;
restart = `EmbeddedNode` open (store, migrations, `open_application`: one root-node read;
then the collector tuned as `planet node` does) plus its first block (interpreter start and
imports excluded, reported apart); a holder query
(`emission/holder`, as the API asks it, without the API's cache) of residents never read
before, cold (first read) and warm (the same query again); the proof of a holder record
(its JSON size, its nodes, `prove` and `verify_proof` times); the median `produce_block`
of empty blocks and of 200-transaction blocks (100 check-ins and 100 collects from
residents in the database, signed with their deterministic keys; put straight into the
mempool, so the block decodes, verifies and runs every transaction as a validator
replaying it does, reading their records cold). Then RSS again. Ratios are largest size
over smallest.
"""

from __future__ import annotations

import base64
import dataclasses
import gc
import hashlib
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.progress import Progress

from planet.bench import economy
from planet.bench.common import machine, median, sig
from planet.core.accounts.rules import get_account
from planet.core.accounts.state import RESIDENT, kind_index_key
from planet.core.app import Application
from planet.core.chain import get_meta
from planet.core.emission.accumulator import ACC_SCALE, Pool, Share, compute_claimable
from planet.core.emission.rules import get_clock, get_pool
from planet.core.emission.schedule import compute_emitted
from planet.core.emission.state import Holder, holder_key, share_key
from planet.core.force.grants import RESIDENT_PREFIX, ResidentForce
from planet.core.genesis import Genesis
from planet.core.state import CommittedState, NodeWrites, prefix_end, verify_proof
from planet.core.state.tree import ROOT_PATH, Node, hash_key, hash_leaf, hash_value, nibble
from planet.core.tx import compute_tx_hash
from planet.engines.blocks import compute_tx_root, open_application
from planet.engines.embedded import EmbeddedNode, EngineConfig, compute_block_hash
from planet.node.gc_tuning import tune_gc
from planet.storage.sqlite import STATE_FORMAT, BlockRecord, NodeStore
from planet.storage.state_store import tree_class

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
DEFAULT_BATCH = 50_000
BULK_FROM = 2_000_000
"""Sizes from here are built by `scale_bulk` (records by the rules, the tree once, resumable):
the incremental build slows past ~400 residents a second as its tree outgrows the cache."""
BUILD_FORMAT = 2
"""Bump when the build writes anything differently that `fingerprint` would not see."""
BUILD_NODE_CACHE = 1_200_000
"""Tree nodes the build keeps: every node of the upper five levels at 10⁷ residents."""
PROPOSER = "embedded"
"""The embedded node's proposer name, so the measured node's blocks continue the chain."""
KEY_PAGE = 512
LEAF_SUM_MOD = 1 << 256
TARGETS = {"rss_mb_at_1e6": 1536, "rss_ratio": 1.3, "restart_s_at_1e6": 10.0,
           "restart_ratio": 2.0, "block_200_ratio": 1.5}
"""Issue 13's bars: memory ≤ 1.5 GB and restart ≤ 10 s at 10⁶ residents; ratios 10⁶/10⁴."""


@dataclass(frozen=True, slots=True)
class Repeats:
    empty_blocks: int = 20
    tx_blocks: int = 10
    txs_per_block: int = 200
    queries: int = 50
    proof_verifications: int = 200

    @property
    def signers(self) -> int:
        return economy.signers_needed(self.tx_blocks, self.txs_per_block)


# --- reading the store directly (build and checks) -------------------------------------------


def connect(path: Path) -> sqlite3.Connection:
    """A plain autocommit connection: every statement reads the latest commit."""
    return sqlite3.connect(path, isolation_level=None, check_same_thread=False)


class DirectReads:
    """The node's state tables read on one sqlite3 connection (the build's backend).

    Same rows as `storage.state_store.SqliteStateBackend`, which checks a pooled
    connection in and out per read; prefix scans fetch pages, so no read transaction
    stays open across the commits of the build.
    """

    volatile = False

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get_record(self, key: str) -> bytes | None:
        row = self.conn.execute("SELECT CAST(value AS BLOB) FROM state WHERE key = ?",
                                (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def iter_record_keys(self, prefix: str, after: str | None = None) -> Iterator[str]:
        end = prefix_end(prefix)
        start, op = (after, ">") if after is not None and after >= prefix else (prefix, ">=")
        rows = self.conn.execute(f"SELECT key FROM state WHERE key {op} ? AND key < ? ORDER BY "
                                 "key LIMIT ?", (start, end, KEY_PAGE)).fetchall()
        while rows:
            for (key,) in rows:
                yield key
            if len(rows) < KEY_PAGE:
                return
            rows = self.conn.execute("SELECT key FROM state WHERE key > ? AND key < ? ORDER BY "
                                     "key LIMIT ?", (rows[-1][0], end, KEY_PAGE)).fetchall()

    def get_node(self, path: bytes) -> bytes | None:
        row = self.conn.execute("SELECT CAST(node AS BLOB) FROM state_nodes WHERE path = ?",
                                (path,)).fetchone()
        return None if row is None else bytes(row[0])

    def write(self, records: Any, nodes: Mapping[bytes, bytes | None]) -> None:
        raise TypeError("the build writes through NodeStore.commit_block")


def scan(conn: sqlite3.Connection, prefix: str) -> Iterator[tuple[str, bytes]]:
    """Every stored (key, value) under `prefix`, in key order, a page at a time."""
    end = prefix_end(prefix)
    last, op = prefix, ">="
    while True:
        rows = conn.execute(f"SELECT key, CAST(value AS BLOB) FROM state WHERE key {op} ? "
                            "AND key < ? ORDER BY key LIMIT 4096", (last, end)).fetchall()
        yield from rows
        if len(rows) < 4096:
            return
        last, op = rows[-1][0], ">"


# --- building ------------------------------------------------------------------------------


Commit = Callable[[int, bytes, list[tuple[str, bytes | None]], NodeWrites], None]
"""(height, app hash before the block, records, nodes): store one block of the build."""


BECH32_CHARSET = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l"
"""The bech32 alphabet (BIP 173): 5-bit value v is written BECH32_CHARSET[v]."""
_TO_ADDRESS_ORDER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
                                     bytes(sorted(BECH32_CHARSET).index(c) for c in BECH32_CHARSET))
"""Base32 digit of v → rank of v's bech32 character: base32 and bech32 cut the same 5-bit
groups, so the translated base32 of a payload sorts as its address does."""


def address_sort_key(public_key: bytes) -> bytes:
    """Sorts as `compute_address(public_key)` does (same HRP, 20-byte payloads, so the
    checksum never decides), at C speed: bech32m in pure Python costs ~80 µs a key."""
    return base64.b32encode(hashlib.sha256(public_key).digest()[:20]).translate(_TO_ADDRESS_ORDER)


def address_order(n: int, actors: economy.Actors) -> array[int]:
    """Resident indices by address: built in this order, each block's records of one kind
    sit together at the end of their key range, so a block writes new pages instead of
    touching pages all over a table (at 10⁷ residents the tables pass the OS page cache)."""
    keys = [address_sort_key(economy.resident_keys(i, n, actors)[0]) + i.to_bytes(4)
            for i in range(n)]
    keys.sort()
    order = array("I", (int.from_bytes(k[-4:]) for k in keys))
    return order


def add_residents(state: CommittedState, genesis: Genesis, actors: economy.Actors, n: int,
                  batch: int, commit: Commit, on_progress: Callable[[int], None] | None = None
                  ) -> int:
    """All `n` residents, in address order, in blocks of `batch` through the core's rules;
    returns the last block's height."""
    height = get_meta(state).height
    order = address_order(n, actors)
    for lo in range(0, n, batch):
        height += 1
        before = state.root()
        layer = economy.populate_range(state, genesis, actors, n, lo, min(n, lo + batch),
                                       height=height, order=order)
        records, nodes = state.apply(layer.writes)
        del layer
        commit(height, before, records, nodes)
        state.saved()
        if on_progress is not None:
            on_progress(min(n, lo + batch))
    return height


@cache
def fingerprint() -> bytes:
    """The app hash of a tiny build (64 residents, 3 blocks) through the build's own code.

    Any change to the rules, the records' encoding or the tree that would store other
    bytes changes it, and with it the cache key: a stale database is rebuilt.
    """
    actors = economy.make_actors(4)
    genesis = economy.make_genesis(actors)
    state = CommittedState()
    app = Application(genesis, state)
    app.init_chain()
    app.commit()
    add_residents(state, genesis, actors, 64, 24, lambda *_: None)
    return state.root()


def cache_key(n: int, signers: int, batch: int, builder: str = "incremental") -> str:
    raw = f"{BUILD_FORMAT}|{STATE_FORMAT.decode()}|{n}|{signers}|{batch}|{fingerprint().hex()}"
    if builder != "incremental":  # the keys of databases built before the bulk builder stay
        raw += f"|{builder}"
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def db_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in db_files(path) if p.exists())


def remove_db(path: Path) -> None:
    for p in db_files(path):
        p.unlink(missing_ok=True)


def build(path: Path, n: int, signers: int, batch: int, *, progress: bool) -> dict[str, Any]:
    """Build `n` residents into a new database at `path`; returns the build's figures."""
    remove_db(path)
    actors = economy.make_actors(signers)
    genesis = economy.make_genesis(actors)
    start = time.perf_counter()
    store = NodeStore(path)
    open_application(store, genesis)
    conn = connect(path)
    state = CommittedState(backend=DirectReads(conn), root=store.last_app_hash(),
                           node_cache=BUILD_NODE_CACHE, tree_class=tree_class())
    tx_root = compute_tx_root([])
    prev = b"\x00" * 32

    def commit(height: int, before: bytes, records: list[tuple[str, bytes | None]],
               nodes: NodeWrites) -> None:
        nonlocal prev
        block_time = get_meta(state).time
        block_hash = compute_block_hash(genesis.chain_id, height, block_time, prev, tx_root,
                                        before, PROPOSER)
        store.commit_block(BlockRecord(height, block_hash, prev, block_time, state.root(),
                                       tx_root, 0, PROPOSER), [], records, nodes)
        prev = block_hash

    gc.collect()
    gc.disable()  # records and nodes hold no cycles; full collections would rescan millions
    try:
        with Progress(console=Console(stderr=True), disable=not progress,
                      transient=True) as bar:
            task = bar.add_task(f"building {n:,} residents", total=n)
            blocks = add_residents(state, genesis, actors, n, batch, commit,
                                   lambda done: bar.update(task, completed=done))
    finally:
        gc.enable()
    build_s = time.perf_counter() - start
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    store.close()
    return {"build_s": sig(build_s), "residents_per_s": sig(n / build_s), "blocks": blocks,
            "batch": batch, "signers": signers, "db_bytes": db_bytes(path)}


# --- checking ------------------------------------------------------------------------------


def verify_stored_tree(conn: sqlite3.Connection, app_hash: bytes) -> dict[str, int]:
    """The stored tree, node by node, against `app_hash`; its leaves against the records.

    Nodes come in path order (memcmp order is a depth-first walk, parents first), so each
    is checked against the hash its parent holds with only the pending children in memory.
    Each leaf must sit on its key hash's path. The leaves and the records are then compared
    as multisets (the sum of their leaf hashes mod 2²⁵⁶, and their counts): O(n) time,
    O(depth) memory, whatever the size.
    """
    expected: dict[bytes, bytes] = {ROOT_PATH: app_hash}
    tree_sum = leaves = nodes = 0
    last = b""
    op = ">="
    while True:
        rows = conn.execute(f"SELECT path, CAST(node AS BLOB) FROM state_nodes WHERE path {op} ? "
                            "ORDER BY path LIMIT 4096", (last,)).fetchall()
        for path, raw in rows:
            want = expected.pop(path, None)
            if want is None or Node.decode(raw).hash() != want:
                raise RuntimeError(f"tree node at depth {len(path)} is not the one its parent "
                                   "(or the app hash) names")
            nodes += 1
            for i, entry in _children(raw):
                if len(entry) == 32:
                    expected[path + bytes((i,))] = entry
                    continue
                depth = len(path)
                if any(nibble(entry, d) != path[d] for d in range(depth)) or \
                        nibble(entry, depth) != i:
                    raise RuntimeError("a leaf is off its key hash's path")
                tree_sum += int.from_bytes(hash_leaf(entry[:32], entry[32:]))
                leaves += 1
        if len(rows) < 4096:
            break
        last, op = rows[-1][0], ">"
    if expected:
        raise RuntimeError(f"{len(expected)} tree nodes named by their parents are missing")
    record_sum = records = 0
    for _key, value in _all_records(conn):
        record_sum += int.from_bytes(hash_leaf(hash_key(_key), hash_value(value)))
        records += 1
    if (records, record_sum % LEAF_SUM_MOD) != (leaves, tree_sum % LEAF_SUM_MOD):
        raise RuntimeError(f"the records ({records}) are not the tree's leaves ({leaves})")
    return {"records": records, "tree_nodes": nodes}


def _children(raw: bytes) -> Iterator[tuple[int, bytes]]:
    """A stored node's children as (nibble, entry): a leaf's key hash and value hash (64
    bytes) or an internal child's hash (32); the format is `core/state/tree.py`'s."""
    bitmap, leafmap = int.from_bytes(raw[0:2]), int.from_bytes(raw[2:4])
    pos = 4
    for i in range(16):
        if bitmap >> i & 1:
            size = 64 if leafmap >> i & 1 else 32
            yield i, raw[pos:pos + size]
            pos += size


def _all_records(conn: sqlite3.Connection) -> Iterator[tuple[str, bytes]]:
    cur = conn.execute("SELECT key, CAST(value AS BLOB) FROM state")
    while rows := cur.fetchmany(4096):
        yield from rows


@dataclass(slots=True)
class Census:
    residents: int = 0
    holders: int = 0
    dormant: int = 0
    balances: int = 0
    shares: int = 0
    share_force: int = 0
    pending: int = 0
    fractions: int = 0
    force_sum: int = 0


def census(conn: sqlite3.Connection, pool: Pool) -> Census:
    """Sums over every resident, straight from the rows (one pass per table)."""
    c = Census()
    c.residents = conn.execute("SELECT count(*) FROM state WHERE key >= ? AND key < ?",
                               (kind_index_key(RESIDENT, ""),
                                prefix_end(kind_index_key(RESIDENT, "")))).fetchone()[0]
    for _k, raw in scan(conn, holder_key("")):
        holder = Holder.decode(raw)
        c.holders += 1
        c.dormant += holder.dormant
        c.balances += holder.balance
    for _k, raw in scan(conn, share_key("")):
        share = Share.decode(raw)
        c.shares += 1
        c.share_force += share.force
        c.pending += compute_claimable(share, pool)
        c.fractions += (share.force * (pool.acc - share.acc_snapshot) + share.remainder) % ACC_SCALE
    for _k, raw in scan(conn, RESIDENT_PREFIX):
        c.force_sum += ResidentForce.decode(raw).total
    return c


def check_built(path: Path, n: int, signers: int) -> dict[str, Any]:
    """Every check of a built database (module docstring); raises if one fails."""
    start = time.perf_counter()
    store = NodeStore(path)
    conn = connect(path)
    try:
        app_hash = store.last_app_hash()
        tree = verify_stored_tree(conn, app_hash)
        app = open_application(store, None)  # the node's own reads, checked against the app hash
        state, genesis = app.state, app.genesis
        meta, pool, clock = get_meta(state), get_pool(state), get_clock(state)
        c = census(conn, pool)
        elapsed = meta.time - genesis.genesis_time
        emitted = compute_emitted(genesis.params, elapsed)
        slack = emitted - c.balances - c.pending - clock.jackpot - pool.carried
        problems = []
        if not c.residents == c.holders == c.shares == n:
            problems.append(f"{c.residents} residents, {c.holders} holders, {c.shares} shares")
        if c.dormant:
            problems.append(f"{c.dormant} dormant")
        if not pool.total_force == c.share_force == c.force_sum:
            problems.append(f"pool Force {pool.total_force}, shares {c.share_force}, "
                            f"residents {c.force_sum}")
        if clock.released_to_ms != elapsed or pool.distributed + clock.jackpot_filled != emitted:
            problems.append("released ≠ distributed + jackpot")
        if c.balances != clock.collected + clock.jackpot_paid:
            problems.append("balances ≠ collected + jackpot paid")
        if not 0 <= slack < c.holders + 1 or slack * ACC_SCALE != pool.carried_fraction + \
                c.fractions:
            problems.append(f"µBD unaccounted for: slack {slack}")
        actors = economy.make_actors(signers)
        for w in actors.residents:
            account = get_account(state, w.address)
            if account is None or account.sequence != 2:
                problems.append(f"signer {w.address} missing or not at sequence 2")
                break
    finally:
        conn.close()
        store.close()
    if problems:
        raise RuntimeError(f"the built state at {n} residents fails its checks: {problems}")
    return {"ok": True, "residents": c.residents, "holders": c.holders, "dormant": c.dormant,
            "active_force": pool.total_force, "force_sum": c.force_sum,
            "emitted_micro": emitted, "unclaimable_micro": slack,
            "signers_read_through_node": signers, **tree,
            "check_s": sig(time.perf_counter() - start)}


# --- measuring (in a fresh process) --------------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_age_s() -> float:
    """Seconds since this process started (kernel clock ticks, 10 ms resolution)."""
    with open("/proc/self/stat") as f:
        start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def drop_page_cache(path: Path) -> None:
    """Ask the kernel to forget the database's pages (clean ones; synced first)."""
    for p in db_files(path):
        if not p.exists():
            continue
        fd = os.open(p, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def open_node(path: Path) -> tuple[EmbeddedNode, float]:
    """The node as `planet node` opens it (its collector tuned once open); seconds taken."""
    start = time.perf_counter()
    node = EmbeddedNode(path, None, EngineConfig(verify_threads=1), clock=lambda: 0)
    tune_gc()
    return node, time.perf_counter() - start


def timed_block(node: EmbeddedNode, raws: Sequence[bytes] = ()) -> float:
    """One block 1 s after the last, holding exactly `raws` (put in the mempool unchecked)."""
    with node._lock:
        node._mempool.update((compute_tx_hash(r), r) for r in raws)
    assert node.last_block is not None
    t = node.last_block.time + economy.BLOCK_MS
    start = time.perf_counter()
    block = node.produce_block(t)
    elapsed = time.perf_counter() - start
    failed = [r for r in node.store.block_txs(block.height) if r.code != 0]
    if failed or block.tx_count != len(raws):
        raise RuntimeError(f"block {block.height}: {len(failed)} txs failed "
                           f"({failed[0].result if failed else 'missing txs'})")
    return elapsed


def unread_residents(n: int, signers: int, count: int) -> list[int]:
    """Residents no block of the measurement touches: between the signers' slots."""
    stride = max(1, n // max(1, signers))
    if stride < 2:
        raise ValueError("too few residents between the signers to query")
    step = max(1, signers // max(1, count))
    return [j * stride + stride // 2 for j in range(0, signers, step)][:count]


def measure_restart_cold(path: Path) -> dict[str, Any]:
    """Restart with the database out of the OS page cache: open, one empty block."""
    drop_page_cache(path)
    node, open_s = open_node(path)
    first = timed_block(node)
    node.close()
    return {"restart_cold_s": sig(open_s + first), "open_cold_s": sig(open_s)}


def measure(path: Path, n: int, repeats: Repeats) -> dict[str, Any]:
    """Every per-size figure but the cold restart (module docstring), in this process."""
    rss_before = rss_mb()
    node, open_s = open_node(path)
    rss_open = rss_mb()
    first = timed_block(node)
    restart_s = open_s + first
    rss_up = rss_mb()

    actors = economy.make_actors(repeats.signers)
    targets = [economy.resident_address(i, n, actors)
               for i in unread_residents(n, repeats.signers, repeats.queries + 1)]
    proved = targets[-1]
    cold: list[float] = []
    warm: list[float] = []
    for address in targets[:-1]:
        for out in (cold, warm):
            start = time.perf_counter()
            node.query("emission/holder", {"address": address})
            out.append(time.perf_counter() - start)

    state = node.app.state
    height = node.height
    start = time.perf_counter()
    proof = state.prove(holder_key(proved), height)
    prove_s = time.perf_counter() - start
    absence = state.prove(holder_key(proved) + "/absent", height)
    app_hash = state.root()
    verify = []
    for _ in range(repeats.proof_verifications):
        start = time.perf_counter()
        value = verify_proof(proof, app_hash)
        verify.append(time.perf_counter() - start)
    if value is None or verify_proof(absence, app_hash) is not None:
        raise RuntimeError("a proof did not verify as expected")

    empty = [timed_block(node) for _ in range(repeats.empty_blocks)]
    plan = economy.make_plan(actors, repeats.tx_blocks, repeats.txs_per_block)
    tx_blocks = [timed_block(node, txs) for txs in plan.mixed]
    rss_after = rss_mb()
    height = node.height
    node.close()
    return {
        "residents": n,
        "rss_mb": sig(rss_up), "rss_open_mb": sig(rss_open), "rss_before_open_mb": sig(rss_before),
        "rss_after_blocks_mb": sig(rss_after), "peak_rss_mb": sig(peak_rss_mb()),
        "restart_s": sig(restart_s), "open_s": sig(open_s), "first_block_ms": sig(first * 1e3),
        "empty_block_ms": sig(median(empty) * 1e3),
        "block_200_ms": sig(median(tx_blocks) * 1e3),
        "empty_block_ms_min_max": [sig(min(empty) * 1e3), sig(max(empty) * 1e3)],
        "block_200_ms_min_max": [sig(min(tx_blocks) * 1e3), sig(max(tx_blocks) * 1e3)],
        "txs_per_block": repeats.txs_per_block,
        "holder_query_cold_ms": sig(median(cold) * 1e3),
        "holder_query_warm_ms": sig(median(warm) * 1e3),
        "holder_query_first_ms": sig(cold[0] * 1e3),
        "proof_bytes": len(orjson.dumps(proof.to_json())),
        "proof_nodes": len(proof.nodes),
        "proof_siblings": sum(len(p.siblings) for p in proof.nodes),
        "absence_proof_bytes": len(orjson.dumps(absence.to_json())),
        "prove_ms": sig(prove_s * 1e3),
        "verify_proof_us": sig(median(verify) * 1e6),
        "final_height": height,
    }


def _child(args: Sequence[str]) -> dict[str, Any]:
    """Run `python -m planet.bench.scale …` in a fresh process; its stdout is one JSON."""
    done = subprocess.run([sys.executable, "-m", "planet.bench.scale", *args],
                          stdout=subprocess.PIPE, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"`planet.bench.scale {args[0]}` failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# --- the benchmark -------------------------------------------------------------------------


def ensure_built(cache_dir: Path, n: int, signers: int, batch: int, *, progress: bool,
                 bulk_from: int = BULK_FROM) -> tuple[Path, dict[str, Any]]:
    """The cached database of `n` residents, built (and checked) first if missing or stale.

    A bulk build (`n` ≥ `bulk_from`) left unfinished by a killed run is resumed."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    builder = "bulk" if n >= bulk_from else "incremental"
    path = cache_dir / f"scale-{n}-{cache_key(n, signers, batch, builder)}.db"
    report = path.with_suffix(".json")
    if path.exists() and report.exists():
        info: dict[str, Any] = json.loads(report.read_text())
        info["cached"] = True
        return path, info
    building = path.with_name(path.name + ".building")
    for stale in cache_dir.glob(f"scale-{n}-*"):
        if builder != "bulk" or not stale.name.startswith(building.name):
            if stale.is_dir():
                shutil.rmtree(stale)
            else:
                stale.unlink()
    info = _child(["build-bulk" if builder == "bulk" else "build", str(building), str(n),
                   str(signers), str(batch), "1" if progress else "0"])
    info["check"] = _child(["check", str(building), str(n), str(signers)])
    for src, dst in zip(db_files(building), db_files(path), strict=True):
        if src.exists():
            src.rename(dst)
    report.write_text(json.dumps(info))
    info["cached"] = False
    return path, info


def measure_size(cache_dir: Path, n: int, repeats: Repeats, batch: int, *, in_place: bool,
                 progress: bool, bulk_from: int = BULK_FROM) -> dict[str, Any]:
    built, info = ensure_built(cache_dir, n, repeats.signers, batch, progress=progress,
                               bulk_from=bulk_from)
    size = db_bytes(built)
    if in_place:  # no room for a copy: measure the cached file, then drop it from the cache
        built.with_suffix(".json").unlink()
        run = built
    else:
        run = cache_dir / f"run-{n}.db"
        remove_db(run)
        shutil.copyfile(built, run)
    try:
        cold = _child(["restart-cold", str(run)])
        result = _child(["measure", str(run), str(n), json.dumps(dataclasses.asdict(repeats))])
    except BaseException:
        if not in_place:  # a measured database is left for a look (a next run rebuilds it)
            remove_db(run)
        raise
    remove_db(run)
    return {"residents": n, "db_bytes": size, "db_mb": sig(size / 2**20), **result, **cold,
            "build": info}


def _ratio(results: Sequence[Mapping[str, Any]], key: str) -> float:
    first, last = results[0][key], results[-1][key]
    return sig(last / first) if first else float("nan")


def run_scale_bench(sizes: Sequence[int] = DEFAULT_SIZES, *, cache_dir: Path = Path("build/scale"),
                    batch: int = DEFAULT_BATCH, repeats: Repeats | None = None,
                    in_place: bool = False, progress: bool = False, bulk_from: int = BULK_FROM
                    ) -> dict[str, Any]:
    """Build (or reuse) and measure every size, smallest first; ratios largest/smallest."""
    wall = time.perf_counter()
    repeats = repeats or Repeats()
    sizes = sorted(set(sizes))
    if sizes[0] < 2 * repeats.signers:
        raise ValueError(f"sizes of at least {2 * repeats.signers} residents: "
                         f"{repeats.signers} of them sign the measured blocks")
    results = [measure_size(cache_dir, n, repeats, batch, in_place=in_place, progress=progress,
                            bulk_from=bulk_from) for n in sizes]
    keys = {"rss": "rss_mb", "rss_after_blocks": "rss_after_blocks_mb", "restart": "restart_s",
            "restart_cold": "restart_cold_s", "block_200": "block_200_ms",
            "empty_block": "empty_block_ms", "holder_query_cold": "holder_query_cold_ms",
            "holder_query_warm": "holder_query_warm_ms", "proof_bytes": "proof_bytes",
            "verify_proof": "verify_proof_us", "db": "db_bytes"}
    ratios = {name: _ratio(results, key) for name, key in keys.items()}
    at = {r["residents"]: r for r in results}
    targets: dict[str, Any] = {
        "rss_ratio": {"target": TARGETS["rss_ratio"], "value": ratios["rss"]},
        "restart_ratio": {"target": TARGETS["restart_ratio"], "value": ratios["restart"]},
        "block_200_ratio": {"target": TARGETS["block_200_ratio"], "value": ratios["block_200"]},
    }
    if 1_000_000 in at:
        targets["rss_mb_at_1e6"] = {"target": TARGETS["rss_mb_at_1e6"],
                                    "value": at[1_000_000]["rss_mb"]}
        targets["restart_s_at_1e6"] = {"target": TARGETS["restart_s_at_1e6"],
                                       "value": at[1_000_000]["restart_s"]}
    for t in targets.values():
        t["met"] = t["value"] <= t["target"]
    return {
        "benchmark": "scale", "machine": machine(), "sizes": results, "ratios": ratios,
        "ratio_of": [sizes[-1], sizes[0]], "targets": targets,
        "targets_note": "the targets are set for 10⁶ / 10⁴ residents on 2 cores",
        "repeats": dataclasses.asdict(repeats), "batch": batch,
        "wall_s": sig(time.perf_counter() - wall),
    }


def _progress_printer(n: int) -> Callable[[str, int], None]:
    """A line on stderr per step of a bulk build (it runs for hours; a bar would be lost
    in a log)."""
    start = time.perf_counter()

    def show(phase: str, done: int) -> None:
        total = n if phase == "records" else 256
        print(f"{time.strftime('%H:%M:%S')} {phase} {done:,}/{total:,} "
              f"({time.perf_counter() - start:,.0f} s)", file=sys.stderr, flush=True)
    return show


def main(argv: Sequence[str]) -> None:
    """The child processes: build, check, restart-cold, measure (one JSON on stdout)."""
    command, path = argv[0], Path(argv[1])
    if command == "build":
        n, signers, batch = (int(a) for a in argv[2:5])
        out = build(path, n, signers, batch, progress=argv[5] == "1")
    elif command == "build-bulk":
        from planet.bench.scale_bulk import build_bulk  # it builds on this module
        n, signers, batch = (int(a) for a in argv[2:5])
        out = build_bulk(path, n, signers, batch, _progress_printer(n) if argv[5] == "1" else None)
    elif command == "check":
        out = check_built(path, int(argv[2]), int(argv[3]))
    elif command == "restart-cold":
        out = measure_restart_cold(path)
    elif command == "measure":
        started_s = process_age_s()  # interpreter start and imports, before anything is opened
        out = {**measure(path, int(argv[2]), Repeats(**json.loads(argv[3]))),
               "process_start_s": sig(started_s)}
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
