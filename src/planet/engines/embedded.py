"""The embedded engine: one process, one sequencer, state and blocks in SQLite.

Transactions enter a mempool only if `check_tx` accepts them against the pending state.
A sequencer thread makes a block when the mempool holds a full block or the block
interval has passed (and an empty block every `empty_block_ms`, so time moves for the
rules that depend on it). Each block is finalized by the application and written with its
state changes in one SQLite transaction; only then are waiting clients told. After
kill -9 the node reopens at its last committed block and loses nothing it reported.

Signature checks release the GIL, so they run on a thread pool beside the sequencer.

Execute once: the mempool's view is run as the next block itself. When the first tx after a
block arrives, the engine fixes the next block's height and time and applies
`process_block_start` to a fresh layer over the committed state; each tx then passes
`check_tx` in that layer at that header, in mempool order, as the block would run it (the
first `max_block_txs` of them; later ones go to a child layer and are re-checked after the
block). When the block is exactly those txs, its writes and results are the layer's, and the
txs are not executed again. One thing could differ: block-start ran before the block's hash
was known (it depends on the txs), and a rule may read the hash (the Lucky Drill seals a
round with it). So block-start is run again with the real header and must give the same
writes, in the same order, and the same events; else, or when the block is anything but that
prefix (a given `time_ms`, txs dropped), the block is executed as before. Tx execution reads
only the state after block-start, the header's height and time, and the tx, so equal inputs
give equal outputs: the app hash, results and events are those of re-execution
(tests/property/test_execute_once.py runs both ways and compares every height). A block's
time is thus the time its first tx arrived, not the time it was sealed.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planet.core.app import Application, BlockResult, CommitResult, ProvenAnswer
from planet.core.encoding import canonical_json, sha256
from planet.core.errors import DuplicateTx, MempoolFull, StateMismatch
from planet.core.genesis import Genesis, parse_genesis
from planet.core.messages import Event
from planet.core.state import CommittedState, Layer, Proof
from planet.core.transition import BlockHeader, TxResult, process_block_start
from planet.core.tx import Tx, compute_tx_hash, verify_raw_signature
from planet.engines.base import Submitted
from planet.engines.blocks import block_records, compute_tx_root, open_application
from planet.engines.commits import BlockListener, Commits
from planet.engines.snapshots import (
    SYNCED_APP_HASH,
    SYNCED_BLOCK_HASH,
    SYNCED_FROM,
    SnapshotError,
    SnapshotStore,
    snapshot_dir,
)
from planet.sdk.clock import wall_clock_ms
from planet.storage.sqlite import BlockRecord, NodeStore, TxRecord
from planet.storage.state_store import tree_class
from planet.storage.tree_runs import stored_state_root

log = logging.getLogger("planet.node")


@dataclass(frozen=True)
class EngineConfig:
    block_interval_ms: int = 200
    empty_block_ms: int = 5_000
    max_block_txs: int = 5_000
    max_mempool_txs: int = 50_000
    verify_threads: int = 2
    verify_processes: int = 0
    """Worker processes for batch signature checks (0: use threads). Processes also take
    the JSON and RFC 8785 work off the sequencer's GIL, at the cost of pickling."""
    execute_once: bool = True
    """Commit a block that is exactly the checked mempool prefix from the check layer (the
    module's docstring); False executes every block again, as the CometBFT engine must."""


def compute_block_hash(chain_id: str, height: int, time_ms: int, prev_hash: bytes,
                       tx_root: bytes, last_app_hash: bytes, proposer: str) -> bytes:
    """Hash of the block header; each block names its parent, so history is a chain.

    As in CometBFT, a header commits to the app hash *before* its transactions (the state
    after the parent), so the hash is known before execution and the state machine can
    use it (the Lucky Drill's draw mixes in the hash of the first block after a round).
    The app hash a block produces is committed by the next header.
    """
    return sha256(canonical_json({
        "chain_id": chain_id, "height": height, "time": time_ms, "prev_hash": prev_hash.hex(),
        "tx_root": tx_root.hex(), "last_app_hash": last_app_hash.hex(), "proposer": proposer}))


PLACEHOLDER_HASH = b"\x00" * 32
"""The hash block-start sees in the mempool's view: the real one depends on the block's txs.
A rule that reads it writes it, so its writes differ from the real block-start's and the
block is executed again."""


@dataclass(slots=True)
class OpenBlock:
    """The next block as the mempool runs it: block-start applied at `header`, then the
    accepted txs `hashes` (with their `results`) in order; `overflow` holds the txs checked
    past a full block, which are re-checked after it."""

    header: BlockHeader
    layer: Layer
    start_writes: list[tuple[str, Any]]
    start_events: list[Event]
    hashes: list[bytes] = field(default_factory=list)
    results: list[TxResult] = field(default_factory=list)
    overflow: Layer | None = None


def _chunks(items: Sequence[bytes], size: int) -> list[Sequence[bytes]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _verify_chunk(raws: Sequence[bytes]) -> list[bool]:
    return [verify_raw_signature(raw) for raw in raws]


_worker_app: Application | None = None
"""A verify process's own application (genesis only): what it decodes with."""


def _init_worker(genesis_document: dict[str, Any]) -> None:
    global _worker_app
    _worker_app = Application(parse_genesis(genesis_document))


def _decode_chunk(raws: Sequence[bytes]) -> list[Tx | None]:
    """In a verify process: each tx decoded and its signature verified, as
    `Application.decode(raw, verify=True)` gives it, or None when that refuses it (the node
    then checks it itself, which gives the refusal). Unpickling a decoded tx costs the
    node a fraction of decoding it (8 against 17 µs; 65 µs when the sender's address is
    new, its bech32m being pure Python)."""
    assert _worker_app is not None
    out: list[Tx | None] = []
    for raw in raws:
        try:
            out.append(_worker_app.decode(raw, verify=True))
        except Exception:
            out.append(None)
    return out


class EmbeddedNode:
    def __init__(self, db_path: Path, genesis: Genesis | None = None,
                 config: EngineConfig | None = None,
                 clock: Callable[[], int] = wall_clock_ms, proposer: str = "embedded") -> None:
        self.config = config or EngineConfig()
        self.clock = clock
        self.proposer = proposer
        self.store = NodeStore(db_path)
        self._lock = threading.RLock()
        self._producing = threading.RLock()
        """Held through a whole `produce_block`, the write included: one block at a time, so
        block N+1 is never applied to the state before block N is stored."""
        self._durable = threading.Condition(self._lock)
        """Notified when the block in flight is stored (or failed): reads wait for it."""
        self._in_flight: dict[bytes, bytes] = {}
        """The txs of the block being stored with the lock released: no longer in the
        mempool, not yet committed (duplicates, and `wait_for` waits)."""
        self._persisting = False
        self.on_fatal: Callable[[BaseException], None] | None = None
        """Told when the node must stop (its stored state failed its check); `planet node`
        stops the process."""
        self._wake = threading.Condition(self._lock)
        self._mempool: dict[bytes, bytes] = {}
        self._open: OpenBlock | None = None
        self.reused_blocks = 0
        """Blocks committed from the mempool's view without executing their txs again."""
        self._commits = Commits()
        self._thread: threading.Thread | None = None
        self._running = False
        self.app = open_application(self.store, genesis)
        self.last_block = self.store.last_block()
        """The last stored block: what the API reports."""
        self._head = self.last_block
        """The last block applied to the state: `last_block`, or the one being stored."""
        self._pool: Executor = (
            ProcessPoolExecutor(self.config.verify_processes,
                                mp_context=multiprocessing.get_context("spawn"),
                                initializer=_init_worker, initargs=(self.genesis.document,))
            if self.config.verify_processes > 0
            else ThreadPoolExecutor(max(1, self.config.verify_threads),
                                    thread_name_prefix="verify"))

    @property
    def genesis(self) -> Genesis:
        return self.app.genesis

    @property
    def height(self) -> int:
        return self.last_block.height if self.last_block else 0

    # --- mempool ---------------------------------------------------------------------------

    def submit(self, raw: bytes) -> Submitted:
        """Check one transaction (signature verified outside the lock) and queue it."""
        return self._admit(raw, verify_raw_signature(raw))

    def submit_many(self, raws: Sequence[bytes]) -> list[Submitted]:
        """Batch admission: signatures are verified on the pool, in parallel.

        Verify processes decode each tx too (`_decode_chunk`), so that the node's own
        process, the one that runs the blocks, only checks the rules; threads only verify
        (decoding holds the GIL, so it would not run beside the node). Txs the processes
        cannot hand back (a broken pool) are decoded and verified by the node itself."""
        # map() yields in order as results arrive, so admission overlaps verification.
        if isinstance(self._pool, ThreadPoolExecutor):
            verdicts = self._pool.map(_verify_chunk, _chunks(raws, 64))
            return [self._admit(raw, ok) for chunk, oks in zip(_chunks(raws, 64), verdicts,
                                                               strict=True)
                    for raw, ok in zip(chunk, oks, strict=True)]
        chunks = _chunks(raws, 256)
        try:
            futures = [self._pool.submit(_decode_chunk, chunk) for chunk in chunks]
        except RuntimeError:  # the pool is shut down or broken: the node checks them itself
            futures = []
        admitted: list[Submitted] = []
        for n, chunk in enumerate(chunks):
            try:
                txs = futures[n].result() if n < len(futures) else [None] * len(chunk)
            except Exception:  # e.g. a decoded tx that does not pickle
                log.warning("the verify processes failed on %d txs; the node checks them",
                            len(chunk), exc_info=True)
                txs = [None] * len(chunk)
            admitted.extend(self._admit(raw, tx is not None, tx)
                            for raw, tx in zip(chunk, txs, strict=True))
        return admitted

    def _admit(self, raw: bytes, signature_ok: bool, decoded: Tx | None = None) -> Submitted:
        """Check and queue one tx; `decoded` is `raw` decoded and verified elsewhere."""
        tx_hash = decoded.hash if decoded is not None else compute_tx_hash(raw)
        with self._lock:
            if tx_hash in self._mempool or tx_hash in self._in_flight:
                return Submitted(tx_hash, TxResult.failure(DuplicateTx("already in the mempool")))
            if len(self._mempool) >= self.config.max_mempool_txs:
                return Submitted(tx_hash, TxResult.failure(MempoolFull("mempool is full; retry")))
            result = self._check(tx_hash, raw, signature_ok, decoded)
            if result.ok:
                self._mempool[tx_hash] = raw
                n = len(self._mempool)
                if n == 1 or n >= self.config.max_block_txs:
                    self._wake.notify()  # the sequencer sleeps longer on an empty mempool
        return Submitted(tx_hash, result)

    def _check(self, tx_hash: bytes, raw: bytes, signature_ok: bool,
               decoded: Tx | None = None) -> TxResult:
        """check_tx, in the next block's own view when executing once (call under the
        lock)."""
        if not self.config.execute_once:
            return self.app.check_tx(raw, signature_checked=signature_ok, decoded=decoded)[0]
        block = self._open if self._open is not None else self._open_block()
        full = len(block.hashes) >= self.config.max_block_txs
        if full and block.overflow is None:
            block.overflow = block.layer.child()
        layer = block.overflow if block.overflow is not None else block.layer
        result, _tx = self.app.check_tx(raw, signature_checked=signature_ok,
                                        block=(layer, block.header), decoded=decoded)
        if result.ok and not full:
            block.hashes.append(tx_hash)
            block.results.append(result)
        return result

    def _after_head(self) -> tuple[int, int, bytes]:
        """The next block's height, the time it may not precede and its previous hash: after
        the last block applied to the state (`_head`), stored or not."""
        head = self._head
        if head is None:
            return 1, self.genesis.genesis_time, b"\x00" * 32
        return head.height + 1, head.time, head.hash

    def _open_block(self) -> OpenBlock:
        """Fix the next block's height and time and run its block-start in a new layer."""
        height, last_time, _prev = self._after_head()
        header = BlockHeader(height, max(self.clock(), last_time), self.proposer,
                             PLACEHOLDER_HASH)
        layer = Layer(self.app.state)
        events = process_block_start(layer, header, self.genesis)
        self._open = OpenBlock(header, layer, list(layer.writes.items()), events)
        return self._open

    def wait_for(self, tx_hash: bytes) -> Future[TxRecord | None]:
        """A future resolved with the committed record (or None if the tx was dropped)."""
        fut = self._commits.expect(tx_hash)
        with self._lock:
            pending = tx_hash in self._mempool or tx_hash in self._in_flight
        if not pending:  # committed (or dropped) already: no announcement will come for it
            self._commits.resolve(tx_hash, self.store.get_tx(tx_hash))
        return fut

    def _stored_state(self) -> None:
        """Wait (holding the lock) until no block is being stored: the state then is the
        stored one, and nothing a crash could take back is read (call under the lock)."""
        self._durable.wait_for(lambda: not self._persisting)

    def query(self, path: str, args: dict[str, Any] | None = None) -> Any:
        """A read of the committed state, consistent with one block."""
        with self._lock:
            self._stored_state()
            return self.app.query(path, args)

    def prove(self, key: str) -> Proof:
        """One record's proof at the last committed block (blocks wait for the lock)."""
        with self._lock:
            self._stored_state()
            return self.app.prove(key)

    def query_proven(self, path: str, args: dict[str, Any] | None = None) -> ProvenAnswer:
        with self._lock:
            self._stored_state()
            return self.app.query_proven(path, args)

    def mempool_size(self) -> int:
        """Txs admitted and not yet committed: the mempool's and the block being stored's (a
        client that waits for this to reach 0 then finds every admitted tx in a block)."""
        with self._lock:
            return len(self._mempool) + len(self._in_flight)

    def add_listener(self, fn: BlockListener) -> None:
        self._commits.add_listener(fn)

    # --- blocks ----------------------------------------------------------------------------

    def produce_block(self, time_ms: int | None = None) -> BlockRecord:
        """Finalize, persist and announce one block from the head of the mempool.

        The block is applied and the leftover mempool re-checked under the lock; the lock is
        then released while the block is written (SQLite and its fsync, a third of a block's
        time), so admission goes on against the new state meanwhile. Reads of the state wait
        until the write is done (`_stored_state`); the block's txs are announced after it."""
        with self._producing:
            with self._lock:
                block, records, commit = self._apply_next(time_ms)
            try:
                # Persist before anyone can read the new state: nothing is shown that a
                # crash could take back.
                self.store.commit_block(block, records, commit.writes, commit.nodes)
            except BaseException:
                with self._lock:
                    self._abandon()
                raise
            with self._lock:
                self.app.stored()
                self.last_block = block
                self._in_flight = {}
                self._persisting = False
                self._durable.notify_all()
            self._commits.announce(block, records)
        return block

    def _apply_next(self, time_ms: int | None) -> tuple[BlockRecord, list[TxRecord], CommitResult]:
        """Execute the next block and apply it to the state, not yet stored (under the
        lock): its txs move from the mempool to `_in_flight`, the rest is re-checked."""
        batch = list(self._mempool.items())[: self.config.max_block_txs]
        hashes = [h for h, _ in batch]
        height, last_time, prev = self._after_head()
        opened, self._open = self._open, None
        if opened is not None and batch and time_ms in (None, opened.header.time):
            block_time = opened.header.time
        else:
            block_time = max(self.clock() if time_ms is None else time_ms, last_time)
        tx_root = compute_tx_root(hashes)
        block_hash = compute_block_hash(self.genesis.chain_id, height, block_time,
                                        prev, tx_root, self.app.state.root(), self.proposer)
        header = BlockHeader(height, block_time, self.proposer, block_hash)
        result = self._reuse(opened, header, hashes)
        if result is None:
            result = self.app.finalize_block(header, [raw for _h, raw in batch])
        commit = self.app.commit()
        for tx_hash, _raw in batch:
            del self._mempool[tx_hash]
        block, records = block_records(header, prev, tx_root, batch, result)
        self._in_flight = dict(batch)
        self._persisting = True
        self._head = block
        self._recheck()
        return block, records, commit

    def _abandon(self) -> None:
        """The block in flight could not be stored (under the lock): the state goes back to
        the stored one, so reads never see it, and the node stops making blocks."""
        self.app.state.discard()
        self._head = self.last_block
        self._open = None
        dropped = [*self._in_flight, *self._mempool]  # checked against the abandoned state
        self._in_flight, self._mempool = {}, {}
        self.app.forget_verified(dropped)
        self._commits.drop(dropped)
        self._running = False
        self._persisting = False
        self._durable.notify_all()

    def _reuse(self, opened: OpenBlock | None, header: BlockHeader,
               hashes: list[bytes]) -> BlockResult | None:
        """The block's result from the mempool's view, if the block is exactly what that
        view ran at this header and block-start does not depend on the block's hash; else
        None (execute it)."""
        if opened is None or not hashes or opened.hashes != hashes \
                or opened.header.time != header.time or opened.header.height != header.height:
            return None
        layer = Layer(self.app.state)
        events = process_block_start(layer, header, self.genesis)
        if list(layer.writes.items()) != opened.start_writes or events != opened.start_events:
            return None
        self.reused_blocks += 1
        return self.app.commit_checked(header, opened.layer, hashes, opened.results,
                                       opened.start_events)

    def _recheck(self) -> None:
        """Re-run the leftover mempool on the new state; drop what no longer fits."""
        dropped = []
        for tx_hash, raw in list(self._mempool.items()):
            result = self._check(tx_hash, raw, True)
            if not result.ok:
                del self._mempool[tx_hash]
                dropped.append(tx_hash)
        if dropped:
            self.app.forget_verified(dropped)
            self._commits.drop(dropped)

    # --- the sequencer thread ----------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._running = True
        self._thread = threading.Thread(target=self._run, name="sequencer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        interval = self.config.block_interval_ms / 1000
        empty = self.config.empty_block_ms / 1000
        last = time.monotonic()
        while True:
            with self._lock:
                while self._running:
                    elapsed = time.monotonic() - last
                    n = len(self._mempool)
                    if n >= self.config.max_block_txs or (n and elapsed >= interval) or \
                            elapsed >= empty:
                        break
                    self._wake.wait(timeout=(interval if n else empty) - elapsed)
                if not self._running:
                    return
            last = time.monotonic()
            try:
                self.produce_block()
            except StateMismatch as err:
                log.critical("%s; this node stops", err.message)
                self._running = False
                if self.on_fatal is not None:
                    self.on_fatal(err)
                return
            except Exception:
                log.exception("block production failed; the node stops making blocks")
                self._running = False
                raise

    def stop(self) -> None:
        with self._lock:
            self._running = False
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._pool.shutdown(wait=True)

    def close(self) -> None:
        self.stop()
        self.store.close()


@dataclass
class VerifyReport:
    blocks: int
    txs: int
    app_hash: str
    ok: bool
    problems: list[str]
    replayed_from: int = 0
    """The height whose state the replay started from: 0 is genesis; above it, the
    snapshot a node that joined by state sync replayed from."""
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"blocks": self.blocks, "txs": self.txs, "app_hash": self.app_hash,
                "ok": self.ok, "problems": self.problems,
                "replayed_from": self.replayed_from, "notes": self.notes}


def replay_chain(store: NodeStore, progress: Callable[[int, int], None] | None = None,
                 *, engine_block_hashes: bool = False) -> VerifyReport:
    """Re-execute every block from genesis and check each link, app hash and the state.

    This is what `planet verify` runs: it trusts nothing stored but the genesis document.
    With `engine_block_hashes` (a CometBFT node's store) the block hashes are CometBFT's,
    which this store cannot recompute: they are taken as stored (and still checked as
    links), and every app hash is checked as usual. It reads one snapshot of the store,
    so a node committing blocks meanwhile is fine.
    """
    with store.snapshot():
        return _replay(store, progress, engine_block_hashes)


def _replay(store: NodeStore, progress: Callable[[int, int], None] | None,
            engine_block_hashes: bool) -> VerifyReport:
    doc = store.genesis_document()
    if doc is None:
        return VerifyReport(0, 0, "", False, ["no genesis in the database"])
    genesis = parse_genesis(doc)
    synced = store.get_meta(SYNCED_FROM)
    if synced is not None:
        return _replay_synced(store, genesis, int(synced), progress)
    app = Application(genesis, CommittedState(tree_class=tree_class()))
    problems: list[str] = []
    genesis_hash = app.init_chain()
    app.commit()
    if store.get_meta("genesis_app_hash") != genesis_hash:
        problems.append("genesis app hash differs from the stored one")
    total = store.last_height()
    prev = b"\x00" * 32
    n_blocks = n_txs = 0
    for block, raws in store.iter_blocks():
        hashes = [compute_tx_hash(r) for r in raws]
        expected_hash = block.hash if engine_block_hashes else compute_block_hash(
            genesis.chain_id, block.height, block.time, prev, compute_tx_root(hashes),
            app.state.root(), block.proposer)
        header = BlockHeader(block.height, block.time, block.proposer, expected_hash)
        result = app.finalize_block(header, raws)
        app.commit()
        if block.prev_hash != prev:
            problems.append(f"block {block.height}: prev_hash does not link to block "
                            f"{block.height - 1}")
        if result.app_hash != block.app_hash:
            problems.append(f"block {block.height}: replayed app hash "
                            f"{result.app_hash.hex()[:16]}… differs from stored "
                            f"{block.app_hash.hex()[:16]}…")
        if expected_hash != block.hash:
            problems.append(f"block {block.height}: header hash does not match its contents")
        prev = block.hash
        n_blocks += 1
        n_txs += len(raws)
        if progress is not None:
            progress(block.height, total)
        if len(problems) > 20:
            break
    if stored_state_root(store) != app.state.root():
        problems.append("stored state differs from the state replayed from genesis")
    if store.last_app_hash() != app.state.root():
        problems.append("the node's last app hash differs from the replayed one")
    return VerifyReport(n_blocks, n_txs, app.state.root().hex(), not problems, problems)


def _replay_synced(store: NodeStore, genesis: Genesis, synced: int,
                   progress: Callable[[int, int], None] | None) -> VerifyReport:
    """Verify a node that joined by state sync: it has no block up to `synced`.

    Its blocks cannot be replayed from genesis. The stored state is recomputed in full
    against the last app hash, the stored blocks must link, and the blocks are replayed
    from the oldest snapshot the node keeps at or after `synced` (the one it restored, or
    one of its own), whose records must hash to the app hash of its height.
    """
    problems: list[str] = []
    notes = [f"joined by state sync at height {synced}: blocks 1-{synced} are not in this "
             "store, so the chain is not replayed from genesis; the snapshot's app hash "
             "was verified by CometBFT's light client when it was restored"]
    expected = {synced: store.get_meta(SYNCED_APP_HASH) or b""}
    prev = store.get_meta(SYNCED_BLOCK_HASH) or b""
    for block, _raws in store.iter_blocks(synced + 1):
        expected[block.height] = block.app_hash
        if block.prev_hash != prev:
            problems.append(f"block {block.height}: prev_hash does not link to block "
                            f"{block.height - 1}")
        prev = block.hash
    stored_root = stored_state_root(store)
    if stored_root != store.last_app_hash():
        problems.append("the stored state does not hash to the node's last app hash")
    kept = SnapshotStore(snapshot_dir(store.path), clean=False)
    base = next((m for m in reversed(kept.list()) if m.height in expected), None)
    if base is None:
        notes.append(f"no snapshot at or after height {synced} is kept: no block replayed; "
                     "the stored state was checked against the last app hash")
        return VerifyReport(0, 0, stored_root.hex(), not problems, problems, synced, notes)
    try:
        state = CommittedState(kept.items(base.height), tree_class=tree_class())
    except (OSError, SnapshotError) as err:
        problems.append(f"the snapshot at height {base.height} cannot be read: {err}")
        return VerifyReport(0, 0, stored_root.hex(), False, problems, base.height, notes)
    if state.root() != expected[base.height]:
        problems.append(f"the snapshot at height {base.height} does not hash to that "
                        "height's app hash")
        return VerifyReport(0, 0, stored_root.hex(), False, problems, base.height, notes)
    notes.append(f"replayed from the snapshot at height {base.height}")
    app = Application(genesis, state)
    total = store.last_height()
    n_blocks = n_txs = 0
    for block, raws in store.iter_blocks(base.height + 1):
        header = BlockHeader(block.height, block.time, block.proposer, block.hash)
        result = app.finalize_block(header, raws)
        app.commit()
        if result.app_hash != block.app_hash:
            problems.append(f"block {block.height}: replayed app hash "
                            f"{result.app_hash.hex()[:16]}… differs from stored "
                            f"{block.app_hash.hex()[:16]}…")
        n_blocks += 1
        n_txs += len(raws)
        if progress is not None:
            progress(block.height, total)
        if len(problems) > 20:
            break
    if stored_root != app.state.root():
        problems.append("stored state differs from the state replayed from the snapshot")
    return VerifyReport(n_blocks, n_txs, app.state.root().hex(), not problems, problems,
                        base.height, notes)
