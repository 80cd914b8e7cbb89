"""The Python SDK: wallets, signing, transaction building, the node client, and checking
the node's answers against an app hash (`verify_proof`, from `planet.sdk.proofs`), and
checking a signed webhook delivery (`verify_webhook`, from `planet.sdk.webhooks`)."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    """`planet.sdk.verify_proof`, imported on first use: the proofs module brings in the
    whole core, which a wallet alone does not need."""
    if name == "verify_proof":
        from planet.sdk.proofs import verify_proof

        return verify_proof
    if name == "verify_webhook":
        from planet.sdk.webhooks import verify_webhook

        return verify_webhook
    raise AttributeError(f"module 'planet.sdk' has no attribute {name!r}")
