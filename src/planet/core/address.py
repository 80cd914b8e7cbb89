"""Addresses: bech32m (BIP 350) of the first 20 bytes of SHA-256 of the Ed25519 key.

The checksum catches typos in a pasted address; the `planet` prefix keeps keys of other
chains from being mistaken for ours.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache, reduce
from operator import xor

from bech32m.codecs import Encoding, bech32_decode, bech32_encode, convertbits

from planet.core.encoding import sha256
from planet.core.errors import InvalidField
from planet.core.types import Address

HRP = "planet"
ADDRESS_BYTES = 20

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32M_CONST = 0x2BC830A3
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_STEP = tuple(reduce(xor, (g for i, g in enumerate(_GENERATOR) if top >> i & 1), 0)
              for top in range(32))
"""BIP 173's polymod step as a table: what the five generator terms add for each top value."""


def _polymod(chk: int, values: Iterable[int]) -> int:
    for value in values:
        chk = ((chk & 0x1FFFFFF) << 5) ^ value ^ _STEP[chk >> 25]
    return chk


_HRP_STATE = _polymod(1, [ord(x) >> 5 for x in HRP] + [0] + [ord(x) & 31 for x in HRP])
"""The checksum's state after the expanded prefix, the same for every address."""
_SHIFTS = tuple(range(5 * (ADDRESS_BYTES * 8 // 5 - 1), -1, -5))


@lru_cache(maxsize=1 << 16)
def compute_address(public_key: bytes) -> Address:
    """The address of an Ed25519 public key: bech32m (BIP 350) of `planet` and the first 20
    bytes of its SHA-256, as `bech32m.codecs.bech32_encode` gives it (tests compare the
    two), computed with a table and the prefix's checksum state done once, since every
    new sender's CheckTx computes one (the library's 32 µs were a tenth of an ABCI app's
    CPU a tx). Cached: a known sender's costs nothing."""
    n = int.from_bytes(sha256(public_key)[:ADDRESS_BYTES], "big")
    data = [(n >> shift) & 31 for shift in _SHIFTS]  # 160 bits: exactly 32 groups of 5
    chk = _polymod(_HRP_STATE, data)
    chk = _polymod(chk, (0, 0, 0, 0, 0, 0)) ^ _BECH32M_CONST
    data.extend((chk >> 5 * (5 - i)) & 31 for i in range(6))
    return Address(HRP + "1" + "".join([_CHARSET[d] for d in data]))


def compute_address_reference(public_key: bytes) -> Address:
    """`compute_address` by the bech32m library, for tests."""
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
