"""Webhooks in the business console (issue 17, item 3): an approved business adds an endpoint
pointing at a receiver on loopback, sees the secret once, a resident redeems one of its
offers, the delivery shows in the console's log as delivered, Redeliver sends the same event
again, and after a reload the secret is nowhere on the page. Then, on a phone's width, the
screen does not overflow and its buttons are touch-sized, and removing the endpoint asks
first. axe-core finds no serious accessibility violation on the screen.

The module's node allows webhooks to private URLs (config.json `webhooks`), which the shared
e2e node does not, so this module starts its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from planet.core.exchange.messages import RedeemOffer
from planet.sdk.keys import export_keystore_json
from tests.e2e.conftest import E2ENode, running_node
from tests.e2e.shop import open_tea_house
from tests.e2e.test_a11y import AXE, violations
from tests.e2e.wallets import import_clear_keystore
from tests.integration.nodeproc import wait_until
from tests.integration.webhook_receiver import Receiver

PRICE = 2
PHONE = {"width": 390, "height": 844}
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 8).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory, web_dist: Path) -> Iterator[E2ENode]:
    """The e2e node of conftest, with webhooks allowed to loopback and retried quickly."""
    with running_node(tmp_path_factory.mktemp("e2e-webhooks-home"), config={"webhooks": {
            "allow_private_urls": True, "backoff_base_s": 0.5, "backoff_cap_s": 2.0}}) as started:
        yield started


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
    business, resident, offer = open_tea_house(node, PRICE)

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
    shop.get_by_test_id("webhook-remove").click()
    asked = shop.get_by_test_id("webhook-remove-dialog")
    expect(asked).to_be_visible()
    expect(asked).to_have_attribute("role", "alertdialog")
    expect(asked).to_contain_text(receiver.url)
    no_overflow(shop)
    shop.get_by_test_id("webhook-remove-cancel").click()
    expect(asked).to_have_count(0)
    expect(shop.get_by_test_id("webhook-row")).to_have_count(1)
    shop.get_by_test_id("webhook-remove").click()
    shop.get_by_test_id("webhook-remove-confirm").click()
    expect(shop.get_by_test_id("webhook-empty")).to_be_visible()
    expect(shop.get_by_test_id("webhook-delivery-empty")).to_be_visible()
    assert not [e for e in shop.planet_errors if " console: " not in e]
