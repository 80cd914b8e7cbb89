/**
 * Small byte helpers shared by the SDK modules (encodings come from @scure/base).
 * @module
 */
import { base64, hex, utf8 } from "@scure/base";

const NO_WEBCRYPTO = "WebCrypto is not available here: open the app over https or on "
  + "localhost / 127.0.0.1 (browsers only offer it to secure pages)";

/**
 * WebCrypto of the page (or Node's globalThis.crypto in tests). Browsers hide it on
 * plain-http pages that are not loopback; every call then fails with a clear message.
 * @type {SubtleCrypto}
 */
export const subtle = globalThis.crypto?.subtle ?? new Proxy({}, {
  get() { throw new Error(NO_WEBCRYPTO); },
});

/**
 * Whether this browser can hold Planet keys: a secure context with WebCrypto Ed25519 and
 * X25519 (Chromium >= 137, Firefox >= 130, Safari >= 17). Resolves {ok, problems}.
 * @returns {Promise<{ok: boolean, problems: string[]}>}
 */
export async function checkWebCrypto() {
  const problems = [];
  if (!globalThis.crypto?.subtle) {
    problems.push(NO_WEBCRYPTO);
    return { ok: false, problems };
  }
  for (const [name, usages] of [["Ed25519", ["sign", "verify"]], ["X25519", ["deriveBits"]]]) {
    try {
      await globalThis.crypto.subtle.generateKey({ name }, false, usages);
    } catch {
      problems.push(`this browser's WebCrypto has no ${name}: use a current Chromium, Firefox or Safari`);
    }
  }
  return { ok: problems.length === 0, problems };
}

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
  if (!globalThis.crypto?.getRandomValues) throw new Error(NO_WEBCRYPTO);
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
