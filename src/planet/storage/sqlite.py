"""The embedded node's database: blocks, transactions and state in one SQLite file.

A block, its transactions' results and its state writes are committed in one SQLite
transaction (WAL, synchronous=FULL), so after a crash at any instant the file holds every
block up to the last commit and nothing of a later one.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, insert
from sqlalchemy.engine import Connection

from planet.core.errors import PlanetError, StateMismatch
from planet.storage.activity import activity_rows, chain_events
from planet.storage.schema import meta

MIGRATIONS = Path(__file__).parent / "migrations"
BLOCK_COLUMNS = "height, hash, prev_hash, time, app_hash, tx_root, tx_count, proposer"
"""In BlockRecord's field order."""
TX_COLUMNS = "hash, height, idx, raw, code, result"
"""In TxRecord's field order (result as JSON text)."""
STATE_FORMAT = b"2"
"""Meta `state_format`: 2 = records with the 16-ary state tree (core/state/tree.py). A
database without it was made by an earlier version (the bucket-tree app hash)."""
NodeRows = Mapping[bytes, bytes | None]
RESTORE_BATCH = 10_000
"""Records per INSERT while a restored state is written."""


@dataclass(frozen=True, slots=True)
class BlockRecord:
    height: int
    hash: bytes
    prev_hash: bytes
    time: int
    app_hash: bytes
    tx_root: bytes
    tx_count: int
    proposer: str
    events: tuple[dict[str, Any], ...] = field(default=(), compare=False)
    """The block's begin-step events ({"type", "attributes"}), as executed; stored with the
    block (`NodeStore.block_events`), not read back with it (`to_json` leaves them out)."""

    def to_json(self) -> dict[str, Any]:
        return {"height": self.height, "hash": self.hash.hex(), "prev_hash": self.prev_hash.hex(),
                "time": self.time, "app_hash": self.app_hash.hex(), "tx_root": self.tx_root.hex(),
                "tx_count": self.tx_count, "proposer": self.proposer}


@dataclass(frozen=True, slots=True)
class TxRecord:
    hash: bytes
    height: int
    idx: int
    raw: bytes
    code: int
    result: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"hash": self.hash.hex(), "height": self.height, "index": self.idx,
                "tx": json.loads(self.raw), "code": self.code, "result": self.result}


def tx_sender(raw: bytes) -> str | None:
    """The signer named in a raw transaction (None if it cannot be read: it then failed)."""
    try:
        sender = orjson.loads(raw)["body"]["sender"]
    except (orjson.JSONDecodeError, TypeError, KeyError):
        return None
    return sender if isinstance(sender, str) else None


class StateReader:
    """One SQLite read transaction on a connection of its own (`NodeStore.begin_read`):
    what it reads is the database as of one instant, from any thread, while blocks commit
    beside it (WAL keeps its snapshot). Close it: an open reader holds the WAL's
    checkpoint back."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def meta(self, key: str) -> bytes | None:
        cur = self._conn.cursor()
        try:
            cur.execute("SELECT value FROM meta WHERE key = ?", (key,))
            row = cur.fetchone()
        finally:
            cur.close()
        return None if row is None else bytes(row[0])

    def iter_state(self, batch: int = 1_000) -> Iterator[tuple[str, bytes]]:
        """Every record in key order (code-point order: SQLite compares UTF-8 bytes)."""
        cur = self._conn.cursor()
        try:
            cur.execute("SELECT key, CAST(value AS BLOB) FROM state ORDER BY key")
            while rows := cur.fetchmany(batch):
                for key, value in rows:
                    yield key, bytes(value)
        finally:
            cur.close()

    def close(self) -> None:
        try:
            self._conn.rollback()
        finally:
            self._conn.close()


PAGE_SIZE = 16_384
"""Bytes a page, for a database made from now on (an existing one keeps its own): a block's
writes land on pages all over the state's tables, and SQLite writes each page it changed to
the WAL at commit, one write and one checksum a page; 16 KiB pages cost a third less CPU a
block than 4 KiB ones (measured on 500-registration blocks)."""
WRITER_CACHE_KIB = 65_536
"""The page cache of the engine's connections, the one writing blocks among them: 64 MiB,
so that a block does not read back from disk the pages the blocks before it wrote (SQLite's
default of 2 MiB did). Readers keep the default: there may be many of them."""
WAL_AUTOCHECKPOINT_PAGES = 4_000
"""WAL pages before a commit copies them into the database (SQLite's default is 1,000): a
page that many blocks rewrite (the tree's upper nodes, the indexes' inner pages) is copied
once per checkpoint, not once per block. Durability is the WAL's either way."""


ROWS_PER_STATEMENT = 1_024
"""The most rows a block write puts in one multi-row INSERT (`_insert_rows`)."""


@cache
def _rows_sql(head: str, columns: int, rows: int) -> str:
    """`head` followed by `rows` groups of `columns` placeholders."""
    group = "(" + ", ".join("?" * columns) + ")"
    return head + ", ".join([group] * rows)


def _insert_rows(cur: sqlite3.Cursor, head: str, columns: int,
                 rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert `rows` with a few multi-row statements rather than one step a row.

    Python's sqlite3 gives the GIL up around every step and takes it back after: with
    executemany that is once a row, and while the node's lock is released for the write
    (the engine admits transactions meanwhile) each take-back waits for the busy admission
    thread, up to the 5 ms switch interval, per row. A statement of many rows is one step.
    Its size is a power of two (the last ones smaller), so a handful of statements, each
    prepared once, serve every block; the CPU is what executemany cost."""
    start, total = 0, len(rows)
    most = min(ROWS_PER_STATEMENT, cur.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
               // columns)
    while start < total:
        n = 1 << (min(most, total - start).bit_length() - 1)
        cur.execute(_rows_sql(head, columns, n),
                    tuple(chain.from_iterable(rows[start:start + n])))
        start += n


Rows = list[tuple[Any, ...]]


def _split_state(writes: Sequence[tuple[str, bytes | None]], nodes: NodeRows
                 ) -> tuple[Rows, Rows, Rows, Rows]:
    """The rows of a state change: records to upsert and delete, nodes to upsert and delete
    (None is a deletion in both)."""
    return ([(k, v) for k, v in writes if v is not None], [(k,) for k, v in writes if v is None],
            [(p, n) for p, n in nodes.items() if n is not None],
            [(p,) for p, n in nodes.items() if n is None])


def _pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA page_size={PAGE_SIZE}")  # only a database still empty takes it
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _writer_pragmas(dbapi_conn: Any, record: Any) -> None:
    """`_pragmas`, and the cache and checkpoint settings of the connections that commit."""
    _pragmas(dbapi_conn, record)
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
    cur.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cur.close()


class NodeStore:
    """All persistence of one embedded node."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.engine: Engine = create_engine(f"sqlite:///{path}")
        self._snapshot = threading.local()  # .conn: the pinned connection of snapshot()
        self._idle_readers: list[sqlite3.Connection] = []  # LIFO: the warmest cache first
        self._readers_lock = threading.Lock()
        self._closed = False
        event.listen(self.engine, "connect", _writer_pragmas)
        self._migrate()
        self._writer: sqlite3.Connection | None = None
        """The connection `commit_block` writes on, plain DB-API (opened at the first block):
        its statements are prepared once, and the block is a few statements (no engine
        checkout, no Core statement per block)."""

    def _migrate(self) -> None:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def close(self) -> None:
        with self._readers_lock:
            readers, self._idle_readers = self._idle_readers, []
            self._closed = True  # a reader in use when this runs is closed on its return
        for conn in readers:
            conn.close()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.engine.dispose()

    # --- meta ----------------------------------------------------------------------------

    def get_meta(self, key: str) -> bytes | None:
        rows = self._rows("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    @staticmethod
    def _set_meta(conn: Connection, key: str, value: bytes) -> None:
        conn.execute(insert(meta).prefix_with("OR REPLACE"), {"key": key, "value": value})

    def genesis_document(self) -> dict[str, Any] | None:
        raw = self.get_meta("genesis")
        return None if raw is None else json.loads(raw)

    def last_height(self) -> int:
        raw = self.get_meta("last_height")
        return 0 if raw is None else int(raw)

    def last_app_hash(self) -> bytes:
        return self.get_meta("last_app_hash") or b""

    # --- writes ----------------------------------------------------------------------------

    def state_format(self) -> bytes | None:
        return self.get_meta("state_format")

    @staticmethod
    def _write_state(conn: Connection, writes: Sequence[tuple[str, bytes | None]],
                     nodes: NodeRows) -> None:
        """The genesis state's records and nodes (a block's go through `commit_block`)."""
        upserts, deletes, node_upserts, node_deletes = _split_state(writes, nodes)
        if upserts:
            conn.exec_driver_sql("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)",
                                 upserts)
        if deletes:
            conn.exec_driver_sql("DELETE FROM state WHERE key = ?", deletes)
        if node_upserts:
            conn.exec_driver_sql("INSERT OR REPLACE INTO state_nodes (path, node) VALUES (?, ?)",
                                 node_upserts)
        if node_deletes:
            conn.exec_driver_sql("DELETE FROM state_nodes WHERE path = ?", node_deletes)

    def save_genesis(self, document: bytes, writes: Sequence[tuple[str, bytes | None]],
                     nodes: NodeRows, app_hash: bytes) -> None:
        with self.engine.begin() as conn:
            self._set_meta(conn, "genesis", document)
            self._set_meta(conn, "genesis_app_hash", app_hash)
            self._set_meta(conn, "state_format", STATE_FORMAT)
            self._set_meta(conn, "last_height", b"0")
            self._set_meta(conn, "last_app_hash", app_hash)
            self._write_state(conn, writes, nodes)

    def commit_block(self, block: BlockRecord, tx_records: Sequence[TxRecord],
                     writes: Sequence[tuple[str, bytes | None]], nodes: NodeRows) -> None:
        """The one atomic write of a block (the caller serializes blocks; any thread)."""
        txs = [(t.height, t.idx, t.hash, t.raw, t.code, orjson.dumps(t.result).decode(),
                tx_sender(t.raw)) for t in tx_records]
        events = [(block.height, n, "begin", e["type"], orjson.dumps(e["attributes"]).decode())
                  for n, e in enumerate(block.events)]
        activity = activity_rows(block.height, chain_events(
            block.events, ((t.idx, t.code, t.result) for t in tx_records)))
        upserts, deletes, node_upserts, node_deletes = _split_state(writes, nodes)
        if self._writer is None:
            self._writer = sqlite3.connect(self.path, isolation_level=None,
                                           check_same_thread=False, cached_statements=256)
            _writer_pragmas(self._writer, None)
            # A statement of many rows keeps a statement journal (the pages it changed, to
            # undo it alone); in a temp file that cost 15 µs a tx of system time.
            self._writer.execute("PRAGMA temp_store=MEMORY")
        cur = self._writer.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
            try:
                cur.execute(f"INSERT INTO blocks ({BLOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (block.height, block.hash, block.prev_hash, block.time,
                             block.app_hash, block.tx_root, block.tx_count, block.proposer))
                _insert_rows(cur, "INSERT INTO txs (height, idx, hash, raw, code, result, sender) "
                             "VALUES ", 7, txs)
                _insert_rows(cur, "INSERT INTO block_events (height, idx, phase, type, attributes) "
                             "VALUES ", 5, events)
                _insert_rows(cur, "INSERT INTO activity (address, height, seq, tx_idx, ev_idx, "
                             "type, amount, force) VALUES ", 8, activity)
                _insert_rows(cur, "INSERT OR REPLACE INTO state (key, value) VALUES ", 2, upserts)
                if deletes:
                    cur.executemany("DELETE FROM state WHERE key = ?", deletes)
                _insert_rows(cur, "INSERT OR REPLACE INTO state_nodes (path, node) VALUES ", 2,
                             node_upserts)
                if node_deletes:
                    cur.executemany("DELETE FROM state_nodes WHERE path = ?", node_deletes)
                cur.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                [("last_height", str(block.height).encode()),
                                 ("last_app_hash", block.app_hash)])
                cur.execute("COMMIT")
            except BaseException:
                if self._writer.in_transaction:
                    self._writer.rollback()
                raise
        finally:
            cur.close()

    # --- reads -----------------------------------------------------------------------------
    # Reads run plain SQL on a DB-API connection: they are on the API's hot paths (every
    # `POST /v1/txs` looks its tx up) and under every cold state read (a record and the tree
    # nodes above it), where building and compiling a Core statement per call cost about
    # 250 µs against 15 µs for the same indexed lookup. Each thread keeps its own reader
    # connection: a checkout from SQLAlchemy's pool, with the rollback of its return, cost
    # ~45 µs more per read than the lookup itself (66 against 22 µs measured at 10⁶
    # residents), about half of a 200-transaction block read cold. A reader in autocommit
    # mode holds no transaction between statements, so each read sees the latest commit, as
    # a fresh checkout did; its page cache is SQLite's default 2 MB. Reader connections are
    # lent from a small idle list rather than kept per thread: the API's worker threads come
    # and go (anyio stops one idle for 10 s), and a connection per thread outlived its thread
    # (two file descriptors and a page cache each, until the node ran out of descriptors).
    # The list holds at most as many as ever read at once; taking and returning one costs a
    # lock each, well under a microsecond.

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        pinned = getattr(self._snapshot, "conn", None)
        if pinned is None:
            with self._readers_lock:
                conn = self._idle_readers.pop() if self._idle_readers else None
            if conn is None:
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                _pragmas(conn, None)
            try:
                return conn.execute(sql, tuple(params)).fetchall()
            finally:
                with self._readers_lock:
                    if not self._closed:
                        self._idle_readers.append(conn)
                        conn = None
                if conn is not None:
                    conn.close()
        cur = pinned.cursor()
        try:
            cur.execute(sql, tuple(params))
            return list(cur.fetchall())
        finally:
            cur.close()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read of this thread inside sees the database as of one instant.

        One SQLite read transaction (WAL keeps its snapshot while a node commits beside
        it): `planet verify` on a live node must replay exactly the blocks whose state it
        compares, not a list of heights read before a commit and a state read after it.
        """
        if getattr(self._snapshot, "conn", None) is not None:
            yield  # already inside one
            return
        conn = self.engine.raw_connection()
        try:
            conn.execute("BEGIN")
            conn.execute("SELECT 1 FROM meta LIMIT 1")  # the snapshot starts at a first read
            self._snapshot.conn = conn
            yield
        finally:
            self._snapshot.conn = None
            conn.rollback()
            conn.close()

    def begin_read(self) -> StateReader:
        """A read transaction of its own, begun now, for another thread to read from.

        A state-sync snapshot is written from a background thread while blocks keep
        committing: it must see the database as of the block it is taken at, so the
        transaction starts here, in the thread that just committed that block.
        """
        conn = self.engine.raw_connection()
        try:
            conn.execute("BEGIN")
            conn.execute("SELECT 1 FROM meta LIMIT 1")  # the snapshot starts at a first read
        except BaseException:
            conn.close()
            raise
        return StateReader(conn)

    def restore_state(self, records: Iterable[tuple[str, bytes]],
                      build_nodes: Callable[[Callable[[list[tuple[bytes, bytes | None]]], None]],
                                            bytes],
                      height: int, app_hash: bytes, meta: Mapping[str, bytes]) -> None:
        """Replace the genesis state by a restored one, in one transaction (state sync).

        Only a store without blocks takes it: a node never restores over a chain it has.
        `records` (streamed, in any order) are the state after block `height`;
        `build_nodes(emit)` builds their tree, hands its node rows to `emit` (into this
        transaction) and returns its root, which must be `app_hash`: else StateMismatch,
        and nothing is written. `meta` adds the markers of where the state came from.
        """
        with self.engine.begin() as conn:
            if conn.exec_driver_sql("SELECT 1 FROM blocks LIMIT 1").first() is not None:
                raise PlanetError(f"{self.path} holds blocks: a snapshot is restored only "
                                  "into a node that has none")
            conn.exec_driver_sql("DELETE FROM state")
            conn.exec_driver_sql("DELETE FROM state_nodes")
            batch: list[tuple[str, bytes]] = []
            for item in records:
                batch.append(item)
                if len(batch) >= RESTORE_BATCH:
                    conn.exec_driver_sql("INSERT INTO state (key, value) VALUES (?, ?)", batch)
                    batch = []
            if batch:
                conn.exec_driver_sql("INSERT INTO state (key, value) VALUES (?, ?)", batch)

            def emit(rows: list[tuple[bytes, bytes | None]]) -> None:
                conn.exec_driver_sql("INSERT INTO state_nodes (path, node) VALUES (?, ?)", rows)

            root = build_nodes(emit)
            if root != app_hash:  # leaving the block rolls every row back
                raise StateMismatch(f"its records hash to {root.hex()[:16]}…, not to the app "
                                    f"hash {app_hash.hex()[:16]}…")
            for key, value in meta.items():
                self._set_meta(conn, key, value)
            self._set_meta(conn, "state_format", STATE_FORMAT)
            self._set_meta(conn, "last_height", str(height).encode())
            self._set_meta(conn, "last_app_hash", app_hash)

    def iter_state(self, page: int = 5_000) -> Iterator[tuple[str, bytes]]:
        """Every stored record in key order, a page at a time (for `planet verify`'s full
        check; nothing else reads it all). Inside `snapshot()`, as of its instant."""
        # SQLite is dynamically typed: a hand edit can leave TEXT where a BLOB was.
        # Take it as bytes so the app-hash check, not a TypeError, reports it.
        rows = self._rows("SELECT key, value FROM state ORDER BY key LIMIT ?", (page,))
        while rows:
            for k, v in rows:
                yield k, v if isinstance(v, bytes) else str(v).encode()
            if len(rows) < page:
                return
            rows = self._rows("SELECT key, value FROM state WHERE key > ? ORDER BY key LIMIT ?",
                              (rows[-1][0], page))

    def load_state(self) -> list[tuple[str, bytes]]:
        """Every stored record, in memory: for tests of small stores."""
        return list(self.iter_state())

    @staticmethod
    def _block(row: tuple[Any, ...]) -> BlockRecord:
        return BlockRecord(*row)

    @staticmethod
    def _tx(row: tuple[Any, ...]) -> TxRecord:
        h, height, idx, raw, code, result = row
        return TxRecord(h, height, idx, raw, code, json.loads(result))

    def get_block(self, height: int) -> BlockRecord | None:
        rows = self._rows(f"SELECT {BLOCK_COLUMNS} FROM blocks WHERE height = ?", (height,))
        return self._block(rows[0]) if rows else None

    def last_block(self) -> BlockRecord | None:
        rows = self._rows(f"SELECT {BLOCK_COLUMNS} FROM blocks ORDER BY height DESC LIMIT 1")
        return self._block(rows[0]) if rows else None

    def recent_blocks(self, limit: int, before: int | None = None) -> list[BlockRecord]:
        below = "" if before is None else "WHERE height < ? "
        params = (limit,) if before is None else (before, limit)
        return [self._block(r) for r in self._rows(
            f"SELECT {BLOCK_COLUMNS} FROM blocks {below}ORDER BY height DESC LIMIT ?", params)]

    def block_txs(self, height: int) -> list[TxRecord]:
        return [self._tx(r) for r in self._rows(
            f"SELECT {TX_COLUMNS} FROM txs WHERE height = ? ORDER BY idx", (height,))]

    def get_tx(self, tx_hash: bytes) -> TxRecord | None:
        """The committed record (a successful one first, should a hash appear twice)."""
        rows = self._rows(f"SELECT {TX_COLUMNS} FROM txs WHERE hash = ? "
                          "ORDER BY code != 0, height LIMIT 1", (tx_hash,))
        return self._tx(rows[0]) if rows else None

    def txs_by_sender(self, sender: str, limit: int, before: tuple[int, int] | None = None,
                      offset: int = 0) -> list[TxRecord]:
        """An account's transactions, newest first; page with `before` = (height, index) of
        the last one seen (stable as blocks arrive) or with `offset`."""
        where = "sender = ?"
        params: list[Any] = [sender]
        if before is not None:
            where += " AND (height < ? OR (height = ? AND idx < ?))"
            params += [before[0], before[0], before[1]]
        return [self._tx(r) for r in self._rows(
            f"SELECT {TX_COLUMNS} FROM txs WHERE {where} "
            "ORDER BY height DESC, idx DESC LIMIT ? OFFSET ?", [*params, limit, offset])]

    def block_events(self, height: int) -> list[dict[str, Any]]:
        """The begin-step (and any end-step) events of a block, in order; [] for a block
        committed before the store kept them (migration 0006)."""
        return [{"phase": phase, "type": type_, "attributes": json.loads(attributes)}
                for phase, type_, attributes in self._rows(
                    "SELECT phase, type, attributes FROM block_events WHERE height = ? "
                    "ORDER BY idx", (height,))]

    def activity(self, address: str, limit: int,
                 before: tuple[int, int] | None = None) -> list[dict[str, Any]]:
        """Every event that names the address, newest first; page with `before` = (height,
        seq) of the last one seen (its `cursor`), stable as blocks arrive."""
        where = "a.address = ?"
        params: list[Any] = [address]
        if before is not None:
            where += " AND (a.height < ? OR (a.height = ? AND a.seq < ?))"
            params += [before[0], before[0], before[1]]
        # The attributes are where the event is stored: in its tx's result, or in
        # block_events (activity rows do not copy them).
        rows = self._rows(
            "SELECT a.height, a.seq, b.time, t.hash, a.type, CASE WHEN a.tx_idx IS NULL "
            "THEN e.attributes ELSE json_extract(t.result, '$.events[' || a.ev_idx || "
            "'].attributes') END, a.amount, a.force "
            "FROM activity a JOIN blocks b ON b.height = a.height "
            "LEFT JOIN txs t ON t.height = a.height AND t.idx = a.tx_idx "
            "LEFT JOIN block_events e ON a.tx_idx IS NULL AND e.height = a.height "
            "AND e.idx = a.ev_idx "
            f"WHERE {where} ORDER BY a.height DESC, a.seq DESC LIMIT ?", [*params, limit])
        return [{"height": h, "seq": seq, "cursor": f"{h}.{seq}", "time": time_,
                 "tx": None if tx is None else bytes(tx).hex(), "type": type_,
                 "attributes": json.loads(attributes or "{}"), "amount_micro": amount,
                 "force": force}
                for h, seq, time_, tx, type_, attributes, amount, force in rows]

    def has_txs(self, hashes: Sequence[bytes]) -> set[bytes]:
        found: set[bytes] = set()
        for start in range(0, len(hashes), 500):  # under SQLite's bound-parameter limit
            chunk = list(hashes[start:start + 500])
            marks = ", ".join("?" * len(chunk))
            found.update(r[0] for r in self._rows(
                f"SELECT hash FROM txs WHERE hash IN ({marks})", chunk))
        return found

    def iter_blocks(self, start: int = 1) -> Iterator[tuple[BlockRecord, list[bytes]]]:
        """Every block from `start` with its raw transactions, in order (for replay)."""
        heights = [r[0] for r in self._rows(
            "SELECT height FROM blocks WHERE height >= ? ORDER BY height", (start,))]
        for h in heights:
            block = self.get_block(h)
            assert block is not None
            yield block, [t.raw for t in self.block_txs(h)]
