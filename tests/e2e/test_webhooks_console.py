"""Webhooks in the business console (issue 17, item 3): an approved business adds an endpoint
pointing at a receiver on loopback, sees the secret once, a resident redeems one of its
offers, the delivery shows in the console's log as delivered, Redeliver sends the same event
again, and after a reload the secret is nowhere on the page. Then, on a phone's width, the
screen does not overflow and its buttons are touch-sized, and removing the endpoint asks
first. axe-core finds no serious accessibility violation on the screen.

The module's node allows webhooks to private URLs (config.json `webhooks`), which the shared
e2e node does not, so this module starts its own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from planet.core.exchange.messages import CreateOffer, RedeemOffer
from planet.node.home import Home, init_home
from planet.sdk.client import PlanetClient
from planet.sdk.keys import export_keystore_json, load_keystore
from planet.sdk.wallet import Wallet
from tests.e2e.conftest import BLOCK_INTERVAL_MS, EMPTY_BLOCK_MS, E2ENode
from tests.e2e.test_a11y import AXE, violations
from tests.e2e.wallets import import_clear_keystore
from tests.integration.nodeproc import NodeProcess, wait_until
from tests.integration.webhook_receiver import Receiver

HOUR_MS = 3_600_000
PRICE = 2
PHONE = {"width": 390, "height": 844}
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 8).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory, web_dist: Path) -> Iterator[E2ENode]:
    """The e2e node of conftest, with webhooks allowed to loopback and retried quickly."""
    path = tmp_path_factory.mktemp("e2e-webhooks-home")
    home = init_home(path, "planet-e2e", preset="test")
    config = json.loads(home.config_file.read_text())
    config.update(block_interval_ms=BLOCK_INTERVAL_MS, empty_block_ms=EMPTY_BLOCK_MS,
                  webhooks={"allow_private_urls": True, "backoff_base_s": 0.5, "backoff_cap_s": 2.0})
    home.config_file.write_text(json.dumps(config, indent=2) + "\n")
    proc = NodeProcess(path).start()
    client = PlanetClient(proc.url)
    keys = Home(path).keys_dir
    try:
        yield E2ENode(url=proc.url, home=path, chain_id="planet-e2e",
                      operator=load_keystore(keys / "operator.json", None),
                      verifier=load_keystore(keys / "verifier.json", None),
                      client=client, operator_keystore=keys / "operator.json")
    finally:
        client.close()
        proc.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail_first=0)
    try:
        yield r
    finally:
        r.close()


def no_overflow(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(WIDEST)
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px screen: {wide}"


def test_console_adds_endpoint_sees_delivery_and_redelivers(
        node: E2ENode, new_page: Any, shot: Any, receiver: Receiver) -> None:
    business, resident = Wallet.generate(), Wallet.generate()
    node.client.register_business(node.operator, business, "Tea House")
    node.client.register_resident(resident, node.invite_codes(1)[0])
    node.client.complete_task(resident, "daily_checkin")
    wait_until("diamonds to collect", lambda: node.client.holder(resident.address)
               ["pending_micro"] >= PRICE, timeout=120)
    node.client.collect(resident)
    now = int(node.client.status()["time"])
    outcome = node.client.send(business, CreateOffer(
        item="Oolong tin", price=PRICE, stock=10, starts_at=now - 1000, ends_at=now + HOUR_MS,
        min_force=0, daily_limit=0))
    offer = int(next(e["attributes"]["offer"] for e in outcome.events
                     if e["type"] == "exchange/offer_created"))

    # The business adds an endpoint for redemptions; the secret is shown once, with a warning.
    shop = new_page("business", bypass_csp=True)  # to inject axe-core below
    import_clear_keystore(shop, export_keystore_json(business, None, "Tea House"), "business")
    expect(shop.get_by_test_id("business-tabs")).to_be_visible()
    shop.get_by_test_id("tab-webhooks").click()
    expect(shop.get_by_test_id("webhook-empty")).to_be_visible()
    shop.get_by_test_id("webhook-add").click()
    expect(shop.get_by_test_id("webhook-add-error")).to_contain_text("URL")  # nothing typed yet
    shop.get_by_test_id("webhook-url").fill(receiver.url)
    expect(shop.get_by_test_id("webhook-event-redemption.made")).to_be_checked()
    shop.get_by_test_id("webhook-event-redemption.refunded").check()
    shop.get_by_test_id("webhook-add").click()
    expect(shop.get_by_test_id("webhook-secret-warning")).to_contain_text("shown this once")
    secret = shop.get_by_test_id("webhook-secret").inner_text().strip()
    assert secret.startswith("whsec_")
    receiver.secrets.append(secret)
    expect(shop.get_by_test_id("webhook-row")).to_have_count(1)
    expect(shop.get_by_test_id("webhook-url-text")).to_have_text(receiver.url)
    expect(shop.get_by_test_id("webhook-row")).to_contain_text("Redemption refunded")
    shot(shop, "webhook-added")

    # A resident redeems; the node delivers, signed with that secret, and the log says so.
    node.client.send(resident, RedeemOffer(offer=offer))
    (event,) = receiver.wait_events(1, timeout=60)
    assert event["type"] == "redemption.made"
    expect(shop.get_by_test_id("webhook-delivery-row")).to_have_count(1, timeout=30_000)
    row = shop.get_by_test_id("webhook-delivery-row")
    expect(row.get_by_test_id("webhook-delivery-status")).to_have_text("delivered", timeout=30_000)
    expect(row).to_contain_text("Redemption made")
    expect(row).to_contain_text(event["id"])
    expect(row.get_by_test_id("webhook-delivery-attempts")).to_have_text("1")
    expect(row).to_contain_text("200")

    # Redeliver: the receiver sees the same event id a second time.
    row.get_by_test_id("webhook-redeliver").click()
    wait_until("the event redelivered", lambda: receiver.tries(event["id"]) == [200, 200],
               timeout=60)
    expect(row.get_by_test_id("webhook-delivery-status")).to_have_text("delivered", timeout=30_000)
    shot(shop, "webhook-redelivered")

    # The secret is gone after a reload: the node never returns it again.
    shop.reload()
    expect(shop.get_by_test_id("webhook-row")).to_have_count(1)
    expect(shop.get_by_test_id("webhook-delivery-row")).to_have_count(1)
    expect(shop.get_by_test_id("webhook-secret")).to_have_count(0)
    assert secret not in shop.content()
    assert not [e for e in shop.planet_errors if " console: " not in e]
    if AXE.is_file():  # npm ci in web/ puts it there; test_a11y requires it
        assert violations(shop) == []

    # On a phone: no overflow, touch-sized buttons; removing asks first (cancel keeps it).
    shop.set_viewport_size(PHONE)
    expect(shop.get_by_test_id("webhook-redeliver")).to_be_visible()
    no_overflow(shop)
    for testid in ("webhook-add", "webhook-remove", "webhook-redeliver"):
        box = shop.get_by_test_id(testid).bounding_box()
        assert box is not None and box["height"] >= 44, (testid, box)
    shot(shop, "webhooks-phone")
    asked: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    shop.once("dialog", lambda d: answer(d, False))
    shop.get_by_test_id("webhook-remove").click()
    wait_until("the confirmation asked", lambda: len(asked) == 1, timeout=15)
    assert receiver.url in asked[0]
    expect(shop.get_by_test_id("webhook-row")).to_have_count(1)
    shop.once("dialog", lambda d: answer(d, True))
    shop.get_by_test_id("webhook-remove").click()
    expect(shop.get_by_test_id("webhook-empty")).to_be_visible()
    expect(shop.get_by_test_id("webhook-delivery-empty")).to_be_visible()
    assert not [e for e in shop.planet_errors if " console: " not in e]
