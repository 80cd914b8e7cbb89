/**
 * State proofs in the browser: check that a record (or its absence) is what the app hash
 * commits to, trusting nothing but the app hash. The same checks, in the same order and
 * with the same messages, as the node's `verify_proof` (src/planet/core/state/proofs.py;
 * the tree's hash formulas are in tree.py):
 *
 *     leaf(key, value) = SHA-256(0x00 ‖ SHA-256(key) ‖ SHA-256(value))
 *     internal node    = SHA-256(0x01 ‖ bitmap ‖ leafmap ‖ hashes of the present children)
 *
 * A proof is `GET /v1/proofs/{key}`'s JSON (or one of `reads` in a `?prove=true` answer):
 * {key, value: hex|null, height, app_hash, nodes: [{bitmap, leafmap, siblings: [hex]}],
 * other_leaf: {key_hash, value_hash}|null}.
 * @module
 */
import { bytesEqual, concat, sha256, utf8Encode } from "./bytes.js";

const LEAF = Uint8Array.of(0x00);
const INTERNAL = Uint8Array.of(0x01);
const KEY_NIBBLES = 64;
const WS = "[ \\t\\n\\r\\v\\f]*"; // ASCII whitespace, which Python's bytes.fromhex skips between pairs
const HEX_PAIRS = new RegExp(`^${WS}(?:[0-9a-fA-F]{2}${WS})*$`);

/** Thrown for any proof that does not hold; `code` is the core's InvalidProof. */
export class InvalidProof extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = "InvalidProof";
    this.code = 933;
  }
}

/** @param {string} what @returns {never} */
function notAProof(what) {
  throw new InvalidProof(`not a state proof: ${what}`);
}

/** @param {string} v @returns {Uint8Array} hex as Python's bytes.fromhex reads it */
function fromHexLikePython(v) {
  if (!HEX_PAIRS.test(v)) notAProof(`non-hexadecimal text ${JSON.stringify(v.slice(0, 16))}`);
  const digits = v.replace(/[ \t\n\r\v\f]+/g, "");
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** @param {unknown} v @returns {Uint8Array} */
function hash32(v) {
  const raw = typeof v === "string" ? fromHexLikePython(v) : new Uint8Array(0);
  if (raw.length !== 32) throw new InvalidProof("a proof's hashes are 32 bytes, in hex");
  return raw;
}

/** @param {unknown} v @returns {number} */
function uint16(v) {
  if (!Number.isInteger(v) || /** @type {number} */ (v) < 0 || /** @type {number} */ (v) >= 1 << 16) {
    throw new InvalidProof("a proof node's bitmap and leafmap are 16-bit integers");
  }
  return /** @type {number} */ (v);
}

/** @param {unknown} v @returns {boolean} a JSON object (Python: a dict) */
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * `obj[field]` as Python's `doc[field]` reads JSON: only an object has fields.
 * @param {unknown} obj @param {string} field
 */
function field(obj, field) {
  if (!isObject(obj)) notAProof(`expected an object with '${field}'`);
  if (!Object.hasOwn(/** @type {object} */ (obj), field)) notAProof(`missing '${field}'`);
  return /** @type {any} */ (obj)[field];
}

/**
 * What iterating a JSON value gives in Python: a list's items, a string's characters, an
 * object's keys; anything else is not iterable.
 * @param {unknown} v @returns {unknown[]}
 */
function items(v) {
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return [...v];
  if (isObject(v)) return Object.keys(/** @type {object} */ (v));
  return notAProof("expected a list");
}

/**
 * A proof's JSON, parsed and shape-checked as the core's Proof.from_json does, in its order,
 * so that both refuse a malformed proof at the same field.
 * @param {any} doc
 */
export function parseProof(doc) {
  const other = field(doc, "other_leaf");
  const value = field(doc, "value");
  const nodes = items(field(doc, "nodes")).map((n) => ({
    bitmap: uint16(field(n, "bitmap")),
    leafmap: uint16(field(n, "leafmap")),
    siblings: items(field(n, "siblings")).map(hash32),
  }));
  const key = field(doc, "key");
  if (typeof key !== "string") throw new InvalidProof("a proof's key must be a string");
  if (value !== null && typeof value !== "string") notAProof("value must be hex or null");
  const bytes = value === null ? null : fromHexLikePython(value);
  const height = field(doc, "height");
  if (!Number.isInteger(height) || height < 0) {
    throw new InvalidProof("a proof's height must be a non-negative integer");
  }
  const appHash = hash32(field(doc, "app_hash"));
  return {
    key, value: bytes, height, appHash, nodes,
    otherLeaf: other === null ? null
      : [hash32(field(other, "key_hash")), hash32(field(other, "value_hash"))],
  };
}

/** @param {Uint8Array} keyHash @param {number} depth @returns {number} */
function nibble(keyHash, depth) {
  const byte = keyHash[depth >> 1];
  return depth & 1 ? byte & 0x0f : byte >> 4;
}

/** @param {number} n @returns {number} */
function popcount(n) {
  let c = 0;
  for (let x = n; x; x &= x - 1) c++;
  return c;
}

/** @param {Uint8Array} keyHash @param {Uint8Array} valueHash */
async function hashLeaf(keyHash, valueHash) {
  return sha256(concat(LEAF, keyHash, valueHash));
}

/**
 * The record a proof shows for its key (its stored bytes; null: shown absent), if the
 * proof leads to `appHashHex`; otherwise throws InvalidProof saying where it fails.
 * @param {any} proof the proof's JSON
 * @param {string} appHashHex the app hash you trust (64 hex characters)
 * @returns {Promise<Uint8Array | null>}
 */
export async function verifyProof(proof, appHashHex) {
  if (typeof appHashHex !== "string" || !/^[0-9a-fA-F]{64}$/.test(appHashHex)) {
    throw new InvalidProof("the app hash to check against must be 32 bytes (64 hex characters)");
  }
  const appHash = fromHexLikePython(appHashHex);
  const p = parseProof(proof);
  if (!bytesEqual(p.appHash, appHash)) {
    throw new InvalidProof("the proof is for another app hash (another height or chain)");
  }
  if (p.nodes.length === 0 || p.nodes.length > KEY_NIBBLES) {
    throw new InvalidProof("a proof has between 1 and 64 nodes");
  }
  const keyHash = await sha256(utf8Encode(p.key));
  const depth = p.nodes.length - 1;
  let i = nibble(keyHash, depth);
  const last = p.nodes[depth];
  const present = (last.bitmap >> i) & 1;
  const isLeaf = (last.leafmap >> i) & 1;
  /** @type {Uint8Array | null} */
  let child;
  if (p.value !== null) {
    if (!(present && isLeaf) || p.otherLeaf !== null) {
      throw new InvalidProof("the proof does not end at the key's leaf");
    }
    child = await hashLeaf(keyHash, await sha256(p.value));
  } else if (p.otherLeaf !== null) {
    const otherKey = p.otherLeaf[0];
    let samePath = true;
    for (let d = 0; d <= depth; d++) samePath &&= nibble(otherKey, d) === nibble(keyHash, d);
    if (!(present && isLeaf) || bytesEqual(otherKey, keyHash) || !samePath) {
      throw new InvalidProof("the other leaf in the proof is not where the key would be");
    }
    child = await hashLeaf(p.otherLeaf[0], p.otherLeaf[1]);
  } else {
    if (present) throw new InvalidProof("the proof shows the key's slot occupied but gives no leaf");
    child = null;
  }
  for (let d = depth; d >= 0; d--) {
    const node = p.nodes[d];
    i = nibble(keyHash, d);
    if (node.leafmap & ~node.bitmap) {
      throw new InvalidProof(`proof node ${d} marks an absent child as a leaf`);
    }
    if (d < depth && (!((node.bitmap >> i) & 1) || (node.leafmap >> i) & 1)) {
      throw new InvalidProof(`proof node ${d} does not continue the key's path`);
    }
    const expected = popcount(node.bitmap) - ((node.bitmap >> i) & 1);
    if (node.siblings.length !== expected) {
      throw new InvalidProof(`proof node ${d} has ${node.siblings.length} sibling hashes, `
                             + `its bitmap needs ${expected}`);
    }
    const hashes = [];
    let s = 0;
    for (let j = 0; j < 16; j++) {
      if (j === i) {
        if (child !== null) hashes.push(child);
      } else if ((node.bitmap >> j) & 1) {
        hashes.push(node.siblings[s++]);
      }
    }
    const maps = Uint8Array.of(node.bitmap >> 8, node.bitmap & 0xff, node.leafmap >> 8, node.leafmap & 0xff);
    child = await sha256(concat(INTERNAL, maps, ...hashes));
  }
  if (child === null || !bytesEqual(child, appHash)) {
    throw new InvalidProof("the proof does not lead to the app hash: a value or a hash in it "
                           + "was altered");
  }
  return p.value;
}
