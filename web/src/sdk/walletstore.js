/**
 * The wallets kept in this browser: the one store, with one schema, that the pages use.
 *
 * localStorage "planet.wallets.v2" = {version: 2, wallets: [{address, name, role, savedAt,
 * backup, keystore}]}, where `keystore` is the Python SDK's keystore document, always
 * sealed: scrypt (N = 2^15, r = 8, p = 3: OWASP's equivalent of 2^17/8/1 in a quarter of
 * the memory, which phones can spare) then AES-256-GCM bound to the address. Nothing is
 * stored without a password, and a new password must pass `passwordStrength`. `backup` says
 * how the words were checked: "checked" (3 of the 24 asked back before first use),
 * "restored" (typed in), "imported" (a keystore file) or "migrated" (from v1).
 *
 * Unlocking opens the keystore and hands the keys to `Sessions` (session.js): from then on
 * only non-extractable WebCrypto keys are held, in IndexedDB, until the auto-lock.
 *
 * v1 ("planet.wallets.v1", written by the app shell and by the SDK with two shapes) is read
 * once: sealed entries move to v2 as they are; an entry kept in clear stays listed with
 * `clear: true` until it is unlocked with a new password (`migrate`), which seals it into v2
 * and erases the clear copy.
 * @module
 */
import { exportKeystore, importKeystore, keystoreIsEncrypted } from "./keys.js";
import { DEFAULT_AUTO_LOCK_MS, Sessions } from "./session.js";

export const STORE_KEY = "planet.wallets.v2";
export const LEGACY_STORE_KEY = "planet.wallets.v1";
export const CURRENT_KEY = "planet.current";
export const AUTO_LOCK_KEY = "planet.autolock_ms";
export const STORE_VERSION = 2;
export const STORE_SCRYPT = Object.freeze({ N: 2 ** 15, r: 8, p: 3 });
export const MIN_PASSWORD_LENGTH = 10;
export const BACKUP_CHECK_WORDS = 3;

// A few passwords every guesser tries first (the world's and China's most common).
const COMMON = new Set([
  "password", "password1", "passw0rd", "qwerty", "qwertyuiop", "iloveyou", "admin", "welcome",
  "letmein", "abc123", "woaini", "woaini1314", "5201314", "1314520", "aini1314", "qq123456",
  "a123456", "123qwe", "1q2w3e4r", "zxcvbnm", "asdfghjkl",
]);

/**
 * How strong a new password is, for live feedback and for the store's refusal.
 * `problems` are keys the page words in its language: "short" (under 10 characters),
 * "common" (a well-known password, a run like 1234567890 or abcdefghij, or one character
 * repeated), "name" (contains the wallet's name), "few-kinds" (one kind of character only).
 * `score` is 0 (refused) to 4; `ok` is whether the store accepts it.
 * @param {string} password @param {{name?: string}} [context]
 * @returns {{score: number, ok: boolean, problems: string[]}}
 */
export function passwordStrength(password, { name = "" } = {}) {
  const text = String(password ?? "");
  const chars = [...text];
  const lower = text.toLowerCase();
  const problems = [];
  if (chars.length < MIN_PASSWORD_LENGTH) problems.push("short");
  const stripped = lower.replace(/[^a-z0-9]/g, "");
  const run = "0123456789012345678901234567890abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz";
  const reversed = [...run].reverse().join("");
  if (text && (COMMON.has(stripped) || COMMON.has(lower) || new Set(chars).size <= 2
      || (stripped.length >= 6 && stripped.length >= chars.length - 2
          && (run.includes(stripped) || reversed.includes(stripped))))) {
    problems.push("common");
  }
  const trimmedName = name.trim().toLowerCase();
  if (trimmedName.length >= 3 && lower.includes(trimmedName)) problems.push("name");
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(text)).length;
  if (kinds < 2) problems.push("few-kinds");
  const ok = !problems.some((p) => p === "short" || p === "common" || p === "name");
  let score = 0;
  if (ok) {
    if (chars.length >= 16 || (chars.length >= 12 && kinds >= 3)) score = 4;
    else if (chars.length >= 12 || kinds >= 3) score = 3;
    else score = kinds >= 2 ? 2 : 1;
  }
  return { score, ok, problems };
}

function randomIndex(below) {
  // Rejection sampling over 32-bit values, so every position is equally likely.
  const limit = Math.floor(0x100000000 / below) * below;
  const buf = new Uint32Array(1);
  for (;;) {
    globalThis.crypto.getRandomValues(buf);
    if (buf[0] < limit) return buf[0] % below;
  }
}

/**
 * `count` distinct random word positions (1-based, ascending) to ask back after the words
 * are shown: proof that they were written down before the wallet is used.
 * @param {number} [words] @param {number} [count] @returns {number[]}
 */
export function backupCheckPositions(words = 24, count = BACKUP_CHECK_WORDS) {
  const picked = new Set();
  while (picked.size < Math.min(count, words)) picked.add(randomIndex(words) + 1);
  return [...picked].sort((a, b) => a - b);
}

/**
 * Whether each answer is the word at its position (case and spaces ignored); the words are
 * compared in memory and never stored.
 * @param {string} mnemonic @param {Record<number, string>} answers position -> word typed
 * @returns {boolean}
 */
export function checkBackupWords(mnemonic, answers) {
  const words = String(mnemonic).trim().toLowerCase().split(/\s+/);
  const entries = Object.entries(answers);
  return entries.length > 0 && entries.every(([pos, typed]) => {
    const word = words[Number(pos) - 1];
    return word !== undefined && String(typed ?? "").trim().toLowerCase() === word;
  });
}

/** Thrown when a new password is refused; `problems` as passwordStrength's. */
export class WeakPasswordError extends Error {
  /** @param {string[]} problems */
  constructor(problems) {
    super(`the password is too weak (${problems.join(", ")}): use at least ${MIN_PASSWORD_LENGTH} characters, `
      + "not a common one");
    this.name = "WeakPasswordError";
    this.problems = problems;
  }
}

/** Thrown by `unlock` for a v1 wallet kept in clear: it needs a new password (`migrate`). */
export class ClearWalletError extends Error {
  constructor() {
    super("this wallet is kept in clear in this browser: choose a password to seal it");
    this.name = "ClearWalletError";
  }
}

function parseKeystore(keystore) {
  return typeof keystore === "string" ? JSON.parse(keystore) : keystore;
}

function isWeakerThanStore(doc) {
  const c = doc.crypto || {};
  return c.kdf !== "scrypt" || Number(c.n) * Number(c.r) * Number(c.p)
    < STORE_SCRYPT.N * STORE_SCRYPT.r * STORE_SCRYPT.p;
}

/**
 * Wallets kept in this browser (localStorage), each sealed under its own password, and
 * their unlocked sessions (IndexedDB, non-extractable keys).
 */
export class WalletStore {
  /**
   * @param {{storage?: Storage, sessions?: Sessions}} [opts] localStorage and IndexedDB by
   * default (any Storage-like object and any Sessions backend in tests)
   */
  constructor({ storage = globalThis.localStorage, sessions } = {}) {
    if (!storage) throw new Error("no localStorage in this environment");
    this.storage = storage;
    this.sessions = sessions ?? new Sessions();
  }

  // --- the stored documents ----------------------------------------------------------------

  #read() {
    try {
      const doc = JSON.parse(this.storage.getItem(STORE_KEY) || "null");
      if (doc && doc.version === STORE_VERSION && Array.isArray(doc.wallets)) {
        return doc.wallets.filter((w) => w && w.address && w.keystore);
      }
    } catch { /* unreadable: as if empty */ }
    return [];
  }

  #write(wallets) {
    this.storage.setItem(STORE_KEY, JSON.stringify({ version: STORE_VERSION, wallets }));
  }

  #readLegacy() {
    try {
      const list = JSON.parse(this.storage.getItem(LEGACY_STORE_KEY) || "[]");
      return Array.isArray(list) ? list.filter((w) => w && w.address && w.keystore) : [];
    } catch {
      return [];
    }
  }

  #writeLegacy(list) {
    if (list.length) this.storage.setItem(LEGACY_STORE_KEY, JSON.stringify(list));
    else this.storage.removeItem(LEGACY_STORE_KEY);
  }

  /** Move v1's sealed entries to v2 (no password needed: they stay sealed as they were). */
  #migrateSealed() {
    const legacy = this.#readLegacy();
    if (!legacy.length) return;
    const wallets = this.#read();
    const keep = [];
    for (const old of legacy) {
      let doc;
      // unreadable: left in v1 as it was, never erased (it may be the only copy of a key)
      try { doc = parseKeystore(old.keystore); } catch { keep.push(old); continue; }
      if (!keystoreIsEncrypted(doc)) { keep.push(old); continue; }
      if (!wallets.some((w) => w.address === old.address)) {
        wallets.push({ address: old.address, name: old.name || doc.name || "", role: old.role ?? "",
                       savedAt: old.savedAt ?? old.added ?? Date.now(), backup: "migrated", keystore: doc });
      }
    }
    this.#write(wallets);
    this.#writeLegacy(keep);
  }

  /**
   * The saved wallets' public parts (no key opened): `clear` marks a v1 wallet still kept
   * in clear, which `migrate` seals.
   * @returns {{address: string, name: string, role: string, savedAt: number, backup: string,
   *   clear: boolean}[]}
   */
  list() {
    this.#migrateSealed();
    const out = this.#read().map(({ address, name, role, savedAt, backup }) =>
      ({ address, name, role: role ?? "", savedAt, backup: backup ?? "", clear: false }));
    for (const old of this.#readLegacy()) {
      if (!out.some((w) => w.address === old.address)) {
        out.push({ address: old.address, name: old.name || "", role: old.role ?? "",
                   savedAt: old.savedAt ?? old.added, backup: "", clear: true });
      }
    }
    return out;
  }

  /** @param {string} address @returns {ReturnType<WalletStore["list"]>[number]|undefined} */
  get(address) { return this.list().find((w) => w.address === address); }

  /** The current wallet's address ("" if none). */
  get current() { return this.storage.getItem(CURRENT_KEY) || ""; }

  set current(address) {
    if (address) this.storage.setItem(CURRENT_KEY, address);
    else this.storage.removeItem(CURRENT_KEY);
  }

  /** Idle time before every wallet locks again (ms; 15 minutes unless set). */
  get autoLockMs() {
    const ms = Number(this.storage.getItem(AUTO_LOCK_KEY));
    return Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_AUTO_LOCK_MS;
  }

  set autoLockMs(ms) {
    if (!(Number.isFinite(ms) && ms > 0)) throw new Error("the auto-lock time is a positive number of ms");
    this.storage.setItem(AUTO_LOCK_KEY, String(Math.round(ms)));
  }

  // --- adding, unlocking, locking ----------------------------------------------------------

  /**
   * Seal `wallet` (which must hold its raw keys: just made, restored or imported) under
   * `password`, store it (replacing one of the same address), make it current and unlock it.
   * A new password must pass passwordStrength; an imported keystore's own password need
   * not (`checkStrength: false`).
   * @param {import("./wallet.js").Wallet} wallet
   * @param {{name?: string, password: string, role?: string, backup?: string, checkStrength?: boolean}} opts
   * @returns {Promise<import("./wallet.js").Wallet>} the unlocked session wallet (raw keys dropped)
   */
  async add(wallet, { name = wallet.name || wallet.address.slice(0, 14), password, role = "",
                      backup = "checked", checkStrength = true }) {
    if (!password) throw new WeakPasswordError(["short"]);
    if (checkStrength) {
      const strength = passwordStrength(password, { name });
      if (!strength.ok) throw new WeakPasswordError(strength.problems);
    }
    const keystore = JSON.parse(await exportKeystore(wallet, password, name, STORE_SCRYPT));
    const wallets = this.#read().filter((w) => w.address !== wallet.address);
    wallets.push({ address: wallet.address, name, role, savedAt: Date.now(), backup, keystore });
    this.#write(wallets);
    this.#writeLegacy(this.#readLegacy().filter((w) => w.address !== wallet.address));
    wallet.name = name;
    this.current = wallet.address;
    return this.sessions.start(wallet);
  }

  /**
   * Open a saved wallet with its password and start its session. A wallet sealed with
   * weaker scrypt settings (v1, or a CLI file) is sealed again with the store's.
   * @param {string} address @param {string} password
   * @returns {Promise<import("./wallet.js").Wallet>}
   */
  async unlock(address, password) {
    const entry = this.#entry(address);
    const wallet = await importKeystore(entry.keystore, password);
    wallet.name = entry.name;
    if (isWeakerThanStore(entry.keystore)) {
      const keystore = JSON.parse(await exportKeystore(wallet, password, entry.name, STORE_SCRYPT));
      this.#write(this.#read().map((w) => (w.address === address ? { ...w, keystore } : w)));
    }
    return this.sessions.start(wallet);
  }

  /**
   * Seal a v1 wallet kept in clear under a new password, erase the clear copy, and unlock it.
   * @param {string} address @param {string} password
   * @returns {Promise<import("./wallet.js").Wallet>}
   */
  async migrate(address, password) {
    this.#migrateSealed();
    const old = this.#readLegacy().find((w) => w.address === address);
    if (!old) throw new Error(`no wallet kept in clear for ${address}`);
    const wallet = await importKeystore(old.keystore);
    if (wallet.address !== address) throw new Error("keystore does not match its address");
    return this.add(wallet, { name: old.name || wallet.name, password, role: old.role ?? "", backup: "migrated" });
  }

  /**
   * The unlocked session of `address` if it has not been idle past the auto-lock.
   * @param {string} address @returns {Promise<import("./wallet.js").Wallet|null>}
   */
  async resume(address) {
    if (!this.#read().some((w) => w.address === address)) return null;
    const wallet = await this.sessions.resume(address, this.autoLockMs);
    const entry = this.#read().find((w) => w.address === address);
    if (wallet && entry) wallet.name = entry.name;
    return wallet;
  }

  /** Activity on `address`'s session (pushes the auto-lock back). @param {string} address */
  touch(address) {
    return this.sessions.touch(address, Math.min(5_000, this.autoLockMs / 4));
  }

  /** Lock one wallet (or all of them without an address). @param {string} [address] */
  lock(address) {
    return address ? this.sessions.end(address) : this.sessions.endAll();
  }

  /**
   * The wallet's keystore file (the CLI's format), sealed under its password, which is
   * checked first.
   * @param {string} address @param {string} password @returns {Promise<string>}
   */
  async exportKeystore(address, password) {
    const entry = this.#entry(address);
    await importKeystore(entry.keystore, password); // throws on a wrong password
    return JSON.stringify(entry.keystore, null, 2) + "\n";
  }

  /** Forget a wallet in this browser: its sealed keys, its session, any clear v1 copy. @param {string} address */
  async remove(address) {
    this.#write(this.#read().filter((w) => w.address !== address));
    this.#writeLegacy(this.#readLegacy().filter((w) => w.address !== address));
    if (this.current === address) this.current = "";
    await this.sessions.end(address);
  }

  #entry(address) {
    this.#migrateSealed();
    const entry = this.#read().find((w) => w.address === address);
    if (entry) return entry;
    if (this.#readLegacy().some((w) => w.address === address)) throw new ClearWalletError();
    throw new Error(`no saved wallet for ${address}`);
  }
}
