"""The resident's app on a phone, in Chinese (issue 16, items 2 and 4): at 390×844 (with
is_mobile off, since mobile emulation widens the layout viewport) no resident page is wider
than the screen, every button and link in the page is a 44 px tap target, and the text is
Chinese. The planet shows its bubbles with Collect on the first screen; Complete and Redeem
say why they cannot be used before anyone taps them, and when the limit resets; Redeem asks
first; a data request starts with nothing ticked; businesses appear by name; Restore lands
on the planet. Screenshots of every page go to the test's tmp dir."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from planet.core.exchange.messages import CreateOffer, CreateRequest
from planet.sdk import vault as sdk_vault
from tests.e2e.conftest import E2ENode
from tests.e2e.site import Site, open_as, populate, show
from tests.e2e.wallets import create_wallet, fill_new_password
from tests.integration.nodeproc import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
CJK = re.compile(r"[\u3400-\u9fff]")
BUSINESS = "Harbour Coffee"  # site.populate's business
PRICE = 1_000  # µBD: a few blocks of a verified resident's emission
HOUR_MS = 3_600_000
DAY_MS = 86_400_000
RESET = "明天 00:00 重置"

# (name, route, test id shown once the page has loaded): every page of the resident's side
# and the shell's pages a resident uses on a phone.
PAGES = [(tab, f"/#/resident/{tab}", tab) for tab in
         ("planet", "tasks", "shop", "vault", "me", "requests", "invites", "history", "drill")] + [
    ("landing", "/#/", "landing"),
    ("wallets", "/#/wallet/list", "wallet-list"),
    ("wallet-create", "/#/wallet/create", "wallet-create"),
]

# Every visible button and link in the page's main content (the resident's bottom bar is in
# it) whose box is under 44 px tall. The one exception: a link inside a sentence (WCAG 2.5.8
# exempts inline links, whose size is the line's), i.e. an inline <a> whose parent holds
# more text than the link.
SMALL_TARGETS = """() => {
  const small = [];
  for (const el of document.querySelectorAll('main button, main a[href], main label.check')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.closest('.sr-only')) continue;
    const inSentence = el.tagName === 'A' && getComputedStyle(el).display === 'inline'
      && el.parentElement.textContent.trim().length > el.textContent.trim().length;
    if (inSentence) continue;
    if (box.height < 43.5) {
      small.push(`${el.tagName.toLowerCase()}[${el.dataset.testid || el.className}] `
        + `"${el.textContent.trim().slice(0, 30)}" ${Math.round(box.height)}px`);
    }
  }
  return small;
}"""


@pytest.fixture(scope="module")
def site(node: E2ENode) -> Iterator[Site]:
    """The populated planet, and for its resident: today's check-in, a cheap offer with a
    daily limit of one, and two shopping records (one the business deposited)."""
    site = populate(node)
    client = node.client
    client.complete_task(site.resident, "daily_checkin")
    now = int(client.status()["time"])
    client.send(site.business, CreateOffer(item="Jasmine tea", price=PRICE, stock=20,
                                           starts_at=now - DAY_MS, ends_at=now + 30 * DAY_MS,
                                           min_force=0, daily_limit=1))
    sdk_vault.deposit_record(client, site.business, site.resident.address, b"latte x2",
                             "shopping", now - 60_000)
    sdk_vault.add_record(client, site.resident, b"coffee diary", "shopping", now - 120_000)
    yield site


def ask_for_shopping_records(node: E2ENode, site: Site) -> int:
    """The business's request for shopping records (paid from what the resident spent)."""
    now = int(node.client.status()["time"])
    outcome = node.client.send(site.business, CreateRequest(
        categories=("shopping",), period_start=0, period_end=now, purpose="Coffee habits",
        reward=1, residents=1, cohort=1, expires_at=now + HOUR_MS, access_ms=HOUR_MS))
    return int(next(e["attributes"]["request"] for e in outcome.events
                    if e["type"] == "exchange/request_created"))


def fits_the_phone(page: Any, name: str) -> None:
    """No horizontal scrolling, 44 px tap targets, Chinese text."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} is {width} px wide"
    assert page.evaluate(SMALL_TARGETS) == [], name
    assert CJK.search(page.locator("main").inner_text()), name


def offer(page: Any, item: str) -> Any:
    return page.get_by_test_id("offer").filter(has_text=item)


def test_every_resident_page_fits_a_phone_in_chinese_and_is_honest(
        node: E2ENode, site: Site, new_page: Callable[..., Any], tmp_path: Path) -> None:
    page = open_as(node, site, new_page, "resident", locale="zh-CN", viewport=PHONE)
    assert page.evaluate("navigator.maxTouchPoints") == 0  # is_mobile off: a real 390 px layout

    def screenshot(name: str) -> None:
        page.screenshot(path=str(tmp_path / f"phone-{name}.png"), full_page=True)

    # The planet: bubbles around it and Collect on the first screen, above the bottom bar.
    wait_until("diamonds to collect", lambda: node.client.holder(site.resident.address)
               ["pending_micro"] >= PRICE, timeout=120)
    show(page, "/#/resident/planet", "planet")
    expect(page.get_by_test_id("bubble").first).to_be_visible(timeout=20_000)
    collect = page.get_by_test_id("collect")
    bar = page.get_by_test_id("resident-tabs")
    expect(collect).to_be_enabled()
    assert collect.bounding_box()["y"] + collect.bounding_box()["height"] <= bar.bounding_box()["y"]
    assert bar.bounding_box()["y"] + bar.bounding_box()["height"] == pytest.approx(PHONE["height"], abs=1)
    expect(bar.get_by_test_id("tab-planet")).to_have_attribute("aria-current", "page")
    for tab in ("tasks", "shop", "vault", "me"):
        expect(bar.get_by_test_id(f"tab-{tab}")).to_be_visible()
    for tab in ("invites", "requests", "history", "drill"):  # in "me" on a phone
        expect(bar.get_by_test_id(f"tab-{tab}")).to_be_hidden()
    screenshot("planet-bubbles")
    collect.click()
    expect(page.get_by_test_id("toast").filter(has_text="收入余额")).to_be_visible()
    expect(page.get_by_test_id("balance")).not_to_have_text(re.compile(r"^0\.00"))

    for name, route, testid in PAGES:
        show(page, route, testid)
        fits_the_phone(page, name)
        screenshot(name)

    # "Me" holds what has no place in the bar; its pages keep "me" current.
    show(page, "/#/resident/me", "me")
    page.get_by_test_id("me-invites").click()
    expect(page.get_by_test_id("invites").first).to_be_visible()
    expect(bar.get_by_test_id("tab-me")).to_have_attribute("aria-current", "page")

    # Tasks: checked in today, so Complete is disabled before the click, saying when it resets.
    bar.get_by_test_id("tab-tasks").click()
    expect(page.get_by_test_id("complete-daily_checkin")).to_be_disabled()
    expect(page.get_by_test_id("complete-reason-daily_checkin")).to_have_text(f"今日已完成，{RESET}")
    expect(page.get_by_test_id("checkin-reason")).to_have_text(f"今日已完成，{RESET}")

    # The shop: businesses by name; Redeem asks first (price, balance after), then spends;
    # after it the daily limit of one says so before anyone tries again.
    bar.get_by_test_id("tab-shop").click()
    tea = offer(page, "Jasmine tea")
    expect(tea.get_by_test_id("offer-shop")).to_have_text(BUSINESS)
    tea.get_by_test_id("offer-redeem").click()
    confirm = tea.get_by_test_id("redeem-confirm")
    expect(confirm).to_contain_text("0.001 BD")
    expect(confirm).to_contain_text("兑换后余额")
    screenshot("shop-confirm")
    fits_the_phone(page, "shop-confirm")
    tea.get_by_test_id("offer-redeem-cancel").click()
    expect(tea.get_by_test_id("redeem-confirm")).to_have_count(0)
    assert node.query("exchange/redemptions", address=site.resident.address)["total"] == 0
    tea.get_by_test_id("offer-redeem").click()
    tea.get_by_test_id("offer-redeem-confirm").click()
    expect(page.get_by_test_id("redemption-row")).to_have_count(1)
    expect(page.get_by_test_id("redemption-row")).to_contain_text(BUSINESS)
    expect(tea.get_by_test_id("offer-refusal")).to_have_text(re.compile(rf"今日已兑换.*{RESET}"))
    expect(tea.get_by_test_id("offer-redeem")).to_be_disabled()
    fits_the_phone(page, "shop-redeemed")
    screenshot("shop-redeemed")

    # The vault names who deposited a record.
    bar.get_by_test_id("tab-vault").click()
    expect(page.get_by_test_id("record-source")).to_have_text(BUSINESS)

    # A data request starts with nothing ticked and says whose each record is.
    request_id = ask_for_shopping_records(node, site)
    show(page, "/#/resident/requests", "requests")
    request = page.get_by_test_id("request").filter(has_text="Coffee habits")
    expect(request).to_contain_text(BUSINESS)
    request.get_by_test_id("request-open").click()
    records = request.get_by_test_id("eligible-record")
    expect(records).to_have_count(2)
    for i in range(2):
        expect(records.nth(i)).not_to_be_checked()
    expect(request.get_by_test_id("request-accept")).to_be_disabled()
    sources = request.get_by_test_id("eligible-source")
    expect(sources.filter(has_text=BUSINESS)).to_have_count(1)
    expect(sources.filter(has_text="由你添加")).to_have_count(1)
    fits_the_phone(page, "request-review")
    screenshot("request-review")
    records.first.check()
    request.get_by_test_id("request-accept").click()
    expect(page.get_by_test_id("grant-given-row")).to_have_count(1)
    fits_the_phone(page, "request-shared")
    assert len(sdk_vault.read_granted(node.client, site.business, request_id)) == 1


def test_restore_lands_on_the_planet(new_page: Callable[..., Any]) -> None:
    first = new_page("first", locale="zh-CN", viewport=PHONE)
    words = create_wallet(first, "小红", then="resident")
    other = new_page("other", locale="zh-CN", viewport=PHONE)
    other.goto("/#/wallet/restore")
    other.get_by_test_id("restore-words").fill(words)
    fill_new_password(other, "restore-password")
    other.get_by_test_id("restore-submit").click()
    expect(other).to_have_url(re.compile(r"#/resident$"))
    expect(other.get_by_test_id("onboarding")).to_be_visible()  # not registered yet: its first step
