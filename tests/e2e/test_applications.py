"""Business applications in a real Chromium (issue 17, item 1): a shop applies from its
console (signed in its browser, on the ledger), the operator's dashboard lists the queue,
declines another application with a reason (asked for first) and approves the shop after
confirming; the shop's console shows each status and opens once approved."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from planet.sdk.wallet import Wallet
from tests.e2e.conftest import E2ENode
from tests.e2e.wallets import create_wallet, import_clear_keystore

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SHOP = "Harbour Noodles"


def test_the_operator_approves_from_the_queue_and_declines_with_a_reason(
        node: E2ENode, new_page: Callable[..., Any], shot: Callable[[Any, str], Path]) -> None:
    shop = new_page("business")
    create_wallet(shop, SHOP, "business")
    shop.get_by_test_id("business-contact").fill("noodles@example.com")
    shop.get_by_test_id("business-offers").fill("x" * 241)
    shop.get_by_test_id("business-apply-submit").click()
    expect(shop.get_by_test_id("business-apply-submit-error")).to_contain_text(
        "longer than 240 bytes")
    shop.get_by_test_id("business-offers").fill("Hand-pulled noodles; 10% off for verified residents")
    shop.get_by_test_id("business-apply-submit").click()
    expect(shop.get_by_test_id("business-application-state")).to_have_text("Waiting")
    shot(shop, "business-applied")

    rival = Wallet.generate()
    rival_id = node.client.apply_business(rival, "Night Arcade", "+86 10 1234 5678", "Games")

    operator = new_page("operator")
    import_clear_keystore(operator, node.operator_keystore.read_text(), "operator")
    expect(operator.get_by_test_id("operator-role")).to_contain_text("Signed in as the operator")
    operator.get_by_test_id("tab-businesses").click()
    expect(operator.get_by_test_id("op-application-row")).to_have_count(2)
    expect(operator.get_by_test_id("op-applications")).to_contain_text("2 waiting")
    shot(operator, "operator-applications")

    arcade = operator.get_by_test_id("op-application-row").filter(has_text="Night Arcade")
    arcade.get_by_test_id("op-application-decline").click()
    arcade.get_by_test_id("op-application-decline-confirm").click()
    expect(arcade.get_by_test_id("op-application-decline-confirm-error")).to_contain_text(
        "Say why you decline")
    arcade.get_by_test_id("op-application-reason").fill("Games are out of scope for now")
    arcade.get_by_test_id("op-application-decline-confirm").click()
    expect(operator.get_by_test_id("op-application-row")).to_have_count(1)
    assert node.client.application(rival_id)["reason"] == "Games are out of scope for now"

    row = operator.get_by_test_id("op-application-row")
    row.get_by_test_id("op-application-approve").click()
    expect(row.get_by_test_id("op-application-confirm")).to_contain_text(f"Register {SHOP} as a business?")
    row.get_by_test_id("op-application-cancel").click()  # asked, not sent
    row.get_by_test_id("op-application-approve").click()
    row.get_by_test_id("op-application-quota").fill("40")
    row.get_by_test_id("op-application-approve-confirm").click()
    expect(operator.get_by_test_id("op-application-empty")).to_be_visible()
    expect(operator.get_by_test_id("op-business-row")).to_contain_text(SHOP)
    shot(operator, "operator-approved")

    expect(shop.get_by_test_id("business-tabs")).to_be_visible(timeout=20_000)
    expect(shop.get_by_test_id("business-quota")).to_contain_text("40")
    shot(shop, "business-console")
    assert not [e for e in shop.planet_errors + operator.planet_errors
                if "Failed to load resource" not in e]


def test_a_declined_applicant_reads_the_reason_in_its_console(
        node: E2ENode, new_page: Callable[..., Any]) -> None:
    page = new_page("business")
    create_wallet(page, "Corner Bakery", "business")
    page.get_by_test_id("business-contact").fill("bake@example.com")
    page.get_by_test_id("business-offers").fill("Bread")
    page.get_by_test_id("business-apply-submit").click()
    expect(page.get_by_test_id("business-application-state")).to_have_text("Waiting")
    (app_id,) = [a["id"] for a in node.client.applications()["items"] if a["name"] == "Corner Bakery"]
    node.client.decline_application(node.operator, app_id, "Please attach your food licence")
    expect(page.get_by_test_id("business-application-state")).to_have_text("Declined")
    expect(page.get_by_test_id("business-application-reason")).to_contain_text(
        "Please attach your food licence")
    expect(page.get_by_test_id("business-application-wait")).to_contain_text("apply again in")
