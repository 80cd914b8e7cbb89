"""History from the ledger and invitation codes on any device, in Chinese on a phone.

A resident made in the browser (zh-CN, 390×844) is paid a data request's reward; their
History lists it in words with the signed BD amount, from the node's activity index. The
codes the onboarding made are derived from the wallet's key: a second browser that restores
the same 24 words shows the same codes, matched to the ledger, without ever having seen them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from planet.core.exchange.messages import CreateRequest, RedeemOffer
from planet.sdk import vault as sdk_vault
from planet.sdk.keys import wallet_from_mnemonic
from tests.e2e.conftest import E2ENode
from tests.e2e.shop import HOUR_MS, open_tea_house
from tests.e2e.wallets import PASSWORD, create_wallet, fill_new_password

PHONE = {"width": 390, "height": 844}
REWARD = 2


def no_wider_than_the_screen(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_history_shows_a_received_reward_and_codes_follow_the_wallet(
        node: E2ENode, new_page: Callable[..., Any], shot: Callable[[Any, str], Path]) -> None:
    business, payer, offer = open_tea_house(node, price=REWARD)
    node.client.send(payer, RedeemOffer(offer=offer))  # the Tea House's purse: the reward

    page = new_page("resident", locale="zh-CN", viewport=PHONE)
    words = create_wallet(page, "小龙", then="resident")
    page.get_by_test_id("invite-code").fill(node.invite_codes(1)[0])
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("verify-card")).to_be_visible()
    resident = wallet_from_mnemonic(words)  # the same keys, as the resident's other app

    # The Tea House asks for a shopping record; the resident shares one and is paid.
    now = int(node.client.status()["time"])
    sdk_vault.add_record(node.client, resident, b"Oolong, 1 tin", "shopping", now - 60_000)
    node.client.send(business, CreateRequest(
        categories=("shopping",), period_start=0, period_end=now, purpose="Tea tastes",
        reward=REWARD, residents=1, cohort=1, expires_at=now + HOUR_MS, access_ms=HOUR_MS))
    request = int(node.query("exchange/requests", business=business.address)["items"][0]["id"])
    digests = [r["digest"] for r in node.query("exchange/eligible", request=request,
                                                 owner=resident.address)["records"]]
    sdk_vault.accept_request(node.client, resident, request, digests)

    page.goto("/#/resident/history")
    reward = page.locator("[data-testid=activity][data-type='exchange/granted']")
    expect(reward.get_by_test_id("history-what")).to_have_text(f"数据请求 #{request} 的奖励")
    expect(reward.get_by_test_id("activity-amount")).to_have_text("+0.000002 BD")
    expect(reward.locator(f"a[href='#/explorer/block/{reward.get_attribute('data-height')}']")
           ).to_be_visible()
    registered = page.locator("[data-testid=activity][data-type='accounts/registered']")
    expect(registered.get_by_test_id("history-what")).to_have_text("凭邀请码加入 Planet")
    no_wider_than_the_screen(page)
    shot(page, "history-zh-phone")

    page.goto("/#/resident/invites")
    expect(page.get_by_test_id("invite-unused")).to_have_count(3)
    codes = sorted(c.strip() for c in page.get_by_test_id("invite-code-value").all_inner_texts())
    assert len(codes) == 3
    no_wider_than_the_screen(page)

    # A second browser: restore the words; the codes are there, from the key alone.
    other = new_page("restored", locale="zh-CN", viewport=PHONE)
    other.goto("/#/wallet/restore")
    other.get_by_test_id("restore-words").fill(words)
    fill_new_password(other, "restore-password", PASSWORD)
    other.get_by_test_id("restore-submit").click()
    expect(other).to_have_url(re.compile(r"#/resident$"))  # Restore lands on the planet
    other.goto("/#/wallet/list")
    expect(other.get_by_test_id("current-address")).to_have_attribute("title", resident.address)
    assert other.evaluate("Object.keys(localStorage).filter((k) => k.startsWith("
                          "'planet.invites.')).length") == 0  # nothing of the first browser's
    other.goto("/#/resident/invites")
    expect(other.get_by_test_id("invite-unused")).to_have_count(3)
    assert sorted(c.strip() for c in other.get_by_test_id("invite-code-value")
                  .all_inner_texts()) == codes
    no_wider_than_the_screen(other)
    shot(other, "invites-restored-zh-phone")
    assert not [e for e in page.planet_errors + other.planet_errors if " console: " not in e]
