// The Api class against a scripted fetch: URLs, headers, bodies, and how refusals surface.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Api, ApiError, Wallet, eventOf, inviteHash, newInviteCodes, normalizeInviteCode, sealRecord,
  sha256Hex, utf8Encode,
} from "../src/sdk/index.js";

function scripted(routes) {
  const calls = [];
  globalThis.fetch = async (url, init = {}) => {
    const u = new URL(url);
    calls.push({ method: init.method ?? "GET", path: u.pathname, query: Object.fromEntries(u.searchParams),
                 headers: init.headers ?? {}, body: init.body });
    const key = `${init.method ?? "GET"} ${u.pathname}`;
    const handler = routes[key];
    if (!handler) return new Response(JSON.stringify({ detail: "Not Found" }), { status: 404 });
    const [status, body, raw] = await handler(calls.at(-1));
    return new Response(raw ?? JSON.stringify(body), { status });
  };
  return calls;
}

test("send: sequence from the account, signed body posted, outcome returned", async () => {
  const w = await Wallet.generate();
  const calls = scripted({
    "GET /v1/status": () => [200, { chain_id: "c-9", height: 5, time: 1 }],
    "GET /v1/query/accounts/account": () => [200, { address: w.address, sequence: 4 }],
    "POST /v1/txs": () => [200, { hash: "ab", check: { code: 0 }, committed: {
      height: 6, code: 0, result: { code: 0, log: "", events: [{ type: "emission/collected", attributes: { amount: 5 } }] } } }],
  });
  const api = new Api("http://node.test/");
  const out = await api.collect(w);
  assert.equal(out.height, 6);
  assert.deepEqual(eventOf(out, "emission/collected"), { amount: 5 });
  const post = calls.find((c) => c.method === "POST");
  assert.equal(post.query.wait, "true");
  const tx = JSON.parse(post.body);
  assert.deepEqual(tx.body, { chain_id: "c-9", sender: w.address, sequence: 4,
                              messages: [{ type: "emission/collect" }] });
  assert.equal(calls.find((c) => c.path.endsWith("accounts/account")).query.address, w.address);
});

test("refusals carry the core's code and message", async () => {
  const w = await Wallet.generate();
  scripted({
    "GET /v1/status": () => [200, { chain_id: "c" }],
    "GET /v1/query/accounts/account": () => [404, { code: 404, error: "NotFound", message: "no account" }],
    "POST /v1/txs": ({ body }) => (JSON.parse(body).body.messages[0].type === "emission/collect"
      ? [400, { hash: "x", check: { code: 203, error: "UnknownAccount", log: "sender has no account" } }]
      : [200, { hash: "y", committed: { height: 2, code: 412, result: { code: 412, log: "task daily_checkin is disabled", events: [] } } }]),
  });
  const api = new Api("http://node.test");
  const a = await api.collect(w).then(() => null, (e) => e);
  assert.ok(a instanceof ApiError);
  assert.equal(a.status, 400);
  assert.equal(a.code, 203);
  assert.equal(a.error, "UnknownAccount");
  assert.equal(a.message, "sender has no account");
  const b = await api.checkIn(w).then(() => null, (e) => e);
  assert.equal(b.code, 412);
  assert.equal(b.message, "task daily_checkin is disabled");
  assert.equal(await api.account(w.address), null);
  globalThis.fetch = async () => { throw new TypeError("fetch failed"); };
  const c = await api.status().then(() => null, (e) => e);
  assert.equal(c.status, 0);
  assert.match(c.message, /cannot reach the node/);
});

test("register sends the code, the encryption key and only hashes of its own codes", async () => {
  const w = await Wallet.generate();
  const calls = scripted({
    "GET /v1/status": () => [200, { chain_id: "c" }],
    "POST /v1/txs": () => [200, { hash: "h", committed: { height: 1, code: 0, result: { log: "", events: [] } } }],
  });
  const { codes } = await new Api("http://n").register(w, "abcd-efgh-jkmn-pqrs", { ownInvites: 3 });
  assert.equal(codes.length, 3);
  const tx = JSON.parse(calls.find((c) => c.method === "POST").body);
  assert.equal(tx.body.sequence, 0);
  const [reg, inv] = tx.body.messages;
  assert.deepEqual(reg, { type: "accounts/register", invite_code: "abcd-efgh-jkmn-pqrs",
                          encryption_key: w.encryptionKeyB64 });
  assert.deepEqual(inv.code_hashes, await Promise.all(codes.map(inviteHash)));
  for (const code of codes) assert.ok(!calls.at(-1).body.includes(normalizeInviteCode(code)));
});

test("invite codes: 16 base32 letters in four groups, normalised like the core", async () => {
  for (const code of newInviteCodes(20)) assert.match(code, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
  assert.equal(normalizeInviteCode(" abcd efgh-jkmn pqrs "), "ABCDEFGHJKMNPQRS");
  assert.throws(() => normalizeInviteCode("ABCD-EFGH-JKMN-PQR1"), /A-Z and digits 2-7/);
  assert.throws(() => normalizeInviteCode("ABCD"), /got 4/);
  assert.equal(await inviteHash("abcd-efgh-jkmn-pqrs"), await inviteHash("ABCDEFGHJKMNPQRS"));
});

test("blobs: signed headers, and a swapped blob is refused", async () => {
  const w = await Wallet.generate();
  const { blob, digest } = await sealRecord(utf8Encode("x"), w.encryptionPublicKey);
  let served = blob;
  const calls = scripted({
    "GET /v1/status": () => [200, { chain_id: "c" }],
    [`PUT /v1/blobs/${digest}`]: () => [201, { digest, size: blob.length }],
    [`GET /v1/blobs/${digest}`]: () => [200, null, served],
  });
  const api = new Api("http://n");
  await api.putBlob(w, digest, blob);
  const put = calls.find((c) => c.method === "PUT");
  assert.equal(put.headers["X-Planet-Address"], w.address);
  assert.equal(put.headers["content-type"], "application/octet-stream");
  assert.deepEqual(await api.getBlob(w, digest), blob);
  served = blob.slice(1);
  await assert.rejects(api.getBlob(w, digest), /not record/);
  assert.equal(await sha256Hex(blob), digest);
});

test("identity: sealed body, signed over its digest with POST", async () => {
  const resident = await Wallet.generate();
  const verifier = await Wallet.generate();
  const calls = scripted({
    "GET /v1/status": () => [200, { chain_id: "c" }],
    "GET /v1/identity/verifier": () => [200, { address: verifier.address, encryption_key: verifier.encryptionKeyB64, name: "v" }],
    "POST /v1/identity/code": () => [200, { sent: true, phone_ending: "8000", valid_s: 300 }],
    "POST /v1/identity/verify": () => [422, { code: 350, codespace: "identity", error: "IdentityRejected", message: "ID number checksum" }],
  });
  const api = new Api("http://n");
  assert.deepEqual(await api.sendIdentityCode(resident, "13800138000"), { sent: true, phone_ending: "8000", valid_s: 300 });
  const codePost = calls.find((c) => c.method === "POST");
  assert.equal(codePost.path, "/v1/identity/code");
  assert.equal(codePost.body.length, 32 + 16 + JSON.stringify({ phone: "13800138000" }).length);
  const details = { name: "A", id_number: "1", phone: "2", code: "123456" };
  const err = await api.verifyIdentity(resident, details).then(() => null, (e) => e);
  assert.equal(err.status, 422);
  assert.equal(err.code, 350);
  assert.equal(err.message, "ID number checksum");
  const post = calls.filter((c) => c.method === "POST")[1];
  assert.ok(post.body instanceof Uint8Array && post.body.length === 32 + 16 + JSON.stringify(details).length);
  assert.ok(!new TextDecoder().decode(post.body).includes("\"name\""));
  assert.equal(post.headers["X-Planet-Address"], resident.address);
});

test("events: one EventSource on /v1/events, block and tx parsed", async () => {
  const listeners = {};
  let opened = "";
  class FakeSource {
    constructor(url) { opened = url; }
    addEventListener(type, fn) { listeners[type] = fn; }
    close() {}
  }
  const seen = [];
  new Api("http://n").events("planet1xyz", (type, data) => seen.push([type, data.height]), FakeSource);
  assert.equal(opened, "http://n/v1/events?address=planet1xyz");
  listeners.block({ data: JSON.stringify({ height: 3 }) });
  listeners.tx({ data: JSON.stringify({ height: 3 }) });
  assert.deepEqual(seen, [["block", 3], ["tx", 3]]);
});

test("concurrent sends by one wallet are signed one after the other", async () => {
  const w = await Wallet.generate();
  let sequence = 0;
  const seen = [];
  scripted({
    "GET /v1/status": () => [200, { chain_id: "c" }],
    "GET /v1/query/accounts/account": () => [200, { address: w.address, sequence }],
    "POST /v1/txs": async ({ body }) => {
      const seq = JSON.parse(body).body.sequence;
      seen.push(seq);
      await new Promise((r) => setTimeout(r, 20));
      if (seq !== sequence) return [400, { check: { code: 103, log: "bad sequence" } }];
      sequence += 1;
      return [200, { hash: String(seq), committed: { height: seq + 1, code: 0, result: { log: "", events: [] } } }];
    },
  });
  const api = new Api("http://n");
  const outs = await Promise.all([api.collect(w), api.collect(w), api.collect(w)]);
  assert.deepEqual(outs.map((o) => o.hash), ["0", "1", "2"]);
  assert.deepEqual(seen, [0, 1, 2]);
  // A refusal does not block the next one.
  sequence = 10;
  const bad = api.send(w, [{ type: "x" }], { sequence: 3 });
  await assert.rejects(bad, /bad sequence/);
  assert.equal((await api.collect(w)).hash, "10");
});
