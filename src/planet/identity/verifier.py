"""The identity verifier: check a resident's real-name details, keep none of them.

The platform must know each account belongs to a distinct real person without holding
anyone's name, ID number or phone. So the verifier checks the details, then hands the
ledger only a nullifier: a keyed hash of the ID number that makes a second account for
the same person collide, but that nobody without the deployment's key can link back to
an ID number (the ID number space is small enough to brute-force an unkeyed hash).

Nothing here writes files or logs, and no error message repeats an input, so errors
are safe to log and show.
"""

from __future__ import annotations

import datetime
import os
import string

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
_ID_CHARS = frozenset(string.digits + "X")
_MOBILE_TYPES = frozenset({phonenumbers.PhoneNumberType.MOBILE,
                           phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


def new_nullifier_key() -> bytes:
    """A fresh deployment-wide nullifier key; every verifier of a chain must share it."""
    return os.urandom(NULLIFIER_KEY_SIZE)


def verify_identity(resident: str, name: str, id_number: str, phone: str,
                    nullifier_key: bytes) -> AttestIdentity:
    """Check the details and return the attestation to submit; raise IdentityRejected."""
    if len(nullifier_key) != NULLIFIER_KEY_SIZE:
        raise ValueError(f"nullifier key must be {NULLIFIER_KEY_SIZE} bytes")
    try:
        address = parse_address(resident, field="resident")
    except InvalidField as err:
        raise IdentityRejected(err.message) from None  # an address is public: safe to echo
    check_name(name)
    number = normalize_id_number(id_number)
    check_mobile(phone)
    return AttestIdentity(resident=address, nullifier=compute_nullifier(number, nullifier_key))


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


def check_mobile(phone: str) -> None:
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


def compute_nullifier(normalized_id: str, nullifier_key: bytes) -> str:
    """HMAC-SHA256 over a domain tag and the normalized ID number, as 64 hex digits."""
    mac = hmac.HMAC(nullifier_key, hashes.SHA256())
    mac.update(_NULLIFIER_DOMAIN + normalized_id.encode("ascii"))
    return mac.finalize().hex()
