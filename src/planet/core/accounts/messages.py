"""Messages of the accounts module."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from planet.core.accounts.codes import normalize_invite_code
from planet.core.address import parse_address
from planet.core.ed25519 import check_public_key
from planet.core.encoding import b64decode
from planet.core.errors import InvalidField
from planet.core.messages import Msg
from planet.core.params import Params

_HEX32 = re.compile(r"[0-9a-f]{64}")  # fullmatch ("$" passes a final "\n")


def check_hex32(value: str, field: str) -> None:
    if not _HEX32.fullmatch(value):
        raise InvalidField(f"{field}: expected 64 lower-case hex characters (32 bytes)")


def check_name(value: str, field: str) -> None:
    if not 0 < len(value) <= 80 or not value.isprintable():
        raise InvalidField(f"{field}: 1 to 80 printable characters")


def check_appointment(type_: str, role: str, address: str, public_key: str,
                      encryption_key: str, name: str) -> None:
    """Fields of an account the operator appoints (business or verifier)."""
    parse_address(address, field=f"{type_}.{role}")
    check_public_key(b64decode(public_key, field=f"{type_}.public_key", length=32),
                     field=f"{type_}.public_key")
    b64decode(encryption_key, field=f"{type_}.encryption_key", length=32)
    check_name(name, f"{type_}.name")


@dataclass(frozen=True, slots=True)
class RegisterResident(Msg):
    """The first transaction of a new resident, signed by the resident's new key."""

    TYPE = "accounts/register"
    invite_code: str
    encryption_key: str

    def validate(self, params: Params) -> None:
        normalize_invite_code(self.invite_code)
        b64decode(self.encryption_key, field=f"{self.TYPE}.encryption_key", length=32)


@dataclass(frozen=True, slots=True)
class CreateInvites(Msg):
    """Publish the hashes of new invitation codes; the sender keeps the codes."""

    TYPE = "accounts/create_invites"
    code_hashes: tuple[str, ...]

    def validate(self, params: Params) -> None:
        if not self.code_hashes:
            raise InvalidField(f"{self.TYPE}.code_hashes: at least one")
        for i, h in enumerate(self.code_hashes):
            check_hex32(h, f"{self.TYPE}.code_hashes[{i}]")
        if len(set(self.code_hashes)) != len(self.code_hashes):
            raise InvalidField(f"{self.TYPE}.code_hashes: repeated hash")


@dataclass(frozen=True, slots=True)
class AttestIdentity(Msg):
    """A verifier vouches that a resident is a real, unique person.

    Carries only nullifiers: keyed hashes of the ID number and of the phone the resident
    proved by a one-time code; name, ID number and phone never reach the ledger.
    `phone_nullifier` is optional: the ledger trusts a genesis verifier with what it attests
    (it could as well make up an ID number's nullifier), and keeps each phone nullifier it
    is given to one account; the node's verifier always sends one. (Chains from before
    issue 15 do not replay under these rules anyway: requests now name a cohort.)
    """

    TYPE = "accounts/attest_identity"
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"phone_nullifier"})
    resident: str
    nullifier: str
    phone_nullifier: str = ""

    def validate(self, params: Params) -> None:
        parse_address(self.resident, field=f"{self.TYPE}.resident")
        check_hex32(self.nullifier, f"{self.TYPE}.nullifier")
        if self.phone_nullifier:
            check_hex32(self.phone_nullifier, f"{self.TYPE}.phone_nullifier")


@dataclass(frozen=True, slots=True)
class RegisterBusiness(Msg):
    """The operator approves a partner business and records its keys."""

    TYPE = "accounts/register_business"
    business: str
    public_key: str
    encryption_key: str
    name: str

    def validate(self, params: Params) -> None:
        check_appointment(self.TYPE, "business", self.business, self.public_key,
                          self.encryption_key, self.name)


@dataclass(frozen=True, slots=True)
class AddVerifier(Msg):
    """The operator appoints another identity verifier."""

    TYPE = "accounts/add_verifier"
    verifier: str
    public_key: str
    encryption_key: str
    name: str

    def validate(self, params: Params) -> None:
        check_appointment(self.TYPE, "verifier", self.verifier, self.public_key,
                          self.encryption_key, self.name)
