"""The identity verifier as a node service: a resident's browser sends its real-name
details sealed to the verifier's key; the node checks them in memory and attests.

Two requests, each signed by the resident with the blob-request scheme
(planet.sdk.blobauth), so nobody can get an address verified with someone else's details
sealed by a third party: `send_code` (sealed {phone}) has a one-time code sent to the phone;
`verify` (sealed {name, id_number, phone, code}) checks the details' form, then the code
(proving the phone), then asks the identity authority whether the name goes with the ID
number, and attests. Only nullifiers reach the ledger. The form check (the ID number's
public checksum) comes first, so a typo does not burn the one-time code; the code is then
checked before the authority is asked anything, so a wrong code tells nothing about whether
the name goes with the ID number; attempts and code
sends are counted per resident and per phone and local day (genesis parameters), a phone
taking twice a resident's count so that one account cannot spend the day of a phone it
typed in and lock its owner out (planet.identity.codes.DailyLimits).

The details exist in this process only while the request runs: they are never logged,
stored, or repeated in an error (every message names the check that failed, never the
input); pending codes and the daily counts are in memory, hashed (planet.identity.codes).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Protocol

from planet.core.encoding import b64encode
from planet.core.errors import (
    AlreadyVerified,
    CommitTimeout,
    IdentityRejected,
    InvalidField,
    LedgerRefused,
    NotFound,
    NotResident,
)
from planet.core.params import Params
from planet.identity.codes import ATTEMPT, SEND, DailyLimits, OneTimeCodes, PhoneTags
from planet.identity.providers import (
    ChecksumAuthority,
    CodeSender,
    ConsoleSender,
    IdentityAuthority,
)
from planet.identity.verifier import check_details, normalize_mobile
from planet.sdk.blobauth import parse_signed_headers, signer_account
from planet.sdk.clock import wall_clock_ms
from planet.sdk.envelope import EnvelopeError, identity_info, open_sealed
from planet.sdk.wallet import Wallet

MAX_SEALED_BYTES = 4096
FIELDS = ("name", "id_number", "phone", "code")
CODE_FIELDS = ("phone",)


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


@dataclass(frozen=True)
class CodeSent:
    phone_ending: str  # the last 4 digits, so the resident sees which phone to look at
    valid_s: int

    def to_json(self) -> dict[str, Any]:
        return {"sent": True, "phone_ending": self.phone_ending, "valid_s": self.valid_s}


class IdentityService:
    def __init__(self, node: Node, verifier: Wallet, nullifier_key: bytes, chain_id: str, *,
                 params: Params | None = None, authority: IdentityAuthority | None = None,
                 sender: CodeSender | None = None, clock: Callable[[], int] = wall_clock_ms,
                 timeout_s: float = 20.0) -> None:
        self.node, self.verifier, self.chain_id = node, verifier, chain_id
        self._nullifier_key = nullifier_key
        self.authority: IdentityAuthority = authority or ChecksumAuthority()
        self.sender: CodeSender = sender or ConsoleSender()
        self.clock, self.timeout_s = clock, timeout_s
        params = params or Params()
        tags = PhoneTags()
        self.codes = OneTimeCodes(tags)
        self.limits = DailyLimits(tags, attempts=params.identity_attempts_per_day,
                                  sends=params.identity_code_sends_per_day,
                                  timezone_offset_minutes=params.timezone_offset_minutes)
        # One attestation at a time: each takes the verifier's next sequence number.
        self._lock = threading.Lock()

    def settings(self) -> dict[str, Any]:
        """What the node reports about its verifier's providers (/v1/status)."""
        return {"identity_authority": self.authority.describe(),
                "identity_authority_kind": self.authority.kind,
                "identity_code_sender": self.sender.describe(),
                "identity_code_sender_kind": self.sender.kind}

    def describe(self) -> dict[str, Any]:
        try:
            account = self.node.query("accounts/account", {"address": self.verifier.address})
            name = str(account.get("name", ""))
        except NotFound:
            name = ""
        return {"address": self.verifier.address, "name": name,
                "encryption_key": b64encode(self.verifier.encryption_public_key),
                "authority": self.authority.describe(), "authority_kind": self.authority.kind,
                "code_sender": self.sender.describe(), "code_sender_kind": self.sender.kind,
                "code_valid_s": self.codes.valid_ms // 1000}

    def _authenticate(self, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        return signer_account(parse_signed_headers(headers), self.node, chain_id=self.chain_id,
                              digest=hashlib.sha256(body).hexdigest(), method="POST",
                              now_ms=self.clock())

    def open(self, resident: str, body: bytes, fields: tuple[str, ...] = FIELDS
             ) -> dict[str, str]:
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
        if not isinstance(doc, dict) or not all(isinstance(doc.get(f), str) for f in fields):
            shape = ", ".join(f'"{f}"' for f in fields)
            raise InvalidField(f"body: expected {{{shape}}} as strings")
        return {f: doc[f] for f in fields}

    @staticmethod
    def _check_candidate(account: dict[str, Any]) -> None:
        """The ledger would refuse these too; checked first so no SMS is sent for nothing."""
        if account.get("kind") != "resident":
            raise NotResident(f"{account['address']} is a {account.get('kind')}, not a resident")
        if account.get("verified"):
            raise AlreadyVerified(f"{account['address']} is already verified")

    def send_code(self, headers: dict[str, str], body: bytes) -> CodeSent:
        """Authenticate, open {phone}, count a send, send a fresh code. Raises PlanetError."""
        account = self._authenticate(headers, body)
        resident = str(account["address"])
        phone = normalize_mobile(self.open(resident, body, CODE_FIELDS)["phone"])
        self._check_candidate(account)
        now = self.clock()
        self.limits.take(SEND, resident, phone, now)
        code = self.codes.issue(resident, phone, now)
        try:
            self.sender.send(phone, code, self.codes.valid_ms // 1000)
        except BaseException:
            self.codes.cancel(resident)
            raise
        finally:
            del code
        return CodeSent(phone[-4:], self.codes.valid_ms // 1000)

    def verify(self, headers: dict[str, str], body: bytes) -> Attested:
        """Authenticate, open, count an attempt, check the form, the code, the authority;
        attest and wait for the commit. Raises PlanetError."""
        account = self._authenticate(headers, body)
        resident = str(account["address"])
        details = self.open(resident, body)
        try:
            try:
                phone: str | None = normalize_mobile(details["phone"])
            except IdentityRejected:
                phone = None  # counted for the resident alone; refused just below
            self.limits.take(ATTEMPT, resident, phone, self.clock())
            self._check_candidate(account)
            checked = check_details(resident, details["name"], details["id_number"],
                                    details["phone"])
            self.codes.redeem(resident, checked.phone, details["code"], self.clock())
            self.authority.check(details["name"], checked.id_number)
            msg = checked.attestation(self._nullifier_key)
        finally:
            del details  # drop our references as soon as they are checked
        return self._attest(msg)

    def _attest(self, msg: Any) -> Attested:
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


__all__ = ["Attested", "CodeSent", "IdentityService"]
