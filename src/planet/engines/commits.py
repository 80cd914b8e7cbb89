"""Who is waiting for which transaction, and who hears of every block.

Both engines tell the API the same two things after a commit: "your tx is in block N" (or
"it was dropped") and "here is block N". This is that part, once, so `POST /v1/txs` and
the live event stream behave the same on the embedded sequencer and on CometBFT.

Race-free without sharing the engine's lock: a waiter is registered *before* the caller
checks whether the tx already committed, and resolving twice is harmless, so a commit that
lands between the check and the registration is never missed.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, InvalidStateError

from planet.storage.sqlite import BlockRecord, TxRecord

log = logging.getLogger(__name__)

BlockListener = Callable[[BlockRecord, list[TxRecord]], None]


def _settle(fut: Future[TxRecord | None], record: TxRecord | None) -> None:
    with contextlib.suppress(InvalidStateError):  # already told, by the other path of a race
        fut.set_result(record)


class Commits:
    """Futures per tx hash and listeners per block; thread-safe."""

    def __init__(self, waiter_ttl_s: float | None = None) -> None:
        """With a TTL, waiters for a tx that never commits are told None after that long
        (CometBFT may drop a tx without telling this node; the embedded mempool always says)."""
        self._lock = threading.Lock()
        self._waiters: dict[bytes, list[Future[TxRecord | None]]] = {}
        self._since: dict[bytes, float] = {}
        self._ttl_s = waiter_ttl_s
        self._listeners: list[BlockListener] = []

    def add_listener(self, fn: BlockListener) -> None:
        self._listeners.append(fn)

    def expect(self, tx_hash: bytes) -> Future[TxRecord | None]:
        """A future for the tx's committed record; register it before looking it up."""
        fut: Future[TxRecord | None] = Future()
        with self._lock:
            self._waiters.setdefault(tx_hash, []).append(fut)
            self._since.setdefault(tx_hash, time.monotonic())
        return fut

    def resolve(self, tx_hash: bytes, record: TxRecord | None) -> None:
        """Tell everyone waiting for this tx: its record, or None when it was dropped."""
        with self._lock:
            futs = self._waiters.pop(tx_hash, [])
            self._since.pop(tx_hash, None)
        for fut in futs:
            _settle(fut, record)

    def resolve_dropped(self, tx_hash: bytes) -> None:
        self.resolve(tx_hash, None)

    def drop(self, tx_hashes: Iterable[bytes]) -> None:
        for tx_hash in tx_hashes:
            self.resolve(tx_hash, None)

    def announce(self, block: BlockRecord, records: list[TxRecord]) -> None:
        """After a block is persisted: resolve its txs' waiters, expire stale ones, and call
        every listener (a failing listener is logged and never stops the chain)."""
        for rec in records:
            self.resolve(rec.hash, rec)
        if self._ttl_s is not None:
            now = time.monotonic()
            with self._lock:
                stale = [h for h, since in self._since.items() if now - since > self._ttl_s]
            self.drop(stale)
        for fn in self._listeners:
            try:
                fn(block, records)
            except Exception:
                log.exception("block listener failed")
