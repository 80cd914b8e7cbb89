// The SDK's Api against a real node: every action a page uses, end to end.
//
//   node test/live.mjs <node url> <planet home> <details.json>
//
// Run by tests/integration/test_web_sdk.py on a fresh `planet init` home (the operator's
// dev keystore is read from it). Without arguments it does nothing (so `node --test` may
// load it). Prints one JSON line of results for the Python side to check.
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Api, ApiError, Wallet, eventOf, importKeystore, newMnemonic, walletFromMnemonic } from "../src/sdk/index.js";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The code the node's development sender logged for `phone` past byte `after`. */
async function codeFromLog(log, phone, after, timeoutMs = 15_000) {
  const ending = phone.slice(-4);
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    const text = (await readFile(log)).subarray(after).toString("utf-8");
    const codes = [...text.matchAll(/the code for the phone ending (\d{4}) is (\d{6})/g)]
      .filter((m) => m[1] === ending);
    if (codes.length) return codes.at(-1)[2];
  }
  throw new Error(`no code for the phone ending ${ending} in ${log}`);
}
const BD = 1_000_000;

async function main(url, home, detailsPath) {
  const details = JSON.parse(await readFile(detailsPath, "utf-8"));
  const api = new Api(url);
  const out = { steps: [] };
  const step = (name, extra = {}) => out.steps.push({ name, ...extra });
  const status = await api.status();
  const operator = await importKeystore(await readFile(join(home, "keys", "operator.json"), "utf-8"));

  // A resident from fresh words; codes from the operator; own codes at registration.
  const words = newMnemonic();
  const resident = await walletFromMnemonic(words);
  const codes = await api.createInvites(operator, 2);
  const { outcome: registered, codes: own } = await api.register(resident, codes[0], { ownInvites: 2 });
  assert.equal(own.length, 2);
  assert.ok(registered.height > 0);
  const account = await api.account(resident.address);
  assert.equal(account.encryption_key, resident.encryptionKeyB64);
  step("register", { address: resident.address, own_codes: own });

  // The identity check through the verifier this node holds (if the route exists): a code
  // texted to the phone (the node's development sender writes it to HOME/node.log).
  try {
    const verifier = await api.verifier();
    const log = join(home, "node.log");
    const after = (await stat(log)).size;
    const sent = await api.sendIdentityCode(resident, details.phone);
    assert.equal(sent.phone_ending, details.phone.slice(-4));
    const code = await codeFromLog(log, details.phone, after);
    const verified = await api.verifyIdentity(resident, { ...details, code });
    step("identity", { verifier: verifier.address, height: verified.height });
    await assert.rejects(api.verifyIdentity(resident, { ...details, code }), ApiError);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
    step("identity-skipped", { reason: err.message });
  }

  await api.checkIn(resident);
  await sleep(2000);
  const collected = await api.collect(resident);
  step("checkin+collect", { events: collected.events.map((e) => e.type) });

  const trip = await api.addRecord(resident, "Train G1234 to Shanghai, seat 05F", "travel");
  assert.equal(await api.readRecordText(resident, trip), "Train G1234 to Shanghai, seat 05F");
  const other = await api.addRecord(resident, "Gym, 1 hour", "health");
  step("vault", { trip, other });

  // A business made in the browser, approved by the operator.
  const shop = await Wallet.generate("Shop");
  await api.registerBusiness(operator, shop.publicInfo(), "Shop");
  await api.allowDepositor(resident, shop.address);  // deposits need the owner's consent
  const deposit = await api.depositRecord(shop, resident.address, "Shoes, order 77812", "shopping",
                                          Date.now(), "shopping");
  assert.equal(await api.readRecordText(resident, deposit), "Shoes, order 77812");

  // The shop sells a voucher so it has diamonds to escrow a request.
  const chainTime = Number((await api.status()).time);
  const offer = eventOf(await api.createOffer(shop, {
    item: "Coffee", price: 2 * BD, stock: 5, startsAt: chainTime, endsAt: chainTime + 86_400_000 }),
    "exchange/offer_created").offer;
  const redemption = eventOf(await api.redeem(resident, offer), "exchange/redeemed").redemption;
  await api.fulfil(shop, redemption, "COFFEE-9 ☕");
  const fulfilled = await api.query("exchange/redemption", { id: redemption });
  assert.equal(await api.readVoucher(resident, fulfilled), "COFFEE-9 ☕");
  step("shop", { offer, redemption });

  const request = eventOf(await api.createRequest(shop, {
    categories: ["travel", "shopping"], periodStart: 0, periodEnd: Date.now() + 60_000,
    purpose: "Route planning", reward: BD / 2, residents: 2, cohort: 1,
    expiresAt: chainTime + 7 * 86_400_000, accessMs: 30 * 86_400_000 }), "exchange/request_created").request;
  const eligible = (await api.eligible(request, resident.address)).records.map((r) => r.digest);
  assert.deepEqual(new Set(eligible), new Set([trip, deposit]));
  await api.acceptRequest(resident, request, [trip, deposit]);
  const granted = await api.readGranted(shop, request);
  assert.deepEqual(granted.map((g) => g.text).sort(),
                   ["Shoes, order 77812", "Train G1234 to Shanghai, seat 05F"]);
  assert.ok(granted.every((g) => g.resident === resident.address));
  step("request", { request, granted: granted.length });

  // A business attests a task it runs; the resident enters the Lucky Drill; own codes.
  const attested = await api.attestTasks(shop, "entertainment", [resident.address]);
  const force = await api.query("force/force", { address: resident.address }).catch((e) => ({ error: e.message }));
  const current = await api.query("drill/current", { address: resident.address });
  let drill = "not committed";
  if (current.committed) {
    drill = await api.enterDrill(resident).then(() => "entered", (e) => `refused: ${e.message}`);
  }
  const more = await api.createInvites(resident, 1).then((c) => c.length, (e) => `refused: ${e.message}`);
  step("attest+drill+invites", { attested: attested.height, force, drill, more });

  await api.revokeGrant(resident, request);
  assert.deepEqual(await api.readGranted(shop, request), []);
  await api.eraseRecord(resident, other);
  await assert.rejects(api.getBlob(resident, other), (e) => e instanceof ApiError && e.status >= 400);
  await api.closeRequest(shop, request);
  step("revoke+erase+close");

  // The operator disables check-in; the core's refusal reaches the caller as an ApiError.
  await api.setTaskEnabled(operator, "daily_checkin", false);
  const refused = await api.checkIn(resident).then(() => null, (e) => e);
  assert.ok(refused instanceof ApiError, "check-in on a disabled task must be refused");
  assert.ok(refused.message.length > 0 && refused.code > 0);
  step("task-disabled", { code: refused.code, message: refused.message });
  const unknown = await api.send(await Wallet.generate(), [{ type: "emission/collect" }]).then(() => null, (e) => e);
  assert.ok(unknown instanceof ApiError && unknown.message.length > 0);

  out.chain_id = status.chain_id;
  out.resident = resident.address;
  out.mnemonic = words;
  out.shop = shop.address;
  out.trip = trip;
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[4]) {
  await main(process.argv[2], process.argv[3], process.argv[4]);
}
