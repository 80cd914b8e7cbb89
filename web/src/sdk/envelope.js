/**
 * Envelope encryption for the vault, vouchers and the identity check, byte for byte the
 * format of src/planet/sdk/envelope.py (read its docstring for the full specification).
 *
 * HPKE (RFC 9180, @hpke/core on WebCrypto X25519): base mode, single shot, empty aad,
 * DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-128-GCM; a sealed value is enc || ct.
 * Blob v1: "PV1\n" | u16be 80 | HPKE(data key, info "planet/vault/v1/owner-key") |
 * 12-byte nonce | AES-256-GCM(body, aad "planet/vault/v1/record"). Digest = hex SHA-256
 * of the blob. Grant = HPKE(data key, info "planet/vault/v1/grant\n" + digest).
 * @module
 */
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";
import {
  b64decode, b64encode, concat, randomBytes, sha256Hex, subtle, utf8Decode, utf8Encode,
} from "./bytes.js";

export const MAGIC = /* @__PURE__ */ utf8Encode("PV1\n");
export const OWNER_KEY_INFO = /* @__PURE__ */ utf8Encode("planet/vault/v1/owner-key");
export const RECORD_AAD = /* @__PURE__ */ utf8Encode("planet/vault/v1/record");
export const GRANT_INFO_PREFIX = "planet/vault/v1/grant\n";
export const VOUCHER_INFO = /* @__PURE__ */ utf8Encode("planet/exchange/v1/voucher");
export const IDENTITY_INFO_PREFIX = "planet/identity/v1\n";
export const DATA_KEY_LEN = 32;
export const NONCE_LEN = 12;
export const TAG_LEN = 16;
export const ENC_LEN = 32;
export const SEALED_KEY_LEN = ENC_LEN + DATA_KEY_LEN + TAG_LEN;
const HEADER_LEN = MAGIC.length + 2;
const DIGEST = /^[0-9a-f]{64}$/;

const NOT_OWNER = "cannot open: this key is not the record's owner key, or the blob was altered";
const NOT_GRANTED = "cannot open: the granted key does not open this record";
const ALTERED = "record was altered (authentication failed)";
const NOT_SEALED_FOR_YOU = "cannot open: wrong key or purpose, or the sealed data was altered";

/** The HPKE suite every Planet seal uses. */
export const suite = /* @__PURE__ */ new CipherSuite({
  kem: /* @__PURE__ */ new DhkemX25519HkdfSha256(), kdf: /* @__PURE__ */ new HkdfSha256(),
  aead: /* @__PURE__ */ new Aes128Gcm(),
});

/** Any envelope failure; messages never contain plaintext or keys. */
export class EnvelopeError extends Error {
  constructor(message) {
    super(message);
    this.name = "EnvelopeError";
  }
}

/**
 * HPKE-seal to one recipient; `info` names the purpose.
 * @param {Uint8Array} plaintext @param {Uint8Array} recipientPublicKey raw 32-byte X25519
 * @param {Uint8Array} info
 * @returns {Promise<Uint8Array>} enc || ct
 */
export async function sealTo(plaintext, recipientPublicKey, info) {
  if (!(recipientPublicKey instanceof Uint8Array) || recipientPublicKey.length !== 32) {
    throw new EnvelopeError("public key must be a raw 32-byte X25519 key");
  }
  let recipient;
  try {
    recipient = await suite.kem.deserializePublicKey(recipientPublicKey);
  } catch {
    throw new EnvelopeError("public key must be a raw 32-byte X25519 key");
  }
  try {
    const { ct, enc } = await suite.seal({ recipientPublicKey: recipient, info }, plaintext);
    return concat(new Uint8Array(enc), new Uint8Array(ct));
  } catch {
    throw new EnvelopeError("cannot seal to this public key (not a usable X25519 point)");
  }
}

async function openWith(sealed, wallet, info, message) {
  if (!(sealed instanceof Uint8Array) || sealed.length < ENC_LEN + TAG_LEN) throw new EnvelopeError(message);
  try {
    const pt = await suite.open({
      recipientKey: wallet.encryptionKeyPair, enc: sealed.slice(0, ENC_LEN), info,
    }, sealed.slice(ENC_LEN));
    return new Uint8Array(pt);
  } catch {
    throw new EnvelopeError(message);
  }
}

/**
 * Open a sealTo value with the wallet's encryption key.
 * @param {Uint8Array} sealed @param {import("./wallet.js").Wallet} wallet @param {Uint8Array} info
 * @returns {Promise<Uint8Array>}
 */
export function openSealed(sealed, wallet, info) {
  return openWith(sealed, wallet, info, NOT_SEALED_FOR_YOU);
}

/** @param {Uint8Array} blob @returns {Promise<string>} the record's ledger digest */
export const computeDigest = (blob) => sha256Hex(blob);

/**
 * Split a blob into its parts, refusing anything not shaped like version 1.
 * @param {Uint8Array} blob
 * @returns {{sealedKey: Uint8Array, nonce: Uint8Array, body: Uint8Array}}
 */
export function parseBlob(blob) {
  const starts = MAGIC.every((b, i) => blob[i] === b);
  if (!starts) {
    if (blob.length < MAGIC.length && blob.every((b, i) => MAGIC[i] === b)) throw new EnvelopeError("truncated blob");
    throw new EnvelopeError("not a Planet vault blob (bad magic)");
  }
  if (blob.length < HEADER_LEN) throw new EnvelopeError("truncated blob");
  const keyLen = (blob[MAGIC.length] << 8) | blob[MAGIC.length + 1];
  if (keyLen !== SEALED_KEY_LEN) {
    throw new EnvelopeError(`unsupported sealed key length ${keyLen} (version 1 uses ${SEALED_KEY_LEN})`);
  }
  const nonceAt = HEADER_LEN + keyLen;
  const bodyAt = nonceAt + NONCE_LEN;
  if (blob.length < bodyAt + TAG_LEN) throw new EnvelopeError("truncated blob");
  return { sealedKey: blob.slice(HEADER_LEN, nonceAt), nonce: blob.slice(nonceAt, bodyAt),
           body: blob.slice(bodyAt) };
}

async function aes256gcm(op, key, nonce, data) {
  const k = await subtle.importKey("raw", key, { name: "AES-GCM" }, false, [op]);
  return new Uint8Array(await subtle[op](
    { name: "AES-GCM", iv: nonce, additionalData: RECORD_AAD, tagLength: 128 }, k, data));
}

async function decryptBody(dataKey, nonce, body) {
  try {
    return await aes256gcm("decrypt", dataKey, nonce, body);
  } catch {
    throw new EnvelopeError(ALTERED);
  }
}

function grantInfo(digest) {
  if (typeof digest !== "string" || !DIGEST.test(digest)) {
    throw new EnvelopeError("digest must be 64 lower-case hex characters");
  }
  return utf8Encode(GRANT_INFO_PREFIX + digest);
}

/**
 * Encrypt a record under a fresh data key sealed to its owner.
 * @param {Uint8Array} plaintext @param {Uint8Array} ownerEncPub raw X25519 key of the owner
 * @returns {Promise<{blob: Uint8Array, digest: string}>}
 */
export async function sealRecord(plaintext, ownerEncPub) {
  const dataKey = randomBytes(DATA_KEY_LEN);
  const sealedKey = await sealTo(dataKey, ownerEncPub, OWNER_KEY_INFO);
  const nonce = randomBytes(NONCE_LEN);
  const body = await aes256gcm("encrypt", dataKey, nonce, plaintext);
  dataKey.fill(0);
  const blob = concat(MAGIC, Uint8Array.from([SEALED_KEY_LEN >> 8, SEALED_KEY_LEN & 0xff]),
                      sealedKey, nonce, body);
  return { blob, digest: await computeDigest(blob) };
}

/**
 * The owner's data key of a blob.
 * @param {Uint8Array} blob @param {import("./wallet.js").Wallet} wallet
 * @returns {Promise<Uint8Array>}
 */
export async function openDataKey(blob, wallet) {
  const { sealedKey } = parseBlob(blob);
  const key = await openWith(sealedKey, wallet, OWNER_KEY_INFO, NOT_OWNER);
  if (key.length !== DATA_KEY_LEN) throw new EnvelopeError(NOT_OWNER);
  return key;
}

/**
 * Decrypt a record as its owner.
 * @param {Uint8Array} blob @param {import("./wallet.js").Wallet} wallet
 * @returns {Promise<Uint8Array>}
 */
export async function openRecord(blob, wallet) {
  const { nonce, body } = parseBlob(blob);
  return decryptBody(await openDataKey(blob, wallet), nonce, body);
}

/**
 * Grant one record: reseal its data key to the recipient, bound to the digest.
 * @param {Uint8Array} blob @param {string} digest @param {import("./wallet.js").Wallet} wallet owner
 * @param {Uint8Array} recipientEncPub
 * @returns {Promise<string>} base64 grant key (what AcceptRequest.keys carries)
 */
export async function resealKey(blob, digest, wallet, recipientEncPub) {
  if ((await computeDigest(blob)) !== digest) throw new EnvelopeError("blob does not match its digest");
  const dataKey = await openDataKey(blob, wallet);
  return b64encode(await sealTo(dataKey, recipientEncPub, grantInfo(digest)));
}

/**
 * Decrypt a record with a grant key resealed to this wallet.
 * @param {Uint8Array} blob @param {string} grantKeyB64 @param {string} digest
 * @param {import("./wallet.js").Wallet} wallet the recipient (a business)
 * @returns {Promise<Uint8Array>}
 */
export async function openGranted(blob, grantKeyB64, digest, wallet) {
  if ((await computeDigest(blob)) !== digest) throw new EnvelopeError("blob does not match its digest");
  const { nonce, body } = parseBlob(blob);
  let sealed;
  try {
    sealed = b64decode(grantKeyB64, "grant key");
  } catch {
    throw new EnvelopeError(NOT_GRANTED);
  }
  const dataKey = await openWith(sealed, wallet, grantInfo(digest), NOT_GRANTED);
  if (dataKey.length !== DATA_KEY_LEN) throw new EnvelopeError(NOT_GRANTED);
  return decryptBody(dataKey, nonce, body);
}

/**
 * A voucher (text) sealed to a resident, base64 as FulfilRedemption.voucher carries it.
 * @param {string} voucher @param {Uint8Array} residentEncPub
 * @returns {Promise<string>}
 */
export async function sealVoucher(voucher, residentEncPub) {
  return b64encode(await sealTo(utf8Encode(voucher), residentEncPub, VOUCHER_INFO));
}

/**
 * Open a voucher sealed to this wallet.
 * @param {string} voucherB64 @param {import("./wallet.js").Wallet} wallet
 * @returns {Promise<string>}
 */
export async function openVoucher(voucherB64, wallet) {
  let sealed;
  try {
    sealed = b64decode(voucherB64, "voucher");
  } catch {
    throw new EnvelopeError(NOT_SEALED_FOR_YOU);
  }
  return utf8Decode(await openSealed(sealed, wallet, VOUCHER_INFO));
}

/**
 * The body of POST /v1/identity/verify (or /code, with the phone alone): real-name
 * details and the code sent to the phone, sealed to the verifier, bound to the resident's
 * address.
 * @param {{name?: string, id_number?: string, phone: string, code?: string}} details
 * @param {Uint8Array} verifierEncPub @param {string} residentAddress
 * @returns {Promise<Uint8Array>}
 */
export async function sealIdentity(details, verifierEncPub, residentAddress) {
  const fields = {};
  for (const f of ["name", "id_number", "phone", "code"]) {
    if (details[f] !== undefined) fields[f] = String(details[f]);  // {phone} alone asks for a code
  }
  const plaintext = utf8Encode(JSON.stringify(fields));
  return sealTo(plaintext, verifierEncPub, utf8Encode(IDENTITY_INFO_PREFIX + residentAddress));
}
