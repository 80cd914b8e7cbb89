"""Keys safe by default, and an app that installs and opens offline (issue 16, items 2 and 3),
in a real Chromium against a real node.

After onboarding, nothing the browser stored holds a private key or the words in clear,
and the signing key kept for the session is a non-extractable CryptoKey that a script on the
page cannot export. A new wallet is not saved until 3 of its 24 words are typed back. A v1
wallet kept in clear is sealed on its first unlock and its clear copy erased; an idle session
is locked. The app shell, cached by the service worker, opens offline and says so, and the
API is never cached.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from planet.sdk.keys import export_keystore_json, import_keystore_json, wallet_from_mnemonic
from planet.sdk.wallet import Wallet
from tests.e2e.conftest import E2ENode
from tests.e2e.wallets import PASSWORD, answer_backup_check, dump_storage, fill_new_password, read_words

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# A script on the page: take the session's keys from IndexedDB and try to export them.
TRY_EXPORT = """async () => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open('planet'); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error);
  });
  const rows = await new Promise((ok) => {
    const r = db.transaction('sessions').objectStore('sessions').getAll(); r.onsuccess = () => ok(r.result);
  });
  db.close();
  const out = [];
  for (const row of rows) {
    for (const field of ['signingKey', 'encryptionKey']) {
      const key = row[field];
      const tried = {};
      for (const format of ['pkcs8', 'jwk', 'raw']) {
        try { await crypto.subtle.exportKey(format, key); tried[format] = 'exported'; }
        catch (e) { tried[format] = e.name; }
      }
      out.push({ field, isKey: key instanceof CryptoKey, algorithm: key.algorithm.name,
                 extractable: key.extractable, usages: key.usages, tried });
    }
  }
  return out;
}"""


# Resolves once the service worker is active and controls the page (an evaluated function,
# not wait_for_function's polled string, which the CSP refuses as eval).
WORKER_IN_CONTROL = """async () => {
  await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) {
    await new Promise((ok) => {
      navigator.serviceWorker.addEventListener('controllerchange', ok, { once: true });
    });
  }
  return true;
}"""


def secret_forms(wallet: Wallet) -> list[str]:
    """The 64 private bytes and each 32-byte seed, in base64 and in hex."""
    secret = base64.b64decode(json.loads(export_keystore_json(wallet, None, "x"))["private_keys"])
    assert len(secret) == 64
    parts = (secret, secret[:32], secret[32:])
    return [base64.b64encode(p).decode() for p in parts] + [p.hex() for p in parts]


def word_runs(words: str) -> list[str]:
    """Every two neighbouring words, as a phrase, a JSON list and a CSV would write them."""
    return [form for a, b in itertools.pairwise(words.split())
            for form in (f"{a} {b}", f'"{a}","{b}"', f"{a},{b}")]


def assert_nothing_in_clear(page: Any, wallet: Wallet, words: str | None = None) -> dict[str, Any]:
    stored = dump_storage(page)
    text = json.dumps(stored, ensure_ascii=False)
    for form in secret_forms(wallet):
        assert form not in text
    for run in word_runs(words or ""):
        assert run not in text
    return stored


def test_onboarding_keeps_no_key_in_clear_and_no_script_can_export_the_signing_key(
        node: E2ENode, new_page: Callable[[str], Any], shot: Callable[[Any, str], Any]) -> None:
    page = new_page("keys")
    page.goto("/#/wallet/create?next=resident")

    # Too weak a password is said so live, and blocks the words' check.
    page.get_by_test_id("create-name").fill("Mei")
    fill_new_password(page, "create-password", "12345678")
    expect(page.get_by_test_id("password-strength")).to_have_attribute("data-ok", "false")
    expect(page.get_by_test_id("password-strength")).to_contain_text("at least 10 characters")
    page.get_by_test_id("create-generate").click()
    words = read_words(page)
    page.get_by_test_id("create-written").check()
    expect(page.get_by_test_id("create-save")).to_be_disabled()
    fill_new_password(page, "create-password", PASSWORD)
    expect(page.get_by_test_id("password-strength")).to_have_attribute("data-ok", "true")
    page.get_by_test_id("create-save").click()

    # Wrong words: refused, and nothing is stored, so the wallet cannot be used yet.
    expect(page.get_by_test_id("backup-check")).to_be_visible()
    listed = words.split()
    for i in range(1, 4):
        box = page.get_by_test_id(f"backup-word-{i}")
        right = listed[int(box.get_attribute("data-position")) - 1]
        box.fill("zoo" if right != "zoo" else "abandon")
    page.get_by_test_id("backup-submit").click()
    expect(page.get_by_test_id("backup-submit-error")).to_contain_text("do not match")
    shot(page, "backup-check-refused")
    assert page.evaluate("localStorage.getItem('planet.wallets.v2')") is None
    elsewhere = page.context.new_page()  # the same browser, another tab: no wallet there
    elsewhere.goto("/#/resident")
    expect(elsewhere.get_by_test_id("need-wallet")).to_be_visible()
    elsewhere.close()
    answer_backup_check(page, words)

    # Onboarding, signed with the session's key.
    expect(page.get_by_test_id("onboarding")).to_be_visible()
    page.get_by_test_id("invite-code").fill(node.invite_codes(1)[0])
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("verify-card")).to_be_visible()
    wallet = wallet_from_mnemonic(words)
    assert node.query("accounts/account", address=wallet.address)["kind"] == "resident"

    stored = assert_nothing_in_clear(page, wallet, words)
    doc = json.loads(stored["local"]["planet.wallets.v2"])
    assert doc["version"] == 2 and [w["address"] for w in doc["wallets"]] == [wallet.address]
    assert doc["wallets"][0]["backup"] == "checked"
    assert import_keystore_json(json.dumps(doc["wallets"][0]["keystore"]), PASSWORD).address \
        == wallet.address
    sessions = stored["idb"]["planet/sessions"]
    assert [s["address"] for s in sessions] == [wallet.address]
    assert sessions[0]["signingKey"] == {"cryptoKey": True, "type": "private", "extractable": False,
                                         "algorithm": "Ed25519", "usages": ["sign"]}
    assert sessions[0]["encryptionKey"]["extractable"] is False
    # The only bytes in the record are the public keys.
    assert sessions[0]["publicKey"]["bytesB64"] == base64.b64encode(wallet.public_key).decode()

    tried = page.evaluate(TRY_EXPORT)
    assert [t["field"] for t in tried] == ["signingKey", "encryptionKey"]
    for key in tried:
        assert key["isKey"] and key["extractable"] is False
        assert "exported" not in key["tried"].values(), key
        assert set(key["tried"].values()) <= {"InvalidAccessError", "NotSupportedError"}, key

    # A reload resumes the session (no password asked) and it still signs.
    page.reload()
    expect(page.get_by_test_id("verify-card")).to_be_visible()
    expect(page.get_by_test_id("unlock")).to_have_count(0)
    assert [e for e in page.planet_errors if "Failed to load resource" not in e] == []


def test_a_clear_v1_wallet_is_sealed_on_first_unlock_and_its_clear_copy_erased(
        node: E2ENode, new_page: Callable[[str], Any], shot: Callable[[Any, str], Any]) -> None:
    page = new_page("migrate")
    wallet = Wallet.generate()
    clear = export_keystore_json(wallet, None, "Old phone")
    page.goto("/#/")
    page.evaluate("""([address, keystore]) => {
      localStorage.setItem('planet.wallets.v1', JSON.stringify([
        {name: 'Old phone', address, sealed: false, keystore, added: 1}]));
      localStorage.setItem('planet.current', address);
    }""", [wallet.address, clear])
    assert secret_forms(wallet)[0] in json.dumps(dump_storage(page))  # planted in clear

    page.goto("/#/resident")
    page.reload()
    expect(page.get_by_test_id("migrate-note")).to_be_visible()
    shot(page, "migrate")
    fill_new_password(page, "unlock-password", "password1")
    page.get_by_test_id("unlock-submit").click()
    expect(page.get_by_test_id("unlock-submit-error")).to_contain_text("too weak")
    assert page.evaluate("localStorage.getItem('planet.wallets.v1')") is not None
    fill_new_password(page, "unlock-password", PASSWORD)
    page.get_by_test_id("unlock-submit").click()
    expect(page.get_by_test_id("onboarding")).to_be_visible()

    stored = assert_nothing_in_clear(page, wallet)
    assert "planet.wallets.v1" not in stored["local"]  # the clear copy is gone
    doc = json.loads(stored["local"]["planet.wallets.v2"])
    [entry] = doc["wallets"]
    assert (entry["address"], entry["name"], entry["backup"]) == (wallet.address, "Old phone",
                                                                 "migrated")
    assert entry["keystore"]["encrypted"] is True
    assert import_keystore_json(json.dumps(entry["keystore"]), PASSWORD).address == wallet.address
    assert [s["address"] for s in stored["idb"]["planet/sessions"]] == [wallet.address]

    # Idle past the auto-lock (here set to 1 ms), a reload finds the session locked: its keys
    # are gone from IndexedDB and the password is asked again.
    page.evaluate("localStorage.setItem('planet.autolock_ms', '1')")
    page.reload()
    expect(page.get_by_test_id("unlock")).to_be_visible()
    expect(page.get_by_test_id("migrate-note")).to_have_count(0)
    assert dump_storage(page)["idb"]["planet/sessions"] == []
    page.evaluate("localStorage.removeItem('planet.autolock_ms')")
    page.get_by_test_id("unlock-password").fill(PASSWORD)
    page.get_by_test_id("unlock-submit").click()
    expect(page.get_by_test_id("onboarding")).to_be_visible()


def test_the_app_installs_and_its_shell_opens_offline(
        node: E2ENode, new_page: Callable[[str], Any], shot: Callable[[Any, str], Any]) -> None:
    page = new_page("offline")
    page.goto("/#/")
    expect(page.get_by_test_id("landing")).to_be_visible()

    # Installable: a manifest named in Chinese and English, with icons the node serves.
    href = page.locator("link[rel=manifest]").get_attribute("href")
    response = page.request.get(href)
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert "星球" in manifest["name"] and "Planet" in manifest["name"]
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        got = page.request.get(icon["src"])
        assert got.status == 200 and got.headers["content-type"] == icon["type"]

    # The worker takes control and has the shell cached; then the network goes away.
    page.evaluate(WORKER_IN_CONTROL)
    cached = page.evaluate("""async () => {
      const out = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) out.push(new URL(request.url).pathname);
      }
      return out;
    }""")
    assert "/" in cached and any(p.startswith("/assets/app-") and p.endswith(".js") for p in cached)
    assert not [p for p in cached if p.startswith("/v1/")]

    page.context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker  # the worker's cached page
    expect(page.get_by_test_id("landing")).to_be_visible()
    expect(page.get_by_test_id("offline-banner")).to_contain_text("offline")
    shot(page, "offline")
    # The API is not answered from a cache: offline, it fails.
    assert page.evaluate("fetch('/v1/status').then((r) => r.status, () => 'failed')") == "failed"

    page.context.set_offline(False)
    expect(page.get_by_test_id("offline-banner")).to_have_count(0)
