"""`Idempotency-Key` on `POST /v1/txs` and `/v1/txs/batch`: a retried request gets the first
request's answer instead of being submitted again.

Transactions carry sequences, so an identical tx sent twice is refused by the ledger anyway
("sequence reused"); what a key adds is that the retry of a request whose answer was lost
(a timeout, a dropped connection) gets the ORIGINAL outcome (hashes, codes, commits), and a
batch of attestations that half went through is never re-signed and sent again by a client
that cannot tell.

The rules (as in the IETF draft "The Idempotency-Key HTTP Header Field" and Stripe's API):

- the key is 1 to 128 characters of `A-Z a-z 0-9 . _ : -` (a UUID fits), one header only;
  anything else is a 400 (`IdempotencyKeyInvalid`), before anything is submitted;
- a request is its path and its body, byte for byte (`wait` and `timeout` are how long to
  wait, not what to do); the same key with another request is a 422
  (`IdempotencyKeyReused`): the key belongs to the first;
- the same key and request while the first is still running waits for the first's answer;
  afterwards it gets that answer, marked `Idempotent-Replayed: true`. An answer that was a
  202 (not committed in time) is brought up to date from the committed blocks;
- every answer to a well-formed request is kept, refusals too, so a retry never turns a
  refusal into a second submission.

Keys are remembered by each node in memory, for `ttl_s` (24 h) and at most `max_keys`
(10,000) keys and `max_bytes` (64 MiB) of answers, the oldest forgotten first, so memory is
bounded whatever clients send; a forgotten key is new again. A node that restarts forgets
them all (the ledger's sequence rule still refuses a resent tx), and a retry sent to another
node is not recognised: keep retries on one node.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

import orjson

from planet.core.errors import IdempotencyKeyInvalid, IdempotencyKeyReused

HEADER: Final = "Idempotency-Key"
REPLAYED: Final = "Idempotent-Replayed"
MAX_KEY_CHARS: Final = 128
_KEY = re.compile(r"[A-Za-z0-9._:-]{1,128}")
TTL_S: Final = 24 * 3600.0
MAX_KEYS: Final = 10_000
MAX_BYTES: Final = 64 * 1024 * 1024

Answer = tuple[int, dict[str, Any]]


def parse_key(values: Iterable[bytes | str]) -> str | None:
    """The request's key from its `Idempotency-Key` header values (none: None)."""
    found = [v.decode("latin-1") if isinstance(v, bytes) else v for v in values]
    if not found:
        return None
    if len(found) > 1:
        raise IdempotencyKeyInvalid(f"{HEADER}: one header, got {len(found)}")
    key = found[0]
    if not _KEY.fullmatch(key):
        raise IdempotencyKeyInvalid(f"{HEADER}: 1 to {MAX_KEY_CHARS} characters of A-Z, a-z, "
                                    "0-9 and . _ : - (a UUID fits)")
    return key


def fingerprint(path: str, body: bytes) -> bytes:
    """What makes two requests the same: the route and the body, byte for byte."""
    return hashlib.sha256(path.encode() + b"\0" + body).digest()


@dataclass
class _Entry:
    fingerprint: bytes
    created: float
    answer: asyncio.Future[Answer]
    size: int = 0


class IdempotencyKeys:
    """The answers of recent keyed requests, bounded in time, count and bytes."""

    def __init__(self, ttl_s: float = TTL_S, max_keys: int = MAX_KEYS,
                 max_bytes: int = MAX_BYTES, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self.ttl_s = ttl_s
        self.max_keys = max_keys
        self.max_bytes = max_bytes
        self.clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    async def run(self, key: str, request: bytes, compute: Callable[[], Awaitable[Answer]]
                  ) -> tuple[int, dict[str, Any], bool]:
        """The answer to the keyed request (status, body, replayed): `compute`'s the first
        time, the first's again after. `compute` runs as its own task, so a client that goes
        away does not cancel it: its retry still finds the answer."""
        self._forget_expired()
        entry = self._entries.get(key)
        if entry is not None:
            if entry.fingerprint != request:
                raise IdempotencyKeyReused(
                    f"{HEADER} {key!r} was used for a different request (another route or "
                    "body) in the last 24 h; the first request's answer belongs to it. Use a "
                    "new key for a new request")
            status, content = await asyncio.shield(entry.answer)
            return status, content, True
        task = asyncio.ensure_future(compute())
        entry = _Entry(request, self.clock(), task)
        self._entries[key] = entry
        task.add_done_callback(lambda t: self._settled(key, entry, t))
        while len(self._entries) > self.max_keys:
            self._drop(next(iter(self._entries)))
        status, content = await asyncio.shield(task)
        return status, content, False

    def _settled(self, key: str, entry: _Entry, task: asyncio.Future[Answer]) -> None:
        if self._entries.get(key) is not entry:
            return  # forgotten meanwhile (expired or pushed out)
        if task.cancelled() or task.exception() is not None:
            self._drop(key)  # no answer to keep: a retry runs again
            return
        entry.size = len(orjson.dumps(task.result()[1])) + len(key) + 200
        self.bytes += entry.size
        while self.bytes > self.max_bytes and self._entries:
            self._drop(next(iter(self._entries)))

    def _forget_expired(self) -> None:
        cutoff = self.clock() - self.ttl_s
        while self._entries:
            oldest_key, oldest = next(iter(self._entries.items()))
            if oldest.created > cutoff:
                return
            self._drop(oldest_key)

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key)
        self.bytes -= entry.size
