/**
 * A wallet: an Ed25519 signing key and an X25519 encryption key, held in the browser.
 *
 * Same bytes as src/planet/sdk/wallet.py and src/planet/sdk/blobauth.py: the address is
 * bech32m("planet", SHA-256(public key)[:20]); a transaction is signed over
 * "planet/tx/v1\n" + RFC 8785 (JCS) of its body; a blob request over
 * "planet/blob-request/v1\n" + JCS of {address, chain_id, digest, method, timestamp}.
 * @module
 */
import { bech32m } from "@scure/base";
import canonicalize from "canonicalize";
import { b64decode, b64encode, concat, sha256, subtle, utf8Encode } from "./bytes.js";

export const HRP = "planet";
export const TX_SIGN_DOMAIN = "planet/tx/v1\n";
export const BLOB_SIGN_DOMAIN = "planet/blob-request/v1\n";

// WebCrypto has no "raw private key" import for Ed25519/X25519, so a 32-byte seed is
// wrapped in the fixed PKCS#8 (RFC 8410) DER prefix: SEQUENCE { version 0,
// AlgorithmIdentifier { OID 1.3.101.112 (Ed25519) or 1.3.101.110 (X25519) },
// OCTET STRING { OCTET STRING (32 bytes) } }. Only the OID byte differs.
const PKCS8_ED25519 = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const PKCS8_X25519 = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);

/**
 * The address of an Ed25519 public key.
 * @param {Uint8Array} publicKey 32 bytes
 * @returns {Promise<string>}
 */
export async function computeAddress(publicKey) {
  const digest = (await sha256(publicKey)).slice(0, 20);
  return bech32m.encode(HRP, bech32m.toWords(digest));
}

/**
 * True if `text` is a well-formed planet address (bech32m, prefix, 20 bytes).
 * @param {string} text
 * @returns {boolean}
 */
export function isAddress(text) {
  try {
    if (typeof text !== "string" || text !== text.toLowerCase()) return false;
    const { prefix, words } = bech32m.decode(/** @type {`${string}1${string}`} */ (text));
    return prefix === HRP && bech32m.fromWords(words).length === 20;
  } catch {
    return false;
  }
}

/**
 * The exact bytes a transaction signature covers.
 * @param {object} body {chain_id, sender, sequence, messages}
 * @returns {Uint8Array}
 */
export function txSignBytes(body) {
  return utf8Encode(TX_SIGN_DOMAIN + canonicalize(body));
}

/**
 * The exact bytes a blob-request signature covers.
 * @param {{address: string, chainId: string, digest: string, method: string, timestamp: number}} r
 * @returns {Uint8Array}
 */
export function blobSignBytes({ address, chainId, digest, method, timestamp }) {
  return utf8Encode(BLOB_SIGN_DOMAIN + canonicalize({
    address, chain_id: chainId, digest, method: method.toUpperCase(), timestamp }));
}

async function importSeed(seed, prefix, algorithm, usages, extractable) {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new Error("a private key seed is 32 bytes");
  }
  return subtle.importKey("pkcs8", concat(prefix, seed), { name: algorithm }, extractable, usages);
}

async function publicFromPrivate(privateKey) {
  // An extractable private key exports as JWK whose `x` is the raw public key.
  const jwk = await subtle.exportKey("jwk", privateKey);
  return b64decode(jwk.x.replace(/-/g, "+").replace(/_/g, "/") + "=", "jwk.x", 32);
}

export class Wallet {
  /** @type {Uint8Array|null} */ #secret;

  /**
   * Use Wallet.fromSeeds; the constructor takes already imported keys.
   * @param {object} parts
   */
  constructor(parts) {
    this.#secret = parts.secret;
    /** @type {string} */ this.name = parts.name ?? "";
    /** @type {string} */ this.address = parts.address;
    /** @type {Uint8Array} raw Ed25519 public key */ this.publicKey = parts.publicKey;
    /** @type {Uint8Array} raw X25519 public key */ this.encryptionPublicKey = parts.encryptionPublicKey;
    /** @type {CryptoKey} non-extractable Ed25519 private key */ this.signingKey = parts.signingKey;
    /** @type {CryptoKeyPair} X25519 pair (private non-extractable), for HPKE */
    this.encryptionKeyPair = parts.encryptionKeyPair;
  }

  /**
   * A wallet from its two 32-byte private seeds (signing, encryption), as Python's
   * Wallet.from_seeds.
   * @param {Uint8Array} signingSeed @param {Uint8Array} encryptionSeed @param {string} [name]
   * @returns {Promise<Wallet>}
   */
  static async fromSeeds(signingSeed, encryptionSeed, name = "") {
    const publicKey = await publicFromPrivate(
      await importSeed(signingSeed, PKCS8_ED25519, "Ed25519", ["sign"], true));
    const encryptionPublicKey = await publicFromPrivate(
      await importSeed(encryptionSeed, PKCS8_X25519, "X25519", ["deriveBits"], true));
    const signingKey = await importSeed(signingSeed, PKCS8_ED25519, "Ed25519", ["sign"], false);
    const encPrivate = await importSeed(encryptionSeed, PKCS8_X25519, "X25519", ["deriveBits"], false);
    const encPublic = await subtle.importKey("raw", encryptionPublicKey, { name: "X25519" }, true, []);
    return new Wallet({
      secret: concat(signingSeed, encryptionSeed), name, publicKey, encryptionPublicKey,
      address: await computeAddress(publicKey), signingKey,
      encryptionKeyPair: { privateKey: encPrivate, publicKey: encPublic },
    });
  }

  /**
   * A wallet over keys that are already imported (an unlocked session's): it signs and
   * opens envelopes, but holds no raw key, so a script on the page cannot read one from it.
   * @param {{signingKey: CryptoKey, encryptionPrivateKey: CryptoKey, publicKey: Uint8Array,
   *   encryptionPublicKey: Uint8Array, name?: string}} keys
   * @returns {Promise<Wallet>}
   */
  static async fromKeys({ signingKey, encryptionPrivateKey, publicKey, encryptionPublicKey, name = "" }) {
    const encPublic = await subtle.importKey("raw", encryptionPublicKey, { name: "X25519" }, true, []);
    return new Wallet({
      secret: null, name, publicKey, encryptionPublicKey, address: await computeAddress(publicKey),
      signingKey, encryptionKeyPair: { privateKey: encryptionPrivateKey, publicKey: encPublic },
    });
  }

  /** A wallet with fresh random keys. @param {string} [name] @returns {Promise<Wallet>} */
  static async generate(name = "") {
    const seeds = globalThis.crypto.getRandomValues(new Uint8Array(64));
    return Wallet.fromSeeds(seeds.slice(0, 32), seeds.slice(32), name);
  }

  /** @returns {string} base64 of the Ed25519 public key */
  get publicKeyB64() { return b64encode(this.publicKey); }

  /** @returns {string} base64 of the X25519 public key (what accounts carry) */
  get encryptionKeyB64() { return b64encode(this.encryptionPublicKey); }

  /**
   * The 64 private bytes (signing seed || encryption seed) for a keystore or a backup.
   * Never send these anywhere.
   * @returns {Uint8Array}
   */
  exportSecret() {
    if (!this.#secret) throw new Error("this wallet holds no raw key: open its keystore with the password");
    return this.#secret.slice();
  }

  /** Whether the raw private bytes are still held (false once handed to a session). */
  get holdsSecret() { return this.#secret !== null; }

  /**
   * Zero and drop the raw private bytes: from here on the wallet signs only with its
   * non-extractable CryptoKeys (what an unlocked session keeps).
   */
  dropSecret() {
    if (this.#secret) this.#secret.fill(0);
    this.#secret = null;
  }

  /** @param {Uint8Array} message @returns {Promise<Uint8Array>} Ed25519 signature */
  async sign(message) {
    return new Uint8Array(await subtle.sign({ name: "Ed25519" }, this.signingKey, message));
  }

  /**
   * A signed transaction ready for POST /v1/txs (a JSON string).
   * @param {string} chainId @param {number} sequence @param {object[]} messages
   * @returns {Promise<string>}
   */
  async signTx(chainId, sequence, messages) {
    const body = { chain_id: chainId, sender: this.address, sequence, messages };
    const signature = await this.sign(txSignBytes(body));
    return JSON.stringify({ body, public_key: this.publicKeyB64, signature: b64encode(signature) });
  }

  /**
   * The X-Planet-* headers that sign one blob (or identity) request.
   * @param {string} chainId @param {string} digest hex SHA-256 @param {string} method
   * @param {number} [timestamp] ms since the epoch; now by default
   * @returns {Promise<Record<string, string>>}
   */
  async signRequest(chainId, digest, method, timestamp = Date.now()) {
    const ts = Math.trunc(timestamp);
    const signature = await this.sign(blobSignBytes({
      address: this.address, chainId, digest, method, timestamp: ts }));
    return {
      "X-Planet-Address": this.address,
      "X-Planet-Timestamp": String(ts),
      "X-Planet-Signature": b64encode(signature),
    };
  }

  /** The public part as genesis and RegisterBusiness want it. */
  publicInfo() {
    return { address: this.address, public_key: this.publicKeyB64,
             encryption_key: this.encryptionKeyB64, name: this.name };
  }
}
