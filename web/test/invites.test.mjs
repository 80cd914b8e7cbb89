// Invitation codes derived from the wallet (sdk/invites.js) against the Python SDK's
// (planet.sdk.invites), pinned in fixtures/invite-vectors.json (written by
// `python -m tests.unit.test_invite_codes`, which checks the same file).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { Wallet, toHex as bytesToHex, fromHex as hexToBytes, inviteHash } from "../src/sdk/index.js";
import { deriveInviteCodes, inviteSeed, matchInviteCodes, INVITE_CODES_DOMAIN } from "../src/sdk/invites.js";

const vectors = JSON.parse(await readFile(new URL("./fixtures/invite-vectors.json", import.meta.url), "utf-8"));

test("the wallet's codes are the Python SDK's", async () => {
  assert.equal(vectors.domain, INVITE_CODES_DOMAIN);
  for (const v of vectors.wallets) {
    const wallet = await Wallet.fromSeeds(hexToBytes(v.signing_seed), hexToBytes(v.encryption_seed));
    assert.equal(wallet.address, v.address);
    const seed = await inviteSeed(wallet);
    assert.equal(bytesToHex(seed), v.seed);
    const codes = await deriveInviteCodes(seed, 0, v.codes.length);
    assert.deepEqual(codes, v.codes);
    assert.deepEqual(await Promise.all(codes.map(inviteHash)), v.hashes);
    assert.deepEqual(await deriveInviteCodes(seed, 2, 2), v.codes.slice(2, 4));
  }
});

test("a wallet with a non-extractable key (an unlocked session) finds the same codes", async () => {
  const v = vectors.wallets[0];
  const full = await Wallet.fromSeeds(hexToBytes(v.signing_seed), hexToBytes(v.encryption_seed));
  full.dropSecret();
  assert.equal(full.holdsSecret, false);
  const onChain = [{ code_hash: v.hashes[1], used_by: "planet1x" }, { code_hash: "ab".repeat(32) },
    { code_hash: v.hashes[0], used_by: null }];
  const found = await matchInviteCodes(await inviteSeed(full), onChain);
  assert.deepEqual(found.mine.map((m) => [m.index, m.code]), [[0, v.codes[0]], [1, v.codes[1]]]);
  assert.equal(found.mine[1].invite.used_by, "planet1x");
  assert.deepEqual(found.other, [onChain[1]]);
  assert.equal(found.next, 2);
});
