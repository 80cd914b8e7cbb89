// The webhook management requests' digest against values the Python SDK computes
// (planet.sdk.webhooks.compute_request_digest), and the event list against the node's;
// the signature over it is Wallet.signRequest, checked in python-vectors.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WEBHOOK_EVENTS, webhooksRequestDigest } from "../src/sdk/index.js";

test("request digests match Python's compute_request_digest", async () => {
  const base = "/v1/businesses/planet1qqqq/webhooks";
  assert.equal(await webhooksRequestDigest(base, '{"url":"https://shop.example/hooks","events":["redemption.made"]}'),
               "8b049b31a78f27e5f31eae65d7eb60e2e558141b02b3fa5895bcc00d7a2993e4");
  assert.equal(await webhooksRequestDigest(base), "0e9cb65094ca8b77ff81c7d0e0474bff0013520f24b0285b36197ec5d893e564");
  assert.equal(await webhooksRequestDigest(`${base}/deliveries/7/redeliver`, "{}"),
               "19499156da375a436816b0d6b70ee62f05d9a710c279627dc843af0d29da08e6");
  assert.equal(await webhooksRequestDigest(`${base}/wh_0123/\u00e9`),
               "6140760efbfff678316b0ea06f62c126f266aa713a7ed8bf9376ed2849a62d43");
});

test("the event list is the node's", () => {
  assert.deepEqual([...WEBHOOK_EVENTS], [
    "redemption.made", "redemption.refunded", "request.accepted", "cohort.filled",
    "request.closed", "grant.revoked", "record.erased", "business.suspended",
    "business.suspension_lifted",
  ]);
});
