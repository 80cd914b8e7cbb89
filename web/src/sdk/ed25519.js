/**
 * Ed25519 verification under Planet's acceptance rule: the one every node applies
 * (src/planet/core/ed25519.py; ARCHITECTURE.md, "Signatures"), so that the browser
 * never trusts a signature or a key a node would refuse, nor the reverse.
 *
 * WebCrypto (OpenSSL in Node, BoringSSL in Chromium) checks S < L and the cofactorless
 * equation on R's bytes, but accepts any of the eight small-order points as a public key
 * (the identity with R = identity and S = 0 verifies every message) and non-canonical
 * encodings of it. The nodes do the equation with libsodium, which also refuses a
 * small-order R, so the rule, checked here before WebCrypto's verify, is:
 *   1. A is 32 bytes, the signature 64 (R, then S);
 *   2. A and R are canonical (RFC 8032 5.1.3: y < p, and x = 0 never has the sign bit);
 *   3. neither A nor R is a small-order point;
 *   4. S < L;
 *   5. [S]B = R + [k]A, cofactorless (WebCrypto).
 * @module
 */
import { subtle, toHex } from "./bytes.js";

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const Y_BITS = (1n << 255n) - 1n;

/**
 * Every encoding of a small-order edwards25519 point: the eight points, then the six
 * non-canonical encodings of them (as listed by C2SP's CCTV, "Low-order edwards25519
 * point encodings"; the same list as planet.core.ed25519.SMALL_ORDER_ENCODINGS).
 */
export const SMALL_ORDER_ENCODINGS = Object.freeze([
  "0100000000000000000000000000000000000000000000000000000000000000",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0000000000000000000000000000000000000000000000000000000000000080",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
  "0100000000000000000000000000000000000000000000000000000000000080",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
]);
const SMALL_ORDER = new Set(SMALL_ORDER_ENCODINGS);
// The two encodings with a canonical y whose x = 0 carries the sign bit (y = 1, y = p - 1).
const X_NEGATIVE_ZERO = new Set([
  "0100000000000000000000000000000000000000000000000000000000000080",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
]);

function littleEndian(bytes) {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/**
 * RFC 8032 5.1.3 decoding's two refusals, on the bytes alone: y >= p, and x = 0 with the
 * sign bit set.
 * @param {Uint8Array} encoding 32 bytes
 * @returns {boolean}
 */
export function isCanonicalPoint(encoding) {
  if (X_NEGATIVE_ZERO.has(toHex(encoding))) return false;
  return (littleEndian(encoding) & Y_BITS) < P;
}

/**
 * Why `publicKey` can never be an account's key (rules 1-3), or null.
 * @param {Uint8Array} publicKey
 * @returns {string | null}
 */
export function publicKeyProblem(publicKey) {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    return `expected 32 bytes, got ${publicKey?.length ?? typeof publicKey}`;
  }
  if (SMALL_ORDER.has(toHex(publicKey))) {
    return "a small-order point, which would verify signatures nobody made";
  }
  if (!isCanonicalPoint(publicKey)) return "not the canonical encoding of a point (RFC 8032 5.1.3)";
  return null;
}

/**
 * Throw unless `publicKey` is a key the nodes accept (the node would refuse the tx
 * with WeakPublicKey, code 115).
 * @param {Uint8Array} publicKey @param {string} [field]
 */
export function checkPublicKey(publicKey, field = "public_key") {
  const problem = publicKeyProblem(publicKey);
  if (problem !== null) throw new Error(`${field}: refused Ed25519 key: ${problem}`);
}

/**
 * True if `signature` is `publicKey`'s on `message` under the nodes' rule.
 * @param {Uint8Array} publicKey @param {Uint8Array} signature @param {Uint8Array} message
 * @returns {Promise<boolean>}
 */
export async function verifySignature(publicKey, signature, message) {
  if (publicKeyProblem(publicKey) !== null) return false;
  if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
  const r = signature.subarray(0, 32);
  if (SMALL_ORDER.has(toHex(r)) || !isCanonicalPoint(r)) return false;
  if (littleEndian(signature.subarray(32)) >= L) return false;
  try {
    const key = await subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    return await subtle.verify({ name: "Ed25519" }, key, signature, message);
  } catch {
    return false; // not a point at all: WebCrypto refuses to import or to verify it
  }
}
