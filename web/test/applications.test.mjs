// Business applications and the idempotent batch in the browser SDK, against a scripted
// fetch: the messages built, the applicant's sequence without an account, the queue's reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Api, ApiError, Wallet } from "../src/sdk/index.js";

function scripted(routes) {
  const calls = [];
  globalThis.fetch = async (url, init = {}) => {
    const u = new URL(url);
    calls.push({ method: init.method ?? "GET", path: u.pathname, query: Object.fromEntries(u.searchParams),
                 headers: init.headers ?? {}, body: init.body });
    const handler = routes[`${init.method ?? "GET"} ${u.pathname}`];
    if (!handler) return new Response(JSON.stringify({ detail: "Not Found" }), { status: 404 });
    const [status, body, headers] = await handler(calls.at(-1));
    return new Response(JSON.stringify(body), { status, headers });
  };
  return calls;
}

const committed = (events = []) => [200, { hash: "ab", check: { code: 0 }, committed: {
  height: 3, code: 0, result: { code: 0, log: "", events } } }];

test("applyBusiness: a new key signs at the sequence the ledger counts for it", async () => {
  const w = await Wallet.generate();
  const calls = scripted({
    "GET /v1/status": () => [200, { chain_id: "c-1" }],
    "GET /v1/query/accounts/account": () => [404, { code: 911, message: "no account" }],
    "GET /v1/query/accounts/sequence": () => [200, { address: w.address, sequence: 2 }],
    "POST /v1/txs": () => committed([{ type: "applications/applied", attributes: { application: 7 } }]),
  });
  const id = await new Api("http://node.test").applyBusiness(w, {
    name: "Noodle House", contact: "+86 21 5555 0101", offers: "Noodles" });
  assert.equal(id, 7);
  const tx = JSON.parse(calls.find((c) => c.method === "POST").body);
  assert.equal(tx.body.sequence, 2);
  assert.deepEqual(tx.body.messages, [{ type: "applications/apply", name: "Noodle House",
    contact: "+86 21 5555 0101", offers: "Noodles", encryption_key: w.encryptionKeyB64 }]);
});

test("approveApplication sets the quota in the same transaction; decline carries the reason", async () => {
  const op = await Wallet.generate();
  const calls = scripted({
    "GET /v1/status": () => [200, { chain_id: "c-1" }],
    "GET /v1/query/accounts/account": () => [200, { address: op.address, sequence: 9 }],
    "GET /v1/applications/4": () => [200, { id: 4, applicant: "planet1shop", status: "pending" }],
    "POST /v1/txs": () => committed(),
  });
  const api = new Api("http://node.test");
  await api.approveApplication(op, 4, 50);
  await api.declineApplication(op, 5, "No licence");
  await api.withdrawApplication(op, 6);
  const sent = calls.filter((c) => c.method === "POST").map((c) => JSON.parse(c.body).body.messages);
  assert.deepEqual(sent[0], [{ type: "applications/approve", application: 4 },
    { type: "force/set_business_quota", business: "planet1shop", daily_force: 50 }]);
  assert.deepEqual(sent[1], [{ type: "applications/decline", application: 5, reason: "No licence" }]);
  assert.deepEqual(sent[2], [{ type: "applications/withdraw", application: 6 }]);
});

test("the queue and a key's status are read from their routes", async () => {
  const calls = scripted({
    "GET /v1/applications": () => [200, { pending: 1, items: [{ id: 1 }], next_after: null }],
    "GET /v1/applications/of/planet1abc": () => [200, { address: "planet1abc", sequence: 1, application: null }],
  });
  const api = new Api("http://node.test");
  assert.equal((await api.applications({ limit: 10, after: 3 })).pending, 1);
  assert.deepEqual(calls[0].query, { limit: "10", after: "3" });
  assert.equal((await api.applicationOf("planet1abc")).application, null);
});

test("submitBatch sends the idempotency key and says when the answer is a replay", async () => {
  const calls = scripted({
    "POST /v1/txs/batch": () => [200, { results: [{ hash: "h", accepted: true, code: 0 }] },
                                 { "idempotent-replayed": "true" }],
  });
  const out = await new Api("http://node.test").submitBatch(["{}"], { idempotencyKey: "k-1", timeout: 5 });
  assert.equal(out.replayed, true);
  assert.equal(out.results[0].hash, "h");
  assert.equal(calls[0].headers["idempotency-key"], "k-1");
  assert.deepEqual(JSON.parse(calls[0].body), { txs: ["{}"] });
  assert.deepEqual(calls[0].query, { wait: "true", timeout: "5" });
  scripted({ "POST /v1/txs/batch": () => [422, { code: 961, error: "IdempotencyKeyReused", message: "different request" }] });
  const err = await new Api("http://node.test").submitBatch(["{}"], { idempotencyKey: "k-1" }).then(() => null, (e) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.code, 961);
});
