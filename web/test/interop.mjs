// Cross-implementation checks between this SDK and the Python SDK.
//
//   node test/interop.mjs <dir>   reads <dir>/python.json (written by
//   tests/integration/test_web_sdk.py), asserts the JS SDK agrees with every vector, and
//   writes <dir>/js.json for Python to verify and open.
//
// Without an argument it does nothing, so `node --test test/` may load it safely; the
// pinned vectors are checked by python-vectors.test.mjs through checkPythonVectors. It has
// no static Node import, so the same checks also run bundled in a real Chromium
// (tests/integration/test_web_sdk.py).
import {
  b64decode, b64encode, exportKeystore, importKeystore, inviteHash, newInviteCodes, newMnemonic,
  openGranted, openRecord, openVoucher, resealKey, sealIdentity, sealRecord, sealVoucher,
  txSignBytes, utf8Decode, utf8Encode, walletFromMnemonic, fromHex, verifySignature,
} from "../src/sdk/index.js";
import canonicalize from "canonicalize";

// A few assertions of our own instead of node:assert, so this module also runs in a browser.
const assert = {
  equal(actual, expected, what = "value") {
    if (actual !== expected) {
      throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
  },
  deepEqual(actual, expected, what = "value") {
    const a = actual instanceof Uint8Array ? JSON.stringify([...actual]) : JSON.stringify(sortKeys(actual));
    const e = expected instanceof Uint8Array ? JSON.stringify([...expected]) : JSON.stringify(sortKeys(expected));
    if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
  },
  async rejects(promise, pattern, what = "call") {
    try {
      await promise;
    } catch (err) {
      if (!pattern.test(err.message)) throw new Error(`${what}: wrong error ${err.message}`);
      return;
    }
    throw new Error(`${what}: expected an error matching ${pattern}`);
  },
};

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  }
  return v;
}

/** Assert the JS SDK reads and reproduces everything in Python's vectors. */
export async function checkPythonVectors(py) {
  const resident = await walletFromMnemonic(py.resident.mnemonic);
  const business = await walletFromMnemonic(py.business.mnemonic);
  for (const [w, v] of [[resident, py.resident], [business, py.business]]) {
    assert.equal(w.address, v.address);
    assert.equal(w.publicKeyB64, v.public_key);
    assert.equal(w.encryptionKeyB64, v.encryption_key);
  }

  assert.equal(b64encode(utf8Encode(canonicalize(py.canonical.value))), py.canonical.bytes);
  const pyTx = JSON.parse(py.tx.raw);
  assert.equal(b64encode(txSignBytes(pyTx.body)), py.tx.sign_bytes);
  const jsTx = JSON.parse(await resident.signTx(py.chain_id, py.tx.sequence, py.tx.messages));
  assert.deepEqual(jsTx, pyTx, "same key and body give the same signed transaction");

  const br = py.blob_request;
  assert.deepEqual(await resident.signRequest(py.chain_id, br.digest, br.method, br.timestamp),
                   br.headers);

  const blob = b64decode(py.record.blob);
  const plaintext = b64decode(py.record.plaintext);
  assert.deepEqual(await openRecord(blob, resident), plaintext);
  assert.deepEqual(await openGranted(blob, py.record.grant, py.record.digest, business), plaintext);
  await assert.rejects(openRecord(blob, business), /not the record's owner/);

  assert.equal(await openVoucher(py.voucher.sealed, resident), py.voucher.text);

  const fromKeystore = await importKeystore(py.keystore.encrypted, py.keystore.password);
  assert.equal(fromKeystore.address, resident.address);
  await assert.rejects(importKeystore(py.keystore.encrypted, "wrong"), /wrong password/);
  assert.equal((await importKeystore(py.keystore.plain)).address, business.address);

  assert.equal(await inviteHash(py.invite.code), py.invite.hash);
  return { resident, business };
}

/** Everything the JS SDK makes for Python to verify. */
export async function makeJsVectors(py, { resident, business }) {
  const text = "Dentist, 14 March — 60 € ✔";
  const sealed = await sealRecord(utf8Encode(text), resident.encryptionPublicKey);
  const details = { name: "Ana Løpez 李", id_number: "X1234567", phone: "+34 600 000 000" };
  const mnemonic = newMnemonic();
  const fresh = await walletFromMnemonic(mnemonic);
  const codes = newInviteCodes(3);
  const digest = "ef".repeat(32);
  return {
    tx: { sequence: py.tx.sequence,
          raw: await resident.signTx(py.chain_id, py.tx.sequence, py.tx.messages) },
    blob_request: { digest,
                    headers: await resident.signRequest(py.chain_id, digest, "put") },
    record: {
      plaintext: text, blob: b64encode(sealed.blob), digest: sealed.digest,
      grant: await resealKey(sealed.blob, sealed.digest, resident, business.encryptionPublicKey),
    },
    py_record_grant: await resealKey(b64decode(py.record.blob), py.record.digest, resident,
                                     business.encryptionPublicKey),
    voucher: { text: "JS-VOUCHER-✓", sealed: await sealVoucher("JS-VOUCHER-✓", resident.encryptionPublicKey) },
    identity: { details, sealed: b64encode(await sealIdentity(details, business.encryptionPublicKey,
                                                              resident.address)) },
    keystore: { password: "pässwörd ☃", encrypted: await exportKeystore(resident, "pässwörd ☃", "resident"),
                plain: await exportKeystore(business, null, "business") },
    mnemonic: { words: mnemonic, address: fresh.address, public_key: fresh.publicKeyB64,
                encryption_key: fresh.encryptionKeyB64 },
    invites: await Promise.all(codes.map(async (c) => [c, await inviteHash(c)])),
    // This SDK's verdict on each Ed25519 case Python sent: Python checks they are its own.
    ed25519: await Promise.all((py.ed25519 ?? []).map(
      (c) => verifySignature(fromHex(c.key), fromHex(c.sig), fromHex(c.msg)))),
  };
}

async function main(dir) {
  const { readFile, writeFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const py = JSON.parse(await readFile(join(dir, "python.json"), "utf-8"));
  const wallets = await checkPythonVectors(py);
  const js = await makeJsVectors(py, wallets);
  await writeFile(join(dir, "js.json"), JSON.stringify(js), "utf-8");
  // Sanity: what we wrote opens here too.
  assert.equal(utf8Decode(await openRecord(b64decode(js.record.blob), wallets.resident)), js.record.plaintext);
}

if (typeof process !== "undefined" && process.argv?.[2] && process.argv[1]
    && /interop\.mjs$/.test(process.argv[1])) {
  main(process.argv[2]).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
