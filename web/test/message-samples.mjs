// One message from every builder of web/src/sdk/messages.js, printed as JSON for
// tests/unit/test_web_messages.py, which parses each with the core's own parser.
import {
  attestTasksMsg, closeRequestMsg, createOfferMsg, createRequestMsg, fulfilMsg, liftSuspensionMsg,
  pauseOfferMsg, refundMsg, resumeOfferMsg, setBusinessQuotaMsg, setTaskEnabledMsg, stopOfferMsg,
  suspendBusinessMsg, updateOfferMsg,
} from "../src/sdk/messages.js";

const ADDRESS = process.argv[2];
const VOUCHER = Buffer.alloc(64, 7).toString("base64");

export function samples(address = ADDRESS) {
  return [
    createRequestMsg({ categories: ["travel", "credit"], periodStart: 0, periodEnd: 1_800_000_000_000,
      purpose: "Trips", reward: 500_000, residents: 10, cohort: 10, expiresAt: 1_800_000_000_000,
      accessMs: 86_400_000 }),
    closeRequestMsg("3"),
    attestTasksMsg("visit_store", [address, address]),
    createOfferMsg({ item: "Tea", price: 2_000_000, stock: 5, startsAt: 1, endsAt: 2 }),
    updateOfferMsg(4, { price: 3_000_000 }),
    updateOfferMsg(4, { price: 1, stock: 9, startsAt: 1, endsAt: 2, minForce: 3, dailyLimit: 1 }),
    pauseOfferMsg(4), resumeOfferMsg(4), stopOfferMsg(4),
    refundMsg(7), fulfilMsg(7, VOUCHER),
    setTaskEnabledMsg("sesame_credit", true),
    suspendBusinessMsg(address, "Vouchers never came"),
    liftSuspensionMsg(address),
    setBusinessQuotaMsg(address, 500),
  ];
}

if (ADDRESS) process.stdout.write(JSON.stringify(samples()));
