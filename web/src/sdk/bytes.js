/**
 * Small byte helpers shared by the SDK modules (encodings come from @scure/base).
 * @module
 */
import { base64, hex, utf8 } from "@scure/base";

/** WebCrypto of the page (or Node's globalThis.crypto in tests). */
export const subtle = globalThis.crypto.subtle;

/** @param {Uint8Array} data @returns {string} standard base64 with padding */
export const b64encode = (data) => base64.encode(data);

/**
 * Strict standard base64 (as the core's b64decode); the error names the field.
 * @param {string} text @param {string} [field] @param {number} [length]
 * @returns {Uint8Array}
 */
export function b64decode(text, field = "value", length) {
  let raw;
  try {
    raw = base64.decode(text);
  } catch {
    throw new Error(`${field}: not valid base64`);
  }
  if (length !== undefined && raw.length !== length) {
    throw new Error(`${field}: expected ${length} bytes, got ${raw.length}`);
  }
  return raw;
}

/** @param {Uint8Array} data @returns {string} lower-case hex */
export const toHex = (data) => hex.encode(data);
/** @param {string} text @returns {Uint8Array} */
export const fromHex = (text) => hex.decode(text);
/** @param {string} text @returns {Uint8Array} UTF-8 bytes */
export const utf8Encode = (text) => utf8.decode(text);
/** @param {Uint8Array} data @returns {string} */
export const utf8Decode = (data) => new TextDecoder("utf-8", { fatal: true }).decode(data);

/** @param {...Uint8Array} parts @returns {Uint8Array} */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** @param {number} n @returns {Uint8Array} n bytes from the CSPRNG */
export function randomBytes(n) {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

/** @param {Uint8Array} data @returns {Promise<Uint8Array>} SHA-256 */
export async function sha256(data) {
  return new Uint8Array(await subtle.digest("SHA-256", data));
}

/** @param {Uint8Array} data @returns {Promise<string>} lower-case hex SHA-256 */
export async function sha256Hex(data) {
  return toHex(await sha256(data));
}

/** @param {Uint8Array} a @param {Uint8Array} b @returns {boolean} */
export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
