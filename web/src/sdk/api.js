/**
 * The node's HTTP API from the browser, and the actions the pages build on.
 *
 * Mirrors src/planet/sdk/client.py and sdk/vault.py: every action builds the core's
 * messages with messages.js's builders (checked against src/planet/core/<module>/messages.py
 * by web/test/messages.test.mjs), signs them at the sender's next sequence, POSTs
 * /v1/txs?wait=true and throws an ApiError carrying the core's message on refusal. Plaintext and keys stay here; the node sees ciphertext.
 * @module
 */
import { base32 } from "@scure/base";
import { b64decode, randomBytes, sha256Hex, utf8Decode, utf8Encode } from "./bytes.js";
import { checkPublicKey } from "./ed25519.js";
import { deriveInviteCodes, inviteSeed, matchInviteCodes } from "./invites.js";
import {
  acceptRequestMsg, addRecordMsg, allowDepositorMsg, applyMsg, approveApplicationMsg, attestTasksMsg,
  closeRequestMsg, collectMsg, completeTaskMsg, createInvitesMsg, createOfferMsg, createRequestMsg,
  declineApplicationMsg, depositRecordMsg, enterDrillMsg, eraseRecordMsg, fulfilMsg, liftSuspensionMsg,
  redeemMsg, refundMsg, registerBusinessMsg, registerMsg, revokeDepositorMsg, revokeGrantMsg,
  setBusinessQuotaMsg, setTaskEnabledMsg, suspendBusinessMsg, withdrawApplicationMsg,
} from "./messages.js";

// HPKE and the vault's envelopes, fetched when a page first seals or opens something: the
// planet page's first render needs none of it.
const envelope = () => import("./envelope.js");

/** The node refused a request (or could not be reached: status 0). */
export class ApiError extends Error {
  /** @param {number} status @param {any} body */
  constructor(status, body) {
    const b = body && typeof body === "object" ? body : { message: String(body ?? "") };
    const check = b.check || {};
    const committedLog = b.committed?.result?.log;
    const message = b.message || check.log || check.message || committedLog
      || (typeof b.detail === "string" ? b.detail : b.detail ? JSON.stringify(b.detail) : "")
      || `HTTP ${status}`;
    super(message);
    this.name = "ApiError";
    /** @type {number} HTTP status, 0 when unreachable */ this.status = status;
    /** @type {number} the core's error code, 0 if none */
    this.code = Number(b.code || check.code || b.committed?.code || 0);
    /** @type {string} the core's error name, e.g. "InsufficientFunds" */
    this.error = String(b.error || check.error || "");
    /** @type {any} */ this.body = b;
  }
}

// --- invitation codes (core/accounts/codes.py) --------------------------------------------

const INVITE_DOMAIN = "planet/invite/v1\n";

/** @param {string} text @returns {string} the 16 bare base32 letters (throws if malformed) */
export function normalizeInviteCode(text) {
  const bare = String(text).replace(/[\s-]/g, "").toUpperCase();
  if (bare.length !== 16) {
    throw new Error(`invite code: expected 16 letters and digits (like ABCD-EFGH-JKMN-PQRS), got ${bare.length}`);
  }
  if (!/^[A-Z2-7]{16}$/.test(bare)) throw new Error("invite code: only letters A-Z and digits 2-7 are used");
  return bare;
}

/** @param {string} bare @returns {string} ABCD-EFGH-JKMN-PQRS */
export const formatInviteCode = (bare) => bare.match(/.{4}/g).join("-");

/** Fresh codes: 10 CSPRNG bytes each, base32. @param {number} count @returns {string[]} */
export function newInviteCodes(count) {
  return Array.from({ length: count }, () => formatInviteCode(base32.encode(randomBytes(10))));
}

/** One fresh code. @returns {string} */
export const newInviteCode = () => newInviteCodes(1)[0];

/** What the ledger stores for a code. @param {string} code @returns {Promise<string>} hex */
export function inviteHash(code) {
  return sha256Hex(utf8Encode(INVITE_DOMAIN + normalizeInviteCode(code)));
}

/**
 * The attributes of the first event of a type in a transaction outcome.
 * @param {{events: {type: string, attributes: object}[]}} outcome @param {string} type
 * @returns {object|undefined}
 */
export function eventOf(outcome, type) {
  return outcome.events.find((e) => e.type === type)?.attributes;
}

const asBytes = (data) => (typeof data === "string" ? utf8Encode(data) : data);

/**
 * @typedef {object} TxOutcome
 * @property {string} hash
 * @property {number|null} height
 * @property {number} code
 * @property {string} log
 * @property {{type: string, attributes: object}[]} events
 */

export class Api {
  /** @param {string} [baseUrl] the node, e.g. "" (same origin) or "http://127.0.0.1:7070" */
  constructor(baseUrl = "") {
    this.baseUrl = String(baseUrl).replace(/\/+$/, "");
    /** @type {string|null} */ this.chainId = null;
  }

  /** @type {Map<string, Promise<void>>} the last transaction in flight per sender */
  #pending = new Map();

  async #fetch(method, path, { params, body, headers } = {}) {
    let url = `${this.baseUrl}/v1${path}`;
    if (params) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) {
        if (v !== undefined && v !== null) qs.append(k, String(v));
      }
      const s = qs.toString();
      if (s) url += `?${s}`;
    }
    try {
      return await fetch(url, { method, body, headers });
    } catch (err) {
      throw new ApiError(0, { message: `cannot reach the node at ${this.baseUrl || "this origin"}: ${err.message}` });
    }
  }

  static async #json(r) {
    const text = await r.text();
    try {
      return JSON.parse(text);
    } catch {
      return { message: text.slice(0, 500) };
    }
  }

  /**
   * GET /v1<path> as JSON; throws ApiError on 4xx/5xx.
   * @param {string} path e.g. "/blocks/latest" @param {Record<string, any>} [params]
   */
  async get(path, params) {
    const r = await this.#fetch("GET", path.startsWith("/") ? path : `/${path}`, { params });
    const body = await Api.#json(r);
    if (!r.ok) throw new ApiError(r.status, body);
    return body;
  }

  /** GET /v1/status (caches the chain id). */
  async status() {
    const s = await this.get("/status");
    this.chainId = s.chain_id;
    return s;
  }

  /** @returns {Promise<string>} */
  async getChainId() {
    if (this.chainId === null) await this.status();
    return /** @type {string} */ (this.chainId);
  }

  /**
   * A core query: GET /v1/query/<module>/<name>?args.
   * @param {string} path e.g. "accounts/account" @param {Record<string, any>} [args]
   */
  query(path, args) {
    return this.get(`/query/${path}`, args);
  }

  /**
   * One state record (or its absence) with its proof: GET /v1/proofs/<key>. Check it with
   * `verifyProof(proof, appHashHex)` against an app hash you trust.
   * @param {string} key e.g. "emission/holder/planet1…"
   */
  proof(key) {
    return this.get(`/proofs/${key.split("/").map(encodeURIComponent).join("/")}`);
  }

  /** Every item of a paged query ({total, items}). @param {string} path @param {object} [args] */
  async queryAll(path, args = {}) {
    const items = [];
    for (;;) {
      const page = await this.query(path, { ...args, offset: items.length, limit: 500 });
      items.push(...page.items);
      if (items.length >= page.total || page.items.length === 0) return items;
    }
  }

  /**
   * Every event that concerns an address, from the ledger, newest first: GET
   * /v1/accounts/<address>/activity. Each item has height, time, tx (null for a block's
   * begin-step event), type, attributes and what it moved for the address, signed:
   * amount_micro (µBD) and force, null when none. Next page: `before: page.next_before`.
   * @param {string} address @param {{limit?: number, before?: string | null}} [opts]
   */
  activity(address, { limit = 20, before = null } = {}) {
    return this.get(`/accounts/${address}/activity`, before ? { limit, before } : { limit });
  }

  /** The account, or null if the address has none. @param {string} address */
  async account(address) {
    try {
      return await this.query("accounts/account", { address });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }

  /** @type {Map<string, Promise<string|null>>} business names by address (see businessName) */
  #names = new Map();

  /**
   * The name a business registered under (its account's), or null for an address without
   * a business account. Cached for the life of this Api: pages show businesses by name in
   * lists of many rows, and a registered name does not change. A failed read is not kept.
   * @param {string} address @returns {Promise<string|null>}
   */
  businessName(address) {
    if (!this.#names.has(address)) {
      const name = this.account(address).then((a) => (a && a.kind === "business" && a.name) || null);
      name.catch(() => this.#names.delete(address));
      this.#names.set(address, name);
    }
    return /** @type {Promise<string|null>} */ (this.#names.get(address));
  }

  /**
   * Names of several businesses at once: {address: name|null} (addresses repeated are read once).
   * @param {Iterable<string>} addresses @returns {Promise<Record<string, string|null>>}
   */
  async businessNames(addresses) {
    const unique = [...new Set(addresses)];
    const names = await Promise.all(unique.map((a) => this.businessName(a).catch(() => null)));
    return Object.fromEntries(unique.map((a, i) => [a, names[i]]));
  }

  /** @param {string} address @returns {Promise<number>} the next sequence to sign with */
  async nextSequence(address) {
    const account = await this.account(address);
    if (account) return Number(account.sequence);
    // A new key (0), or a business applicant's: counted on the ledger without an account.
    try {
      return Number((await this.query("accounts/sequence", { address })).sequence);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return 0; // a node older than the query
      throw err;
    }
  }

  /** @param {string} address @returns {Promise<Uint8Array>} its X25519 key */
  async encryptionKeyOf(address) {
    const account = await this.account(address);
    if (!account) throw new ApiError(404, { message: `${address} is not an account on this chain` });
    return b64decode(account.encryption_key, "encryption_key", 32);
  }

  /**
   * POST a signed transaction and wait for its commit.
   * @param {string} raw signed tx JSON @param {{wait?: boolean}} [opts]
   * @returns {Promise<TxOutcome>}
   */
  async submit(raw, { wait = true } = {}) {
    const r = await this.#fetch("POST", "/txs", {
      params: { wait: String(wait) }, body: raw, headers: { "content-type": "application/json" } });
    const body = await Api.#json(r);
    if (r.status >= 400) throw new ApiError(r.status, body);
    const committed = body.committed;
    if (!committed) {
      return { hash: body.hash, height: null, code: 0, log: "accepted, not yet committed", events: [] };
    }
    return { hash: body.hash, height: committed.height, code: committed.code,
             log: committed.result?.log ?? "", events: committed.result?.events ?? [] };
  }

  /**
   * POST signed transactions together (/v1/txs/batch, at most 1,000 and 1 MiB): one result
   * per tx, in order, each {hash, accepted, code, check, committed?, message?}. With
   * `idempotencyKey` (1 to 128 of A-Z a-z 0-9 . _ : -, e.g. crypto.randomUUID()), sending
   * the same batch again with the same key after a timeout or a lost connection gets the
   * first answer instead of a "sequence reused" refusal per tx; the same key with another
   * batch is refused (422, code 961).
   * @param {string[]} raws signed txs' JSON
   * @param {{wait?: boolean, timeout?: number, idempotencyKey?: string}} [opts]
   * @returns {Promise<{status: number, replayed: boolean, results: object[]}>}
   */
  async submitBatch(raws, { wait = true, timeout, idempotencyKey } = {}) {
    const params = { wait: String(wait) };
    if (timeout != null) params.timeout = String(timeout);
    const headers = { "content-type": "application/json" };
    if (idempotencyKey != null) headers["idempotency-key"] = idempotencyKey;
    const r = await this.#fetch("POST", "/txs/batch", {
      params, body: JSON.stringify({ txs: raws }), headers });
    const body = await Api.#json(r);
    if (r.status >= 400) throw new ApiError(r.status, body);
    return { status: r.status, replayed: r.headers.get("idempotent-replayed") === "true",
             results: body.results };
  }

  /**
   * Sign `messages` as one transaction at the next sequence, submit, wait; throws an
   * ApiError with the core's message if it is refused or fails in the block.
   * @param {import("./wallet.js").Wallet} wallet @param {object[]} messages
   * @param {{sequence?: number}} [opts]
   * @returns {Promise<TxOutcome>}
   */
  send(wallet, messages, { sequence } = {}) {
    // One transaction at a time per sender: two quick clicks would otherwise sign with the
    // same sequence and the second would be refused as a replay.
    const previous = this.#pending.get(wallet.address) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.#send(wallet, messages, sequence));
    const tail = next.catch(() => {});
    this.#pending.set(wallet.address, tail);
    tail.then(() => {
      if (this.#pending.get(wallet.address) === tail) this.#pending.delete(wallet.address);
    });
    return next;
  }

  async #send(wallet, messages, sequence) {
    const chainId = await this.getChainId();
    const seq = sequence ?? await this.nextSequence(wallet.address);
    const outcome = await this.submit(await wallet.signTx(chainId, seq, messages));
    if (outcome.code !== 0) {
      throw new ApiError(400, { code: outcome.code, message: outcome.log, outcome });
    }
    return outcome;
  }

  // --- blobs --------------------------------------------------------------------------

  /** Upload a record's ciphertext (signed request). @param {import("./wallet.js").Wallet} wallet */
  async putBlob(wallet, digest, blob) {
    const headers = await wallet.signRequest(await this.getChainId(), digest, "PUT");
    const r = await this.#fetch("PUT", `/blobs/${digest}`, {
      body: blob, headers: { ...headers, "content-type": "application/octet-stream" } });
    const body = await Api.#json(r);
    if (!r.ok) throw new ApiError(r.status, body);
    return body;
  }

  /**
   * Download a record's ciphertext, checked against its digest (a node cannot swap it).
   * @param {import("./wallet.js").Wallet} wallet @param {string} digest
   * @returns {Promise<Uint8Array>}
   */
  async getBlob(wallet, digest) {
    const headers = await wallet.signRequest(await this.getChainId(), digest, "GET");
    const r = await this.#fetch("GET", `/blobs/${digest}`, { headers });
    if (!r.ok) throw new ApiError(r.status, await Api.#json(r));
    const blob = new Uint8Array(await r.arrayBuffer());
    if ((await sha256Hex(blob)) !== digest) {
      throw new ApiError(0, { message: `the node returned bytes that are not record ${digest}` });
    }
    return blob;
  }

  // --- identity -------------------------------------------------------------------------

  /** {address, encryption_key, name} of the node's identity verifier. */
  verifier() {
    return this.get("/identity/verifier");
  }

  /**
   * Step 1 of the real-name check: the node's verifier texts a one-time code to `phone`
   * (sealed to the verifier in this browser, so only it reads the number). Resolves
   * {sent, phone_ending, valid_s}; throws ApiError (429 past the day's sends).
   * @param {import("./wallet.js").Wallet} wallet @param {string} phone
   */
  sendIdentityCode(wallet, phone) {
    return this.#identityPost(wallet, "/identity/code", { phone });
  }

  /**
   * Step 2: the details and the code, sealed to the verifier in this browser, sent signed,
   * kept nowhere. Resolves {hash, height}; throws ApiError (422 on a failed check or a wrong
   * code, 409 if the person or the phone already backs an account, 429 past the day's
   * attempts).
   * @param {import("./wallet.js").Wallet} wallet
   * @param {{name: string, id_number: string, phone: string, code: string}} details
   */
  verifyIdentity(wallet, details) {
    return this.#identityPost(wallet, "/identity/verify", details);
  }

  async #identityPost(wallet, path, details) {
    const verifier = await this.verifier();
    const body = await (await envelope()).sealIdentity(details, b64decode(verifier.encryption_key, "encryption_key", 32),
                                    wallet.address);
    const digest = await sha256Hex(body);
    const headers = await wallet.signRequest(await this.getChainId(), digest, "POST");
    const r = await this.#fetch("POST", path, {
      body, headers: { ...headers, "content-type": "application/octet-stream" } });
    const out = await Api.#json(r);
    if (!r.ok) throw new ApiError(r.status, out);
    return out;
  }

  // --- live events ------------------------------------------------------------------------

  /**
   * Subscribe to /v1/events (server-sent events): `block` for every block and, with an
   * address, `tx` for that address's transactions. Returns the EventSource (call .close()).
   * @param {string|null} address
   * @param {(type: "block"|"tx", data: object) => void} onEvent
   * @param {typeof EventSource} [EventSourceImpl]
   */
  events(address, onEvent, EventSourceImpl = globalThis.EventSource) {
    const qs = address ? `?address=${encodeURIComponent(address)}` : "";
    const source = new EventSourceImpl(`${this.baseUrl}/v1/events${qs}`);
    for (const type of ["block", "tx"]) {
      source.addEventListener(type, (e) => {
        try {
          onEvent(type, JSON.parse(e.data));
        } catch (err) {
          console.error("bad event", err);
        }
      });
    }
    return source;
  }

  // --- accounts --------------------------------------------------------------------------

  /**
   * Become a resident with an invitation code; optionally create own codes in the same
   * transaction. Resolves {outcome, codes}. Only hashes are on chain; the codes are derived
   * from the wallet (sdk/invites.js), so any device holding it finds them again.
   * @param {import("./wallet.js").Wallet} wallet @param {string} inviteCode
   * @param {{ownInvites?: number}} [opts]
   */
  async register(wallet, inviteCode, { ownInvites = 0 } = {}) {
    const messages = [registerMsg(inviteCode, wallet.encryptionKeyB64)];
    // a new account has no invites yet: its derived codes start at 0
    const codes = ownInvites > 0 ? await deriveInviteCodes(await inviteSeed(wallet), 0, ownInvites) : [];
    if (codes.length) {
      messages.push(createInvitesMsg(await Promise.all(codes.map(inviteHash))));
    }
    const outcome = await this.send(wallet, messages, { sequence: 0 });
    return { outcome, codes };
  }

  /** New invitation codes, their hashes committed. @returns {Promise<string[]>} */
  async createInvites(wallet, count) {
    // derived from the wallet (sdk/invites.js), after the ones it already has on the ledger
    const seed = await inviteSeed(wallet);
    const onChain = await this.query("accounts/invites_of", { address: wallet.address });
    const { next } = await matchInviteCodes(seed, onChain);
    const codes = await deriveInviteCodes(seed, next, count);
    await this.send(wallet, [createInvitesMsg(await Promise.all(codes.map(inviteHash)))]);
    return codes;
  }

  /**
   * (Operator) approve a business, given its public keys (a Wallet or {address,
   * public_key, encryption_key}).
   */
  async registerBusiness(operator, business, name) {
    const info = typeof business.publicInfo === "function" ? business.publicInfo() : business;
    checkPublicKey(b64decode(info.public_key, "public_key", 32)); // what every node refuses
    return this.send(operator, [registerBusinessMsg(info.address, info.public_key, info.encryption_key,
                                                    name ?? info.name)]);
  }

  // --- business applications -------------------------------------------------------------

  /**
   * Apply as a business with the wallet's new key (no account needed): its name (80
   * characters), a public contact (120 bytes), what it offers (240 bytes) and its X25519
   * key. Resolves the application's id; the operator approves or declines it.
   * @param {import("./wallet.js").Wallet} wallet
   * @param {{name: string, contact: string, offers: string}} a
   * @returns {Promise<number>}
   */
  async applyBusiness(wallet, { name, contact, offers }) {
    const outcome = await this.send(wallet, [applyMsg({ name, contact, offers }, wallet.encryptionKeyB64)]);
    return Number(eventOf(outcome, "applications/applied").application);
  }

  /**
   * (Operator) approve an application: the applicant's key becomes a business with the
   * application's name and keys; with `dailyForce`, its daily Force quota is set in the
   * same transaction.
   */
  async approveApplication(operator, applicationId, dailyForce) {
    const messages = [approveApplicationMsg(applicationId)];
    if (dailyForce != null) {
      const { applicant } = await this.application(applicationId);
      messages.push(setBusinessQuotaMsg(applicant, dailyForce));
    }
    return this.send(operator, messages);
  }

  /** (Operator) decline an application, saying why (240 bytes, on the ledger). */
  declineApplication(operator, applicationId, reason) {
    return this.send(operator, [declineApplicationMsg(applicationId, reason)]);
  }

  /** Withdraw the wallet's own pending application. */
  withdrawApplication(wallet, applicationId) {
    return this.send(wallet, [withdrawApplicationMsg(applicationId)]);
  }

  /**
   * The operator's queue, oldest first: {pending, items, next_after}; page with `after`.
   * @param {{limit?: number, after?: number}} [opts]
   */
  applications({ limit = 50, after = 0 } = {}) {
    return this.get("/applications", { limit, after });
  }

  /** One application: status pending, approved, declined (with `reason`) or withdrawn. */
  application(applicationId) {
    return this.get(`/applications/${Number(applicationId)}`);
  }

  /** A key's latest application (null if none) and its next sequence. @param {string} address */
  applicationOf(address) {
    return this.get(`/applications/of/${address}`);
  }

  // --- Force, bubbles, drill ---------------------------------------------------------------

  /** Complete a self-reported task. */
  completeTask(wallet, taskId) {
    return this.send(wallet, [completeTaskMsg(taskId)]);
  }

  /** The daily check-in (task "daily_checkin" of the default catalog). */
  checkIn(wallet, taskId = "daily_checkin") {
    return this.completeTask(wallet, taskId);
  }

  /** Collect every ripe bubble. */
  collect(wallet) {
    return this.send(wallet, [collectMsg()]);
  }

  /** Enter the current Lucky Drill round (or a given one). */
  async enterDrill(wallet, round) {
    const r = round ?? Number((await this.query("drill/current")).round);
    return this.send(wallet, [enterDrillMsg(r)]);
  }

  /** (Business) attest that residents completed a task. */
  attestTasks(business, taskId, residents) {
    return this.send(business, [attestTasksMsg(taskId, residents)]);
  }

  /** (Operator) enable or disable a task. */
  setTaskEnabled(operator, taskId, enabled) {
    return this.send(operator, [setTaskEnabledMsg(taskId, enabled)]);
  }

  // --- vault ------------------------------------------------------------------------------

  /**
   * Seal a record to the owner, commit its digest, upload the ciphertext (commit first:
   * the store accepts only ciphertext the ledger expects). Resolves the digest.
   * @param {import("./wallet.js").Wallet} wallet @param {Uint8Array|string} plaintext
   * @param {string} category @param {number} [timeMs]
   */
  async addRecord(wallet, plaintext, category, timeMs = Date.now()) {
    const { blob, digest } = await (await envelope()).sealRecord(asBytes(plaintext), wallet.encryptionPublicKey);
    await this.send(wallet, [addRecordMsg(digest, category, timeMs, blob.length)]);
    await this.putBlob(wallet, digest, blob);
    return digest;
  }

  /** (Business) seal a record to a resident and deposit it. Resolves the digest. */
  async depositRecord(business, owner, plaintext, category, timeMs = Date.now(), task = "") {
    const { blob, digest } = await (await envelope()).sealRecord(asBytes(plaintext), await this.encryptionKeyOf(owner));
    await this.send(business, [depositRecordMsg(owner, digest, category, timeMs, blob.length, task)]);
    await this.putBlob(business, digest, blob);
    return digest;
  }

  /** Allow a business to deposit records into the caller's vault (deposits need it). */
  allowDepositor(wallet, business) {
    return this.send(wallet, [allowDepositorMsg(business)]);
  }

  /** Withdraw that permission; records already deposited stay the owner's. */
  revokeDepositor(wallet, business) {
    return this.send(wallet, [revokeDepositorMsg(business)]);
  }

  /** The businesses an owner allows to deposit: [{business, since}]. */
  async depositors(owner) {
    return (await this.query("vault/depositors", { owner })).items;
  }

  /** The owner downloads and opens a record. @returns {Promise<Uint8Array>} */
  async readRecord(wallet, digest) {
    return (await envelope()).openRecord(await this.getBlob(wallet, digest), wallet);
  }

  /** Same as readRecord, as text. @returns {Promise<string>} */
  async readRecordText(wallet, digest) {
    return utf8Decode(await this.readRecord(wallet, digest));
  }

  /** Erase a record (the ledger forgets it; the store deletes the ciphertext). */
  eraseRecord(wallet, digest) {
    return this.send(wallet, [eraseRecordMsg(digest)]);
  }

  // --- data requests ------------------------------------------------------------------------

  /** Which of the owner's records a request would receive, before signing. */
  eligible(requestId, owner) {
    return this.query("exchange/eligible", { request: requestId, owner });
  }

  /**
   * Accept a request with chosen records: each record's data key is resealed here to the
   * business, then the grant is signed.
   * @param {import("./wallet.js").Wallet} wallet @param {number} requestId @param {string[]} digests
   */
  async acceptRequest(wallet, requestId, digests) {
    const request = await this.query("exchange/request", { id: requestId });
    const businessKey = await this.encryptionKeyOf(request.business);
    const keys = [];
    for (const digest of digests) {
      keys.push(await (await envelope()).resealKey(await this.getBlob(wallet, digest), digest, wallet, businessKey));
    }
    return this.send(wallet, [acceptRequestMsg(requestId, digests, keys)]);
  }

  /** End the caller's grant on a request now. */
  revokeGrant(wallet, requestId) {
    return this.send(wallet, [revokeGrantMsg(requestId)]);
  }

  /**
   * (Business) every record still shared on a request, opened in this browser.
   * @returns {Promise<{resident: string, digest: string, category: string, time: number, plaintext: Uint8Array, text: string|null}[]>}
   */
  async readGranted(business, requestId) {
    const out = [];
    for (const grant of await this.queryAll("exchange/grants", { request: requestId })) {
      if (grant.state !== "active") continue;
      for (const item of grant.records) {
        if (!item.live) continue;
        const blob = await this.getBlob(business, item.digest);
        const record = await this.query("vault/record", { digest: item.digest });
        const plaintext = await (await envelope()).openGranted(blob, item.key, item.digest, business);
        let text = null;
        try {
          text = utf8Decode(plaintext);
        } catch { /* binary record */ }
        out.push({ resident: grant.resident, digest: item.digest, category: record.category,
                   time: record.time, plaintext, text });
      }
    }
    return out;
  }

  /**
   * (Business) post a data request; reward × residents is escrowed. Nothing is paid or
   * readable until `cohort` residents accepted (at least the chain's min_cohort; places in
   * whole cohorts; default: all of `residents` at once).
   * @param {{categories: string[], periodStart: number, periodEnd: number, purpose: string,
   *   reward: number, residents: number, cohort?: number, expiresAt: number, accessMs: number}} r
   *   reward in micro-BD; times in ms
   */
  createRequest(business, r) {
    return this.send(business, [createRequestMsg(r)]);
  }

  /** (Operator) suspend a business: its open requests close and refund; it trades nothing. */
  suspendBusiness(operator, business, reason) {
    return this.send(operator, [suspendBusinessMsg(business, reason)]);
  }

  /** (Operator) lift a business's suspension. */
  liftSuspension(operator, business) {
    return this.send(operator, [liftSuspensionMsg(business)]);
  }

  /** The relay report over [since, until) (ms; defaults: the last 7 days). */
  relays(since, until) {
    const params = {};
    if (since != null) params.since = since;
    if (until != null) params.until = until;
    return this.get("/audit/relays", params);
  }

  /** (Business) close a request early; the escrow left comes back. */
  closeRequest(business, requestId) {
    return this.send(business, [closeRequestMsg(requestId)]);
  }

  // --- shop --------------------------------------------------------------------------------

  /**
   * (Business) list an item for diamonds.
   * @param {{item: string, price: number, stock: number, startsAt: number, endsAt: number,
   *   minForce?: number, dailyLimit?: number}} o price in micro-BD; times in ms
   */
  createOffer(business, o) {
    return this.send(business, [createOfferMsg(o)]);
  }

  /** Buy an offer with diamonds. */
  redeem(wallet, offerId) {
    return this.send(wallet, [redeemMsg(offerId)]);
  }

  /** (Business) fulfil a redemption with a voucher sealed to the resident. */
  async fulfil(business, redemptionId, voucher) {
    const redemption = await this.query("exchange/redemption", { id: redemptionId });
    const sealed = await (await envelope()).sealVoucher(voucher, await this.encryptionKeyOf(redemption.resident));
    return this.send(business, [fulfilMsg(redemptionId, sealed)]);
  }

  /** (Business) refund a redemption it cannot fulfil. */
  refund(business, redemptionId) {
    return this.send(business, [refundMsg(redemptionId)]);
  }

  /** The resident opens a fulfilled redemption's voucher. @returns {Promise<string>} */
  async readVoucher(wallet, redemption) {
    return (await envelope()).openVoucher(redemption.voucher, wallet);
  }
}
