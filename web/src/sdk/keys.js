/**
 * Key backup (24-word BIP-39 mnemonic) and the keystore file format (wallets kept in the
 * browser are walletstore.js's).
 *
 * Byte-compatible with src/planet/sdk/keys.py, so words written down from the CLI restore
 * here and a keystore exported here imports in Python (and the reverse):
 * - BIP-39 English, seed = PBKDF2 as BIP-39 says (passphrase optional);
 * - SLIP-0010, hardened only: Ed25519 signing key at m/44'/7777'/account'/0'/0',
 *   Curve25519 encryption key at m/44'/7777'/account'/1'/0'. No maintained npm library
 *   derives SLIP-0010 for both curves, so the derivation scheme (HMAC-SHA512 chains,
 *   no primitive of our own) is written here on WebCrypto's HMAC;
 * - keystore v1: {version, name, address, public_key, encryption_key, encrypted, and
 *   either private_keys (clear, dev) or crypto: scrypt (@noble/hashes) then AES-256-GCM
 *   (WebCrypto) with aad = the address}.
 *
 * The word list and BIP-39 (mnemonic.js) and scrypt are imported when first needed: a
 * resident whose session is already unlocked opens the app without them (a phone on a slow
 * network would otherwise wait for them before its first render).
 * @module
 */
import { b64decode, b64encode, randomBytes, subtle, utf8Encode } from "./bytes.js";
import { Wallet } from "./wallet.js";

export const COIN_TYPE = 7777;
export const KEYSTORE_VERSION = 1;
export const SCRYPT = { N: 2 ** 15, r: 8, p: 1 };
const WRONG_PASSWORD = "wrong password or corrupted keystore";
const HARDENED = 0x80000000;
async function hmacSha512(key, data) {
  const k = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-512" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", k, data));
}

/**
 * SLIP-0010 private key at a hardened path for ed25519 or curve25519 (for both curves
 * every 32-byte IL is a valid key, so there is no retry loop).
 * @param {Uint8Array} seed BIP-39 seed
 * @param {"ed25519"|"curve25519"} curve
 * @param {number[]} path indexes, each hardened
 * @returns {Promise<Uint8Array>} 32-byte private key
 */
export async function slip10Derive(seed, curve, path) {
  let I = await hmacSha512(utf8Encode(`${curve} seed`), seed);
  let key = I.slice(0, 32);
  let chain = I.slice(32);
  for (const index of path) {
    const data = new Uint8Array(37);
    data.set(key, 1);
    new DataView(data.buffer).setUint32(33, (index | HARDENED) >>> 0);
    I = await hmacSha512(chain, data);
    key = I.slice(0, 32);
    chain = I.slice(32);
  }
  return key;
}

/**
 * Both keys from a BIP-39 seed, as Python's wallet_from_seed.
 * @param {Uint8Array} seed @param {number} [account] @param {string} [name]
 * @returns {Promise<Wallet>}
 */
export async function walletFromSeed(seed, account = 0, name = "") {
  if (!Number.isInteger(account) || account < 0 || account >= 2 ** 31) {
    throw new Error("account must be between 0 and 2**31 - 1");
  }
  const signing = await slip10Derive(seed, "ed25519", [44, COIN_TYPE, account, 0, 0]);
  const encryption = await slip10Derive(seed, "curve25519", [44, COIN_TYPE, account, 1, 0]);
  return Wallet.fromSeeds(signing, encryption, name);
}

/**
 * The wallet the words stand for (deterministic; same as the CLI's `planet keys`).
 * @param {string} words @param {{passphrase?: string, account?: number, name?: string}} [opts]
 * @returns {Promise<Wallet>}
 */
export async function walletFromMnemonic(words, { passphrase = "", account = 0, name = "" } = {}) {
  const { checkMnemonic, mnemonicToSeedWebcrypto } = await import("./mnemonic.js");
  const seed = await mnemonicToSeedWebcrypto(checkMnemonic(words), passphrase);
  return walletFromSeed(seed, account, name);
}

// --- keystore ----------------------------------------------------------------------------

async function deriveKeystoreKey(password, salt, N, r, p) {
  const { scryptAsync } = await import("@noble/hashes/scrypt.js");
  // NFC so the same password typed on different systems gives the same key (as Python).
  return scryptAsync(utf8Encode(password.normalize("NFC")), salt, { N, r, p, dkLen: 32 });
}

async function aesGcm(key, op, nonce, data, aad) {
  const k = await subtle.importKey("raw", key, { name: "AES-GCM" }, false, [op]);
  const alg = { name: "AES-GCM", iv: nonce, additionalData: aad, tagLength: 128 };
  return new Uint8Array(await subtle[op](alg, k, data));
}

/**
 * The keystore document for a wallet (pretty JSON, as Python writes it). Without a
 * password the keys are stored in clear: for development only.
 * @param {Wallet} wallet @param {string|null} [password] @param {string} [name]
 * @param {{N: number, r: number, p: number}} [scrypt] the cost (the CLI's by default)
 * @returns {Promise<string>}
 */
export async function exportKeystore(wallet, password = null, name = wallet.name, scrypt = SCRYPT) {
  const secret = wallet.exportSecret();
  const doc = {
    version: KEYSTORE_VERSION, name, address: wallet.address,
    public_key: wallet.publicKeyB64, encryption_key: wallet.encryptionKeyB64,
    encrypted: password !== null && password !== undefined,
  };
  if (!doc.encrypted) {
    doc.private_keys = b64encode(secret);
  } else {
    if (!password) throw new Error("empty password: use none for an unencrypted (dev) keystore");
    const salt = randomBytes(16);
    const nonce = randomBytes(12);
    const key = await deriveKeystoreKey(password, salt, scrypt.N, scrypt.r, scrypt.p);
    const sealed = await aesGcm(key, "encrypt", nonce, secret, utf8Encode(wallet.address));
    key.fill(0);
    doc.crypto = { kdf: "scrypt", n: scrypt.N, r: scrypt.r, p: scrypt.p, salt: b64encode(salt),
                   cipher: "aes-256-gcm", nonce: b64encode(nonce), ciphertext: b64encode(sealed) };
  }
  secret.fill(0);
  return JSON.stringify(doc, null, 2) + "\n";
}

/**
 * Whether a keystore document needs a password.
 * @param {string|object} keystore @returns {boolean}
 */
export function keystoreIsEncrypted(keystore) {
  const doc = typeof keystore === "string" ? JSON.parse(keystore) : keystore;
  return Boolean(doc && doc.encrypted);
}

/**
 * The wallet in a keystore document (the Python format, e.g. HOME/keys/operator.json).
 * @param {string|object} keystore JSON text or parsed object
 * @param {string|null} [password] ignored when the keystore is not encrypted
 * @returns {Promise<Wallet>}
 */
export async function importKeystore(keystore, password = null) {
  let doc;
  let secret;
  try {
    doc = typeof keystore === "string" ? JSON.parse(keystore) : keystore;
    if (doc.version !== KEYSTORE_VERSION) throw new Error(`unsupported keystore version ${doc.version}`);
    if (typeof doc.address !== "string") throw new Error("address missing");
    if (doc.encrypted) {
      if (!password) throw new Error("keystore is encrypted: a password is needed");
      secret = await openKeystoreCrypto(doc.crypto, password, doc.address);
    } else {
      secret = b64decode(doc.private_keys, "private_keys", 64);
    }
  } catch (err) {
    if (err.message === WRONG_PASSWORD || /password is needed/.test(err.message)) throw err;
    throw new Error(`not a valid Planet keystore (${err.message})`);
  }
  const signingSeed = secret.slice(0, 32);
  const encryptionSeed = secret.slice(32);
  const wallet = await Wallet.fromSeeds(signingSeed, encryptionSeed, doc.name ?? "");
  for (const bytes of [secret, signingSeed, encryptionSeed]) bytes.fill(0);
  if (wallet.address !== doc.address || wallet.publicKeyB64 !== doc.public_key
      || wallet.encryptionKeyB64 !== doc.encryption_key) {
    throw new Error("keystore keys do not match its address or public keys");
  }
  return wallet;
}

async function openKeystoreCrypto(crypto, password, address) {
  if (crypto.kdf !== "scrypt" || crypto.cipher !== "aes-256-gcm") {
    throw new Error("unsupported keystore kdf or cipher");
  }
  const n = Number(crypto.n);
  const r = Number(crypto.r);
  const p = Number(crypto.p);
  // Same bounds as Python: a hostile file must not make us allocate gigabytes.
  if (!(Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0 && r >= 1 && 128 * n * r <= 2 ** 28
        && p >= 1 && p <= 16)) {
    throw new Error("keystore scrypt parameters out of range");
  }
  const key = await deriveKeystoreKey(password, b64decode(crypto.salt, "salt", 16), n, r, p);
  let secret;
  try {
    secret = await aesGcm(key, "decrypt", b64decode(crypto.nonce, "nonce", 12),
                          b64decode(crypto.ciphertext, "ciphertext"), utf8Encode(address));
  } catch {
    throw new Error(WRONG_PASSWORD);
  } finally {
    key.fill(0);
  }
  if (secret.length !== 64) throw new Error(WRONG_PASSWORD);
  return secret;
}
