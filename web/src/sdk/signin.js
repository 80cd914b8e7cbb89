/**
 * Sign in with Planet (modelled on EIP-4361): the message a website asks a resident's
 * wallet to sign, the wallet's checks and signature, and the site's verifier.
 *
 * The same format, rules and refusals as src/planet/sdk/signin.py, whose docstring shows a
 * message; web/test/fixtures/signin-vectors.json holds both SDKs to the same bytes and
 * verdicts. A message is plain text, one field a line, in one spelling only (times in whole
 * UTC seconds), so parsing and building are inverses and the bytes signed are the bytes
 * shown. The signature is Ed25519 over "planet/signin/v1\n" + UTF-8(message): transactions
 * sign under "planet/tx/v1\n", so neither can be replayed as the other.
 * @module
 */
import { b64decode, b64encode, randomBytes, toHex, utf8Encode } from "./bytes.js";
import { verifySignature } from "./ed25519.js";
import { computeAddress, isAddress } from "./wallet.js";

export const SIGNIN_SIGN_DOMAIN = "planet/signin/v1\n";
export const SIGNIN_VERSION = "1";
export const SIGNIN_DEFAULT_SKEW_MS = 5 * 60_000;
export const SIGNIN_DEFAULT_MAX_VALIDITY_MS = 60 * 60_000;
const HEADER_SUFFIX = " wants you to sign in with your Planet account:";
const MAX_MESSAGE_BYTES = 4096;
const MAX_STATEMENT_CHARS = 500;
const MAX_URI_CHARS = 2048;
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const DOMAIN = `${LABEL}(?:\\.${LABEL})*(?::[0-9]{1,5})?`;
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
const URI_RE = new RegExp(`^(https?)://(${DOMAIN})(?:[/?#][\\x21-\\x7e]*)?$`);
const CHAIN_ID_RE = /^[a-z0-9][a-z0-9-]{0,47}$/;
const NONCE_RE = /^[A-Za-z0-9]{8,64}$/;
const TIME_RE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/;
const FORBIDDEN_IN_STATEMENT = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]/u;
const FIELD_LINES = ["URI", "Version", "Chain ID", "Nonce", "Issued At", "Expiration Time"];
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * A sign-in to refuse; `reason` is one word, the Python SDK's: malformed, domain, uri,
 * chain_id, not_yet_valid, expired, too_long, signature, address, nonce, nonce_used,
 * nonce_store_full, not_resident, insecure_uri.
 */
export class SigninError extends Error {
  /** @param {string} reason @param {string} message */
  constructor(reason, message) {
    super(message);
    this.name = "SigninError";
    this.reason = reason;
  }
}

const malformed = (message) => new SigninError("malformed", message);

/**
 * @typedef {object} SigninFields
 * @property {string} domain host[:port] of the site
 * @property {string|null} address the resident's, null in a site's request
 * @property {string|null} statement what the site asks, in its words (one line), or null
 * @property {string} uri where the wallet returns, on the domain
 * @property {string} chainId
 * @property {string} nonce 8 to 64 letters and digits
 * @property {string} issuedAt YYYY-MM-DDTHH:MM:SSZ
 * @property {string} expirationTime YYYY-MM-DDTHH:MM:SSZ
 */

/** The one spelling of a moment: RFC 3339, UTC, whole seconds. @param {Date|number} moment */
export function formatSigninTime(moment) {
  const ms = typeof moment === "number" ? moment : moment.getTime();
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/** Milliseconds since the epoch of a time in its one spelling (throws otherwise). @param {string} text */
export function signinTimeMs(text, field = "time") {
  const ms = TIME_RE.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms) || formatSigninTime(ms) !== text) {
    throw malformed(`${field}: expected YYYY-MM-DDTHH:MM:SSZ (UTC, whole seconds), a real date`);
  }
  const year = Number(text.slice(0, 4));
  if (year < 1970 || year > 9999) throw malformed("times: years 1970 to 9999");
  return ms;
}

/** The host[:port] of an http(s) URI of the allowed form, else null. @param {string} uri */
export function uriAuthority(uri) {
  const match = typeof uri === "string" && uri.length <= MAX_URI_CHARS ? URI_RE.exec(uri) : null;
  return match ? match[2] : null;
}

/** https, or http to this machine: where a wallet may send a signature. @param {string} uri */
export function isSecureUri(uri) {
  const match = typeof uri === "string" ? URI_RE.exec(uri) : null;
  if (!match) return false;
  return match[1] === "https" || LOOPBACK.has(match[2].replace(/:[0-9]+$/, ""));
}

/** Throw SigninError("malformed") naming the first field not of its form. @param {SigninFields} f */
export function checkSigninFields(f) {
  if (typeof f.domain !== "string" || f.domain.length > 253 || !DOMAIN_RE.test(f.domain)) {
    throw malformed("domain: expected a lower-case host name, with a port if any");
  }
  if (f.address != null && !isAddress(f.address)) throw malformed("address: expected a planet1… address");
  if (f.statement != null) {
    if (typeof f.statement !== "string" || f.statement === "") throw malformed("statement: empty (leave it out instead)");
    if ([...f.statement].length > MAX_STATEMENT_CHARS) {
      throw malformed(`statement: longer than ${MAX_STATEMENT_CHARS} characters`);
    }
    if (FORBIDDEN_IN_STATEMENT.test(f.statement)) {
      throw malformed("statement: control characters and line breaks are not allowed");
    }
  }
  if (uriAuthority(f.uri) === null) {
    throw malformed("URI: expected http(s)://host[:port] (as a domain is written) and a path of "
      + `printable ASCII, at most ${MAX_URI_CHARS} characters`);
  }
  if (typeof f.chainId !== "string" || !CHAIN_ID_RE.test(f.chainId)) {
    throw malformed("Chain ID: lower-case letters, digits and '-', at most 48");
  }
  if (typeof f.nonce !== "string" || !NONCE_RE.test(f.nonce)) throw malformed("Nonce: 8 to 64 letters and digits");
  const issued = signinTimeMs(f.issuedAt, "Issued At");
  if (signinTimeMs(f.expirationTime, "Expiration Time") <= issued) {
    throw malformed("Expiration Time must be after Issued At");
  }
}

/** The message as signed (every field checked first). @param {SigninFields} f @returns {string} */
export function buildSigninMessage(f) {
  checkSigninFields(f);
  const lines = [f.domain + HEADER_SUFFIX, f.address ?? "", ""];
  if (f.statement == null) lines.push(""); else lines.push(f.statement, "");
  lines.push(`URI: ${f.uri}`, `Version: ${SIGNIN_VERSION}`, `Chain ID: ${f.chainId}`, `Nonce: ${f.nonce}`,
    `Issued At: ${f.issuedAt}`, `Expiration Time: ${f.expirationTime}`);
  return lines.join("\n");
}

/**
 * The fields of `text`, which must be a message in its one spelling.
 * @param {string} text @param {{requireAddress?: boolean}} [opts] false for a site's request
 * @returns {SigninFields}
 */
export function parseSigninMessage(text, { requireAddress = true } = {}) {
  if (typeof text !== "string") throw malformed("not a Sign in with Planet message");
  if (utf8Encode(text).length > MAX_MESSAGE_BYTES) throw malformed(`the message is longer than ${MAX_MESSAGE_BYTES} bytes`);
  const lines = text.split("\n");
  if (!lines[0].endsWith(HEADER_SUFFIX) || lines.length < 9) throw malformed("not a Sign in with Planet message");
  if (lines[2] !== "") throw malformed("expected a blank line after the address");
  let statement = null;
  let rest = lines.slice(4);
  if (lines[3] !== "") {
    statement = lines[3];
    if (lines[4] !== "") throw malformed("expected a blank line after the statement");
    rest = lines.slice(5);
  }
  if (rest.length !== FIELD_LINES.length) throw malformed(`expected the ${FIELD_LINES.length} lines ${FIELD_LINES.join(", ")}`);
  const values = {};
  FIELD_LINES.forEach((name, i) => {
    if (!rest[i].startsWith(`${name}: `)) throw malformed(`expected the line '${name}: …', got ${JSON.stringify(rest[i].slice(0, 40))}`);
    values[name] = rest[i].slice(name.length + 2);
  });
  if (values.Version !== SIGNIN_VERSION) throw malformed(`Version: only ${SIGNIN_VERSION} is known`);
  const fields = {
    domain: lines[0].slice(0, -HEADER_SUFFIX.length), address: lines[1] || null, statement,
    uri: values.URI, chainId: values["Chain ID"], nonce: values.Nonce, issuedAt: values["Issued At"],
    expirationTime: values["Expiration Time"],
  };
  if (buildSigninMessage(fields) !== text) throw malformed("the message is not in its one spelling");
  if (requireAddress && fields.address === null) throw malformed("the message names no address: the wallet fills it in");
  return fields;
}

/**
 * A site's fresh request: a random nonce, issued now, expiring `validForS` later.
 * @param {{domain: string, uri: string, chainId: string, statement?: string|null,
 *   address?: string|null, validForS?: number, nonce?: string, now?: number}} opts
 * @returns {string}
 */
export function newSigninMessage({ domain, uri, chainId, statement = null, address = null, validForS = 600,
  nonce = toHex(randomBytes(12)), now = Date.now() }) {
  return buildSigninMessage({
    domain, uri, chainId, statement, address, nonce, issuedAt: formatSigninTime(now),
    expirationTime: formatSigninTime(now + validForS * 1000),
  });
}

/** The exact bytes a sign-in signature covers. @param {string} text @returns {Uint8Array} */
export function signinSignBytes(text) {
  return utf8Encode(SIGNIN_SIGN_DOMAIN + text);
}

/**
 * What a wallet checks before it offers to sign: a URI on the domain it names, reached
 * over https (or http on this machine), the wallet's own chain, and the time window.
 * @param {SigninFields} f @param {{chainId: string, now?: number, maxSkewMs?: number}} opts
 */
export function checkSigninRequest(f, { chainId, now = Date.now(), maxSkewMs = SIGNIN_DEFAULT_SKEW_MS }) {
  if (uriAuthority(f.uri) !== f.domain) throw new SigninError("uri", `the URI ${f.uri} is not on ${f.domain}`);
  if (!isSecureUri(f.uri)) throw new SigninError("insecure_uri", `${f.uri} is not https`);
  if (f.chainId !== chainId) throw new SigninError("chain_id", `this sign-in is for chain ${f.chainId}, not ${chainId}`);
  const issued = signinTimeMs(f.issuedAt);
  const expires = signinTimeMs(f.expirationTime);
  if (issued > now + maxSkewMs) {
    throw new SigninError("not_yet_valid", `issued ${Math.trunc((issued - now) / 1000)} s in the future`);
  }
  if (expires <= now) throw new SigninError("expired", `expired ${Math.trunc((now - expires) / 1000)} s ago`);
}

/**
 * The wallet's side: fill in its address (refusing a message made for another) and sign.
 * @param {{address: string, publicKey: Uint8Array, sign(m: Uint8Array): Promise<Uint8Array>}} wallet
 * @param {string} request the site's message, address line empty or the wallet's
 * @returns {Promise<{message: string, signature: string, public_key: string}>}
 */
export async function signSignin(wallet, request) {
  const fields = parseSigninMessage(request, { requireAddress: false });
  if (fields.address !== null && fields.address !== wallet.address) {
    throw new SigninError("address", `this sign-in is for ${fields.address}, not ${wallet.address}`);
  }
  const message = buildSigninMessage({ ...fields, address: wallet.address });
  const signature = await wallet.sign(signinSignBytes(message));
  return { message, signature: b64encode(signature), public_key: b64encode(wallet.publicKey) };
}

/**
 * Used nonces in memory, each forgotten once its message expired; at most `capacity`
 * unexpired at a time, past which sign-ins are refused rather than a nonce forgotten early.
 */
export class MemoryNonceStore {
  #expiry = new Map();
  /** @param {{capacity?: number, now?: () => number}} [opts] */
  constructor({ capacity = 100_000, now = () => Date.now() } = {}) {
    this.capacity = capacity;
    this.now = now;
  }

  get size() { return this.#expiry.size; }

  /** Record `nonce` as used until `expiresAtMs`; false if it already was. */
  async use(nonce, expiresAtMs) {
    const now = this.now();
    const seen = this.#expiry.get(nonce);
    if (seen !== undefined && seen >= now) return false;
    if (this.#expiry.size >= this.capacity) {
      for (const [n, t] of this.#expiry) if (t < now) this.#expiry.delete(n);
      if (this.#expiry.size >= this.capacity) {
        throw new SigninError("nonce_store_full", "too many sign-ins in flight; try again in a few minutes");
      }
    }
    this.#expiry.set(nonce, expiresAtMs);
    return true;
  }
}

/** An `isResident` check that asks the node (`Api.account`). @param {{account(a: string): Promise<any>}} api */
export function residentsOn(api) {
  return async (address) => (await api.account(address))?.kind === "resident";
}

/**
 * A site's check of what the wallet returned, as the Python SDK's SigninVerifier.verify:
 * signature by the address's key under the sign-in tag, the site's domain and a URI on it,
 * its chain, issued at most `maxSkewMs` ahead, not expired, valid at most `maxValidityMs`,
 * `nonce` if given, a registered resident (`isResident`; null skips it), and the nonce
 * never used (spent only when everything else passed).
 * @param {{message: string, signature: string, public_key: string}} signed
 * @param {{domain: string, chainId: string, isResident: ((a: string) => boolean|Promise<boolean>)|null,
 *   nonceStore: {use(n: string, expiresAtMs: number): boolean|Promise<boolean>}, nonce?: string,
 *   maxSkewMs?: number, maxValidityMs?: number, now?: number}} opts
 * @returns {Promise<SigninFields>}
 */
export async function verifySignin({ message, signature, public_key: publicKey }, {
  domain, chainId, isResident, nonceStore, nonce, maxSkewMs = SIGNIN_DEFAULT_SKEW_MS,
  maxValidityMs = SIGNIN_DEFAULT_MAX_VALIDITY_MS, now = Date.now(),
}) {
  if (isResident === undefined || !nonceStore) throw new Error("verifySignin needs isResident (or null) and a nonceStore");
  const f = parseSigninMessage(message);
  if (f.domain !== domain) throw new SigninError("domain", `this sign-in is for ${f.domain}, not ${domain}`);
  if (uriAuthority(f.uri) !== domain) throw new SigninError("uri", `the URI ${f.uri} is not on ${domain}`);
  if (f.chainId !== chainId) throw new SigninError("chain_id", `this sign-in is for chain ${f.chainId}, not ${chainId}`);
  let key;
  let sig;
  try {
    key = b64decode(publicKey, "public_key", 32);
    sig = b64decode(signature, "signature", 64);
  } catch (err) {
    throw new SigninError("signature", err.message);
  }
  if (await computeAddress(key) !== f.address) throw new SigninError("address", `the key is not the key of ${f.address}`);
  if (!await verifySignature(key, sig, signinSignBytes(message))) {
    throw new SigninError("signature", "the signature does not verify for this message and key");
  }
  const issued = signinTimeMs(f.issuedAt);
  const expires = signinTimeMs(f.expirationTime);
  if (issued > now + maxSkewMs) {
    throw new SigninError("not_yet_valid", `issued ${Math.trunc((issued - now) / 1000)} s in the future; `
      + `at most ${maxSkewMs / 1000} s of clock skew is accepted`);
  }
  if (expires <= now) throw new SigninError("expired", `expired ${Math.trunc((now - expires) / 1000)} s ago`);
  if (expires - issued > maxValidityMs) {
    throw new SigninError("too_long", `valid for ${(expires - issued) / 1000} s; at most ${maxValidityMs / 1000} s is accepted`);
  }
  if (nonce != null && f.nonce !== nonce) throw new SigninError("nonce", "this is not the nonce this site issued for the visitor");
  if (isResident !== null && !await isResident(f.address)) {
    throw new SigninError("not_resident", `${f.address} is not a resident of this planet`);
  }
  if (!await nonceStore.use(f.nonce, expires)) {
    throw new SigninError("nonce_used", "this sign-in was used already (its nonce is spent)");
  }
  return f;
}

/**
 * Where the wallet sends the visitor back: `uri` with the answer added to its query
 * (message, signature, public_key; or error=access_denied).
 * @param {string} uri @param {Record<string, string>} answer
 */
export function signinReturnUrl(uri, answer) {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(answer)) url.searchParams.set(k, v);
  return url.toString();
}
