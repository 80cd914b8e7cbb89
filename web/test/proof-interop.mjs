// The browser SDK's verifyProof against proof vectors Python made (the node's own
// verify_proof gave each its expected verdict).
//
//   node test/proof-interop.mjs <dir>   reads <dir>/proof-vectors.json (written by
//   tests/integration/test_web_proofs.py) and writes this SDK's verdicts to
//   <dir>/proof-verdicts.json for Python to compare.
//
// Without an argument it does nothing, so `node --test test/` may load it safely; the pinned
// vectors are checked by proof.test.mjs. No static Node import: the same module runs
// bundled in a real Chromium (tests/integration/test_web_proofs.py).
import { toHex } from "../src/sdk/bytes.js";
import { verifyProof } from "../src/sdk/proof.js";

const SHAPE = "not a state proof";

/**
 * This SDK's verdict on each vector: {value: hex|null} or {error: message}.
 * @param {{vectors: any[]}} doc
 */
export async function judgeProofVectors(doc) {
  const verdicts = [];
  for (const v of doc.vectors) {
    try {
      const value = await verifyProof(v.proof, v.app_hash);
      verdicts.push({ value: value === null ? null : toHex(value) });
    } catch (err) {
      verdicts.push({ error: String(err?.message ?? err), name: err?.name, code: err?.code });
    }
  }
  return verdicts;
}

/**
 * Where a verdict differs from Python's (null: it agrees). A refusal must give Python's
 * message word for word, except for a malformed shape, where both only say "not a state
 * proof" (each then names the fault in its own language's terms).
 */
export function disagreement(expect, got) {
  if ("value" in expect) {
    return "value" in got && got.value === expect.value ? null
      : `expected value ${expect.value}, got ${JSON.stringify(got)}`;
  }
  if (!("error" in got)) return `expected a refusal (${expect.error}), got ${JSON.stringify(got)}`;
  if (got.name !== "InvalidProof" || got.code !== 933) return `not an InvalidProof: ${got.name}`;
  const same = expect.error.startsWith(SHAPE) ? got.error.startsWith(SHAPE) : got.error === expect.error;
  return same ? null : `expected "${expect.error}", got "${got.error}"`;
}

/** Throw unless every verdict is Python's. @param {{vectors: any[]}} doc */
export async function checkProofVectors(doc) {
  const verdicts = await judgeProofVectors(doc);
  const wrong = doc.vectors
    .map((v, i) => [v.name, disagreement(v.expect, verdicts[i])])
    .filter(([, why]) => why !== null);
  if (wrong.length) throw new Error(`${wrong.length} proof verdicts differ from Python's: ${JSON.stringify(wrong.slice(0, 5))}`);
  return verdicts;
}

async function main(dir) {
  const { readFile, writeFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const doc = JSON.parse(await readFile(join(dir, "proof-vectors.json"), "utf-8"));
  await writeFile(join(dir, "proof-verdicts.json"), JSON.stringify(await judgeProofVectors(doc)), "utf-8");
}

if (typeof process !== "undefined" && process.argv?.[2] && process.argv[1]
    && /proof-interop\.mjs$/.test(process.argv[1])) {
  main(process.argv[2]).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
