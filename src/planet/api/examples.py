"""Examples of the business flows for the OpenAPI page (/docs): what a business's server
sends. Placeholders in angle brackets stand for keys and signatures a wallet makes
(`planet.sdk.wallet.Wallet.sign_tx`, the browser SDK's `signTx`)."""

from __future__ import annotations

from typing import Any

SHOP = "planet1<the business's address>"
RESIDENTS = ("planet1<a resident's address>", "planet1<another resident's address>")


def signed(sender: str, sequence: int, *messages: dict[str, Any]) -> dict[str, Any]:
    """A signed transaction's JSON, as a wallet makes it."""
    return {"body": {"chain_id": "<the chain id, GET /v1/status>", "sender": sender,
                     "sequence": sequence, "messages": list(messages)},
            "public_key": "<base64 Ed25519 public key of sender>",
            "signature": "<base64 Ed25519 signature over planet/tx/v1 and the body>"}


def as_text(tx: dict[str, Any]) -> str:
    """A batch carries each tx as the string of its JSON."""
    import json

    return json.dumps(tx, separators=(",", ":"), ensure_ascii=False)


APPLY = signed(SHOP, 0, {
    "type": "applications/apply", "name": "Noodle House", "contact": "+86 21 5555 0101",
    "offers": "Hand-pulled noodles; 10% off for verified residents",
    "encryption_key": "<base64 X25519 public key: residents seal grants and vouchers to it>"})

TX_EXAMPLES: dict[str, Any] = {
    "apply": {
        "summary": "A business applies (a new key, no account needed)",
        "description": "Signed by the business's new key at its sequence (0 for a new key; "
                       "`GET /v1/applications/of/{address}` gives it). The application then "
                       "waits in the operator's queue (`GET /v1/applications`); the operator "
                       "approves (`applications/approve`, which registers the business with "
                       "these keys) or declines with a reason, and the applicant reads the "
                       "status at `GET /v1/applications/of/{address}`. Limits: name 80 "
                       "characters, contact 120 bytes, offers 240 bytes.",
        "value": APPLY},
    "approve": {
        "summary": "The operator approves application 7 and sets its daily Force quota",
        "value": signed("planet1<the operator's address>", 41,
                        {"type": "applications/approve", "application": 7},
                        {"type": "force/set_business_quota", "business": SHOP,
                         "daily_force": 500})},
    "decline": {
        "summary": "The operator declines application 8 with a reason",
        "value": signed("planet1<the operator's address>", 42,
                        {"type": "applications/decline", "application": 8,
                         "reason": "No business licence attached; apply again with it"})},
}

BATCH_EXAMPLES: dict[str, Any] = {
    "attest_purchases": {
        "summary": "A shop's server attests today's purchases, retry-safe",
        "description": "One tx per batch of residents (a task's attestation is all or "
                       "nothing), each at the business's next sequence in order. Send the "
                       "header `Idempotency-Key: 5f0c2d5e-…` (a fresh UUID per batch): if "
                       "the answer is lost, send the same body with the same key and get "
                       "the first answer (each tx's hash, code and commit) instead of "
                       "'sequence reused'.",
        "value": {"txs": [
            as_text(signed(SHOP, 12, {"type": "force/attest_tasks", "task_id": "shopping",
                                      "residents": list(RESIDENTS)})),
            as_text(signed(SHOP, 13, {"type": "force/attest_tasks", "task_id": "shopping",
                                      "residents": [RESIDENTS[0]]}))]}},
    "deposit_records": {
        "summary": "A shop deposits purchase records into residents' vaults",
        "description": "Each resident must have allowed the shop (`vault/allow_depositor`); "
                       "the ciphertext goes to `PUT /v1/blobs/{digest}` first.",
        "value": {"txs": [as_text(signed(SHOP, 14, {
            "type": "vault/deposit_record", "owner": RESIDENTS[0],
            "digest": "<hex SHA-256 of the sealed record>", "category": "shopping",
            "time": 1767225600000, "size": 412, "task": "shopping"}))]}},
}
