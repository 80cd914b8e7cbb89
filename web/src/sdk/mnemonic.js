/**
 * BIP-39 English mnemonics (keys.js derives the wallet from them): in a module of their own so
 * the word list is fetched only by the pages that create or restore a wallet.
 * @module
 */
import { generateMnemonic, mnemonicToSeedWebcrypto, validateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";

export { mnemonicToSeedWebcrypto };

const MNEMONIC_WORDS = [12, 15, 18, 21, 24];
let known;

/** 24 fresh BIP-39 English words (256 bits from the CSPRNG). @returns {string} */
export function newMnemonic() {
  return generateMnemonic(wordlist, 256);
}

/**
 * The canonical form (lower case, single spaces) of a valid mnemonic; throws an Error
 * that names the position of a bad word, never the word.
 * @param {string} words
 * @returns {string}
 */
export function checkMnemonic(words) {
  const parts = String(words).normalize("NFKD").toLowerCase().split(/\s+/).filter(Boolean);
  if (!MNEMONIC_WORDS.includes(parts.length)) {
    throw new Error(`a mnemonic has 12, 15, 18, 21 or 24 words, got ${parts.length}`);
  }
  known ??= new Set(wordlist);
  parts.forEach((word, i) => {
    if (!known.has(word)) throw new Error(`mnemonic word #${i + 1} is not in the BIP-39 English word list`);
  });
  const canonical = parts.join(" ");
  if (!validateMnemonic(canonical, wordlist)) {
    throw new Error("mnemonic checksum does not match: a word is wrong or out of order");
  }
  return canonical;
}

