"""The identity verifier as a node service: a resident's browser sends its real-name
details sealed to the verifier's key; the node checks them in memory and attests.

Only a nullifier reaches the ledger. The details exist in this process only while the
request runs: they are never logged, stored, or repeated in an error (every message
names the check that failed, never the input). The request is signed by the resident
with the blob-request scheme (planet.sdk.blobauth), so nobody can get an address
verified with someone else's details sealed by a third party.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Protocol

from planet.core.encoding import b64decode, b64encode
from planet.core.errors import (
    BadRequestSignature,
    CommitTimeout,
    InvalidField,
    LedgerRefused,
    NotFound,
)
from planet.identity.verifier import verify_identity
from planet.sdk.blobauth import parse_signed_headers, verify_blob_request
from planet.sdk.envelope import EnvelopeError, identity_info, open_sealed
from planet.sdk.wallet import Wallet

MAX_SEALED_BYTES = 4096
FIELDS = ("name", "id_number", "phone")


class Node(Protocol):
    """What the service needs of a node (the embedded engine fits)."""

    def query(self, path: str, args: dict[str, Any] | None = None) -> Any: ...

    def submit(self, raw: bytes) -> Any: ...

    def wait_for(self, tx_hash: bytes) -> Any: ...


@dataclass(frozen=True)
class Attested:
    hash: str
    height: int

    def to_json(self) -> dict[str, Any]:
        return {"hash": self.hash, "height": self.height}


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


class IdentityService:
    def __init__(self, node: Node, verifier: Wallet, nullifier_key: bytes, chain_id: str,
                 clock: Callable[[], int] = wall_clock_ms, timeout_s: float = 20.0) -> None:
        self.node, self.verifier, self.chain_id = node, verifier, chain_id
        self._nullifier_key = nullifier_key
        self.clock, self.timeout_s = clock, timeout_s
        # One attestation at a time: each takes the verifier's next sequence number.
        self._lock = threading.Lock()

    def describe(self) -> dict[str, Any]:
        try:
            account = self.node.query("accounts/account", {"address": self.verifier.address})
            name = str(account.get("name", ""))
        except NotFound:
            name = ""
        return {"address": self.verifier.address, "name": name,
                "encryption_key": b64encode(self.verifier.encryption_public_key)}

    def authenticate(self, headers: dict[str, str], body: bytes) -> str:
        signed = parse_signed_headers(headers)
        try:
            account = self.node.query("accounts/account", {"address": signed.address})
        except (InvalidField, NotFound):
            raise BadRequestSignature(f"{signed.address} is not an account on this chain"
                                      ) from None
        verify_blob_request(signed, public_key=b64decode(account["public_key"], field="public_key",
                                                             length=32),
                            chain_id=self.chain_id, digest=hashlib.sha256(body).hexdigest(),
                            method="POST", now_ms=self.clock())
        return signed.address

    def open(self, resident: str, body: bytes) -> tuple[str, str, str]:
        if len(body) > MAX_SEALED_BYTES:
            raise InvalidField(f"body: at most {MAX_SEALED_BYTES} bytes")
        try:
            plain = open_sealed(body, self.verifier.encryption_key, identity_info(resident))
        except EnvelopeError:
            raise InvalidField("body: cannot open; seal it to this verifier's encryption key "
                               "with info planet/identity/v1 and your address") from None
        try:
            doc = json.loads(plain)
        except ValueError:
            raise InvalidField("body: the sealed plaintext is not UTF-8 JSON") from None
        if not isinstance(doc, dict) or not all(isinstance(doc.get(f), str) for f in FIELDS):
            raise InvalidField("body: expected {\"name\", \"id_number\", \"phone\"} as strings")
        return doc["name"], doc["id_number"], doc["phone"]

    def verify(self, headers: dict[str, str], body: bytes) -> Attested:
        """Authenticate, open, check, attest, wait for the commit. Raises PlanetError."""
        resident = self.authenticate(headers, body)
        name, id_number, phone = self.open(resident, body)
        try:
            msg = verify_identity(resident, name, id_number, phone, self._nullifier_key)
        finally:
            del name, id_number, phone  # drop our references as soon as they are checked
        with self._lock:
            account = self.node.query("accounts/account", {"address": self.verifier.address})
            raw = self.verifier.sign_tx(chain_id=self.chain_id,
                                        sequence=int(account["sequence"]), messages=[msg])
            submitted = self.node.submit(raw)
            if not submitted.accepted:
                raise LedgerRefused(submitted.result.to_json())
            try:
                record = self.node.wait_for(submitted.hash).result(self.timeout_s)
            except FutureTimeout:
                raise CommitTimeout("the attestation was not committed in time; "
                                    "check the resident's account later") from None
        if record is None:
            raise CommitTimeout("the attestation was dropped before inclusion; retry")
        if record.code != 0:
            raise LedgerRefused(record.result)
        return Attested(submitted.hash.hex(), record.height)


__all__ = ["Attested", "IdentityService"]
