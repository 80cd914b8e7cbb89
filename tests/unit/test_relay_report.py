"""The relay report keeps only its top flows and counts the rest without listing them: the
route is public, and one business with 1,500 payers and 1,500 payees used to build 2.25 M
flows (51 s, 859 MB). The lean way must say exactly what listing every pair said."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from planet.api import relays
from planet.api.relays import Payment, compute_relays

RESIDENTS = [f"r{i}" for i in range(6)]
BUSINESSES = ["b0", "b1"]

payment = st.builds(
    Payment, time=st.integers(0, 20), height=st.integers(1, 20), tx=st.sampled_from("abc"),
    business=st.sampled_from(BUSINESSES), resident=st.sampled_from(RESIDENTS),
    amount=st.integers(-5, 50), inbound=st.booleans())


def every_flow(payments: list[Payment]) -> list[dict[str, Any]]:
    """The report's flows by their definition, every pair listed and sorted."""
    books: dict[str, Any] = {}
    for p in sorted(payments, key=lambda p: (p.time, p.height, p.tx)):
        b = books.setdefault(p.business, {"in": {}, "out": {}, "first": {}, "last": {}})
        if p.inbound:
            b["in"][p.resident] = b["in"].get(p.resident, 0) + p.amount
            if p.amount > 0:
                b["first"].setdefault(p.resident, p.time)
        else:
            b["out"][p.resident] = b["out"].get(p.resident, 0) + p.amount
            b["last"][p.resident] = p.time
    flows = [{"from": a, "business": name, "to": z, "paid_in_micro": pin, "paid_out_micro": pout,
              "relayed_micro": min(pin, pout), "first_in": b["first"][a], "last_out": b["last"][z]}
             for name, b in books.items() for a, pin in b["in"].items() if pin > 0
             for z, pout in b["out"].items() if z != a and b["first"][a] <= b["last"][z]]
    return sorted(flows, key=lambda f: (-f["relayed_micro"], f["first_in"], f["from"], f["to"],
                                        f["business"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(payment, max_size=40), st.integers(1, 6))
def test_top_flows_and_their_count_are_those_of_every_pair(payments: list[Payment],
                                                           keep: int) -> None:
    expected = every_flow(payments)
    old, relays.MAX_FLOWS = relays.MAX_FLOWS, keep
    try:
        report = compute_relays(payments, 0, 21)
    finally:
        relays.MAX_FLOWS = old
    assert report["flows_total"] == len(expected)
    assert report["flows"] == expected[:keep]


def test_a_large_business_reports_without_listing_every_pair() -> None:
    payments = [Payment(1, 1, "a", "shop", f"payer{i}", 10 + i, True) for i in range(1_500)]
    payments += [Payment(2, 2, "b", "shop", f"payee{i}", 5 + i, False) for i in range(1_500)]
    report = compute_relays(payments, 0, 3)
    assert report["flows_total"] == 1_500 * 1_500
    assert len(report["flows"]) == relays.MAX_FLOWS
    assert report["flows"][0]["relayed_micro"] == 1_504  # the largest payer to the largest payee
