"""A business edits, pauses, resumes and stops its offer from the console (issue 17, item 4,
console side): the edit form sends only what changed and the ledger's refusals come back in
the code catalog's words; a paused offer cannot be bought in the resident's shop; stopping
asks first, Cancel keeps the offer, and a stopped offer has no controls left."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from planet.sdk.keys import export_keystore_json
from tests.e2e.conftest import E2ENode
from tests.e2e.shop import open_tea_house
from tests.e2e.site import show
from tests.e2e.wallets import import_clear_keystore
from tests.integration.nodeproc import wait_until

PRICE = 2  # µBD


def test_business_edits_pauses_resumes_and_stops_an_offer(
        node: E2ENode, new_page: Callable[..., Any], shot: Callable[[Any, str], Path]) -> None:
    business, resident, offer = open_tea_house(node, PRICE)

    def on_ledger() -> dict[str, Any]:
        found: dict[str, Any] = node.query("exchange/offer", id=offer)
        return found

    shop = new_page("business")
    import_clear_keystore(shop, export_keystore_json(business, None, "Tea House"), "business")
    expect(shop.get_by_test_id("business-tabs")).to_be_visible()
    show(shop, "/#/business/offers", "business-offer-row")
    state = shop.locator(f"[data-testid=offer-status][data-offer='{offer}']")
    expect(state).to_have_attribute("data-status", "on_sale")

    # Edit the price: the form is prefilled, and only the price is sent.
    shop.get_by_test_id(f"offer-edit-{offer}").click()
    form = shop.get_by_test_id("offer-edit-form")
    expect(form.get_by_test_id("edit-price")).to_have_value("0.000002")
    expect(form.get_by_test_id("edit-stock")).to_have_value("10")
    form.get_by_test_id("offer-edit-save").click()  # nothing changed: the catalog's 727 sentence
    expect(form.get_by_test_id("offer-edit-save-error")).to_have_text("The update changes nothing.")
    form.get_by_test_id("edit-stock").fill("0")
    form.get_by_test_id("offer-edit-save").click()
    expect(form.get_by_test_id("offer-edit-save-error")).to_contain_text("at least 1")
    form.get_by_test_id("edit-stock").fill("10")
    form.get_by_test_id("edit-price").fill("0.000003")
    form.get_by_test_id("offer-edit-save").click()
    expect(form).to_have_count(0)
    expect(shop.locator(f"[data-testid=offer-price-text][data-offer='{offer}']")).to_contain_text("0.000003")
    edited = on_ledger()
    assert (edited["price"], edited["stock"]) == (3, 10)
    shot(shop, "offer-edited")

    # Pause: the resident's shop cannot sell it (the ledger refuses with its own words).
    shop.get_by_test_id(f"offer-pause-{offer}").click()
    expect(state).to_have_attribute("data-status", "paused")
    expect(state).to_have_text("paused")
    assert on_ledger()["status"] == "paused"
    expect(shop.get_by_test_id(f"offer-pause-{offer}")).to_have_count(0)
    mei = new_page("resident")
    import_clear_keystore(mei, export_keystore_json(resident, None, "Mei"), "resident")
    expect(mei.get_by_test_id("wallet-switcher")).to_be_visible()
    show(mei, "/#/resident/shop", "shop")
    card = mei.locator(f"[data-testid=offer][data-offer='{offer}']")
    expect(card).to_be_visible()
    # The shop says so before any click, in the code catalog's words, and offers no Redeem.
    expect(card.get_by_test_id("offer-refusal")).to_contain_text("paused by its business")
    expect(card.get_by_test_id("offer-redeem")).to_be_disabled()
    assert node.query("exchange/redemptions", address=resident.address)["total"] == 0
    shot(mei, "shop-paused")

    # Resume: on sale again.
    shop.get_by_test_id(f"offer-resume-{offer}").click()
    expect(state).to_have_attribute("data-status", "on_sale")
    assert on_ledger()["status"] == "on_sale"

    # Stop asks first; Cancel keeps it on sale; Confirm stops it for good.
    stop = shop.get_by_test_id(f"offer-stop-{offer}")
    stop.click()
    asked = shop.get_by_test_id(f"offer-stop-{offer}-dialog")
    expect(asked).to_have_attribute("role", "alertdialog")
    expect(asked).to_contain_text("Oolong tin")
    shop.get_by_test_id(f"offer-stop-{offer}-cancel").click()
    expect(asked).to_have_count(0)
    assert on_ledger()["status"] == "on_sale"
    stop.click()
    shop.get_by_test_id(f"offer-stop-{offer}-confirm").click()
    expect(state).to_have_attribute("data-status", "stopped")
    wait_until("the offer stopped", lambda: on_ledger()["status"] == "stopped", timeout=15)
    for action in ("edit", "pause", "resume", "stop"):
        expect(shop.get_by_test_id(f"offer-{action}-{offer}")).to_have_count(0)
    shot(shop, "offer-stopped")
    assert not [e for e in shop.planet_errors + mei.planet_errors if " console: " not in e]
