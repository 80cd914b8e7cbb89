"""The story of the exchange, end to end in a real Chromium against a real node.

Three people on three machines — the operator, a coffee shop and a new resident — each in
their own browser context with keys made (or imported) in that browser. The shop's purse
is funded the only way a business earns diamonds: a resident redeems its offer. Then the
shop asks for travel records, the resident sees exactly which record would be shared and
accepts, and the shop decrypts it in its console: the test reads the plaintext on the
page. The operator disables a task and the resident sees it disabled; the explorer shows
the block and the transaction. Every page visited is screenshotted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import E2ENode
from tests.e2e.wallets import create_wallet, import_clear_keystore

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SHOP = "Harbour Coffee"
PURPOSE = "Plan a new bus line between the harbour and the station"
TRIP = "Train G1234 Shanghai to Hangzhou, Friday 08:05, seat 12F"
DEPOSIT = "Bought 2 flat whites at Harbour Coffee, Nanjing Road"
VOUCHER = "COFFEE-7F3K-22QD"
NAME = "Chen Jing"
VALID_ID = "11010519491231002X"  # GB 11643 textbook example (passes stdnum.cn.ric)
PHONE = "13800138000"


def real_errors(page: Any) -> list[str]:
    # A 404 for "nothing yet" (e.g. no holder before the first Force) is an answer.
    return [e for e in page.planet_errors if "Failed to load resource" not in e]


def test_operator_business_and_resident_trade_data_for_diamonds(
        node: E2ENode, new_page: Callable[[str], Any], shot: Callable[[Any, str], Path]) -> None:
    # --- The operator imports its keystore from the node home into its browser.
    operator = new_page("operator")
    import_clear_keystore(operator, node.operator_keystore.read_text(), "operator")
    expect(operator.get_by_test_id("operator-role")).to_contain_text("Signed in as the operator")
    expect(operator.get_by_test_id("supply-chart")).to_be_visible()
    expect(operator.get_by_test_id("census-residents")).to_have_text("0")
    # The node's verifier is the development one, and the dashboard says so.
    expect(operator.get_by_test_id("identity-authority")).to_have_text(
        "checksum only — not for production")
    expect(operator.get_by_test_id("identity-sender")).to_have_text(
        "the node's log — development only")
    shot(operator, "operator-supply")

    # --- A shop makes its keys in its browser and applies on the ledger.
    shop = new_page("business")
    create_wallet(shop, SHOP, "business")
    expect(shop.get_by_test_id("business-name")).to_have_value(SHOP)
    shop.get_by_test_id("business-contact").fill("+86 21 5555 0101")
    shop.get_by_test_id("business-offers").fill("Flat whites; 10% off for verified residents")
    shop.get_by_test_id("business-apply-submit").click()
    expect(shop.get_by_test_id("business-application-state")).to_have_text("Waiting")
    expect(shop.get_by_test_id("business-waiting")).to_be_visible()
    shot(shop, "business-application")

    # --- The operator approves it from the queue, with a daily Force quota.
    operator.get_by_test_id("tab-businesses").click()
    expect(operator.get_by_test_id("op-application-name")).to_have_text(SHOP)
    operator.get_by_test_id("op-application-approve").click()
    expect(operator.get_by_test_id("op-application-confirm")).to_contain_text(SHOP)
    operator.get_by_test_id("op-application-quota").fill("50")
    operator.get_by_test_id("op-application-approve-confirm").click()
    expect(operator.get_by_test_id("op-application-empty")).to_be_visible()
    expect(operator.get_by_test_id("op-business-row")).to_have_count(1)
    shot(operator, "operator-businesses")
    business = node.query("applications/application", id=1)["applicant"]
    assert node.query("accounts/account", address=business)["kind"] == "business"
    assert node.query("force/quota", address=business)["daily_force"] == 50

    # The shop's console opens by itself on the next block; it lists a coffee.
    expect(shop.get_by_test_id("business-tabs")).to_be_visible(timeout=20_000)
    expect(shop.get_by_test_id("business-purse")).to_have_text("0.00 BD")
    shot(shop, "business-overview")
    # Nothing in the purse yet: asking for data is refused with the core's reason.
    shop.get_by_test_id("tab-requests").click()
    shop.get_by_test_id("request-purpose").fill(PURPOSE)
    shop.get_by_test_id("request-reward").fill("0.5")
    shop.get_by_test_id("request-residents").fill("1")
    shop.get_by_test_id("request-cohort").fill("1")
    shop.get_by_test_id("request-create").click()
    expect(shop.get_by_test_id("request-create-error")).to_contain_text("needs 500000 µBD")
    shot(shop, "business-request-refused")
    shop.get_by_test_id("tab-offers").click()
    shop.get_by_test_id("offer-item").fill("Flat white")
    shop.get_by_test_id("offer-price").fill("1")
    shop.get_by_test_id("offer-stock").fill("20")
    shop.get_by_test_id("offer-create").click()
    expect(shop.get_by_test_id("business-offer-row")).to_have_count(1)
    expect(shop.get_by_test_id("offer-sold")).to_have_text("0 / 20")

    # --- The operator makes an invitation code in its browser for a newcomer.
    operator.get_by_test_id("tab-invites").click()
    operator.get_by_test_id("op-invite-count").fill("1")
    operator.get_by_test_id("op-invite-create").click()
    code = operator.get_by_test_id("op-invite-code").first.inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code), code
    shot(operator, "operator-invites")

    # --- A new resident onboards with it, verifies, checks in and collects.
    resident = new_page("resident")
    create_wallet(resident, "Chen", "resident")
    expect(resident.get_by_test_id("onboarding")).to_be_visible()
    resident.get_by_test_id("invite-code").fill(code)
    resident.get_by_test_id("register-submit").click()
    expect(resident.get_by_test_id("verify-card")).to_be_visible()
    node.verify_in_page(resident, NAME, VALID_ID, PHONE)  # the code read from the node's log
    expect(resident.get_by_test_id("verified-badge")).to_be_visible(timeout=30_000)
    address = resident.evaluate("localStorage.getItem('planet.current')")
    assert node.query("accounts/account", address=address)["verified"] is True
    resident.get_by_test_id("tab-tasks").click()
    resident.get_by_test_id("checkin").click()
    expect(resident.get_by_test_id("checkin-last")).to_contain_text("Last check-in")
    resident.get_by_test_id("tab-planet").click()
    expect(resident.get_by_test_id("bubble").last).to_be_visible(timeout=20_000)
    resident.get_by_test_id("collect").click()
    expect(resident.get_by_test_id("toast").filter(has_text="Collected")).to_be_visible()
    expect(resident.get_by_test_id("balance")).not_to_have_text("0.00 BD")
    shot(resident, "resident-collected")

    # She buys a coffee: the price moves to the shop's purse (and nowhere else).
    resident.get_by_test_id("tab-shop").click()
    offer = resident.get_by_test_id("offer").filter(has_text="Flat white")
    offer.get_by_test_id("offer-redeem").click()  # asks first: the price and the balance after
    expect(offer.get_by_test_id("redeem-confirm")).to_contain_text("1.00 BD")
    assert node.query("exchange/purse", business=business)["balance"] == 0
    offer.get_by_test_id("offer-redeem-confirm").click()
    expect(resident.get_by_test_id("redemption-row")).to_have_count(1)
    assert node.query("exchange/purse", business=business)["balance"] == 1_000_000

    # --- The shop delivers the voucher (sealed to her), deposits a record and attests a task.
    expect(shop.get_by_test_id("business-redemption-row")).to_have_count(1)
    shop.get_by_test_id("fulfil-voucher").fill(VOUCHER)
    shop.get_by_test_id("fulfil-submit").click()
    expect(shop.get_by_test_id("business-settled-row")).to_contain_text("fulfilled")
    expect(shop.get_by_test_id("business-redemption-row")).to_have_count(0)
    expect(shop.get_by_test_id("offer-sold")).to_have_text("1 / 20")
    expect(shop.get_by_test_id("business-purse")).to_have_text("1.00 BD")
    shot(shop, "business-offers")
    force_before = node.query("force/force", address=address)["force"]
    # She allows the shop to deposit into her vault (a deposit needs her consent).
    resident.get_by_test_id("tab-vault").click()
    expect(resident.get_by_test_id("depositors-empty")).to_be_visible()
    resident.get_by_test_id("depositor-choice").select_option(business)
    resident.get_by_test_id("depositor-allow").click()
    expect(resident.get_by_test_id("depositor")).to_have_count(1)
    shop.get_by_test_id("tab-deposits").click()
    shop.get_by_test_id("deposit-owner").fill(address)
    shop.get_by_test_id("deposit-category").select_option("shopping")
    shop.get_by_test_id("deposit-task").select_option("shopping")
    shop.get_by_test_id("deposit-text").fill(DEPOSIT)
    shop.get_by_test_id("deposit-submit").click()
    expect(shop.get_by_test_id("deposit-row")).to_have_count(1)
    shot(shop, "business-deposits")
    shop.get_by_test_id("tab-tasks").click()
    shop.get_by_test_id("attest-task").select_option("browsing")
    shop.get_by_test_id("attest-residents").fill(address)
    shop.get_by_test_id("attest-submit").click()
    expect(shop.get_by_test_id("attest-done")).to_contain_text("1 credited for browsing")
    expect(shop.get_by_test_id("attestation-row")).to_have_count(1)
    expect(shop.get_by_test_id("business-quota")).to_have_text("46 / 50")  # 3 + 1 spent
    shot(shop, "business-tasks")
    assert node.query("force/force", address=address)["force"] == force_before + 3 + 1

    # --- The shop asks for travel records, paying 0.5 BD to one resident from its purse.
    shop.get_by_test_id("tab-requests").click()
    for category in ("travel", "shopping"):
        checkbox = shop.get_by_test_id(f"request-category-{category}")
        if category == "travel":
            expect(checkbox).to_be_checked()
        else:
            expect(checkbox).not_to_be_checked()
    shop.get_by_test_id("request-purpose").fill(PURPOSE)
    shop.get_by_test_id("request-reward").fill("0.5")
    shop.get_by_test_id("request-residents").fill("1")
    shop.get_by_test_id("request-cohort").fill("1")
    shop.get_by_test_id("request-expires").fill("7")
    shop.get_by_test_id("request-access").fill("30")
    expect(shop.get_by_test_id("request-budget")).to_have_text("0.5 BD")
    shop.get_by_test_id("request-create").click()
    expect(shop.get_by_test_id("business-request-row")).to_have_count(1)
    expect(shop.get_by_test_id("business-purse")).to_have_text("0.5 BD")
    shot(shop, "business-requests")

    # --- She reads her voucher, adds a travel record, and reviews the request.
    resident.get_by_test_id("tab-shop").click()
    resident.get_by_test_id("voucher-open").click()
    expect(resident.get_by_test_id("voucher-text")).to_have_text(VOUCHER)
    shot(resident, "resident-shop")
    resident.get_by_test_id("tab-vault").click()
    resident.get_by_test_id("record-category").select_option("travel")
    resident.get_by_test_id("record-text").fill(TRIP)
    resident.get_by_test_id("record-add").click()
    expect(resident.get_by_test_id("record-text")).to_have_value("")
    records = resident.get_by_test_id("record")
    expect(records.filter(has_text="shopping")).to_have_count(1)  # the shop's deposit
    expect(records.filter(has_text="travel")).to_have_count(1)
    travel_digest = records.filter(has_text="travel").get_attribute("data-digest")
    shot(resident, "resident-vault")
    resident.get_by_test_id("tab-requests").click()
    request = resident.get_by_test_id("request").filter(has_text=PURPOSE)
    expect(request).to_be_visible()
    request.get_by_test_id("request-open").click()
    # Exactly the travel record would be shared: not the identity copy, not the shopping one.
    eligible = request.get_by_test_id("eligible-record")
    expect(eligible).to_have_count(1)
    assert eligible.get_attribute("data-digest") == travel_digest
    expect(eligible).not_to_be_checked()  # nothing is shared unless she ticks it
    expect(request.get_by_test_id("request-accept")).to_be_disabled()
    eligible.check()
    shot(resident, "resident-request-review")
    request.get_by_test_id("request-accept").click()
    expect(resident.get_by_test_id("grant-state")).to_contain_text("active")
    shot(resident, "resident-granted")

    # --- The shop fetches and decrypts the granted record in its console.
    shop.get_by_test_id("business-request-link").first.click()
    expect(shop.get_by_test_id("request-accepted")).to_contain_text("1 of 1", timeout=10_000)
    expect(shop.get_by_test_id("business-grant-row")).to_have_count(1)
    shop.get_by_test_id("request-fetch").click()
    expect(shop.get_by_test_id("granted-plaintext")).to_have_count(1)
    expect(shop.get_by_test_id("granted-plaintext")).to_have_text(TRIP)
    shot(shop, "business-granted-decrypted")

    # --- The operator disables the check-in; her task list shows it disabled.
    operator.get_by_test_id("tab-tasks").click()
    operator.get_by_test_id("op-task-toggle-daily_checkin").click()
    expect(operator.get_by_test_id("op-task-toggle-daily_checkin-dialog")).to_contain_text("Daily check-in")
    operator.get_by_test_id("op-task-toggle-daily_checkin-confirm").click()
    expect(operator.get_by_test_id("op-task-state-daily_checkin")).to_have_text("disabled")
    shot(operator, "operator-tasks")
    assert node.query("force/task", id="daily_checkin")["enabled"] is False
    resident.get_by_test_id("tab-tasks").click()
    expect(resident.get_by_test_id("task-status-daily_checkin")).to_have_text("disabled")
    shot(resident, "resident-tasks-disabled")

    # The dashboard counts her: one active resident, with Force in the histogram.
    operator.get_by_test_id("tab-overview").click()
    expect(operator.get_by_test_id("census-residents")).to_have_text("1")
    expect(operator.get_by_test_id("census-active")).to_have_text("1")
    shot(operator, "operator-supply-after")

    # --- The explorer shows the grant's transaction and its block.
    grant = node.query("exchange/grant", request=1, resident=address)
    txs = httpx.get(f"{node.url}/v1/accounts/{address}/txs", params={"limit": 50}).json()
    items = txs if isinstance(txs, list) else txs.get("items", txs.get("txs", []))
    accept = next(t for t in items if "exchange/accept_request" in json.dumps(t))
    explorer = new_page("explorer")
    explorer.goto("/#/explorer")
    expect(explorer.get_by_test_id("explorer-blocks-row").first).to_be_visible()
    shot(explorer, "explorer-home")
    explorer.get_by_test_id("explorer-search").fill(accept["hash"])
    explorer.get_by_test_id("explorer-search-go").click()
    expect(explorer.get_by_test_id("explorer-tx")).to_be_visible()
    expect(explorer.get_by_test_id("tx-message")).to_contain_text("exchange/accept_request")
    expect(explorer.get_by_test_id("tx-message")).to_contain_text(travel_digest)
    expect(explorer.get_by_test_id("tx-events")).to_contain_text("exchange/granted")
    expect(explorer.get_by_test_id("tx-sender")).to_have_text(address)
    shot(explorer, "explorer-tx")
    explorer.get_by_test_id("record-link").first.click()  # the shared record's commitment
    expect(explorer.get_by_test_id("explorer-record")).to_contain_text(travel_digest)
    expect(explorer.get_by_test_id("explorer-record")).to_contain_text("added by its owner")
    shot(explorer, "explorer-record")
    explorer.go_back()
    explorer.get_by_test_id("tx-height").locator("a").click()
    expect(explorer.get_by_test_id("block-height")).to_have_text(str(accept["height"]))
    expect(explorer.get_by_test_id("block-txs-row").filter(has_text=accept["hash"][:10])).to_have_count(1)
    shot(explorer, "explorer-block")
    explorer.get_by_test_id("explorer-search").fill(business)
    explorer.get_by_test_id("explorer-search-go").click()
    expect(explorer.get_by_test_id("account-kind")).to_have_text("business")
    expect(explorer.get_by_test_id("account-purse")).to_contain_text("0.500000 BD")
    shot(explorer, "explorer-account")
    explorer.get_by_test_id("explorer-search").fill(address)
    explorer.get_by_test_id("explorer-search-go").click()
    expect(explorer.get_by_test_id("account-kind")).to_have_text("resident")
    force_now = node.query("force/force", address=address)["force"]
    expect(explorer.get_by_test_id("account-force")).to_have_text(str(force_now))
    expect(explorer.get_by_test_id("account-txs-row")).to_have_count(len(items))
    shot(explorer, "explorer-resident")
    assert grant["state"] == "active" and grant["records"][0]["digest"] == travel_digest

    for page in (operator, shop, resident, explorer):
        assert real_errors(page) == []
