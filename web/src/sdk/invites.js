// Invitation codes derived from the wallet, so that any device holding it finds them again.
//
// Only a code's hash is on the ledger; a random code therefore lived only in the browser
// that made it. Here the i-th code of a wallet is
//   HKDF-SHA256(ikm = Ed25519-sign(key, DOMAIN), salt = DOMAIN, info = "code" || u32be(i), 10 bytes)
// in base32 (ABCD-EFGH-JKMN-PQRS). The input is a signature, not the raw seed, because an
// unlocked wallet keeps its signing key non-extractable: it can still sign, and Ed25519
// signatures are deterministic (RFC 8032), so every device and the Python SDK
// (planet.sdk.invites) get the same bytes. The signature stays secret: no transaction or
// request signs this text (their sign bytes begin with their own domain lines). HKDF is
// WebCrypto's. A wallet regenerates its codes 0..n-1 (n = the account's invites on the
// ledger) and matches them to the hashes there; a code made at random before this (or on
// another wallet) stays "made elsewhere".
import { base32 } from "@scure/base";
import { subtle, utf8Encode } from "./bytes.js";
import { formatInviteCode, inviteHash } from "./api.js";

export const INVITE_CODES_DOMAIN = "planet/invite-codes/v1\n";

/**
 * The secret the codes come from: the wallet's signature of the domain line (64 bytes).
 * @param {{sign: (m: Uint8Array) => Promise<Uint8Array>}} wallet
 * @returns {Promise<Uint8Array>}
 */
export function inviteSeed(wallet) {
  return wallet.sign(utf8Encode(INVITE_CODES_DOMAIN));
}

/**
 * Codes `start`..`start + count - 1` from a seed (inviteSeed).
 * @param {Uint8Array} seed @param {number} start @param {number} count
 * @returns {Promise<string[]>}
 */
export async function deriveInviteCodes(seed, start, count) {
  const key = await subtle.importKey("raw", seed, "HKDF", false, ["deriveBits"]);
  const salt = utf8Encode(INVITE_CODES_DOMAIN);
  const codes = [];
  for (let i = start; i < start + count; i += 1) {
    const info = new Uint8Array(8);
    info.set(utf8Encode("code"));
    new DataView(info.buffer).setUint32(4, i);
    const bits = await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, 80);
    codes.push(formatInviteCode(base32.encode(new Uint8Array(bits))));
  }
  return codes;
}

/**
 * The wallet's codes matched to its invites on the ledger ({code_hash, used_by, …} rows of
 * `accounts/invites_of`): `mine` in index order, each {index, code, hash, invite}; `other`
 * the ledger's invites no derived code matches (made at random, before derivation); `next`
 * the first index not on the ledger (where new codes start).
 * @param {Uint8Array} seed @param {{code_hash: string}[]} onChain
 */
export async function matchInviteCodes(seed, onChain) {
  const byHash = new Map(onChain.map((i) => [i.code_hash, i]));
  const codes = await deriveInviteCodes(seed, 0, onChain.length);
  const mine = [];
  let next = 0;
  for (const [index, code] of codes.entries()) {
    const hash = await inviteHash(code);
    const invite = byHash.get(hash);
    if (!invite) continue;
    mine.push({ index, code, hash, invite });
    byHash.delete(hash);
    if (index === next) next += 1;
  }
  while (mine.some((m) => m.index === next)) next += 1;
  return { mine, other: [...byHash.values()], next };
}
