"""Invitation codes: 80 random bits, written as four groups of four base32 letters.

Only SHA-256 of the normalised code goes on the ledger, so codes cannot be read off it;
80 bits cannot be guessed. The creator keeps the secret and shares it.
"""

from __future__ import annotations

import base64
import re

from planet.core.encoding import sha256
from planet.core.errors import InvalidField

CODE_BYTES = 10
CODE_CHARS = 16
_CODE = re.compile(r"[A-Z2-7]{16}")  # fullmatch ("$" passes a final "\n")
_DOMAIN = b"planet/invite/v1\n"


def normalize_invite_code(text: object) -> str:
    """Accept any case, spaces and dashes; return the 16 bare base32 letters."""
    if not isinstance(text, str):
        raise InvalidField("invite_code: expected a string")
    bare = re.sub(r"[\s-]", "", text).upper()
    if len(bare) != CODE_CHARS:
        raise InvalidField(f"invite_code: expected {CODE_CHARS} letters and digits "
                           f"(like ABCD-EFGH-JKMN-PQRS), got {len(bare)}")
    if not _CODE.fullmatch(bare):
        raise InvalidField("invite_code: only letters A-Z and digits 2-7 are used")
    return bare


def format_invite_code(bare: str) -> str:
    return "-".join(bare[i:i + 4] for i in range(0, CODE_CHARS, 4))


def code_from_bytes(secret: bytes) -> str:
    """Turn 10 random bytes (from the client's CSPRNG) into a code."""
    if len(secret) != CODE_BYTES:
        raise ValueError("an invitation code is made of exactly 10 random bytes")
    return format_invite_code(base64.b32encode(secret).decode("ascii"))


def compute_invite_hash(code: str) -> str:
    """Hex SHA-256 of the normalised code: what the ledger stores."""
    return sha256(_DOMAIN + normalize_invite_code(code).encode("ascii")).hex()
