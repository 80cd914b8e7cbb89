// The JS SDK against vectors the Python SDK made (fixtures/python-vectors.json, regenerated
// by `python -m tests.integration.test_web_sdk`); the fresh two-way exchange runs in
// tests/integration/test_web_sdk.py.
import { test } from "node:test";
import { readFile } from "node:fs/promises";
import { checkPythonVectors } from "./interop.mjs";

test("keys, tx, blob request, record, grant, voucher, keystore and invite match Python", async () => {
  const url = new URL("./fixtures/python-vectors.json", import.meta.url);
  await checkPythonVectors(JSON.parse(await readFile(url, "utf-8")));
});
