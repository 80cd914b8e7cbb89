/**
 * Builders of the ledger's messages, one per message type a page signs: each takes the
 * page's camelCase values and returns the wire object with the core's field names
 * (src/planet/core/<module>/messages.py), so no page spells a message by hand and a renamed
 * field fails in one place (web/test/messages.test.mjs checks every builder against the
 * core's schemas, dumped by tests/unit/test_web_messages.py). Pure: no network, no keys.
 * @module
 */

/**
 * Record and task categories, in the core's order (src/planet/core/vault/state.py).
 * The one list every page offers; labels come from the i18n catalogs (category.<id>).
 */
export const CATEGORIES = Object.freeze(["credit", "browsing", "shopping", "entertainment", "travel",
  "identity", "health", "location", "social", "other"]);

/** The fields an offer update may change (the core's UpdateOffer.OPTIONAL), camelCase → wire. */
export const OFFER_FIELDS = Object.freeze({
  price: "price", stock: "stock", startsAt: "starts_at", endsAt: "ends_at", minForce: "min_force",
  dailyLimit: "daily_limit",
});

const int = (v) => Math.trunc(Number(v));

/**
 * (Business) ask residents for data; `reward × residents` µBD go into escrow. Categories
 * are sent in the core's order whatever order they were ticked in.
 * @param {{categories: string[], periodStart: number, periodEnd: number, purpose: string,
 *   reward: number, residents: number, cohort?: number, expiresAt: number, accessMs: number}} r
 */
export function createRequestMsg(r) {
  const known = CATEGORIES.filter((c) => r.categories.includes(c));
  const other = r.categories.filter((c) => !CATEGORIES.includes(c));
  return {
    type: "exchange/create_request", categories: [...known, ...other], period_start: int(r.periodStart),
    period_end: int(r.periodEnd), purpose: r.purpose, reward: int(r.reward), residents: int(r.residents),
    cohort: int(r.cohort ?? r.residents), expires_at: int(r.expiresAt), access_ms: int(r.accessMs),
  };
}

/** (Business) close a request early; the escrow left comes back. */
export const closeRequestMsg = (requestId) => ({ type: "exchange/close_request", request: int(requestId) });

/** (Business, verifier or operator) attest one task for each of `residents`. */
export const attestTasksMsg = (taskId, residents) => ({
  type: "force/attest_tasks", task_id: String(taskId), residents: [...residents],
});

/**
 * (Business) list an item for diamonds.
 * @param {{item: string, price: number, stock: number, startsAt: number, endsAt: number,
 *   minForce?: number, dailyLimit?: number}} o price in µBD; times in ms
 */
export function createOfferMsg(o) {
  return {
    type: "exchange/create_offer", item: o.item, price: int(o.price), stock: int(o.stock),
    starts_at: int(o.startsAt), ends_at: int(o.endsAt), min_force: int(o.minForce ?? 0),
    daily_limit: int(o.dailyLimit ?? 0),
  };
}

/**
 * (Business) edit an offer: only the fields given (not undefined/null) are sent, and only
 * they change; redemptions already made keep their price. Throws if nothing changes (the
 * core refuses that with 727 anyway).
 * @param {number} offerId
 * @param {{price?: number, stock?: number, startsAt?: number, endsAt?: number,
 *   minForce?: number, dailyLimit?: number}} changes
 */
export function updateOfferMsg(offerId, changes) {
  const msg = { type: "exchange/update_offer", offer: int(offerId) };
  for (const [name, wire] of Object.entries(OFFER_FIELDS)) {
    if (changes[name] !== undefined && changes[name] !== null) msg[wire] = int(changes[name]);
  }
  const unknown = Object.keys(changes).filter((k) => !(k in OFFER_FIELDS));
  if (unknown.length) throw new TypeError(`updateOfferMsg: unknown field(s) ${unknown.join(", ")}`);
  if (Object.keys(msg).length === 2) throw new TypeError("updateOfferMsg: name at least one field to change");
  return msg;
}

/** (Business) no redemptions until resumed. */
export const pauseOfferMsg = (offerId) => ({ type: "exchange/pause_offer", offer: int(offerId) });
/** (Business) a paused offer sells again. */
export const resumeOfferMsg = (offerId) => ({ type: "exchange/resume_offer", offer: int(offerId) });
/** (Business) final: no more redemptions or changes; pending ones are still settled. */
export const stopOfferMsg = (offerId) => ({ type: "exchange/stop_offer", offer: int(offerId) });

/** (Business) cannot deliver: the price goes back to the resident, the item to stock. */
export const refundMsg = (redemptionId) => ({ type: "exchange/refund", redemption: int(redemptionId) });

/** (Business) deliver a voucher already sealed (HPKE, base64) to the resident. */
export const fulfilMsg = (redemptionId, sealedVoucher) => ({
  type: "exchange/fulfil", redemption: int(redemptionId), voucher: sealedVoucher,
});

/** (Operator) switch a task of the catalog on or off. */
export const setTaskEnabledMsg = (taskId, enabled) => ({
  type: "force/set_task_enabled", task_id: String(taskId), enabled: Boolean(enabled),
});

/** (Operator) suspend a business: its open requests close and refund. */
export const suspendBusinessMsg = (business, reason) => ({
  type: "exchange/suspend_business", business, reason,
});

/** (Operator) lift a business's suspension. */
export const liftSuspensionMsg = (business) => ({ type: "exchange/lift_suspension", business });

/** (Operator) how much Force a business may attest per local day. */
export const setBusinessQuotaMsg = (business, dailyForce) => ({
  type: "force/set_business_quota", business, daily_force: int(dailyForce),
});

// --- residents, applicants and the operator's approvals (the Api's actions sign these) ----

/** Become a resident with an invitation code and the wallet's X25519 key (base64). */
export const registerMsg = (inviteCode, encryptionKey) => ({
  type: "accounts/register", invite_code: String(inviteCode), encryption_key: encryptionKey,
});

/** Publish invitation codes' hashes (hex SHA-256); the codes themselves never leave the wallet. */
export const createInvitesMsg = (codeHashes) => ({ type: "accounts/create_invites", code_hashes: [...codeHashes] });

/** (Operator) make a key a business, with its public keys (base64) and name. */
export const registerBusinessMsg = (business, publicKey, encryptionKey, name) => ({
  type: "accounts/register_business", business, public_key: publicKey, encryption_key: encryptionKey, name,
});

/** Apply as a business with a new key: name, public contact, what it offers, X25519 key. */
export const applyMsg = ({ name, contact, offers }, encryptionKey) => ({
  type: "applications/apply", name, contact, offers, encryption_key: encryptionKey,
});

/** (Operator) approve an application: its key becomes a business. */
export const approveApplicationMsg = (applicationId) => ({ type: "applications/approve", application: int(applicationId) });

/** (Operator) decline an application, saying why (on the ledger). */
export const declineApplicationMsg = (applicationId, reason) => ({
  type: "applications/decline", application: int(applicationId), reason,
});

/** Withdraw one's own pending application. */
export const withdrawApplicationMsg = (applicationId) => ({ type: "applications/withdraw", application: int(applicationId) });

/** Complete a self-reported task. */
export const completeTaskMsg = (taskId) => ({ type: "force/complete_task", task_id: String(taskId) });

/** Collect every ripe bubble. */
export const collectMsg = () => ({ type: "emission/collect" });

/** Enter a Lucky Drill round. */
export const enterDrillMsg = (round) => ({ type: "drill/enter", round: int(round) });

/** Commit a sealed record's digest to one's own vault (time in ms, size in bytes). */
export const addRecordMsg = (digest, category, timeMs, size) => ({
  type: "vault/add_record", digest, category, time: int(timeMs), size: int(size),
});

/** (Business) deposit a sealed record into a resident's vault; `task` names the task it attests. */
export const depositRecordMsg = (owner, digest, category, timeMs, size, task = "") => ({
  type: "vault/deposit_record", owner, digest, category, time: int(timeMs), size: int(size), task: String(task),
});

/** Allow a business to deposit records into one's vault. */
export const allowDepositorMsg = (business) => ({ type: "vault/allow_depositor", business });
/** Withdraw that permission; records already deposited stay the owner's. */
export const revokeDepositorMsg = (business) => ({ type: "vault/revoke_depositor", business });
/** Erase a record (the ledger forgets it; the store deletes the ciphertext). */
export const eraseRecordMsg = (digest) => ({ type: "vault/erase_record", digest });

/** Accept a request with chosen records and each record's data key resealed to the business. */
export const acceptRequestMsg = (requestId, digests, keys) => ({
  type: "exchange/accept_request", request: int(requestId), records: [...digests], keys: [...keys],
});

/** End one's grant on a request now. */
export const revokeGrantMsg = (requestId) => ({ type: "exchange/revoke_grant", request: int(requestId) });

/** Buy an offer with diamonds. */
export const redeemMsg = (offerId) => ({ type: "exchange/redeem", offer: int(offerId) });
