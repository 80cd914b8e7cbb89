"""The business console and the operator dashboard on a phone (issue 16, items 5 and 6): at
390×844 in Chinese every page of both fits the screen (wide tables scroll inside their own
box), speaks Chinese and has touch-sized buttons; and a refund or a suspension asks first, in
the page, where Escape and Cancel change nothing on the ledger."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from planet.core.exchange.messages import CreateRequest, RedeemOffer
from planet.sdk.keys import export_keystore_json
from planet.sdk.wallet import Wallet
from tests.e2e.conftest import E2ENode
from tests.e2e.shop import open_tea_house
from tests.e2e.site import show
from tests.e2e.wallets import import_clear_keystore
from tests.integration.nodeproc import wait_until

PRICE = 2  # µBD: two redemptions leave the purse enough for a 1 µBD data reward
HOUR_MS = 3_600_000
PHONE = {"width": 390, "height": 844}
CHINESE = re.compile(r"[\u4e00-\u9fff]{2,}")
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 8).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""
# Buttons, tabs and choice chips on the page (not inside a table's scrolling box, which is
# measured the same way) shorter than a finger.
SMALL_TARGETS = """() => [...document.querySelectorAll('.page .btn, .page .tab, .page .choice')]
  .map((e) => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.width > 0 && r.height > 0 && r.height < 44)
  .slice(0, 8)
  .map(([e, r]) => `${e.dataset.testid || e.textContent.trim().slice(0, 24)} ${Math.round(r.height)}px`)"""
IN_DIALOG = "() => !!document.activeElement && !!document.activeElement.closest('[role=alertdialog]')"


def phone_page(new_page: Callable[..., Any], role: str, keystore: str) -> Any:
    """A zh-CN browser at 390×844 (a desktop browser made narrow: is_mobile off) with the
    role's wallet imported."""
    page = new_page(role, locale="zh-CN", viewport=PHONE, is_mobile=False)
    import_clear_keystore(page, keystore, role)
    expect(page.get_by_test_id("wallet-switcher")).to_be_visible()
    return page


def fits_and_speaks_chinese(page: Any, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: {width} px wide on a 390 px screen: {page.evaluate(WIDEST)}"
    text = page.locator(".page").first.inner_text()
    assert CHINESE.search(text), f"{name}: no Chinese on the page: {text[:200]!r}"
    small = page.evaluate(SMALL_TARGETS)
    assert small == [], f"{name}: tap targets under 44 px: {small}"


def tea_house_with_redemptions(node: E2ENode, count: int) -> tuple[Wallet, Wallet, int]:
    business, resident, offer = open_tea_house(node, PRICE)
    for _ in range(count):
        node.client.send(resident, RedeemOffer(offer=offer))
    return business, resident, offer


def test_every_console_and_dashboard_page_fits_a_phone_in_chinese(
        node: E2ENode, new_page: Callable[..., Any], shot: Callable[[Any, str], Path]) -> None:
    business, _resident, _offer = tea_house_with_redemptions(node, 2)
    t = int(node.client.status()["time"])
    node.client.send(business, CreateRequest(
        categories=("shopping",), period_start=0, period_end=t, purpose="茶叶口味调查",
        reward=1, residents=1, cohort=1, expires_at=t + HOUR_MS, access_ms=HOUR_MS))
    request = int(node.query("exchange/requests", business=business.address)["items"][0]["id"])

    shop = phone_page(new_page, "business", export_keystore_json(business, None, "Tea House"))
    for tab, testid in (("overview", "business-page"), ("requests", "business-requests"),
                        (f"requests/{request}", "business-request-detail"), ("tasks", "business-attest"),
                        ("deposits", "business-deposit"), ("offers", "business-redemption-row"),
                        ("webhooks", "webhook-endpoints")):
        show(shop, f"/#/business/{tab}", testid)
        fits_and_speaks_chinese(shop, f"business/{tab}")
        shot(shop, f"business-{tab.replace('/', '-')}")

    operator = phone_page(new_page, "operator", node.operator_keystore.read_text())
    for tab, testid in (("overview", "op-supply"), ("tasks", "op-tasks"), ("businesses", "op-business-row"),
                        ("relays", "op-relays"), ("invites", "op-invites")):
        show(operator, f"/#/operator/{tab}", testid)
        fits_and_speaks_chinese(operator, f"operator/{tab}")
        shot(operator, f"operator-{tab}")
    assert not [e for e in shop.planet_errors + operator.planet_errors if " console: " not in e]


def test_refund_and_suspend_ask_first_and_cancel_changes_nothing(
        node: E2ENode, new_page: Callable[..., Any], shot: Callable[[Any, str], Path]) -> None:
    business, resident, _offer = tea_house_with_redemptions(node, 1)
    redemption = node.query("exchange/redemptions", address=resident.address)["items"][0]
    assert redemption["status"] == "pending"

    def status() -> str:
        return str(node.query("exchange/redemption", id=redemption["id"])["status"])

    shop = phone_page(new_page, "business", export_keystore_json(business, None, "Tea House"))
    show(shop, "/#/business/offers", "business-redemption-row")
    refund = shop.get_by_test_id("refund-submit")
    dialog = shop.get_by_test_id("refund-submit-dialog")

    # Refund asks first; focus moves into the question; Escape goes back and changes nothing.
    refund.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("role", "alertdialog")
    expect(dialog).to_contain_text("退款")
    shop.wait_for_function(IN_DIALOG)  # focus moves in after the question is drawn
    fits_and_speaks_chinese(shop, "refund question")
    shot(shop, "refund-asks")
    shop.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(refund).to_be_focused()
    # Cancel also changes nothing; Confirm refunds.
    refund.click()
    shop.get_by_test_id("refund-submit-cancel").click()
    expect(dialog).to_have_count(0)
    assert status() == "pending"
    expect(shop.get_by_test_id("business-redemption-row")).to_have_count(1)
    refund.click()
    shop.get_by_test_id("refund-submit-confirm").click()
    wait_until("the refund", lambda: status() == "refunded", timeout=15)
    expect(shop.get_by_test_id("business-redemption-empty")).to_be_visible()

    # Suspending needs a reason before it asks, then asks; Cancel and Escape keep it trading.
    operator = phone_page(new_page, "operator", node.operator_keystore.read_text())
    show(operator, "/#/operator/businesses", "op-business-row")
    row = operator.get_by_test_id("op-business-row").filter(
        has=operator.locator(f"a[href='#/explorer/account/{business.address}']"))
    suspend = row.get_by_test_id("op-business-suspend")
    suspend.click()
    expect(row.get_by_test_id("op-business-suspend-error")).to_be_visible()
    expect(row.get_by_test_id("op-business-suspend-dialog")).to_have_count(0)
    row.get_by_test_id("op-business-suspend-reason").fill("兑换券从未送达")
    suspend.click()
    asked = row.get_by_test_id("op-business-suspend-dialog")
    expect(asked).to_be_visible()
    expect(asked).to_contain_text("兑换券从未送达")
    operator.wait_for_function(IN_DIALOG)
    fits_and_speaks_chinese(operator, "suspend question")
    shot(operator, "suspend-asks")
    row.get_by_test_id("op-business-suspend-cancel").click()
    expect(asked).to_have_count(0)
    suspend.click()
    expect(asked).to_be_visible()
    operator.wait_for_function(IN_DIALOG)  # Escape is the question's own key: it must have focus
    operator.keyboard.press("Escape")
    expect(asked).to_have_count(0)
    assert node.query("exchange/suspension", business=business.address)["suspended"] is False
    expect(row.get_by_test_id("op-business-suspend")).to_be_enabled()
    assert not [e for e in shop.planet_errors + operator.planet_errors if " console: " not in e]
