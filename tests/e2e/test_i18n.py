"""The web app in Chinese first (issue 16, item 1): a zh-CN browser on a phone-sized screen
gets every page in Chinese, with <html lang="zh-CN">, dates in Chinese and refusals worded
from their codes; the switch in the top bar turns it to English, and the choice outlives a
reload. A screenshot of each page in Chinese goes to build/screenshots/ (i18n-*.png)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import E2ENode
from tests.e2e.site import Site, open_as, pages, populate, show
from tests.e2e.wallets import create_wallet

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
CJK = re.compile(r"[\u3400-\u9fff]")
CHINESE_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
UNKNOWN_CODE = "ABCD-EFGH-JKMN-PQRS"  # well formed, never issued


@pytest.fixture(scope="module")
def site(node: E2ENode) -> Iterator[Site]:
    yield populate(node)


def lang(page: Any) -> str:
    return str(page.evaluate("document.documentElement.lang"))


def test_pages_are_in_chinese_and_switch_to_english(
        node: E2ENode, site: Site, new_page: Callable[..., Any],
        shot: Callable[[Any, str], Path]) -> None:
    browsers = {role: open_as(node, site, new_page, role, locale="zh-CN", viewport=PHONE)
                for role in ("resident", "business", "operator")}
    for name, role, route, testid in pages(site):
        page = browsers[role]
        show(page, route, testid)
        assert lang(page) == "zh-CN", name
        assert CJK.search(page.locator("main").inner_text()), name
        shot(page, name)

    resident = browsers["resident"]
    show(resident, "/#/resident/planet", "planet")
    text = resident.locator("body").inner_text()
    assert CJK.search(text)
    assert "余额" in text and "Balance" not in text
    expect(resident.get_by_test_id("grants")).to_contain_text(CHINESE_DATE)  # Intl, zh-CN

    resident.get_by_test_id("lang-en").click()
    expect(resident.locator("html")).to_have_attribute("lang", "en")
    expect(resident.get_by_test_id("balance").locator("..")).to_contain_text("Balance")
    expect(resident.get_by_test_id("tab-planet")).to_have_text("Planet")
    resident.reload()
    expect(resident.get_by_test_id("planet")).to_be_visible()
    assert lang(resident) == "en"
    expect(resident.get_by_test_id("tab-tasks")).to_have_text("Tasks")
    assert resident.evaluate("localStorage.getItem('planet.locale')") == "en"

    resident.get_by_test_id("lang-zh-CN").click()
    expect(resident.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(resident.get_by_test_id("tab-tasks")).to_have_text("任务")


def test_a_refusal_is_worded_in_chinese_from_its_code(
        new_page: Callable[..., Any], shot: Callable[[Any, str], Path]) -> None:
    page = new_page("newcomer", locale="zh-CN", viewport=PHONE)
    create_wallet(page, "小龙", then="resident")
    expect(page.get_by_test_id("onboarding")).to_be_visible()
    assert lang(page) == "zh-CN"
    page.get_by_test_id("invite-code").fill(UNKNOWN_CODE)
    page.get_by_test_id("register-submit").click()
    error = page.get_by_test_id("register-submit-error")
    expect(error).to_have_text("该邀请码不存在，请检查后重试。")  # error.302, not the node's English
    shot(page, "refusal-zh")
    page.get_by_test_id("lang-en").click()
    expect(error).to_contain_text("This invitation code does not exist")
