import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ClearWalletError, IdleTimer, LEGACY_STORE_KEY, STORE_KEY, STORE_SCRYPT, Sessions, Wallet, WalletStore,
  WeakPasswordError, b64decode, b64encode, backupCheckPositions, checkBackupWords, exportKeystore,
  importKeystore, memoryBackend, newMnemonic, passwordStrength, toHex, txSignBytes,
} from "../src/sdk/index.js";

const PASSWORD = "correct horse ☃ battery";
const subtle = globalThis.crypto.subtle;

class MemoryStorage {
  #m = new Map();
  getItem(k) { return this.#m.has(k) ? this.#m.get(k) : null; }
  setItem(k, v) { this.#m.set(k, String(v)); }
  removeItem(k) { this.#m.delete(k); }
  dump() { return [...this.#m.values()].join("\n"); }
}

/** A backend that keeps what it is given as it is, so the test sees the records. */
function recordingBackend() {
  const records = new Map();
  return {
    records,
    get: async (a) => records.get(a),
    put: async (r) => { records.set(r.address, r); },
    delete: async (a) => { records.delete(a); },
    clear: async () => { records.clear(); },
  };
}

/** Every way a secret could be written down: base64 and hex of it and of each half. */
function secretForms(secret) {
  return [secret, secret.slice(0, 32), secret.slice(32)].flatMap((b) => [b64encode(b), toHex(b)]);
}

async function signsFor(wallet) {
  const message = txSignBytes({ chain_id: "c", sender: wallet.address, sequence: 0, messages: [] });
  const signature = await wallet.sign(message);
  const pub = await subtle.importKey("raw", wallet.publicKey, { name: "Ed25519" }, false, ["verify"]);
  return subtle.verify({ name: "Ed25519" }, pub, signature, message);
}

test("passwords: too short, common, the wallet's name refused; longer and varied score higher", () => {
  assert.deepEqual(passwordStrength("short1!").problems, ["short"]);
  for (const p of ["1234567890", "abcdefghijkl", "aaaaaaaaaaaa", "woaini1314", "password1", "0987654321"]) {
    assert.equal(passwordStrength(p).ok, false, p);
    assert.ok(passwordStrength(p).problems.includes("common"), p);
  }
  assert.deepEqual(passwordStrength("xiaolong-2026!", { name: "Xiaolong" }).problems, ["name"]);
  assert.deepEqual(passwordStrength("tqmvzkrwpl"), { score: 1, ok: true, problems: ["few-kinds"] });
  assert.equal(passwordStrength("tqmvz7rwpl").score, 2);
  assert.equal(passwordStrength("Tqmvz7rwpl!").score, 3);
  assert.equal(passwordStrength("Tqmvz7rwpl!x").score, 4);
  assert.equal(passwordStrength("correct horse battery staple").score, 4);
  assert.equal(passwordStrength("").ok, false);
});

test("backup check: 3 distinct positions of 24, and only the right words pass", () => {
  const words = newMnemonic();
  const list = words.split(" ");
  const seen = new Set();
  for (let i = 0; i < 200; i += 1) {
    const positions = backupCheckPositions();
    assert.equal(positions.length, 3);
    assert.equal(new Set(positions).size, 3);
    assert.deepEqual([...positions].sort((a, b) => a - b), positions);
    for (const p of positions) { assert.ok(p >= 1 && p <= 24); seen.add(p); }
  }
  assert.equal(seen.size, 24); // every position comes up
  const right = { 2: list[1], 11: ` ${list[10].toUpperCase()} `, 24: list[23] };
  assert.ok(checkBackupWords(words, right));
  assert.ok(!checkBackupWords(words, { ...right, 11: list[11] === list[10] ? "zoo" : list[11] }));
  assert.ok(!checkBackupWords(words, { ...right, 24: "" }));
  assert.ok(!checkBackupWords(words, {}));
  assert.ok(!checkBackupWords(words, { 25: "abandon" }));
});

test("a wallet is stored only sealed, with the store's scrypt, and its session holds no raw key", async () => {
  const storage = new MemoryStorage();
  const backend = recordingBackend();
  const store = new WalletStore({ storage, sessions: new Sessions({ backend }) });
  const wallet = await Wallet.generate();
  const secret = wallet.exportSecret();
  await assert.rejects(store.add(wallet, { name: "me" }), WeakPasswordError);
  await assert.rejects(store.add(wallet, { name: "me", password: "12345678901" }), /too weak \(common/);
  assert.equal(storage.getItem(STORE_KEY), null);

  const unlocked = await store.add(wallet, { name: "me", password: PASSWORD, role: "resident" });
  assert.equal(unlocked, wallet);
  assert.equal(store.current, wallet.address);
  assert.deepEqual(store.list().map((w) => [w.name, w.role, w.backup, w.clear]), [["me", "resident", "checked", false]]);
  const doc = JSON.parse(storage.getItem(STORE_KEY));
  assert.equal(doc.version, 2);
  const { keystore } = doc.wallets[0];
  assert.equal(keystore.encrypted, true);
  assert.deepEqual([keystore.crypto.n, keystore.crypto.r, keystore.crypto.p], [STORE_SCRYPT.N, STORE_SCRYPT.r, STORE_SCRYPT.p]);
  for (const form of secretForms(secret)) assert.ok(!storage.dump().includes(form));
  assert.equal((await importKeystore(keystore, PASSWORD)).address, wallet.address); // the CLI's format

  // The session: raw bytes dropped, non-extractable keys, and they still sign.
  assert.equal(unlocked.holdsSecret, false);
  assert.throws(() => unlocked.exportSecret(), /no raw key/);
  await assert.rejects(exportKeystore(unlocked, PASSWORD), /no raw key/);
  const record = backend.records.get(wallet.address);
  assert.equal(record.signingKey.extractable, false);
  assert.equal(record.encryptionKey.extractable, false);
  await assert.rejects(subtle.exportKey("pkcs8", record.signingKey));
  await assert.rejects(subtle.exportKey("jwk", record.signingKey));
  for (const value of Object.values(record)) {
    if (value instanceof Uint8Array) assert.ok(!secretForms(secret).includes(b64encode(value)));
  }
  assert.deepEqual(Object.keys(record).sort(),
    ["address", "encryptionKey", "encryptionPublicKey", "lastActive", "name", "publicKey", "signingKey"]);
  assert.ok(await signsFor(unlocked));
});

test("a reload resumes the session until the auto-lock; lock and a wrong password", async () => {
  let now = 1_000_000;
  const clock = () => now;
  const storage = new MemoryStorage();
  const backend = memoryBackend();
  const store = new WalletStore({ storage, sessions: new Sessions({ backend, now: clock }) });
  store.autoLockMs = 60_000;
  const wallet = await Wallet.generate();
  await store.add(wallet, { name: "me", password: PASSWORD });

  // A new page: the same storage and IndexedDB, a new store and Sessions.
  const reload = () => new WalletStore({ storage, sessions: new Sessions({ backend, now: clock }) });
  now += 50_000;
  const again = reload();
  const resumed = await again.resume(wallet.address);
  assert.equal(resumed.address, wallet.address);
  assert.equal(resumed.name, "me");
  assert.equal(resumed.holdsSecret, false);
  assert.ok(await signsFor(resumed));
  now += 50_000; // 100 s after the start, 50 s after the last write: activity keeps it open
  await again.touch(wallet.address);
  now += 50_000;
  assert.ok(await reload().resume(wallet.address));
  now += 60_001; // idle past the auto-lock
  assert.equal(await reload().resume(wallet.address), null);
  assert.equal(await backend.get(wallet.address), undefined); // the keys are gone

  await assert.rejects(store.unlock(wallet.address, "not the password"), /wrong password/);
  const unlocked = await store.unlock(wallet.address, PASSWORD);
  assert.ok(await signsFor(unlocked));
  await store.lock(wallet.address);
  assert.equal(await reload().resume(wallet.address), null);
  assert.equal(await store.resume(wallet.address), null);

  await assert.rejects(store.exportKeystore(wallet.address, "nope"), /wrong password/);
  const file = await store.exportKeystore(wallet.address, PASSWORD);
  assert.equal((await importKeystore(file, PASSWORD)).address, wallet.address);
  await store.remove(wallet.address);
  assert.deepEqual(store.list(), []);
  assert.equal(store.current, "");
});

test("locking while activity is being written keeps the wallet locked", async () => {
  let now = 1_000_000;
  const clock = () => now;
  const storage = new MemoryStorage();
  const backend = memoryBackend();
  // A get that answers only when told: the touch's read is still pending when Lock ends the session.
  let release;
  const slowBackend = { ...backend, get: (a) => { const read = backend.get(a); return new Promise((resolve) => { release = () => resolve(read); }); } };
  const store = new WalletStore({ storage, sessions: new Sessions({ backend, now: clock }) });
  const wallet = await Wallet.generate();
  await store.add(wallet, { name: "me", password: PASSWORD });
  const page = new WalletStore({ storage, sessions: new Sessions({ backend: slowBackend, now: clock }) });
  const resuming = page.resume(wallet.address);
  release();
  assert.ok(await resuming);
  now += 60_000;
  const touching = page.touch(wallet.address); // the pointerdown of the click on Lock
  await page.lock(); // the click
  release();
  await touching;
  assert.equal(await backend.get(wallet.address), undefined);
  assert.equal(await new WalletStore({ storage, sessions: new Sessions({ backend, now: clock }) }).resume(wallet.address), null);
});

test("a v1 wallet whose keystore cannot be read is kept as it was, never erased", () => {
  const storage = new MemoryStorage();
  const broken = { name: "broken", address: "planet1broken", keystore: "{not a keystore" };
  storage.setItem(LEGACY_STORE_KEY, JSON.stringify([broken]));
  const store = new WalletStore({ storage, sessions: new Sessions({ backend: memoryBackend() }) });
  store.list();
  assert.deepEqual(JSON.parse(storage.getItem(LEGACY_STORE_KEY)), [broken]);
});

test("v1 wallets: sealed ones move over, a clear one is sealed on unlock and its clear copy erased", async () => {
  const storage = new MemoryStorage();
  const clear = await Wallet.generate();
  const sealed = await Wallet.generate();
  const clearSecret = clear.exportSecret();
  const sealedSecret = sealed.exportSecret();
  storage.setItem(LEGACY_STORE_KEY, JSON.stringify([
    // the app shell's shape (keystore as text, `sealed`) and the SDK's (`encrypted`, `role`)
    { name: "old", address: clear.address, sealed: false, keystore: await exportKeystore(clear, null, "old"), added: 1 },
    { name: "shop", address: sealed.address, encrypted: true, sealed: true, role: "business",
      keystore: await exportKeystore(sealed, "pw", "shop"), savedAt: 2 },
    { junk: true }]));
  const store = new WalletStore({ storage, sessions: new Sessions({ backend: memoryBackend() }) });
  assert.deepEqual(store.list().map((w) => [w.name, w.clear, w.backup, w.role]),
                   [["shop", false, "migrated", "business"], ["old", true, "", ""]]);
  assert.ok(storage.dump().includes(b64encode(clearSecret))); // still in clear: not unlocked yet

  await assert.rejects(store.unlock(clear.address, PASSWORD), ClearWalletError);
  await assert.rejects(store.migrate(clear.address, "short"), WeakPasswordError);
  const migrated = await store.migrate(clear.address, PASSWORD);
  assert.equal(migrated.address, clear.address);
  assert.equal(storage.getItem(LEGACY_STORE_KEY), null); // the clear copy is gone, v1 with it
  for (const form of secretForms(clearSecret)) assert.ok(!storage.dump().includes(form));
  assert.deepEqual(store.list().map((w) => [w.name, w.clear, w.backup]),
                   [["shop", false, "migrated"], ["old", false, "migrated"]]);
  await store.lock();
  assert.equal((await store.unlock(clear.address, PASSWORD)).address, clear.address);

  // The sealed one opens with its old password and is sealed again with the store's scrypt.
  const shop = await store.unlock(sealed.address, "pw");
  assert.equal(shop.name, "shop");
  const entry = JSON.parse(storage.getItem(STORE_KEY)).wallets.find((w) => w.address === sealed.address);
  assert.equal(entry.keystore.crypto.p, STORE_SCRYPT.p);
  assert.equal((await importKeystore(entry.keystore, "pw")).address, sealed.address);
  for (const form of secretForms(sealedSecret)) assert.ok(!storage.dump().includes(form));
  assert.deepEqual(b64decode(b64encode(sealedSecret)), sealedSecret);
});

test("the idle timer fires once idle for its time, activity pushes it back, stop ends it", () => {
  let now = 0;
  let pending = null;
  const clock = {
    now: () => now,
    schedule: (fn, ms) => { pending = { fn, at: now + ms }; return pending; },
    cancel: () => { pending = null; },
  };
  const run = () => { const p = pending; pending = null; now = Math.max(now, p.at); p.fn(); };
  let fired = 0;
  const timer = new IdleTimer(1_000, () => { fired += 1; }, clock);
  now = 600;
  timer.activity();
  run(); // at 1000: idle only 400 ms, so it waits 600 more
  assert.equal(fired, 0);
  assert.equal(pending.at, 1_600);
  run();
  assert.equal(fired, 1);
  timer.activity();
  timer.stop();
  assert.equal(pending, null);
  timer.activity();
  assert.equal(pending, null);
});
