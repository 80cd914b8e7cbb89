"""The embedded node's database: blocks, transactions and state in one SQLite file.

A block, its transactions' results and its state writes are committed in one SQLite
transaction (WAL, synchronous=FULL), so after a crash at any instant the file holds every
block up to the last commit and nothing of a later one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, insert, select
from sqlalchemy.engine import Connection

from planet.storage.schema import blocks, meta, txs

MIGRATIONS = Path(__file__).parent / "migrations"


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


def _pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class NodeStore:
    """All persistence of one embedded node."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.engine: Engine = create_engine(f"sqlite:///{path}")
        event.listen(self.engine, "connect", _pragmas)
        self._migrate()

    def _migrate(self) -> None:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def close(self) -> None:
        self.engine.dispose()

    # --- meta ----------------------------------------------------------------------------

    def get_meta(self, key: str) -> bytes | None:
        with self.engine.connect() as conn:
            return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()

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

    @staticmethod
    def _write_state(conn: Connection, writes: Sequence[tuple[str, bytes | None]]) -> None:
        # The hot path of every block: plain driver executemany, no statement compiling.
        upserts = [(k, v) for k, v in writes if v is not None]
        deletes = [(k,) for k, v in writes if v is None]
        if upserts:
            conn.exec_driver_sql("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)",
                                 upserts)
        if deletes:
            conn.exec_driver_sql("DELETE FROM state WHERE key = ?", deletes)

    def save_genesis(self, document: bytes, writes: Sequence[tuple[str, bytes | None]],
                     app_hash: bytes) -> None:
        with self.engine.begin() as conn:
            self._set_meta(conn, "genesis", document)
            self._set_meta(conn, "genesis_app_hash", app_hash)
            self._set_meta(conn, "last_height", b"0")
            self._set_meta(conn, "last_app_hash", app_hash)
            self._write_state(conn, writes)

    def commit_block(self, block: BlockRecord, tx_records: Sequence[TxRecord],
                     writes: Sequence[tuple[str, bytes | None]]) -> None:
        """The one atomic write of a block."""
        with self.engine.begin() as conn:
            conn.execute(insert(blocks), {
                "height": block.height, "hash": block.hash, "prev_hash": block.prev_hash,
                "time": block.time, "app_hash": block.app_hash, "tx_root": block.tx_root,
                "tx_count": block.tx_count, "proposer": block.proposer})
            if tx_records:
                conn.exec_driver_sql(
                    "INSERT INTO txs (height, idx, hash, raw, code, result, sender) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(t.height, t.idx, t.hash, t.raw, t.code, orjson.dumps(t.result).decode(),
                      tx_sender(t.raw)) for t in tx_records])
            self._write_state(conn, writes)
            self._set_meta(conn, "last_height", str(block.height).encode())
            self._set_meta(conn, "last_app_hash", block.app_hash)

    # --- reads -----------------------------------------------------------------------------

    def load_state(self) -> list[tuple[str, bytes]]:
        with self.engine.connect() as conn:
            # SQLite is dynamically typed: a hand edit can leave TEXT where a BLOB was.
            # Take it as bytes so the app-hash check, not a TypeError, reports it.
            return [(k, v if isinstance(v, bytes) else str(v).encode())
                    for k, v in conn.exec_driver_sql("SELECT key, value FROM state")]

    @staticmethod
    def _block(row: Any) -> BlockRecord:
        return BlockRecord(row.height, row.hash, row.prev_hash, row.time, row.app_hash,
                           row.tx_root, row.tx_count, row.proposer)

    @staticmethod
    def _tx(row: Any) -> TxRecord:
        return TxRecord(row.hash, row.height, row.idx, row.raw, row.code, json.loads(row.result))

    def get_block(self, height: int) -> BlockRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(blocks).where(blocks.c.height == height)).first()
        return None if row is None else self._block(row)

    def last_block(self) -> BlockRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(blocks).order_by(blocks.c.height.desc()).limit(1)).first()
        return None if row is None else self._block(row)

    def recent_blocks(self, limit: int, before: int | None = None) -> list[BlockRecord]:
        q = select(blocks).order_by(blocks.c.height.desc()).limit(limit)
        if before is not None:
            q = q.where(blocks.c.height < before)
        with self.engine.connect() as conn:
            return [self._block(r) for r in conn.execute(q)]

    def block_txs(self, height: int) -> list[TxRecord]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(txs).where(txs.c.height == height).order_by(txs.c.idx))
            return [self._tx(r) for r in rows]

    def get_tx(self, tx_hash: bytes) -> TxRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(txs).where(txs.c.hash == tx_hash)
                               .order_by(txs.c.code != 0, txs.c.height)).first()
        return None if row is None else self._tx(row)

    def txs_by_sender(self, sender: str, limit: int, before: tuple[int, int] | None = None,
                      offset: int = 0) -> list[TxRecord]:
        """An account's transactions, newest first; page with `before` = (height, index) of
        the last one seen (stable as blocks arrive) or with `offset`."""
        q = select(txs).where(txs.c.sender == sender)
        if before is not None:
            h, i = before
            q = q.where((txs.c.height < h) | ((txs.c.height == h) & (txs.c.idx < i)))
        q = q.order_by(txs.c.height.desc(), txs.c.idx.desc()).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [self._tx(r) for r in conn.execute(q)]

    def has_txs(self, hashes: Sequence[bytes]) -> set[bytes]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(txs.c.hash).where(txs.c.hash.in_(list(hashes))))
            return {r[0] for r in rows}

    def iter_blocks(self, start: int = 1) -> Iterator[tuple[BlockRecord, list[bytes]]]:
        """Every block from `start` with its raw transactions, in order (for replay)."""
        with self.engine.connect() as conn:
            heights = [r[0] for r in conn.execute(
                select(blocks.c.height).where(blocks.c.height >= start).order_by(blocks.c.height))]
        for h in heights:
            block = self.get_block(h)
            assert block is not None
            yield block, [t.raw for t in self.block_txs(h)]
