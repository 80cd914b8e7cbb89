"""Steps every browser story takes with a wallet: make one (a password, the 24 words, and
3 of them asked back before it is used), import a keystore, and read back everything the
browser stored, to check that no key or word is kept in clear."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import expect

PASSWORD = "correct horse battery staple"

# Every value in localStorage and every record of every IndexedDB store of the page's
# origin, as JSON: bytes as both hex and base64, a CryptoKey as its public description.
DUMP_STORAGE = """async () => {
  const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, '0')).join('');
  const b64 = (u8) => btoa(String.fromCharCode(...u8));
  const plain = (v) => {
    if (v instanceof CryptoKey) {
      return { cryptoKey: true, type: v.type, extractable: v.extractable, algorithm: v.algorithm.name,
               usages: v.usages };
    }
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) {
      const u8 = new Uint8Array(v instanceof ArrayBuffer ? v : v.buffer, v.byteOffset || 0, v.byteLength);
      return { bytesHex: hex(u8), bytesB64: b64(u8) };
    }
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    }
    return v;
  };
  const local = {};
  for (let i = 0; i < localStorage.length; i += 1) {
    const k = localStorage.key(i);
    local[k] = localStorage.getItem(k);
  }
  const idb = {};
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise((ok, no) => {
      const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error);
    });
    for (const store of Array.from(db.objectStoreNames)) {
      const rows = await new Promise((ok, no) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error);
      });
      idb[`${name}/${store}`] = rows.map(plain);
    }
    db.close();
  }
  return { local, idb };
}"""


def dump_storage(page: Any) -> dict[str, Any]:
    """{local: {key: text}, idb: {"db/store": [records]}} of the page's origin."""
    result: dict[str, Any] = page.evaluate(DUMP_STORAGE)
    return result


def read_words(page: Any) -> str:
    words = " ".join(page.get_by_test_id(f"mnemonic-word-{i}").inner_text().strip()
                     for i in range(1, 25))
    assert len(words.split()) == 24
    return words


def fill_new_password(page: Any, testid: str, password: str = PASSWORD) -> None:
    page.get_by_test_id(testid).fill(password)
    page.get_by_test_id(f"{testid}2").fill(password)


def answer_backup_check(page: Any, words: str) -> None:
    """Type the 3 words the page asks for (by their positions) and save the wallet."""
    expect(page.get_by_test_id("backup-check")).to_be_visible()
    listed = words.split()
    for i in range(1, 4):
        box = page.get_by_test_id(f"backup-word-{i}")
        box.fill(listed[int(box.get_attribute("data-position")) - 1])
    page.get_by_test_id("backup-submit").click()


def create_wallet(page: Any, name: str, then: str | None = None, password: str = PASSWORD) -> str:
    """Make a wallet in the page (from the create tab, or `then`'s) and return its 24 words."""
    if then is not None:
        page.goto(f"/#/wallet/create?next={then}")
    page.get_by_test_id("create-name").fill(name)
    fill_new_password(page, "create-password", password)
    page.get_by_test_id("create-generate").click()
    expect(page.get_by_test_id("mnemonic-word-24")).to_be_visible()
    words = read_words(page)
    page.get_by_test_id("create-written").check()
    page.get_by_test_id("create-save").click()
    answer_backup_check(page, words)
    if then is not None:  # the app goes there on its own: a goto before it would be undone
        expect(page).to_have_url(re.compile(rf"#/{re.escape(then)}($|[/?])"))
    return words


def import_clear_keystore(page: Any, text: str, then: str, password: str = PASSWORD) -> None:
    """Import a keystore kept in clear (a node home's): the browser seals it under `password`."""
    assert not json.loads(text)["encrypted"]
    page.goto(f"/#/wallet/import?next={then}")
    page.get_by_test_id("import-text").fill(text)
    fill_new_password(page, "import-password", password)
    page.get_by_test_id("import-submit").click()
