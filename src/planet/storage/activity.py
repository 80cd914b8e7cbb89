"""Which committed events concern which address, and what each moved for it.

An account's activity is every event (of a transaction or of a block's begin step) with an
attribute equal to its address, or a list attribute holding it (a drill round's winners).
The node indexes it as it commits each block (`NodeStore.commit_block`), so a resident's
History shows what reached them without signing anything: rewards, refunds, drill prizes,
expiries. The cost is one pass over each event's attributes and one small row per address
named (no copy of the attributes).

The amounts are read from the event's own attributes, signed from the address's side: µBD
(`amount`) and Force (`force`), or None when the event moves none for it. An event type
missing here is still indexed, with neither.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

ADDRESS_PREFIX = "planet1"
"""Every address is bech32m with the human part `planet` (core/address.py): a string
attribute starting with it is taken as an address. A cheap test, on the block's hot path;
a name that merely starts so would index a row nobody asks for, and harm nothing."""

Amounts = tuple[int | None, int | None]
"""(µBD, Force) moved for one address, signed; None where the event moves none."""


def _attr(attributes: Mapping[str, Any], name: str) -> int | None:
    value = attributes.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _neg(value: int | None) -> int | None:
    return None if value is None else -value


def _diamonds(credited: str | None, debited: str | None, amount: str) -> Callable[[Mapping[str, Any], str],
                                                                           Amounts]:
    """µBD `amount` to the address in attribute `credited`, from the one in `debited`."""
    def rule(attributes: Mapping[str, Any], address: str) -> Amounts:
        if credited is not None and attributes.get(credited) == address:
            return _attr(attributes, amount), None
        if debited is not None and attributes.get(debited) == address:
            return _neg(_attr(attributes, amount)), None
        return None, None
    return rule


def _force(holder: str, amount: str, sign: int) -> Callable[[Mapping[str, Any], str], Amounts]:
    def rule(attributes: Mapping[str, Any], address: str) -> Amounts:
        value = _attr(attributes, amount)
        if attributes.get(holder) != address or value is None:
            return None, None
        return None, sign * value
    return rule


def _drill_prize(attributes: Mapping[str, Any], address: str) -> Amounts:
    winners = attributes.get("winners")
    if isinstance(winners, list) and address in winners:
        return _attr(attributes, "prize_each"), None
    return None, None


RULES: Mapping[str, Callable[[Mapping[str, Any], str], Amounts]] = {
    "emission/collected": _diamonds("resident", None, "amount"),
    "exchange/redeemed": _diamonds("business", "resident", "price"),
    "exchange/refunded": _diamonds("resident", "business", "amount"),
    "exchange/granted": _diamonds("resident", None, "paid"),
    "exchange/request_created": _diamonds(None, "business", "escrowed"),
    "exchange/request_expired": _diamonds("business", None, "refunded"),
    "exchange/request_closed": _diamonds("business", None, "refunded"),
    "drill/drawn": _drill_prize,
    "force/granted": _force("resident", "force", 1),
    "force/grant_expired": _force("resident", "force", -1),
    "drill/entered": _force("resident", "force_paid", -1),
    "drill/refunded": _force("resident", "force", 1),
}


def addresses_in(attributes: Mapping[str, Any]) -> list[str]:
    """Every address an event names, once each, in attribute order."""
    found: list[str] = []
    for value in attributes.values():
        if isinstance(value, str):
            if value.startswith(ADDRESS_PREFIX) and value not in found:
                found.append(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str) and item.startswith(ADDRESS_PREFIX) and item not in found:
                    found.append(item)
    return found


def amounts(event_type: str, attributes: Mapping[str, Any], address: str) -> Amounts:
    rule = RULES.get(event_type)
    return (None, None) if rule is None else rule(attributes, address)


@dataclass(frozen=True, slots=True)
class ChainEvent:
    """One event in a block, in chain order: `seq` counts the block's begin-step events,
    then every successful transaction's events in transaction order; `tx_index` is None
    for a block event; `index` is its place among its transaction's (or the block's)
    events, where its attributes are stored."""

    seq: int
    tx_index: int | None
    index: int
    type: str
    attributes: Mapping[str, Any]


def chain_events(block_events: Iterable[Mapping[str, Any]],
                 tx_results: Iterable[tuple[int, int, Mapping[str, Any]]]) -> Iterator[ChainEvent]:
    """A block's events in chain order, from its begin-step events and (index, code, result
    JSON) of its transactions; failed transactions emitted nothing that stands."""
    seq = 0
    for n, event in enumerate(block_events):
        yield ChainEvent(seq, None, n, str(event.get("type", "")), event.get("attributes") or {})
        seq += 1
    for idx, code, result in tx_results:
        if code != 0:
            continue
        for n, event in enumerate(result.get("events") or ()):
            if isinstance(event, dict):
                yield ChainEvent(seq, idx, n, str(event.get("type", "")),
                                 event.get("attributes") or {})
                seq += 1


ActivityRow = tuple[str, int, int, int | None, int, str, int | None, int | None]
"""(address, height, seq, tx index, event index, type, µBD, Force): one `activity` row. The
attributes are not copied: a read takes them from the stored tx result or block event
(a row is a third the size, and a block's commit writes less)."""


def activity_rows(height: int, events: Iterable[ChainEvent]) -> list[ActivityRow]:
    rows: list[ActivityRow] = []
    for ev in events:
        for address in addresses_in(ev.attributes):
            diamonds, force = amounts(ev.type, ev.attributes, address)
            rows.append((address, height, ev.seq, ev.tx_index, ev.index, ev.type, diamonds,
                         force))
    return rows
