// One message from every builder of web/src/sdk/messages.js, printed as JSON for
// tests/unit/test_web_messages.py, which parses each with the core's own parser.
import {
  acceptRequestMsg, addRecordMsg, allowDepositorMsg, applyMsg, approveApplicationMsg, attestTasksMsg,
  closeRequestMsg, collectMsg, completeTaskMsg, createInvitesMsg, createOfferMsg, createRequestMsg,
  declineApplicationMsg, depositRecordMsg, enterDrillMsg, eraseRecordMsg, fulfilMsg, liftSuspensionMsg,
  pauseOfferMsg, redeemMsg, refundMsg, registerBusinessMsg, registerMsg, resumeOfferMsg, revokeDepositorMsg,
  revokeGrantMsg, setBusinessQuotaMsg, setTaskEnabledMsg, stopOfferMsg, suspendBusinessMsg, updateOfferMsg,
  withdrawApplicationMsg,
} from "../src/sdk/messages.js";

const ADDRESS = process.argv[2];
const VOUCHER = Buffer.alloc(64, 7).toString("base64");
const KEY = Buffer.alloc(32, 9).toString("base64");
const DIGEST = "ab".repeat(32);

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
    registerMsg("ABCD-EFGH-JKMN-PQRS", KEY),
    createInvitesMsg([DIGEST, "cd".repeat(32)]),
    registerBusinessMsg(address, KEY, KEY, "Tea House"),
    applyMsg({ name: "Tea House", contact: "tea@example.com", offers: "Tea" }, KEY),
    approveApplicationMsg("2"), declineApplicationMsg(2, "Not a business"), withdrawApplicationMsg(2),
    completeTaskMsg("daily_checkin"), collectMsg(), enterDrillMsg("5"),
    addRecordMsg(DIGEST, "shopping", 1_700_000_000_000.7, 512),
    depositRecordMsg(address, DIGEST, "shopping", 1_700_000_000_000, 512, "visit_store"),
    depositRecordMsg(address, DIGEST, "shopping", 1_700_000_000_000, 512),
    allowDepositorMsg(address), revokeDepositorMsg(address), eraseRecordMsg(DIGEST),
    acceptRequestMsg("3", [DIGEST], [Buffer.alloc(80, 5).toString("base64")]), revokeGrantMsg(3), redeemMsg("4"),
  ];
}

if (ADDRESS) process.stdout.write(JSON.stringify(samples()));
