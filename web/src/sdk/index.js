/**
 * Planet's browser SDK: keys and backups, signing, vault envelopes, the node's API, and
 * state proofs checked against an app hash, and Sign in with Planet (signin.js).
 * Everything secret stays in the browser; the node only ever sees signatures and
 * ciphertext. Byte-compatible with the Python SDK (src/planet/sdk).
 * @module
 */
export * from "./bytes.js";
export * from "./wallet.js";
export * from "./ed25519.js";
export * from "./keys.js";
export * from "./session.js";
export * from "./walletstore.js";
export * from "./envelope.js";
export * from "./api.js";
export * from "./proof.js";
export * from "./signin.js";
export * from "./webhooks.js";
export * from "./invites.js";
export * from "./messages.js";
