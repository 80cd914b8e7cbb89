"""Which committed events a business's webhooks hear of, and the JSON each delivery carries.

Derived from a committed block's transaction results alone, so every node that has the
block derives the same events with the same ids: an event id is its place in the chain
(height, transaction index, index among that transaction's events), and no node can invent
one or give one a second id. Failed transactions emit nothing and are skipped.

Not an event yet: a data request's expiry. It happens in a block's begin step, whose events
the node does not store, so no committed data says when a request expired; `request.closed`
is sent for closes by the business and by a suspension (its `status` is always "closed").
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
    "exchange/grant_revoked": "grant.revoked",
    "exchange/grant_record_ended": "record.erased",  # a record it held a grant on was erased
    "exchange/business_suspended": "business.suspended",
    "exchange/suspension_lifted": "business.suspension_lifted",
}
"""Core event type → webhook type. Each of these names its business in `business`."""
assert set(CORE_EVENTS.values()) == set(EVENT_TYPES)


class BlockLike(Protocol):
    """What is read of a committed block (planet.storage.sqlite.BlockRecord fits)."""

    @property
    def height(self) -> int: ...

    @property
    def time(self) -> int: ...


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


def event_id(height: int, tx_index: int, event_index: int) -> str:
    return f"evt_{height}_{tx_index}_{event_index}"


def derive_events(block: BlockLike, records: Iterable[TxLike]) -> list[WebhookEvent]:
    """The webhook events of one committed block, in chain order."""
    out = []
    for rec in records:
        if rec.code != 0:
            continue
        events: Sequence[Any] = rec.result.get("events", ())
        for n, event in enumerate(events):
            kind = CORE_EVENTS.get(event.get("type", "")) if isinstance(event, dict) else None
            if kind is None:
                continue
            attributes = event.get("attributes", {})
            business = attributes.get("business") if isinstance(attributes, dict) else None
            if not isinstance(business, str):
                continue
            data = {**attributes, "tx": rec.hash.hex()}
            if kind == "request.closed":
                data["status"] = "closed"  # the field stays for when expiry becomes an event
            eid = event_id(block.height, rec.idx, n)
            body = orjson.dumps({"id": eid, "type": kind, "height": block.height,
                                 "time": block.time, "data": data},
                                option=orjson.OPT_SORT_KEYS)
            out.append(WebhookEvent(eid, kind, business, block.height, body))
    return out
