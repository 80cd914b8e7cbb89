"""Live events: each committed block fans out to every /v1/events subscriber.

The node calls the hub from its sequencer thread; each subscriber has its own asyncio
queue fed through its event loop. A subscriber that falls `MAX_QUEUE` events behind is
dropped with a final `dropped` event rather than slowing the chain or growing without end.
Streams are capped in all and per client address (planet.api.limits): past either cap a
new stream is refused with `StreamLimit` rather than held.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from planet.api.limits import DEFAULT_LIMITS
from planet.storage.sqlite import BlockRecord, TxRecord, tx_sender

MAX_QUEUE = 1_000
KEEPALIVE_S = 15.0


class StreamLimit(Exception):
    """A new stream over a cap: `status` is 429 (this client's) or 503 (the node's)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(eq=False)
class Subscriber:
    loop: asyncio.AbstractEventLoop
    address: str | None
    client: str = ""
    queue: asyncio.Queue[bytes | None] = field(default_factory=asyncio.Queue)
    dropped: bool = False


def describe_tx(rec: TxRecord) -> dict[str, Any]:
    try:
        messages = orjson.loads(rec.raw)["body"]["messages"]
        types = [str(m.get("type", "")) for m in messages if isinstance(m, dict)]
    except (orjson.JSONDecodeError, TypeError, KeyError):
        types = []
    return {"hash": rec.hash.hex(), "height": rec.height, "index": rec.idx, "code": rec.code,
            "sender": tx_sender(rec.raw), "types": types,
            "events": rec.result.get("events", [])}


def _values(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list | tuple):
        return {v for item in value for v in _values(item)}
    if isinstance(value, dict):
        return {v for item in value.values() for v in _values(item)}
    return set()


def mentioned(tx: dict[str, Any]) -> set[str]:
    """Addresses a tx concerns: its sender and any attribute value of its events."""
    out = {tx["sender"]} if tx["sender"] else set()
    for event in tx["events"]:
        out |= _values(event.get("attributes", {}))
    return out


def frame(event: str, data: dict[str, Any]) -> bytes:
    return b"event: " + event.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


class EventHub:
    def __init__(self, max_streams: int = DEFAULT_LIMITS.sse_max_streams,
                 max_per_client: int = DEFAULT_LIMITS.sse_max_streams_per_client) -> None:
        self._subs: set[Subscriber] = set()
        self._per_client: dict[str, int] = {}
        self._lock = threading.Lock()
        self.max_streams, self.max_per_client = max_streams, max_per_client

    @property
    def count(self) -> int:
        return len(self._subs)

    def subscribe(self, address: str | None, client: str = "") -> Subscriber:
        """A new stream for `client` (its network address), or StreamLimit."""
        sub = Subscriber(asyncio.get_running_loop(), address, client)
        with self._lock:
            if len(self._subs) >= self.max_streams:
                raise StreamLimit(503, f"this node serves at most {self.max_streams} event "
                                       "streams at once; retry later")
            held = self._per_client.get(client, 0)
            if held >= self.max_per_client:
                raise StreamLimit(429, f"at most {self.max_per_client} event streams per "
                                       "client address; close one first")
            self._per_client[client] = held + 1
            self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        """Release the stream's slot; a second call does nothing."""
        with self._lock:
            if sub not in self._subs:
                return
            self._subs.remove(sub)
            left = self._per_client[sub.client] - 1
            if left:
                self._per_client[sub.client] = left
            else:
                del self._per_client[sub.client]

    def on_block(self, block: BlockRecord, records: list[TxRecord]) -> None:
        """Called by the node after each commit (sequencer thread)."""
        with self._lock:
            subs = list(self._subs)
        if not subs:
            return
        block_frame = frame("block", {"height": block.height, "time": block.time,
                                      "hash": block.hash.hex(), "app_hash": block.app_hash.hex(),
                                      "txs": block.tx_count})
        txs = [describe_tx(r) for r in records] if any(s.address for s in subs) else []
        tx_frames = [(mentioned(tx), frame("tx", tx)) for tx in txs]
        for sub in subs:
            frames = [block_frame]
            if sub.address:
                frames += [f for who, f in tx_frames if sub.address in who]
            try:
                sub.loop.call_soon_threadsafe(self._deliver, sub, frames)
            except RuntimeError:  # its loop is closed: the client is gone
                self.unsubscribe(sub)

    def _deliver(self, sub: Subscriber, frames: list[bytes]) -> None:
        if sub.dropped:
            return
        if sub.queue.qsize() + len(frames) > MAX_QUEUE:
            sub.dropped = True
            self.unsubscribe(sub)
            sub.queue.put_nowait(frame("dropped", {"reason": "client too slow; reconnect"}))
            sub.queue.put_nowait(None)
            return
        for f in frames:
            sub.queue.put_nowait(f)

    async def stream(self, sub: Subscriber, keepalive_s: float = KEEPALIVE_S
                     ) -> AsyncIterator[bytes]:
        try:
            yield b": connected\n\n"
            while True:
                try:
                    item = await asyncio.wait_for(sub.queue.get(), keepalive_s)
                except TimeoutError:
                    yield b": keep-alive\n\n"
                    continue
                if item is None:
                    return
                yield item
        finally:
            self.unsubscribe(sub)
