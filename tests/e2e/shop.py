"""A business with one offer and a resident with the diamonds to redeem it: where the
voucher and webhook stories start."""

from __future__ import annotations

from planet.core.exchange.messages import CreateOffer
from planet.sdk.wallet import Wallet
from tests.e2e.conftest import E2ENode
from tests.integration.nodeproc import wait_until

HOUR_MS = 3_600_000


def open_tea_house(node: E2ENode, price: int) -> tuple[Wallet, Wallet, int]:
    """(business "Tea House", resident, offer id): an hour-long offer of 10 Oolong tins at
    `price` µBD, and a resident who checked in and collected at least that much."""
    business, resident = Wallet.generate(), Wallet.generate()
    node.client.register_business(node.operator, business, "Tea House")
    node.client.register_resident(resident, node.invite_codes(1)[0])
    node.client.complete_task(resident, "daily_checkin")
    wait_until("diamonds to collect", lambda: node.client.holder(resident.address)
               ["pending_micro"] >= price, timeout=120)
    node.client.collect(resident)
    now = int(node.client.status()["time"])
    outcome = node.client.send(business, CreateOffer(
        item="Oolong tin", price=price, stock=10, starts_at=now - 1000, ends_at=now + HOUR_MS,
        min_force=0, daily_limit=0))
    offer = int(next(e["attributes"]["offer"] for e in outcome.events
                     if e["type"] == "exchange/offer_created"))
    return business, resident, offer
