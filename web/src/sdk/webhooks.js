/**
 * A business's webhook endpoints on a node, from the browser: the twin of the Python SDK's
 * WebhooksClient (src/planet/sdk/webhooks.py). Every request is signed by the business's
 * key with the blob requests' scheme (Wallet.signRequest, the X-Planet-* headers), the
 * digest binding the URL path and the body, so a signature made for one request is good
 * for no other. The endpoint's secret comes back once, from `addWebhook`: the node never
 * shows it again, so a caller shows it to the person right away.
 * @module
 */
import { concat, sha256Hex, utf8Encode } from "./bytes.js";
import { ApiError } from "./api.js";

/** What a business may subscribe to (planet.sdk.webhooks.EVENT_TYPES, the node's list). */
export const WEBHOOK_EVENTS = Object.freeze([
  "redemption.made", "redemption.refunded", "request.accepted", "cohort.filled",
  "request.closed", "grant.revoked", "record.erased", "business.suspended",
  "business.suspension_lifted",
]);

const REQUEST_DOMAIN = "planet/webhooks-request/v1\n";

/**
 * What a management request's signature binds besides method and chain: hex SHA-256 of
 * the domain, the URL path (as sent, without the query), a newline and the body.
 * @param {string} path e.g. "/v1/businesses/planet1…/webhooks" @param {string} [body]
 * @returns {Promise<string>}
 */
export function webhooksRequestDigest(path, body = "") {
  return sha256Hex(concat(utf8Encode(REQUEST_DOMAIN + path + "\n"), utf8Encode(body)));
}

const basePath = (address) => `/v1/businesses/${encodeURIComponent(address)}/webhooks`;

/** One signed request; the answer's JSON, or an ApiError carrying the node's message. */
async function signedRequest(api, wallet, method, path, { body, params } = {}) {
  const raw = body === undefined ? "" : JSON.stringify(body);
  const headers = await wallet.signRequest(await api.getChainId(),
                                           await webhooksRequestDigest(path, raw), method);
  if (body !== undefined) headers["content-type"] = "application/json";
  const qs = params ? new URLSearchParams(params).toString() : "";
  let r;
  try {
    r = await fetch(`${api.baseUrl}${path}${qs ? `?${qs}` : ""}`,
                    { method, headers, body: body === undefined ? undefined : raw });
  } catch (err) {
    throw new ApiError(0, { message: `cannot reach the node at ${api.baseUrl || "this origin"}: ${err.message}` });
  }
  const text = await r.text();
  let answer;
  try { answer = JSON.parse(text); } catch { answer = { message: text.slice(0, 500) }; }
  if (!r.ok) throw new ApiError(r.status, answer);
  return answer;
}

/**
 * Add an endpoint: {id, url, events, created_at, from_height, secret}. The secret is in
 * this answer only.
 * @param {import("./api.js").Api} api @param {import("./wallet.js").Wallet} wallet
 * @param {string} url @param {string[]} events among WEBHOOK_EVENTS
 */
export function addWebhook(api, wallet, url, events) {
  return signedRequest(api, wallet, "POST", basePath(wallet.address), { body: { url, events: [...events] } });
}

/** The business's endpoints, without their secrets. @returns {Promise<object[]>} */
export async function listWebhooks(api, wallet) {
  return (await signedRequest(api, wallet, "GET", basePath(wallet.address))).webhooks;
}

/** Remove an endpoint and its delivery log. @param {string} endpointId */
export function removeWebhook(api, wallet, endpointId) {
  return signedRequest(api, wallet, "DELETE", `${basePath(wallet.address)}/${encodeURIComponent(endpointId)}`);
}

/**
 * The delivery log, newest first: {id, endpoint, event_id, type, height, status, attempts,
 * next_at, last_error, response_code, response_body, created_at, delivered_at} each.
 * @param {{endpoint?: string, limit?: number}} [opts] @returns {Promise<object[]>}
 */
export async function webhookDeliveries(api, wallet, { endpoint, limit = 50 } = {}) {
  const params = { limit: String(limit) };
  if (endpoint) params.endpoint = endpoint;
  return (await signedRequest(api, wallet, "GET", `${basePath(wallet.address)}/deliveries`, { params })).deliveries;
}

/** Send a delivery again now, with a fresh round of attempts. @param {number} deliveryId */
export function redeliverWebhook(api, wallet, deliveryId) {
  const id = Math.trunc(Number(deliveryId));
  return signedRequest(api, wallet, "POST", `${basePath(wallet.address)}/deliveries/${id}/redeliver`, { body: {} });
}
