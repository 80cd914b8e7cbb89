// Planet's Ed25519 acceptance rule in the browser SDK, on the edge cases Python is tested
// on (fixtures/ed25519-edge-cases.json, made by `python -m tests.unit.test_ed25519`): the
// two SDKs must accept and refuse exactly the same signatures and keys.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import {
  Api, SMALL_ORDER_ENCODINGS, Wallet, checkPublicKey, fromHex, isCanonicalPoint, publicKeyProblem,
  verifySignature,
} from "../src/sdk/index.js";

const fixture = JSON.parse(await readFile(new URL("./fixtures/ed25519-edge-cases.json",
  import.meta.url), "utf-8"));

test("every edge-case vector gets the rule's verdict", async () => {
  assert.ok(fixture.vectors.length > 150);
  for (const v of fixture.vectors) {
    const got = await verifySignature(fromHex(v.key), fromHex(v.sig), fromHex(v.msg));
    assert.equal(got, v.accept, `${v.name} (${v.flags.join(", ")})`);
  }
});

test("small-order and non-canonical keys are refused, a wallet's key is not", async () => {
  assert.equal(SMALL_ORDER_ENCODINGS.length, 14);
  for (const hex of SMALL_ORDER_ENCODINGS) {
    assert.match(publicKeyProblem(fromHex(hex)), /small-order/);
    assert.throws(() => checkPublicKey(fromHex(hex)), /public_key: refused Ed25519 key/);
  }
  const p = 2n ** 255n - 19n;
  for (let k = 0n; k < 19n; k++) {
    for (const sign of [0n, 1n << 255n]) {
      const n = sign | (p + k);
      const bytes = Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
      assert.equal(isCanonicalPoint(bytes), false, `y = p + ${k}`);
      assert.notEqual(publicKeyProblem(bytes), null);
    }
  }
  const w = await Wallet.generate();
  assert.equal(publicKeyProblem(w.publicKey), null);
  const msg = new TextEncoder().encode("hello");
  assert.ok(await verifySignature(w.publicKey, await w.sign(msg), msg));
  assert.equal(await verifySignature(w.publicKey.slice(1), await w.sign(msg), msg), false);
});

test("the identity key with R = identity and S = 0 signs nothing", async () => {
  const identity = fromHex("01" + "00".repeat(31));
  const sig = new Uint8Array(64);
  sig[0] = 1;
  const key = await crypto.subtle.importKey("raw", identity, { name: "Ed25519" }, false, ["verify"]);
  const msg = new TextEncoder().encode("any body at all");
  // WebCrypto alone accepts it (the reason for the rule); the SDK does not.
  assert.equal(await crypto.subtle.verify({ name: "Ed25519" }, key, sig, msg), true);
  assert.equal(await verifySignature(identity, sig, msg), false);
});

test("registering a business with a weak key is refused before anything is signed", async () => {
  const operator = await Wallet.generate();
  const api = new Api("http://127.0.0.1:9");
  const business = { address: "planet1q8g040f9rl9mu2unkjuj0vn262s6nyrhvj8hn3",
                     public_key: "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                     encryption_key: "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", name: "Weak" };
  await assert.rejects(api.registerBusiness(operator, business), /small-order/);
});
