import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Wallet, checkMnemonic, computeAddress, exportKeystore, importKeystore, isAddress,
  keystoreIsEncrypted, newMnemonic, slip10Derive, toHex, fromHex, walletFromMnemonic,
} from "../src/sdk/index.js";
import { mnemonicToSeedWebcrypto } from "@scure/bip39";

const ABANDON = `${"abandon ".repeat(23)}art`;

test("a known mnemonic gives the wallet the Python SDK gives", async () => {
  const w = await walletFromMnemonic(ABANDON);
  assert.equal(w.address, "planet1vpythdfeq72rydahq2xhau73hf9uweltdrd0zv");
  assert.equal(w.publicKeyB64, "DJGVUUajSQGgOuc4d48+oTy50nJkNiL02DQ6xGPKwzo=");
  assert.equal(w.encryptionKeyB64, "VeSd0iJfohbLTwIBPtcTX1fQncFRfsPXijOSu9oY1zo=");
  assert.equal(await computeAddress(w.publicKey), w.address);
  assert.ok(isAddress(w.address));
  assert.ok(!isAddress(w.address.toUpperCase()));
  assert.ok(!isAddress(w.address.slice(0, -1) + (w.address.endsWith("q") ? "p" : "q")));
});

test("SLIP-0010 ed25519 test vector 1 (seed 000102…0f), chain m/0'/1'/2'/2'/1000000000'", async () => {
  // From the SLIP-0010 specification: a check that the derivation scheme is right.
  const seed = fromHex("000102030405060708090a0b0c0d0e0f");
  assert.equal(toHex(await slip10Derive(seed, "ed25519", [])),
               "2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7");
  assert.equal(toHex(await slip10Derive(seed, "ed25519", [0, 1, 2, 2, 1000000000])),
               "8f94d394a8e8fd6b1bc2f3f49f5c47e385281d5c17e65324b0f62483e37e8793");
  const w = await Wallet.fromSeeds(await slip10Derive(seed, "ed25519", []), new Uint8Array(32));
  assert.equal(toHex(w.publicKey), "a4b2856bfec510abab89753fac1ac0e1112364e7d250545963f135f2a33188ed");
});

test("SLIP-0010 curve25519 test vector 1: private keys m and m/0', and their X25519 public keys", async () => {
  const seed = fromHex("000102030405060708090a0b0c0d0e0f");
  const master = await slip10Derive(seed, "curve25519", []);
  assert.equal(toHex(master), "d70a59c2e68b836cc4bbe8bcae425169b9e2384f3905091e3d60b890e90cd92c");
  const child = await slip10Derive(seed, "curve25519", [0]);
  assert.equal(toHex(child), "cd7630d7513cbe80515f7317cdb9a47ad4a56b63c3f1dc29583ab8d4cc25a9b2");
  const w = await Wallet.fromSeeds(new Uint8Array(32), master);
  assert.equal(toHex(w.encryptionPublicKey), "5c7289dc9f7f3ea1c8c2de7323b9fb0781f69c9ecd6de4f095ac89a02dc80577");
  const w0 = await Wallet.fromSeeds(new Uint8Array(32), child);
  assert.equal(toHex(w0.encryptionPublicKey), "cb8be6b256ce509008b43ae0dccd69960ad4f7ff2e2868c1fbc9e19ec3ad544b");
});

test("mnemonics: 24 fresh words, canonical form, errors that name the position only", async () => {
  const words = newMnemonic();
  assert.equal(words.split(" ").length, 24);
  assert.equal(checkMnemonic(`  ${words.toUpperCase().replace(/ /g, "\n ")} `), words);
  assert.throws(() => checkMnemonic("abandon abandon"), /12, 15, 18, 21 or 24 words, got 2/);
  assert.throws(() => checkMnemonic(ABANDON.replace(/art$/, "zzzz")), /word #24 is not/);
  assert.throws(() => checkMnemonic(ABANDON.replace(/art$/, "abandon")), /checksum/);
  const a = await walletFromMnemonic(words);
  const b = await walletFromMnemonic(words.toUpperCase());
  assert.equal(a.address, b.address);
  const other = await walletFromMnemonic(words, { account: 1 });
  assert.notEqual(other.address, a.address);
  const withPass = await walletFromMnemonic(words, { passphrase: "x" });
  assert.notEqual(withPass.address, a.address);
  // The seed is BIP-39's own (PBKDF2), not something of ours.
  assert.equal((await mnemonicToSeedWebcrypto(words)).length, 64);
});

test("keystore: encrypted and clear round trips, wrong password, tampering", async () => {
  const w = await Wallet.generate("me");
  const clear = await exportKeystore(w);
  assert.ok(!keystoreIsEncrypted(clear));
  assert.equal((await importKeystore(clear)).address, w.address);

  const sealed = await exportKeystore(w, "s3cret ☃");
  assert.ok(keystoreIsEncrypted(sealed));
  assert.ok(!sealed.includes(JSON.parse(clear).private_keys));
  const back = await importKeystore(sealed, "s3cret ☃");
  assert.equal(back.address, w.address);
  assert.deepEqual(back.exportSecret(), w.exportSecret());
  await assert.rejects(importKeystore(sealed, "nope"), /wrong password/);
  await assert.rejects(importKeystore(sealed), /password is needed/);

  const doc = JSON.parse(sealed);
  doc.address = (await Wallet.generate()).address; // aad is the address: moving it breaks the seal
  await assert.rejects(importKeystore(doc, "s3cret ☃"), /wrong password/);
  const lying = JSON.parse(clear);
  lying.public_key = (await Wallet.generate()).publicKeyB64;
  await assert.rejects(importKeystore(lying), /do not match/);
  const hostile = JSON.parse(sealed);
  hostile.crypto.n = 2 ** 30;
  await assert.rejects(importKeystore(hostile, "s3cret ☃"), /out of range/);
  await assert.rejects(importKeystore("{}"), /not a valid Planet keystore/);
});

test("this runtime has what the SDK needs, and says so", async () => {
  const { checkWebCrypto } = await import("../src/sdk/index.js");
  assert.deepEqual(await checkWebCrypto(), { ok: true, problems: [] });
});
