"""The identity verifier: check a resident's real-name details, keep none of them.

The platform must know each account belongs to a distinct real person without holding
anyone's name, ID number or phone. So the verifier checks the details, then hands the
ledger only nullifiers: keyed hashes of the ID number and of the E.164 phone number that
make a second account for the same person, or on the same phone, collide, but that nobody
without the deployment's key can link back to an ID number or a phone (both spaces are
small enough to brute-force an unkeyed hash).

Nothing here writes files or logs, and no error message repeats an input, so errors
are safe to log and show.
"""

from __future__ import annotations

import datetime
import os
import string
from dataclasses import dataclass

import phonenumbers
from cryptography.hazmat.primitives import hashes, hmac
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent

from planet.core.accounts.messages import AttestIdentity
from planet.core.address import parse_address
from planet.core.errors import IdentityRejected, InvalidField

NULLIFIER_KEY_SIZE = 32
NAME_MAX_CHARS = 64
_NULLIFIER_DOMAIN = b"planet/nullifier/v1\n"
_PHONE_NULLIFIER_DOMAIN = b"planet/phone-nullifier/v1\n"  # never equal to an ID's
_ID_CHARS = frozenset(string.digits + "X")
_MOBILE_TYPES = frozenset({phonenumbers.PhoneNumberType.MOBILE,
                           phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


def new_nullifier_key() -> bytes:
    """A fresh deployment-wide nullifier key; every verifier of a chain must share it."""
    return os.urandom(NULLIFIER_KEY_SIZE)


@dataclass(frozen=True)
class Checked:
    """Details that passed the local checks, in the forms the nullifiers are made of."""

    resident: str
    id_number: str  # 18 characters, upper-case X
    phone: str  # E.164, e.g. +8613812345678

    def attestation(self, nullifier_key: bytes) -> AttestIdentity:
        if len(nullifier_key) != NULLIFIER_KEY_SIZE:
            raise ValueError(f"nullifier key must be {NULLIFIER_KEY_SIZE} bytes")
        return AttestIdentity(resident=self.resident,
                              nullifier=compute_nullifier(self.id_number, nullifier_key),
                              phone_nullifier=compute_phone_nullifier(self.phone, nullifier_key))


def check_details(resident: str, name: str, id_number: str, phone: str) -> Checked:
    """The checks that need nothing but the details; raise IdentityRejected."""
    try:
        address = parse_address(resident, field="resident")
    except InvalidField as err:
        raise IdentityRejected(err.message) from None  # an address is public: safe to echo
    check_name(name)
    return Checked(address, normalize_id_number(id_number), normalize_mobile(phone))


def verify_identity(resident: str, name: str, id_number: str, phone: str,
                    nullifier_key: bytes) -> AttestIdentity:
    """Check the details and return the attestation to submit; raise IdentityRejected.
    (The node's service also proves the phone by a code and asks the identity authority.)"""
    if len(nullifier_key) != NULLIFIER_KEY_SIZE:
        raise ValueError(f"nullifier key must be {NULLIFIER_KEY_SIZE} bytes")
    return check_details(resident, name, id_number, phone).attestation(nullifier_key)


def check_name(name: str) -> None:
    if not name.strip():
        raise IdentityRejected("name: must not be empty")
    if len(name) > NAME_MAX_CHARS:
        raise IdentityRejected(f"name: at most {NAME_MAX_CHARS} characters")
    if not name.isprintable():
        raise IdentityRejected("name: contains non-printable characters")


def normalize_id_number(id_number: str) -> str:
    """The 18-character upper-case form of a valid GB 11643 resident identity number."""
    number = ric.compact(id_number)  # upper-cases 'x', trims whitespace
    if len(number) != 18:
        raise IdentityRejected("resident ID number: must be 18 characters")
    if not (number[:17].isascii() and number[:17].isdigit() and number[17] in _ID_CHARS):
        raise IdentityRejected("resident ID number: 17 digits then a digit or X expected")
    try:
        ric.validate(number)
    except InvalidChecksum:
        raise IdentityRejected("resident ID number: check digit does not match "
                               "(ISO 7064 MOD 11-2); a digit is mistyped") from None
    except InvalidComponent:
        # stdnum raises the same error for an impossible date and an unknown region.
        try:
            ric.get_birth_date(number)
        except InvalidComponent:
            raise IdentityRejected("resident ID number: embedded birth date is not a real date"
                                   ) from None
        raise IdentityRejected("resident ID number: unknown region code") from None
    if ric.get_birth_date(number) > datetime.date.today():
        raise IdentityRejected("resident ID number: embedded birth date is in the future")
    return number


def normalize_mobile(phone: str) -> str:
    """The E.164 form (+86…) of a mainland China mobile number, national or international."""
    try:
        parsed = phonenumbers.parse(phone, "CN")
    except phonenumbers.NumberParseException:
        raise IdentityRejected("phone: not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise IdentityRejected("phone: not a valid number")
    if phonenumbers.region_code_for_number(parsed) != "CN":
        raise IdentityRejected("phone: must be a mainland China (+86) number")
    if phonenumbers.number_type(parsed) not in _MOBILE_TYPES:
        raise IdentityRejected("phone: must be a mobile number, not a landline")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def compute_nullifier(normalized_id: str, nullifier_key: bytes) -> str:
    """HMAC-SHA256 over a domain tag and the normalized ID number, as 64 hex digits."""
    mac = hmac.HMAC(nullifier_key, hashes.SHA256())
    mac.update(_NULLIFIER_DOMAIN + normalized_id.encode("ascii"))
    return mac.finalize().hex()


def compute_phone_nullifier(e164: str, nullifier_key: bytes) -> str:
    """HMAC-SHA256 over another domain tag and the E.164 number, as 64 hex digits: made as
    the ID number's, so the same key links neither back to a person."""
    mac = hmac.HMAC(nullifier_key, hashes.SHA256())
    mac.update(_PHONE_NULLIFIER_DOMAIN + e164.encode("ascii"))
    return mac.finalize().hex()
