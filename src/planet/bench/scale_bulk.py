"""The bulk build of `bench scale`: ten million residents in hours, not a day, and resumable.

The incremental build (`scale.build`) folds each block into the tree as a node does. At
10⁷ residents (~128 million records, ~45 million tree nodes) each block rewrites nodes
spread over the whole tree and reads them cold: it ran at ~400 residents a second and
slowing, most of a day. This build writes the same records and builds the same tree, in
two phases:

1. **Records, by the core's rules.** Each batch of residents is `economy.populate_range`
   (registration, check-in, identity for one in four, in address order), the same call
   as the incremental build, over a `Layer` on `StoredRecords`: the records table read as
   it stands, so the rules see every record earlier batches wrote. The batch's records and
   the build's progress (`bulk_next`) go in one transaction, so a killed build resumes
   after its last batch; no tree is kept meanwhile.
2. **The tree, once.** Every record's key hash and value hash is written to one of 256
   run files by the key hash's first byte; each run is sorted and built bottom up
   (`tree.build_subtree` at depth 2, the same `_build` as a block's update), and the
   slots of the 256 subtrees are joined into the 16 nodes of depth 1 and the root
   (`tree.join_slots`). The tree's shape depends only on the set of keys, so its root
   is the app hash the incremental build reaches after the same batches (the test
   checks it, records and root, at a small size).

It stores one block, the last batch's height, whose app hash is that root: the roots of
earlier heights are never computed, so no rows stand for them. Like the incremental
build's blocks (which carry no transactions) the chain cannot be replayed; `check_built`
checks it in full, as it checks the other sizes.
"""

from __future__ import annotations

import gc
import multiprocessing
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from planet.bench import economy
from planet.bench.common import sig
from planet.bench.scale import DirectReads, address_order
from planet.core.chain import get_meta
from planet.core.records import R
from planet.core.state import MISSING, View
from planet.engines.blocks import compute_tx_root, open_application
from planet.engines.embedded import compute_block_hash
from planet.storage.sqlite import BlockRecord, NodeStore
from planet.storage.tree_runs import RUNS, RunWriter, build_runs

PAGE = 20_000
WORKERS = 2
PROPOSER = "embedded"


class StoredRecords(View):
    """The build's records table as the rules' view: its own writes, read back unchecked
    (there is no tree yet to check them against; `check_built` checks the result)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # The table changes only between batches (`stored`), so within one a key read twice
        # (a task's definition per check-in, a new account looked up, then created) is read
        # once; the few records every batch reads (tasks, the pool, the chain's meta) stay.
        self._found: dict[str, Any] = {}
        self._absent: set[str] = set()

    def _raw(self, key: str) -> bytes | None:
        row = self.conn.execute("SELECT CAST(value AS BLOB) FROM state WHERE key = ?",
                                (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def _lookup(self, key: str) -> Any:
        if key in self._absent:
            return MISSING
        raw = self._raw(key)
        if raw is None:
            self._absent.add(key)
            return MISSING
        return raw

    def get(self, key: str, cls: type[R]) -> R | None:
        found = self._found.get(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        if key in self._absent:
            return None
        raw = self._raw(key)
        if raw is None:
            self._absent.add(key)
            return None
        record = self._found[key] = cls.decode(raw)
        return record

    def stored(self, writes: dict[str, Any]) -> None:
        """A batch's writes are in the table: forget what they changed."""
        self._absent.clear()
        for key in writes.keys() & self._found.keys():
            del self._found[key]

    def iter_keys(self, prefix: str, after: str | None = None) -> Iterator[str]:
        return DirectReads(self.conn).iter_record_keys(prefix, after)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = NORMAL")  # WAL: a killed process loses no commit
    conn.execute("PRAGMA cache_size = -1000000")  # 1 GB of pages for the build's reads
    return conn


def _get_meta(conn: sqlite3.Connection, key: str) -> bytes | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else bytes(row[0])


def _set_meta(conn: sqlite3.Connection, key: str, value: bytes) -> None:
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def write_records(path: Path, n: int, signers: int, batch: int,
                  on_progress: Callable[[int], None] | None = None) -> int:
    """Phase 1: every resident's records, batch by batch, resuming after the last stored
    batch; returns the last batch's height."""
    actors = economy.make_actors(signers)
    genesis = economy.make_genesis(actors)
    if not path.exists():
        store = NodeStore(path)
        open_application(store, genesis)
        store.close()
    conn = _connect(path)
    try:
        view = StoredRecords(conn)
        start = int(_get_meta(conn, "bulk_next") or b"0")
        order = None
        for lo in range(start, n, batch):
            if order is None:
                order = address_order(n, actors)
            height = get_meta(view).height + 1
            layer = economy.populate_range(view, genesis, actors, n, lo, min(n, lo + batch),
                                           height=height, order=order)
            upserts = [(k, v.encode()) for k, v in sorted(layer.writes.items()) if v is not None]
            deletes = [(k,) for k, v in layer.writes.items() if v is None]
            conn.execute("BEGIN")
            conn.executemany("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", upserts)
            conn.executemany("DELETE FROM state WHERE key = ?", deletes)
            _set_meta(conn, "bulk_next", str(min(n, lo + batch)).encode())
            conn.execute("COMMIT")
            view.stored(layer.writes)
            del layer, upserts, deletes
            if on_progress is not None:
                on_progress(min(n, lo + batch))
        return get_meta(view).height
    finally:
        conn.close()


SCAN_PARTS = ("", "emission/", "force/", "\U0010ffff")
"""Key ranges scanned in parallel: accounts, emission and force hold about a third each."""


def _scan_to_runs(path: Path, runs_dir: Path, part: int) -> int:
    """Spill every record of key range `part` into `runs_dir/<part>`; returns their count."""
    lo, hi = SCAN_PARTS[part], SCAN_PARTS[part + 1]
    conn = _connect(path)
    try:
        with RunWriter(runs_dir / str(part)) as writer:
            last, op = lo, ">="
            while True:
                rows = conn.execute(f"SELECT key, CAST(value AS BLOB) FROM state WHERE key {op} ? "
                                    "AND key < ? ORDER BY key LIMIT ?", (last, hi, PAGE)).fetchall()
                writer.add_all(rows)
                if len(rows) < PAGE:
                    return writer.count
                last, op = rows[-1][0], ">"
    finally:
        conn.close()


def build_tree_in_place(path: Path, height: int, on_progress: Callable[[int], None] | None = None
                        ) -> dict[str, Any]:
    """Phase 2: the tree of the stored records, from scratch, and the one block on it."""
    runs_dir = path.with_name(path.name + ".runs")
    # Hashing and building are pure Python: two processes, the machine's two cores. They
    # are forked by the scan, before this process opens a connection they could inherit.
    pool = ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("fork"))
    conn: sqlite3.Connection | None = None
    try:
        t0 = time.perf_counter()
        parts = range(len(SCAN_PARTS) - 1)
        records = sum(pool.map(_scan_to_runs, [path] * len(parts), [runs_dir] * len(parts),
                               parts))
        scan_s = time.perf_counter() - t0
        conn = _connect(path)
        conn.execute("DELETE FROM state_nodes")  # the genesis tree's rows, long stale
        done = 0

        def store_rows(rows: list[tuple[bytes, bytes | None]]) -> None:
            nonlocal done
            assert conn is not None
            conn.execute("BEGIN")
            conn.executemany("INSERT OR REPLACE INTO state_nodes (path, node) VALUES (?, ?)", rows)
            conn.execute("COMMIT")
            done += 1
            if on_progress is not None:
                on_progress(min(done, RUNS))

        root, nodes = build_runs([runs_dir / str(part) for part in parts], store_rows, pool.map)
        shutil.rmtree(runs_dir)
        block_time = get_meta(StoredRecords(conn)).time
    finally:
        pool.shutdown(cancel_futures=True)
        if conn is not None:
            conn.close()
    store = NodeStore(path)
    try:
        genesis_app_hash = store.get_meta("genesis_app_hash") or b""
        doc = store.genesis_document()
        assert doc is not None
        tx_root = compute_tx_root([])
        prev = b"\x00" * 32
        block_hash = compute_block_hash(doc["chain_id"], height, block_time, prev, tx_root,
                                        genesis_app_hash, PROPOSER)
        store.commit_block(BlockRecord(height, block_hash, prev, block_time, root, tx_root, 0,
                                       PROPOSER), [], [], {})
    finally:
        store.close()
    return {"records": records, "tree_nodes": nodes, "scan_s": sig(scan_s),
            "tree_s": sig(time.perf_counter() - t0), "app_hash": root.hex()}


def build_bulk(path: Path, n: int, signers: int, batch: int,
               on_progress: Callable[[str, int], None] | None = None) -> dict[str, Any]:
    """Both phases, resuming a killed build at its last stored batch; returns its figures."""
    start = time.perf_counter()
    gc.collect()
    gc.disable()  # records hold no cycles; full collections would rescan the batch
    try:
        height = write_records(path, n, signers, batch,
                               None if on_progress is None else lambda d: on_progress("records", d))
        records_s = time.perf_counter() - start
        store = NodeStore(path)
        done = store.last_height() == height  # a build killed after its last commit
        store.close()
        tree = {} if done else build_tree_in_place(
            path, height, None if on_progress is None else lambda d: on_progress("tree", d))
    finally:
        gc.enable()
    conn = _connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    build_s = time.perf_counter() - start
    return {"builder": "bulk", "build_s": sig(build_s), "records_s": sig(records_s),
            "residents_per_s": sig(n / build_s), "blocks": 1, "height": height, "batch": batch,
            "signers": signers, **tree}
