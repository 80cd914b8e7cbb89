/**
 * Planet's browser SDK: keys and backups, signing, vault envelopes, the node's API, and
 * state proofs checked against an app hash, and Sign in with Planet (signin.js).
 * Everything secret stays in the browser; the node only ever sees signatures and
 * ciphertext. Byte-compatible with the Python SDK (src/planet/sdk).
 * @module
 */
// base.js is all of it but the two lazily loaded modules, which follow.
export * from "./base.js";
export * from "./envelope.js";
export { newMnemonic, checkMnemonic } from "./mnemonic.js";
