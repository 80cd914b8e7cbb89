// The console's voucher codes and granted-data export (issue 17, items 4 and 5): the CSV rules
// the Python SDK applies (planet.sdk.vouchers.parse_codes), the book of codes kept only sealed
// to the wallet, and the CSV/JSON a business downloads (planet.sdk.granted).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Wallet } from "../src/sdk/index.js";
import { parseCodes, loadBook, saveBook } from "../src/ui/business/vouchers.js";
import { grantedRows, summarize, toCsv, toJson } from "../src/ui/business/granted.js";

function memoryStorage() {
  const map = new Map();
  return { getItem: (k) => (map.has(k) ? map.get(k) : null), setItem: (k, v) => map.set(k, String(v)), map };
}

test("codes: one a row, a header optional, refusals name the row", () => {
  assert.deepEqual(parseCodes("code\nTEA-1\r\nTEA-2\n"), ["TEA-1", "TEA-2"]);
  assert.deepEqual(parseCodes("\uFEFFA\n\"B,1\""), ["A", "B,1"]);
  for (const [text, words] of [["A\n\nB\n", "Row 2 is blank"], ["A\nB\nA\n", "Row 3 repeats row 1"],
    ["A,B\n", "Row 1 has 2 columns"], ["code\n", "no codes"]]) {
    assert.throws(() => parseCodes(text), (err) => err.message.includes(words), text);
  }
});

test("the book of codes is stored only sealed to the wallet, and opens with it alone", async () => {
  const wallet = await Wallet.generate();
  const storage = memoryStorage();
  const book = { version: 1, offers: { 7: { codes: ["SECRET-1", "SECRET-2"], next: 1, given: { 3: 0 }, fulfilled: [3] } } };
  await saveBook(wallet, book, storage);
  const stored = [...storage.map.values()].join("");
  assert.ok(!stored.includes("SECRET"), stored);
  assert.deepEqual(await loadBook(wallet, storage), book);
  const other = await Wallet.generate();
  storage.setItem(`planet.vouchers.v1.${other.address}`, storage.getItem(`planet.vouchers.v1.${wallet.address}`));
  await assert.rejects(loadBook(other, storage));
});

test("granted rows export as the Python SDK writes them", () => {
  const opened = [
    { resident: "planet1b", digest: "d2", category: "travel", time: 20, text: "train" },
    { resident: "planet1a", digest: "d1", category: "shopping", time: 10, text: "=SUM(A1), tea" },
    { resident: "planet1a", digest: "d3", category: "shopping", time: 5, text: null, error: "ended" },
  ];
  const rows = grantedRows(4, opened);
  assert.deepEqual(rows.map((r) => r.digest), ["d1", "d2"]);
  assert.equal(toCsv(rows), "request,resident,category,time,digest,text\r\n"
    + "4,planet1a,shopping,10,d1,\"'=SUM(A1), tea\"\r\n4,planet1b,travel,20,d2,train\r\n");
  assert.deepEqual(summarize(rows), [{ category: "shopping", records: 1, residents: 1 },
    { category: "travel", records: 1, residents: 1 }]);
  assert.deepEqual(JSON.parse(toJson(rows)).records[0],
    { request: 4, resident: "planet1a", category: "shopping", time: 10, digest: "d1", text: "=SUM(A1), tea" });
});
