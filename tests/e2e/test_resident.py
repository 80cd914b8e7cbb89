"""A new resident's first minutes, in a real Chromium against a real node.

Keys are made in the browser; the test only reads what the page shows, plus the ledger
to check the page told the truth. The words written down at the start restore the same
address in a fresh browser, and the Python SDK derives that address from them too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from planet.core.exchange.messages import CreateOffer, CreateRequest
from planet.sdk import vault as sdk_vault
from planet.sdk.keys import import_keystore_json, wallet_from_mnemonic
from planet.sdk.wallet import Wallet
from tests.e2e.conftest import E2ENode
from tests.e2e.wallets import answer_backup_check, fill_new_password, read_words

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NAME = "Li Xiaolong"  # Latin: the CI image has no CJK font for the screenshots
VALID_ID = "11010519491231002X"  # GB 11643 textbook example (passes stdnum.cn.ric)
WRONG_CHECK_DIGIT = "110105194912310021"
PHONE = "13800138000"
HEALTH_NOTE = "Ran 5 km on Monday and 8 km on Thursday"
TRAVEL_NOTE = "Weekend trip to Hangzhou, West Lake"
VOUCHER = "SOCKS-2026-7Q4K"
PASSWORD = "correct horse battery staple"
HOUR_MS = 3_600_000


def micro_of(text: str) -> int:
    """'1,234.56 BD' → µBD."""
    m = re.search(r"(−?)([\d,]+)\.(\d+)", text)
    assert m, text
    whole, frac = int(m.group(2).replace(",", "")), (m.group(3) + "000000")[:6]
    return (-1 if m.group(1) else 1) * (whole * 1_000_000 + int(frac))


def event_attr(events: list[dict[str, Any]], type_: str, name: str) -> Any:
    return next(e["attributes"][name] for e in events if e["type"] == type_)


def real_errors(page: Any) -> list[str]:
    # A 404 for "nothing yet" (no holder before the first Force) is an answer, not an error.
    return [e for e in page.planet_errors if "Failed to load resource" not in e]


def test_new_resident_onboards_earns_keeps_records_and_restores(
        node: E2ENode, new_page: Callable[[str], Any], shot: Callable[[Any, str], Path]) -> None:
    page = new_page("resident")

    # Landing, then "I am a resident" asks for a wallet first.
    page.goto("/#/")
    expect(page.get_by_test_id("landing")).to_be_visible()
    expect(page.get_by_test_id("chain-id")).to_have_text(node.chain_id)
    shot(page, "landing")
    page.get_by_test_id("role-resident").click()
    expect(page.get_by_test_id("need-wallet")).to_be_visible()
    shot(page, "need-wallet")

    # Create a wallet: a password, 24 words shown once, written down, and 3 of them asked
    # back before the wallet is saved.
    page.get_by_test_id("need-wallet-create").click()
    page.get_by_test_id("create-name").fill("Xiaolong")
    fill_new_password(page, "create-password", PASSWORD)
    expect(page.get_by_test_id("password-strength")).to_have_attribute("data-score", "4")
    page.get_by_test_id("create-generate").click()
    expect(page.get_by_test_id("mnemonic-word-24")).to_be_visible()
    words = read_words(page)
    shot(page, "wallet-words")
    expect(page.get_by_test_id("create-save")).to_be_disabled()
    page.get_by_test_id("create-written").check()
    page.get_by_test_id("create-save").click()
    shot(page, "wallet-backup-check")
    answer_backup_check(page, words)

    # Onboarding: an invitation code made by the operator with the Python SDK.
    expect(page.get_by_test_id("onboarding")).to_be_visible()
    shot(page, "onboarding")
    page.get_by_test_id("invite-code").fill("ABCD-EFGH-JKMN-PQR1")  # 1 is not base32
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("register-submit-error")).to_contain_text("A-Z and digits 2-7")
    page.get_by_test_id("invite-code").fill(node.invite_codes(1)[0].lower())
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("verify-card")).to_be_visible()
    expect(page.get_by_test_id("unverified-badge")).to_be_visible()
    address = wallet_from_mnemonic(words).address  # the CLI's derivation of the same words
    account = node.query("accounts/account", address=address)
    assert account["kind"] == "resident" and account["invites_left"] == 0
    assert len(node.query("accounts/invites_of", address=address)) == 3

    # Identity: the node's development authority says what it is; a code is texted to the
    # phone (here: written to the node's log, where the test reads it). A wrong code and a
    # wrong check digit are refused with what is wrong; then the real ones.
    expect(page.get_by_test_id("verify-authority")).to_contain_text(
        "checksum only — not for production")
    page.get_by_test_id("id-name").fill(NAME)
    page.get_by_test_id("id-number").fill(WRONG_CHECK_DIGIT)
    page.get_by_test_id("id-phone").fill(PHONE)
    expect(page.get_by_test_id("verify-submit")).to_have_count(0)  # no code yet
    code = node.send_code(page, PHONE)
    shot(page, "verify-code-sent")
    page.get_by_test_id("id-code").fill(code)
    page.get_by_test_id("verify-submit").click()
    expect(page.get_by_test_id("verify-submit-error")).to_contain_text("check digit")
    shot(page, "verify-refused")
    page.get_by_test_id("id-number").fill(VALID_ID)
    page.get_by_test_id("id-code").fill(f"{(int(code) + 1) % 10**6:06d}")
    page.get_by_test_id("verify-submit").click()
    expect(page.get_by_test_id("verify-submit-error")).to_contain_text("wrong code")
    page.get_by_test_id("id-code").fill(code)
    page.get_by_test_id("verify-submit").click()
    expect(page.get_by_test_id("verified-badge")).to_be_visible(timeout=30_000)
    assert node.query("accounts/account", address=address)["verified"] is True
    expect(page.get_by_test_id("force")).to_have_text("20")

    # Check in (the self-completed task): +2 Force.
    page.get_by_test_id("tab-tasks").click()
    expect(page.get_by_test_id("checkin")).to_be_visible()
    page.get_by_test_id("checkin").click()
    expect(page.get_by_test_id("checkin-last")).to_contain_text("Last check-in")
    expect(page.get_by_test_id("task-status-daily_checkin")).to_have_text("enabled")
    shot(page, "tasks")
    assert node.query("force/force", address=address)["force"] == 22

    # The planet: a bubble grows within seconds; tap it for its computation, collect.
    page.get_by_test_id("tab-planet").click()
    bubble = page.get_by_test_id("bubble").last
    expect(bubble).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("countdown")).to_contain_text(re.compile(r"4[78]\s?h"))
    bubble.click()
    detail = page.get_by_test_id("bubble-detail")
    expect(detail).to_be_visible()
    # A bubble is cut into parts of constant Force; one of them is this resident's 22.
    expect(detail.get_by_test_id("part-force").filter(has_text=re.compile(r"^22$")).first
           ).to_be_visible()
    # The only resident: their Force is the whole active Force, unless the part also paid
    # out what was carried from before anyone earned (then it says so instead of a total).
    expect(detail.get_by_test_id("part-total").filter(has_text=re.compile(r"^(22|carried\*)$"))
           .first).to_be_visible()
    expect(detail.get_by_test_id("bubble-formula")).to_contain_text("total active Force")
    shot(page, "planet-bubble")
    page.get_by_test_id("collect").click()
    expect(page.get_by_test_id("toast").filter(has_text="Collected")).to_be_visible()
    expect(page.get_by_test_id("balance")).not_to_have_text("0.00 BD")
    balance = micro_of(page.get_by_test_id("balance").inner_text())
    holder = node.query("emission/holder", address=address)
    assert 0 < balance <= holder["balance_micro"]
    shot(page, "planet-collected")

    # The vault: the identity copy is there; add two records, read one, erase the other.
    page.get_by_test_id("tab-vault").click()
    expect(page.get_by_test_id("record")).to_have_count(1)  # the identity copy
    for category, text in (("health", HEALTH_NOTE), ("travel", TRAVEL_NOTE)):
        page.get_by_test_id("record-category").select_option(category)
        page.get_by_test_id("record-text").fill(text)
        page.get_by_test_id("record-add").click()
        expect(page.get_by_test_id("record-text")).to_have_value("")
    expect(page.get_by_test_id("record")).to_have_count(3)
    records = page.get_by_test_id("record")
    health = records.filter(has_text="health")
    health_digest = health.get_attribute("data-digest")
    health.get_by_test_id("record-view").click()
    expect(health.get_by_test_id("record-plaintext")).to_contain_text(HEALTH_NOTE)
    identity = records.filter(has_text="identity")
    identity.get_by_test_id("record-view").click()
    expect(identity.get_by_test_id("record-plaintext")).to_contain_text(VALID_ID)
    shot(page, "vault-decrypted")
    travel = records.filter(has_text="travel")
    travel_digest = travel.get_attribute("data-digest")
    travel.get_by_test_id("record-erase").click()
    travel.get_by_test_id("record-erase-confirm").click()
    expect(page.get_by_test_id("record")).to_have_count(2)
    assert node.query("vault/record", digest=travel_digest)["erased_at"] > 0
    shot(page, "vault-erased")

    # The shop: a partner (approved by the operator with the Python SDK) lists two items;
    # one needs more Force than the resident has and says so before anyone tries.
    business = Wallet.generate()
    node.client.register_business(node.operator, business, "Green Run Club")
    now = node.client.status()["time"]
    socks = event_attr(node.client.send(business, CreateOffer(
        item="Running socks", price=1_000_000, stock=5, starts_at=now - 1000,
        ends_at=now + HOUR_MS, min_force=0, daily_limit=0)).events, "exchange/offer_created", "offer")
    node.client.send(business, CreateOffer(
        item="Marathon entry", price=2_000_000, stock=1, starts_at=now - 1000,
        ends_at=now + HOUR_MS, min_force=100, daily_limit=0))
    page.get_by_test_id("tab-shop").click()
    expect(page.get_by_test_id("offer")).to_have_count(2)
    marathon = page.get_by_test_id("offer").filter(has_text="Marathon entry")
    expect(marathon.get_by_test_id("offer-refusal")).to_contain_text("needs Force 100")
    expect(marathon.get_by_test_id("offer-redeem")).to_be_disabled()
    socks_offer = page.locator(f"[data-testid=offer][data-offer='{socks}']")
    expect(socks_offer.get_by_test_id("offer-shop")).to_have_text("Green Run Club")  # by name
    socks_offer.get_by_test_id("offer-redeem").click()
    # Redeem asks first, with the price and the balance after; nothing is spent before.
    expect(socks_offer.get_by_test_id("redeem-confirm")).to_contain_text("1.00 BD")
    assert node.client.query("exchange/redemptions", address=address)["total"] == 0
    socks_offer.get_by_test_id("offer-redeem-confirm").click()
    expect(page.get_by_test_id("redemption-row")).to_have_count(1)
    redemption = node.client.query("exchange/redemptions", address=address)["items"][0]
    sdk_vault.fulfil(node.client, business, redemption["id"], VOUCHER)
    # The live stream (SSE) tells the resident's page about what others did for them.
    expect(page.get_by_test_id("toast").filter(has_text="voucher arrived")).to_be_visible()
    page.get_by_test_id("voucher-open").click()  # appears once the fulfilment is committed
    expect(page.get_by_test_id("voucher-text")).to_have_text(VOUCHER)
    shot(page, "shop")

    # A data request for health records: the page shows exactly which record would go
    # (not the identity copy, not the erased one); the business opens it; then revoked.
    request_id = event_attr(node.client.send(business, CreateRequest(
        categories=("health",), period_start=0, period_end=now + HOUR_MS,
        purpose="Plan better training weeks", reward=400_000, residents=1, cohort=1,
        expires_at=now + HOUR_MS, access_ms=24 * HOUR_MS)).events,
        "exchange/request_created", "request")
    page.get_by_test_id("tab-requests").click()
    request = page.locator(f"[data-testid=request][data-request='{request_id}']")
    expect(request.get_by_test_id("request-purpose")).to_contain_text("Plan better training weeks")
    request.get_by_test_id("request-open").click()
    eligible = request.get_by_test_id("eligible-record")
    expect(eligible).to_have_count(1)
    assert eligible.get_attribute("data-digest") == health_digest
    expect(eligible).not_to_be_checked()  # a request starts with nothing ticked
    expect(request.get_by_test_id("request-accept")).to_be_disabled()
    eligible.check()
    shot(page, "request-review")
    request.get_by_test_id("request-accept").click()
    expect(page.get_by_test_id("grant-state")).to_contain_text("active")
    granted = sdk_vault.read_granted(node.client, business, request_id)
    assert [g.plaintext.decode() for g in granted] == [HEALTH_NOTE]
    shot(page, "request-accepted")
    page.get_by_test_id("grant-revoke").click()
    expect(page.get_by_test_id("grant-state")).to_contain_text("revoked")
    assert sdk_vault.read_granted(node.client, business, request_id) == []

    # Invitation codes of one's own, made in this browser: three, unused.
    page.get_by_test_id("tab-invites").click()
    expect(page.get_by_test_id("invite-unused")).to_have_count(3)
    shot(page, "invites")

    # The other resident pages render from the ledger.
    for tab, testid in (("drill", "drill"), ("history", "history")):
        page.get_by_test_id(f"tab-{tab}").click()
        expect(page.get_by_test_id(testid).first).to_be_visible()
        if tab == "history":
            expect(page.get_by_test_id("history-what").first).to_be_visible()
            expect(page.get_by_test_id("history-what").filter(has_text="Erased record")).to_have_count(1)
        shot(page, tab)

    # The wallet page shows the address the words stand for.
    page.goto("/#/wallet/list")
    expect(page.get_by_test_id("current-address")).to_have_attribute("title", address)
    shot(page, "wallets")
    assert real_errors(page) == []

    # A fresh browser: restore from the 24 words, sealed here under a password; same
    # address, same resident. After a reload the wallet asks for its password.
    other = new_page("restored")
    other.goto("/#/wallet/restore")
    other.get_by_test_id("restore-words").fill(words)
    fill_new_password(other, "restore-password", PASSWORD)
    shot(other, "restore")
    other.get_by_test_id("restore-submit").click()
    # Restore lands on the resident's own planet, not on the list of wallets.
    expect(other).to_have_url(re.compile(r"#/resident$"))
    expect(other.get_by_test_id("verified-badge")).to_be_visible()
    other.goto("/#/wallet/list")
    expect(other.get_by_test_id("current-address")).to_have_attribute("title", address)
    shot(other, "restored-wallets")

    # Its keystore export opens with the Python SDK (same format as the CLI's files).
    other.get_by_test_id("wallet-export").click()
    other.get_by_test_id("export-password").fill(PASSWORD)
    other.get_by_test_id("export-make").click()
    exported = other.get_by_test_id("export-text").input_value()
    assert import_keystore_json(exported, PASSWORD).address == address

    # Unlocked, the wallet survives a reload (its session keys are in IndexedDB); locked,
    # it asks for the password again, after a reload too.
    other.goto("/#/resident/planet")
    other.reload()
    expect(other.get_by_test_id("verified-badge")).to_be_visible()
    other.get_by_test_id("wallet-lock").click()
    expect(other.get_by_test_id("unlock")).to_be_visible()
    other.reload()
    other.get_by_test_id("unlock-password").fill("not the password")
    other.get_by_test_id("unlock-submit").click()
    expect(other.get_by_test_id("unlock-submit-error")).to_contain_text("password")
    other.get_by_test_id("unlock-password").fill(PASSWORD)
    other.get_by_test_id("unlock-submit").click()
    expect(other.get_by_test_id("verified-badge")).to_be_visible()
    expect(other.get_by_test_id("balance")).not_to_have_text("0.00 BD")
    shot(other, "restored-planet")
    assert real_errors(other) == []
