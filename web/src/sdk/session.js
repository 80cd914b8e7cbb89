/**
 * Unlocked wallets for the length of a session, kept so that no script on the page can read
 * a private key.
 *
 * Once a wallet's keystore is opened with its password, its raw bytes are dropped and only
 * WebCrypto keys imported as non-extractable stay: the Ed25519 signing key and the X25519
 * key that opens envelopes. They are kept in IndexedDB (a CryptoKey is stored by structured
 * clone and stays non-extractable there), so a reload or a second tab resumes the session
 * without the password until it has been idle for the auto-lock time. A script on the page
 * can still ask these keys to sign, but `crypto.subtle.exportKey` refuses them, and neither
 * localStorage nor IndexedDB ever holds a raw key.
 *
 * Where a browser cannot store a CryptoKey in IndexedDB (none, or a private mode that
 * refuses it), the session is kept in memory only and ends with the page.
 * @module
 */
import { Wallet } from "./wallet.js";

export const DEFAULT_AUTO_LOCK_MS = 15 * 60 * 1000;
const DB_NAME = "planet";
const DB_STORE = "sessions";

/**
 * An IndexedDB object store of session records keyed by address.
 * @param {IDBFactory} [factory] defaults to the page's indexedDB
 * @returns {{get(k: string): Promise<any>, put(v: object): Promise<void>, delete(k: string): Promise<void>,
 *   clear(): Promise<void>}}
 */
export function indexedDbBackend(factory = globalThis.indexedDB) {
  if (!factory) throw new Error("no IndexedDB in this environment");
  let opened = null;
  const db = () => {
    opened ??= new Promise((resolve, reject) => {
      const req = factory.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(DB_STORE, { keyPath: "address" });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => { opened = null; reject(req.error); };
    });
    return opened;
  };
  const run = async (mode, op) => {
    const tx = (await db()).transaction(DB_STORE, mode);
    const req = op(tx.objectStore(DB_STORE));
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  };
  return {
    get: (address) => run("readonly", (s) => s.get(address)),
    put: (record) => run("readwrite", (s) => s.put(record)).then(() => undefined),
    delete: (address) => run("readwrite", (s) => s.delete(address)).then(() => undefined),
    clear: () => run("readwrite", (s) => s.clear()).then(() => undefined),
  };
}

/** The same interface over a Map: for tests, and where there is no IndexedDB. */
export function memoryBackend() {
  const map = new Map();
  return {
    get: async (address) => map.get(address),
    put: async (record) => { map.set(record.address, { ...record }); },
    delete: async (address) => { map.delete(address); },
    clear: async () => { map.clear(); },
  };
}

function defaultBackend() {
  try {
    return indexedDbBackend();
  } catch {
    return memoryBackend();
  }
}

/**
 * The unlocked wallets: `start` turns a freshly opened wallet into a session (raw bytes
 * dropped), `resume` finds one again (null once idle longer than `maxIdleMs`), `touch`
 * records activity, `end` and `endAll` lock.
 */
export class Sessions {
  #backend;
  #now;
  #memory = new Map(); // address -> {wallet, persisted}: this page's unlocked wallets
  #touched = new Map(); // address -> when activity was last written to the backend

  /** @param {{backend?: object, now?: () => number}} [opts] */
  constructor({ backend = defaultBackend(), now = () => Date.now() } = {}) {
    this.#backend = backend;
    this.#now = now;
    /** Whether the last `start` could keep its keys in the backend (false: memory only). */
    this.persisted = false;
  }

  /**
   * Make `wallet` (opened from its keystore, raw bytes held) a session wallet: its raw bytes
   * are zeroed and its non-extractable keys stored for the session.
   * @param {Wallet} wallet @returns {Promise<Wallet>} the same wallet, without raw bytes
   */
  async start(wallet) {
    wallet.dropSecret();
    const record = {
      address: wallet.address, name: wallet.name, signingKey: wallet.signingKey,
      encryptionKey: wallet.encryptionKeyPair.privateKey, publicKey: wallet.publicKey,
      encryptionPublicKey: wallet.encryptionPublicKey, lastActive: this.#now(),
    };
    if (record.signingKey.extractable || record.encryptionKey.extractable) {
      throw new Error("a session keeps only non-extractable keys");
    }
    try {
      await this.#backend.put(record);
      this.persisted = true;
    } catch {
      this.persisted = false; // cannot store a CryptoKey here: this page's memory only
    }
    this.#memory.set(wallet.address, { wallet, persisted: this.persisted });
    this.#touched.set(wallet.address, record.lastActive);
    return wallet;
  }

  /**
   * The session wallet of `address`, if unlocked and active within `maxIdleMs`; an idle
   * one is ended.
   * @param {string} address @param {number} [maxIdleMs]
   * @returns {Promise<Wallet|null>}
   */
  async resume(address, maxIdleMs = DEFAULT_AUTO_LOCK_MS) {
    let record;
    try {
      record = await this.#backend.get(address);
    } catch {
      record = undefined;
    }
    const known = this.#memory.get(address);
    if (!record) {
      if (known && !known.persisted) return known.wallet; // a memory-only session
      if (known) this.#memory.delete(address); // locked in another tab
      return null;
    }
    if (this.#now() - record.lastActive > maxIdleMs) {
      await this.end(address);
      return null;
    }
    if (known) return known.wallet;
    const wallet = await Wallet.fromKeys({
      signingKey: record.signingKey, encryptionPrivateKey: record.encryptionKey,
      publicKey: new Uint8Array(record.publicKey), encryptionPublicKey: new Uint8Array(record.encryptionPublicKey),
      name: record.name,
    });
    this.#memory.set(address, { wallet, persisted: true });
    this.#touched.set(address, record.lastActive);
    return wallet;
  }

  /**
   * Note activity on `address`'s session, written at most every `everyMs` (so a tab that
   * reloads later knows how long the session has been idle).
   * @param {string} address @param {number} [everyMs]
   */
  async touch(address, everyMs = 5_000) {
    const now = this.#now();
    if (!this.#memory.has(address) || now - (this.#touched.get(address) ?? 0) < everyMs) return;
    this.#touched.set(address, now);
    try {
      const record = await this.#backend.get(address);
      // Locked while the record was read (the click on Lock is itself activity): writing it
      // back would bring the session back after a reload.
      if (record && this.#memory.has(address)) await this.#backend.put({ ...record, lastActive: now });
    } catch { /* memory-only session: nothing stored to update */ }
  }

  /** Lock one wallet: its keys are gone from memory and from the backend. @param {string} address */
  async end(address) {
    this.#memory.delete(address);
    this.#touched.delete(address);
    try { await this.#backend.delete(address); } catch { /* nothing stored */ }
  }

  /** Lock every wallet of this browser. */
  async endAll() {
    this.#memory.clear();
    this.#touched.clear();
    try { await this.#backend.clear(); } catch { /* nothing stored */ }
  }
}

/**
 * Calls `onIdle` once no `activity()` has been seen for `timeoutMs` (the auto-lock).
 * @param {number} timeoutMs @param {() => void} onIdle
 * @param {{now?: () => number, schedule?: typeof setTimeout, cancel?: typeof clearTimeout}} [clock]
 */
export class IdleTimer {
  #timeout; #onIdle; #now; #schedule; #cancel; #timer = null; #last; #stopped = false;

  constructor(timeoutMs, onIdle, {
    now = () => Date.now(), schedule = (fn, ms) => setTimeout(fn, ms), cancel = (id) => clearTimeout(id),
  } = {}) {
    this.#timeout = timeoutMs;
    this.#onIdle = onIdle;
    this.#now = now;
    this.#schedule = schedule;
    this.#cancel = cancel;
    this.#last = now();
    this.#arm(timeoutMs);
  }

  #arm(ms) {
    this.#timer = this.#schedule(() => this.#check(), Math.max(0, ms));
  }

  #check() {
    this.#timer = null;
    const idle = this.#now() - this.#last;
    if (idle >= this.#timeout) this.#onIdle();
    else this.#arm(this.#timeout - idle);
  }

  /** Something happened: the idle time starts again (the timer is not re-armed each time). */
  activity() {
    this.#last = this.#now();
    if (this.#timer === null && !this.#stopped) this.#arm(this.#timeout);
  }

  /** No more calls to onIdle. */
  stop() {
    this.#stopped = true;
    if (this.#timer !== null) this.#cancel(this.#timer);
    this.#timer = null;
  }
}
