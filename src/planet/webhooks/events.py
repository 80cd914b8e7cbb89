"""Which committed events a business's webhooks hear of, and the JSON each delivery carries.

Derived from a committed block's begin-step events and its transaction results, both
stored with the block (planet.storage.sqlite), so every node that has the block derives the
same events with the same ids: an event id is its place in the chain, `evt_{height}_b_{n}`
for the block's n-th begin-step event and `evt_{height}_{tx index}_{n}` for a transaction's
n-th event, and no node can invent one or give one a second id. Failed transactions emit
nothing and are skipped.

`request.closed` says how in `status`: "closed" (by the business, or by a suspension) or
"expired" (its expiry came, in a block's begin step; `tx` is then null). A block committed
before the node stored begin-step events (store migration 0006) has none to derive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from planet.sdk.webhooks import EVENT_TYPES

CORE_EVENTS: Mapping[str, str] = {
    "exchange/redeemed": "redemption.made",
    "exchange/refunded": "redemption.refunded",
    "exchange/accepted": "request.accepted",
    "exchange/cohort_opened": "cohort.filled",
    "exchange/request_closed": "request.closed",
    "exchange/request_expired": "request.closed",
    "exchange/grant_revoked": "grant.revoked",
    "exchange/grant_record_ended": "record.erased",  # a record it held a grant on was erased
    "exchange/business_suspended": "business.suspended",
    "exchange/suspension_lifted": "business.suspension_lifted",
}
"""Core event type → webhook type. Each of these names its business in `business`."""
assert set(CORE_EVENTS.values()) == set(EVENT_TYPES)
CLOSED_STATUS: Mapping[str, str] = {"exchange/request_closed": "closed",
                                    "exchange/request_expired": "expired"}
"""`status` of a `request.closed` event, by the core event it comes from."""


class BlockLike(Protocol):
    """What is read of a committed block (planet.storage.sqlite.BlockRecord fits)."""

    @property
    def height(self) -> int: ...

    @property
    def time(self) -> int: ...

    @property
    def events(self) -> Sequence[Mapping[str, Any]]:
        """Its begin-step events when the engine hands the block over; () when read back."""
        ...


class TxLike(Protocol):
    """What is read of a committed transaction (planet.storage.sqlite.TxRecord fits)."""

    @property
    def hash(self) -> bytes: ...

    @property
    def idx(self) -> int: ...

    @property
    def code(self) -> int: ...

    @property
    def result(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    id: str
    type: str
    business: str
    height: int
    body: bytes
    """The delivery's JSON, fixed once: every attempt and redelivery sends the same bytes."""


def event_id(height: int, tx_index: int | None, event_index: int) -> str:
    """A transaction's event, or a block's begin-step event (`tx_index` None)."""
    place = "b" if tx_index is None else str(tx_index)
    return f"evt_{height}_{place}_{event_index}"


def derive_events(block: BlockLike, records: Iterable[TxLike],
                  block_events: Iterable[Any] = ()) -> list[WebhookEvent]:
    """The webhook events of one committed block, in chain order: its begin-step events
    ({"type", "attributes"}, as `NodeStore.block_events` gives them), then its txs'."""
    out = []
    for n, event in enumerate(block_events):
        made = _event(block, event, event_id(block.height, None, n), None)
        if made is not None:
            out.append(made)
    for rec in records:
        if rec.code != 0:
            continue
        events: Sequence[Any] = rec.result.get("events", ())
        for n, event in enumerate(events):
            made = _event(block, event, event_id(block.height, rec.idx, n), rec.hash.hex())
            if made is not None:
                out.append(made)
    return out


def _event(block: BlockLike, event: Any, eid: str, tx: str | None) -> WebhookEvent | None:
    kind = CORE_EVENTS.get(event.get("type", "")) if isinstance(event, dict) else None
    if kind is None:
        return None
    attributes = event.get("attributes", {})
    business = attributes.get("business") if isinstance(attributes, dict) else None
    if not isinstance(business, str):
        return None
    data = {**attributes, "tx": tx}
    if kind == "request.closed":
        data["status"] = CLOSED_STATUS[event["type"]]
    body = orjson.dumps({"id": eid, "type": kind, "height": block.height,
                         "time": block.time, "data": data}, option=orjson.OPT_SORT_KEYS)
    return WebhookEvent(eid, kind, business, block.height, body)
