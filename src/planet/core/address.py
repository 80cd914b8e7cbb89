"""Addresses: bech32m (BIP 350) of the first 20 bytes of SHA-256 of the Ed25519 key.

The checksum catches typos in a pasted address; the `planet` prefix keeps keys of other
chains from being mistaken for ours.
"""

from __future__ import annotations

from functools import lru_cache

from bech32m.codecs import Encoding, bech32_decode, bech32_encode, convertbits

from planet.core.encoding import sha256
from planet.core.errors import InvalidField
from planet.core.types import Address

HRP = "planet"
ADDRESS_BYTES = 20


@lru_cache(maxsize=1 << 16)
def compute_address(public_key: bytes) -> Address:
    """The address of an Ed25519 public key (cached: bech32m is pure Python and slow)."""
    digest = sha256(public_key)[:ADDRESS_BYTES]
    return Address(bech32_encode(HRP, bytes(convertbits(digest, 8, 5)), Encoding.BECH32M))


def parse_address(text: object, *, field: str = "address") -> Address:
    """Validate an address's form and checksum; the error says which check failed."""
    if isinstance(text, str) and _is_valid_address(text):
        return Address(text)
    return _explain_bad_address(text, field)


@lru_cache(maxsize=1 << 16)
def _is_valid_address(text: str) -> bool:
    try:
        _explain_bad_address(text, "address")
    except InvalidField:
        return False
    return True


def _explain_bad_address(text: object, field: str) -> Address:
    if not isinstance(text, str):
        raise InvalidField(f"{field}: expected an address string")
    if text != text.lower():
        raise InvalidField(f"{field}: addresses are lower case")
    try:
        hrp, data, spec = bech32_decode(text)
    except ValueError:
        raise InvalidField(
            f"{field}: not a valid bech32m address (bad character, length or checksum)") from None
    if hrp != HRP:
        raise InvalidField(f"{field}: address prefix must be '{HRP}', got '{hrp}'")
    if spec != Encoding.BECH32M:
        raise InvalidField(f"{field}: address checksum must be bech32m")
    try:  # bech32m's DecodeError (a ValueError) on padding that is not 8-bit aligned
        payload = convertbits(data, 5, 8, False)
    except ValueError:
        payload = None
    if payload is None or len(payload) != ADDRESS_BYTES:
        raise InvalidField(f"{field}: address must carry {ADDRESS_BYTES} bytes")
    return Address(text)


def is_address(text: object) -> bool:
    try:
        parse_address(text)
    except InvalidField:
        return False
    return True
