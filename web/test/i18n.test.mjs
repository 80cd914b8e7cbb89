// The two catalogs say the same things: exactly the same keys, the same {placeholders} in
// each message (a plural form {n|one|other} counts as {n}), and every key the pages ask
// for by a literal t('…') / tr('…') / fail('…') exists.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import en from "../src/i18n/en.js";
import zhCN from "../src/i18n/zh-CN.js";
import { format } from "../src/i18n/messages.js";
import { GENESIS_TASK_TITLES } from "../src/i18n/genesis-tasks.js";

const here = dirname(fileURLToPath(import.meta.url));

function placeholders(message) {
  return [...message.matchAll(/\{(\w+)(?:\|[^{}|]*\|[^{}]*)?\}/g)].map((m) => m[1]).sort();
}

test("zh-CN and en have exactly the same keys", () => {
  const a = Object.keys(en).sort();
  const b = Object.keys(zhCN).sort();
  assert.deepEqual(a.filter((k) => !b.includes(k)), [], "keys only in en.js");
  assert.deepEqual(b.filter((k) => !a.includes(k)), [], "keys only in zh-CN.js");
});

test("each message has the same placeholders in both languages", () => {
  for (const key of Object.keys(en)) {
    assert.equal(typeof en[key], "string", key);
    assert.equal(typeof zhCN[key], "string", key);
    assert.deepEqual([...new Set(placeholders(zhCN[key]))], [...new Set(placeholders(en[key]))], key);
  }
});

test("the genesis task titles labels.js compares with are en.js's", () => {
  const inEn = Object.fromEntries(Object.entries(en).filter(([k]) => k.startsWith("task.")));
  assert.deepEqual(GENESIS_TASK_TITLES, inEn);
});

test("Chinese messages are in Chinese", () => {
  // Proper names, units and figures may stay as they are; sentences may not.
  const words = (v) => v.replace(/\{[^{}]*\}/g, "").match(/[a-z]{2,}/gi) || [];
  const latinOnly = Object.entries(zhCN).filter(([, v]) => !/[\u3400-\u9fff]/.test(v) && words(v).length > 2);
  assert.deepEqual(latinOnly, []);
});

test("format fills placeholders and picks plural forms", () => {
  assert.equal(format("{n} {n|record|records}", { n: 1 }), "1 record");
  assert.equal(format("{n} {n|record|records}", { n: 3 }), "3 records");
  assert.equal(format("{n|once a day|#× a day}", { n: 2 }), "2× a day");
  assert.equal(format("Hello {name}", {}), "Hello {name}");
});

async function* sources(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (path.endsWith(".js")) yield path;
  }
}

test("every literal key the pages use is in the catalogs", async () => {
  const missing = [];
  for await (const path of sources(join(here, "..", "src", "ui"))) {
    const text = await readFile(path, "utf8");
    if (/function t\(/.test(text)) continue; // a page with its own messages, not yet in the catalogs
    for (const m of text.matchAll(/\b(?:t|tr|fail)\('([\w.]+)'/g)) {
      if (!(m[1] in en)) missing.push(`${path}: ${m[1]}`);
    }
  }
  assert.deepEqual(missing, []);
});
