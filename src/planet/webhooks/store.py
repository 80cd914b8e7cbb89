"""The webhook tables, in a SQLite file of their own (HOME/data/webhooks.db), made and evolved
by the migrations in planet/webhooks/migrations.

Not the node's database: the queue is written on every block that brings an event and on
every batch of attempts, and with one file those writes (BEGIN IMMEDIATE, enqueue, prune)
held the lock a block commit needs and could delay it or, past the busy timeout, fail it.

One SQLite connection, serialized by a lock, in WAL mode with synchronous=NORMAL: a write
survives the process being killed (it is in the WAL), and the rare loss on a power cut is
covered by at-least-once (a delivery marked done is sent again; an event not yet queued is
queued again, as the cursor is written in the same transaction as the queue).
"""

from __future__ import annotations

import enum
import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from planet.webhooks.events import WebhookEvent

MIGRATIONS = Path(__file__).parent / "migrations"

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
DELIVERY_COLUMNS = ("id, endpoint, event_id, type, height, status, attempts, next_at, last_error, "
                    "response_code, response_body, created_at, delivered_at")


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: str
    business: str
    url: str
    events: tuple[str, ...]
    secret: str
    created_at: int
    from_height: int

    def to_json(self) -> dict[str, Any]:
        """Without the secret: it is shown once, at creation."""
        return {"id": self.id, "business": self.business, "url": self.url,
                "events": list(self.events), "created_at": self.created_at,
                "from_height": self.from_height}


@dataclass(frozen=True, slots=True)
class Due:
    """A delivery to attempt now."""

    id: int
    endpoint: str
    event_id: str
    height: int
    body: bytes
    attempts: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """One attempt's result, written back in batches."""

    id: int
    ok: bool
    attempts: int
    next_at: int
    failed: bool
    error: str | None
    response_code: int | None
    response_body: str | None
    at: int


class Added(enum.Enum):
    """What became of a new endpoint (WebhookStore.add_endpoint)."""

    ADDED = "added"
    REPLAYED = "replayed"
    """Its creation request made an endpoint before."""
    FULL = "full"
    """Its business already has the most endpoints it may."""


def migrate(path: Path) -> None:
    """Bring the file at `path` (made if missing) to the newest webhook schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    try:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()


class WebhookStore:
    def __init__(self, path: Path) -> None:
        migrate(path)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                     timeout=10.0)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    # --- endpoints --------------------------------------------------------------------------

    @staticmethod
    def _endpoint(row: tuple[Any, ...]) -> Endpoint:
        eid, business, url, events, secret, created_at, from_height = row
        return Endpoint(eid, business, url, tuple(json.loads(events)), secret, created_at,
                        from_height)

    def endpoints(self, business: str | None = None) -> list[Endpoint]:
        where, params = ("WHERE business = ?", (business,)) if business else ("", ())
        return [self._endpoint(r) for r in self._read(
            "SELECT id, business, url, events, secret, created_at, from_height "
            f"FROM webhook_endpoints {where} ORDER BY created_at, id", params)]

    def add_endpoint(self, endpoint: Endpoint, request_sig: bytes, limit: int) -> Added:
        """Add it unless its business has `limit` endpoints or `request_sig` made one before.
        The count and the insert are one transaction (BEGIN IMMEDIATE), so registrations at
        the same time, through this store or another connection, never pass the limit."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                (count,) = self._conn.execute(
                    "SELECT COUNT(*) FROM webhook_endpoints WHERE business = ?",
                    (endpoint.business,)).fetchone()
                if count >= limit:
                    self._conn.execute("ROLLBACK")
                    return Added.FULL
                try:
                    self._conn.execute(
                        "INSERT INTO webhook_endpoints (id, business, url, events, secret, "
                        "created_at, from_height, request_sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (endpoint.id, endpoint.business, endpoint.url,
                         json.dumps(endpoint.events), endpoint.secret, endpoint.created_at,
                         endpoint.from_height, request_sig))
                except sqlite3.IntegrityError:
                    self._conn.execute("ROLLBACK")
                    return Added.REPLAYED
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        return Added.ADDED

    def remove_endpoint(self, endpoint_id: str) -> None:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute("DELETE FROM webhook_deliveries WHERE endpoint = ?",
                                   (endpoint_id,))
                self._conn.execute("DELETE FROM webhook_endpoints WHERE id = ?", (endpoint_id,))
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    # --- the cursor and the queue -------------------------------------------------------------

    def cursor(self) -> int | None:
        rows = self._read("SELECT height FROM webhook_cursor WHERE id = 1")
        return int(rows[0][0]) if rows else None

    def enqueue(self, height: int, items: Iterable[tuple[str, WebhookEvent]], now_ms: int) -> int:
        """Queue each (endpoint, event) not queued before and move the cursor to `height`,
        in one transaction. How many were new."""
        rows = [(endpoint, e.id, e.type, e.height, e.body, PENDING, 0, now_ms, now_ms)
                for endpoint, e in items]
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                before = self._conn.total_changes
                if rows:
                    self._conn.executemany(
                        "INSERT OR IGNORE INTO webhook_deliveries (endpoint, event_id, type, "
                        "height, body, status, attempts, next_at, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                added = self._conn.total_changes - before
                self._conn.execute("INSERT OR REPLACE INTO webhook_cursor (id, height) "
                                   "VALUES (1, ?)", (height,))
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return added

    def due(self, now_ms: int, skip_ids: Iterable[int], skip_endpoints: Iterable[str],
            limit: int) -> list[Due]:
        """Pending deliveries whose time has come, oldest first, leaving out those in flight
        and the endpoints that have all the attempts in flight they may have."""
        ids, endpoints = list(skip_ids), list(skip_endpoints)
        sql = ("SELECT id, endpoint, event_id, height, body, attempts FROM webhook_deliveries "
               "WHERE status = ? AND next_at <= ?")
        params: list[Any] = [PENDING, now_ms]
        if ids:
            sql += f" AND id NOT IN ({', '.join('?' * len(ids))})"
            params += ids
        if endpoints:
            sql += f" AND endpoint NOT IN ({', '.join('?' * len(endpoints))})"
            params += endpoints
        sql += " ORDER BY next_at, id LIMIT ?"
        return [Due(*r) for r in self._read(sql, [*params, limit])]

    def next_due_at(self) -> int | None:
        rows = self._read("SELECT MIN(next_at) FROM webhook_deliveries WHERE status = ?",
                          (PENDING,))
        return None if not rows or rows[0][0] is None else int(rows[0][0])

    def record(self, outcomes: Sequence[Outcome]) -> None:
        """Write back a batch of attempts in one transaction."""
        if not outcomes:
            return
        rows = [(DELIVERED if o.ok else FAILED if o.failed else PENDING, o.attempts, o.next_at,
                 o.error, o.response_code, o.response_body, o.at if o.ok else None, o.id)
                for o in outcomes]
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_at = ?, "
                    "last_error = ?, response_code = ?, response_body = ?, "
                    "delivered_at = COALESCE(?, delivered_at) WHERE id = ?", rows)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def redeliver(self, delivery_id: int, now_ms: int) -> None:
        """Back in the queue now, with a fresh round of attempts."""
        with self._lock:
            self._conn.execute("UPDATE webhook_deliveries SET status = ?, attempts = 0, "
                               "next_at = ? WHERE id = ?", (PENDING, now_ms, delivery_id))

    def prune(self, keep: int) -> int:
        """Keep each endpoint's newest `keep` finished deliveries; pending ones always stay."""
        with self._lock:
            cur = self._conn.execute(
                "DELETE FROM webhook_deliveries WHERE status != ? AND id IN ("
                " SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY endpoint "
                "  ORDER BY id DESC) AS n FROM webhook_deliveries WHERE status != ?) "
                " WHERE n > ?)", (PENDING, PENDING, keep))
            return int(cur.rowcount)

    # --- the log ----------------------------------------------------------------------------

    @staticmethod
    def _delivery(row: tuple[Any, ...]) -> dict[str, Any]:
        return dict(zip([c.strip() for c in DELIVERY_COLUMNS.split(",")], row, strict=True))

    def delivery(self, delivery_id: int) -> dict[str, Any] | None:
        rows = self._read(f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?",
                          (delivery_id,))
        return self._delivery(rows[0]) if rows else None

    def deliveries(self, endpoints: Sequence[str], limit: int) -> list[dict[str, Any]]:
        """The newest first, of the given endpoints."""
        if not endpoints:
            return []
        marks = ", ".join("?" * len(endpoints))
        return [self._delivery(r) for r in self._read(
            f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE endpoint IN ({marks}) "
            "ORDER BY id DESC LIMIT ?", [*endpoints, limit])]
