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
