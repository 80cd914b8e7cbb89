/**
 * The SDK without the modules only signing up, restoring and the vault need (envelope.js's
 * HPKE, mnemonic.js's word list): what the app's first download imports. index.js is the
 * whole SDK; a module both re-exported here and imported lazily elsewhere would be fetched up
 * front, so the planet page imports this one.
 * @module
 */
export * from "./bytes.js";
export * from "./wallet.js";
export * from "./ed25519.js";
export * from "./keys.js";
export * from "./session.js";
export * from "./walletstore.js";
export * from "./api.js";
export * from "./proof.js";
export * from "./signin.js";
export * from "./webhooks.js";
export * from "./invites.js";
export * from "./messages.js";
