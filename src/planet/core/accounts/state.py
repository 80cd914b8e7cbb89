"""The accounts module's records, under the prefix `accounts/`. Only this module writes them."""

from __future__ import annotations

from dataclasses import dataclass

from planet.core.records import Record

PREFIX = "accounts/"
OPERATOR = "operator"
VERIFIER = "verifier"
BUSINESS = "business"
RESIDENT = "resident"
KINDS = (OPERATOR, VERIFIER, BUSINESS, RESIDENT)


@dataclass(frozen=True, slots=True)
class Account(Record):
    address: str
    kind: str
    public_key: str  # base64 Ed25519
    encryption_key: str  # base64 X25519
    sequence: int
    created_height: int
    created_at: int
    name: str = ""
    inviter: str = ""  # the account whose code a resident registered with
    invites_left: int = 0  # codes this account may still create (operator: unlimited)
    verified: bool = False  # identity attested by a verifier
    verified_at: int = 0


@dataclass(frozen=True, slots=True)
class KeySequence(Record):
    """Transactions included from a key that has no account yet: a business applicant's
    (planet.core.applications). It is the key's sequence until an account takes it over."""

    count: int = 0


@dataclass(frozen=True, slots=True)
class KindCount(Record):
    """How many accounts of one kind exist: the census reads it instead of counting."""

    count: int = 0


@dataclass(frozen=True, slots=True)
class Invite(Record):
    creator: str
    created_height: int
    used_by: str = ""
    used_height: int = 0


@dataclass(frozen=True, slots=True)
class Nullifier(Record):
    resident: str
    verifier: str
    height: int



def account_key(address: str) -> str:
    return f"{PREFIX}acct/{address}"


def key_sequence_key(address: str) -> str:
    return f"{PREFIX}key_seq/{address}"


def invite_key(code_hash_hex: str) -> str:
    return f"{PREFIX}invite/{code_hash_hex}"


def invites_of_key(creator: str, code_hash_hex: str) -> str:
    return f"{PREFIX}invites_of/{creator}/{code_hash_hex}"


def nullifier_key(nullifier_hex: str) -> str:
    return f"{PREFIX}nullifier/{nullifier_hex}"


def phone_nullifier_key(nullifier_hex: str) -> str:
    return f"{PREFIX}phone_nullifier/{nullifier_hex}"


def kind_count_key(kind: str) -> str:
    return f"{PREFIX}count/{kind}"


def kind_index_key(kind: str, address: str) -> str:
    return f"{PREFIX}by_kind/{kind}/{address}"
