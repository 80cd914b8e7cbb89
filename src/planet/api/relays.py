"""The relay report: resident → business → resident flows over a window, read from the
events of committed transactions (issue 15, item 5).

Each exchange rule moves diamonds only between a resident and a business, so a transfer
between residents can only be relayed: residents pay a business (redeeming its offers) and
the business pays other residents (data rewards). This report is read-only and outside
the consensus rules: it lists, per business, who paid it and whom it paid within the
window, pairs each payer with each later payee, and ranks businesses by the share of what
they received that they paid back out to residents. A shop keeps most of what it sells
for; a money changer pays it on.

Inputs are the events the core emits: `exchange/redeemed` (resident → business, `price`),
`exchange/refunded` (the price back to the same resident: not a flow, it cancels one) and
`exchange/granted` (business → resident, `paid`, when a cohort opens).
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from planet.storage.sqlite import NodeStore

BPS = 10_000
MAX_FLOWS = 500
"""Flows listed at most (the largest first); totals and the ranking count every payment."""
MAX_WINDOW_MS = 31 * 24 * 3_600_000
"""The longest window one report reads: the route is public, and its work grows with the
blocks it walks and the payers × payees of each business."""


@dataclass(frozen=True, slots=True)
class Payment:
    time: int
    height: int
    tx: str
    business: str
    resident: str
    amount: int  # µBD; > 0 into the business, < 0 a refund of a redemption
    inbound: bool  # resident → business (a redemption or its refund), else business → resident


@dataclass
class Ledger:
    """What one business received from and paid to residents in the window."""

    business: str
    received: int = 0
    paid_out: int = 0
    payers: dict[str, int] = field(default_factory=dict)
    payees: dict[str, int] = field(default_factory=dict)
    first_in: dict[str, int] = field(default_factory=dict)  # payer -> first payment's time
    last_out: dict[str, int] = field(default_factory=dict)  # payee -> last payment's time


def payments_from_events(time_ms: int, height: int, tx: str,
                         events: Iterable[dict[str, Any]]) -> Iterator[Payment]:
    """The diamond flows between residents and businesses in one transaction's events."""
    for event in events:
        kind, a = event.get("type"), event.get("attributes", {})
        if kind == "exchange/redeemed":
            yield Payment(time_ms, height, tx, a["business"], a["resident"], int(a["price"]), True)
        elif kind == "exchange/refunded":
            yield Payment(time_ms, height, tx, a["business"], a["resident"], -int(a["amount"]), True)
        elif kind == "exchange/granted" and int(a.get("paid", 0)):
            yield Payment(time_ms, height, tx, a["business"], a["resident"], int(a["paid"]), False)


def iter_window_payments(store: NodeStore, since: int, until: int,
                         page: int = 200) -> Iterator[Payment]:
    """Payments of committed, successful transactions in blocks with since ≤ time < until,
    newest block first (blocks are walked down from the last one until before `since`)."""
    before: int | None = None
    while True:
        blocks = store.recent_blocks(page, before)
        if not blocks:
            return
        for block in blocks:
            if block.time < since:
                return
            if block.time >= until or not block.tx_count:
                continue
            for tx in store.block_txs(block.height):
                if tx.code == 0:
                    yield from payments_from_events(block.time, block.height, tx.hash.hex(),
                                                    tx.result.get("events", []))
        before = blocks[-1].height


def compute_relays(payments: Iterable[Payment], since: int, until: int) -> dict[str, Any]:
    """The report: per-business totals and ranking, and the resident → business → resident
    flows (a payer before a different payee of the same business, in the window)."""
    ledgers: dict[str, Ledger] = {}
    for p in sorted(payments, key=lambda p: (p.time, p.height, p.tx)):
        book = ledgers.setdefault(p.business, Ledger(p.business))
        if p.inbound:
            book.received += p.amount
            book.payers[p.resident] = book.payers.get(p.resident, 0) + p.amount
            if p.amount > 0:
                book.first_in.setdefault(p.resident, p.time)
        else:
            book.paid_out += p.amount
            book.payees[p.resident] = book.payees.get(p.resident, 0) + p.amount
            book.last_out[p.resident] = p.time
    top = heapq.nsmallest(MAX_FLOWS, (pair for book in ledgers.values()
                                      for pair in relay_pairs(book)))
    flows = [{"from": payer, "business": business, "to": payee,
              "paid_in_micro": paid_in, "paid_out_micro": paid_out, "relayed_micro": -neg,
              "first_in": first_in, "last_out": last_out}
             for neg, first_in, payer, payee, business, paid_in, paid_out, last_out in top]
    ranking = sorted((describe_business(book) for book in ledgers.values()), key=rank_key)
    return {"since": since, "until": until, "businesses": ranking,
            "flows": flows, "flows_total": sum(count_relay_pairs(b) for b in ledgers.values())}


RelayPair = tuple[int, int, str, str, str, int, int, int]
"""(-relayed, first_in, payer, payee, business, paid_in, paid_out, last_out): sorts largest
relay first, then earliest, then by address."""


def relay_pairs(book: Ledger) -> Iterator[RelayPair]:
    """Each payer with each different payee it paid before (lazily: only the top are kept)."""
    for payer, paid_in in book.payers.items():
        if paid_in <= 0:
            continue
        first_in = book.first_in[payer]
        for payee, paid_out in book.payees.items():
            last_out = book.last_out[payee]
            if payee != payer and first_in <= last_out:
                yield (-min(paid_in, paid_out), first_in, payer, payee, book.business,
                       paid_in, paid_out, last_out)


def count_relay_pairs(book: Ledger) -> int:
    """How many pairs relay_pairs yields, counted without listing them."""
    outs = sorted(book.last_out.values())
    total = 0
    for payer, paid_in in book.payers.items():
        if paid_in <= 0:
            continue
        first_in = book.first_in[payer]
        total += len(outs) - bisect_left(outs, first_in)
        if payer in book.last_out and first_in <= book.last_out[payer]:
            total -= 1  # not a flow to oneself
    return total


def rank_key(line: dict[str, Any]) -> tuple[int, int, str]:
    """Most paid back out first; paying out without receiving ranks above everything."""
    bps = line["payout_bps"]
    return (-(bps if bps is not None else BPS * BPS), -int(line["paid_out_micro"]),
            str(line["business"]))


def describe_business(book: Ledger) -> dict[str, Any]:
    """A business's line in the ranking; `payout_bps` is paid out / received in basis points
    (None when it received nothing in the window but paid out: the most suspicious)."""
    received = max(book.received, 0)
    if received:
        bps: int | None = book.paid_out * BPS // received
    else:
        bps = None if book.paid_out else 0
    return {"business": book.business, "received_micro": received,
            "paid_out_micro": book.paid_out, "payout_bps": bps,
            "payers": sum(1 for v in book.payers.values() if v > 0), "payees": len(book.payees)}
