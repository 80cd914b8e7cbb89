import { test } from "node:test";
import assert from "node:assert/strict";
import {
  MAGIC, Wallet, b64decode, b64encode, fromHex, openGranted, openRecord, openSealed, openVoucher,
  parseBlob, resealKey, sealIdentity, sealRecord, sealTo, sealVoucher, sha256Hex, suite, toHex,
  utf8Decode, utf8Encode,
} from "../src/sdk/index.js";

test("RFC 9180 A.1.1: @hpke/core's DHKEM(X25519)/HKDF-SHA256/AES-128-GCM base mode", async () => {
  // Appendix A.1.1, sequence number 0, with the appendix's ephemeral key (test-only `ekm`).
  const skEm = fromHex("52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736");
  const pkEm = fromHex("37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431");
  const skRm = fromHex("4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8");
  const pkRm = fromHex("3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d");
  const info = fromHex("4f6465206f6e2061204772656369616e2055726e");
  const pt = fromHex("4265617574792069732074727574682c20747275746820626561757479");
  const aad = fromHex("436f756e742d30");
  const ct = "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a";

  const ekm = { privateKey: await suite.kem.deserializePrivateKey(skEm),
                publicKey: await suite.kem.deserializePublicKey(pkEm) };
  const recipientPublicKey = await suite.kem.deserializePublicKey(pkRm);
  const sealed = await suite.seal({ recipientPublicKey, info, ekm }, pt, aad);
  assert.equal(toHex(new Uint8Array(sealed.enc)), toHex(pkEm));
  assert.equal(toHex(new Uint8Array(sealed.ct)), ct);

  // The recipient side through the SDK's own key import (PKCS#8 seed) opens it too.
  const recipient = await Wallet.fromSeeds(new Uint8Array(32).fill(1), skRm);
  assert.equal(toHex(recipient.encryptionPublicKey), toHex(pkRm));
  const opened = await suite.open({ recipientKey: recipient.encryptionKeyPair, enc: pkEm, info },
                                  fromHex(ct), aad);
  assert.equal(toHex(new Uint8Array(opened)), toHex(pt));
});

test("a record: layout, owner opens, others cannot, any altered byte is refused", async () => {
  const owner = await Wallet.generate();
  const other = await Wallet.generate();
  const text = utf8Encode("blood type O+ ✚");
  const { blob, digest } = await sealRecord(text, owner.encryptionPublicKey);
  assert.deepEqual(blob.slice(0, 4), MAGIC);
  assert.deepEqual([...blob.slice(4, 6)], [0, 80]);
  assert.equal(blob.length, 4 + 2 + 80 + 12 + text.length + 16);
  assert.equal(digest, await sha256Hex(blob));
  const { sealedKey, nonce, body } = parseBlob(blob);
  assert.equal(sealedKey.length, 80);
  assert.equal(nonce.length, 12);
  assert.equal(body.length, text.length + 16);
  assert.deepEqual(await openRecord(blob, owner), text);
  await assert.rejects(openRecord(blob, other), /not the record's owner/);
  for (const at of [7, 90, blob.length - 1]) {
    const bad = blob.slice();
    bad[at] ^= 1;
    await assert.rejects(openRecord(bad, owner), /altered|owner/);
  }
  await assert.rejects(openRecord(blob.slice(0, 50), owner), /truncated/);
  assert.throws(() => parseBlob(utf8Encode("PV2\nxxxxxxxx")), /bad magic/);
  const wrongLen = blob.slice();
  wrongLen[5] = 81;
  assert.throws(() => parseBlob(wrongLen), /sealed key length 81/);
  // Two seals of the same text differ (fresh key and nonce).
  assert.notEqual((await sealRecord(text, owner.encryptionPublicKey)).digest, digest);
});

test("a grant opens one record for its recipient only", async () => {
  const owner = await Wallet.generate();
  const shop = await Wallet.generate();
  const eve = await Wallet.generate();
  const a = await sealRecord(utf8Encode("record A"), owner.encryptionPublicKey);
  const b = await sealRecord(utf8Encode("record B"), owner.encryptionPublicKey);
  const grantA = await resealKey(a.blob, a.digest, owner, shop.encryptionPublicKey);
  assert.equal(b64decode(grantA).length, 80);
  assert.equal(utf8Decode(await openGranted(a.blob, grantA, a.digest, shop)), "record A");
  await assert.rejects(openGranted(a.blob, grantA, a.digest, eve), /granted key does not open/);
  // Bound to A's digest: the same data key would not be accepted for another blob.
  await assert.rejects(openGranted(b.blob, grantA, b.digest, shop), /granted key does not open/);
  await assert.rejects(openGranted(a.blob, grantA, b.digest, shop), /does not match its digest/);
  await assert.rejects(resealKey(a.blob, a.digest, shop, eve.encryptionPublicKey), /owner/);
});

test("vouchers and identity payloads are sealed for one purpose", async () => {
  const resident = await Wallet.generate();
  const verifier = await Wallet.generate();
  const v = await sealVoucher("CODE-123", resident.encryptionPublicKey);
  assert.equal(await openVoucher(v, resident), "CODE-123");
  await assert.rejects(openVoucher(v, verifier), /cannot open/);

  const details = { name: "A B", id_number: "123", phone: "+1 555" };
  const sealed = await sealIdentity(details, verifier.encryptionPublicKey, resident.address);
  const info = utf8Encode(`planet/identity/v1\n${resident.address}`);
  assert.deepEqual(JSON.parse(utf8Decode(await openSealed(sealed, verifier, info))), details);
  await assert.rejects(openSealed(sealed, verifier, utf8Encode("planet/identity/v1\nsomeone")),
                       /cannot open/);
  await assert.rejects(sealTo(utf8Encode("x"), new Uint8Array(31), info), /32-byte/);
  assert.equal(b64encode(new Uint8Array([1, 2])), "AQI=");
});

test("transaction and request signatures verify with the public key alone", async () => {
  const w = await Wallet.generate();
  const raw = JSON.parse(await w.signTx("c-1", 3, [{ type: "emission/collect" }]));
  assert.deepEqual(Object.keys(raw), ["body", "public_key", "signature"]);
  assert.equal(raw.body.sender, w.address);
  const { txSignBytes, blobSignBytes } = await import("../src/sdk/wallet.js");
  const pub = await crypto.subtle.importKey("raw", w.publicKey, { name: "Ed25519" }, false, ["verify"]);
  assert.ok(await crypto.subtle.verify({ name: "Ed25519" }, pub, b64decode(raw.signature),
                                       txSignBytes(raw.body)));
  raw.body.sequence = 4;
  assert.ok(!await crypto.subtle.verify({ name: "Ed25519" }, pub, b64decode(raw.signature),
                                        txSignBytes(raw.body)));
  const h = await w.signRequest("c-1", "00".repeat(32), "get", 1234);
  assert.equal(h["X-Planet-Timestamp"], "1234");
  assert.ok(await crypto.subtle.verify({ name: "Ed25519" }, pub, b64decode(h["X-Planet-Signature"]),
    blobSignBytes({ address: w.address, chainId: "c-1", digest: "00".repeat(32), method: "GET", timestamp: 1234 })));
  // The private keys cannot be exported from WebCrypto.
  await assert.rejects(crypto.subtle.exportKey("pkcs8", w.signingKey));
  await assert.rejects(crypto.subtle.exportKey("pkcs8", w.encryptionKeyPair.privateKey));
});
