"""Byte encodings shared by every module: canonical JSON, base64, hashes.

Two encodings, for two jobs:
- what is *signed* is RFC 8785 (JCS) canonical JSON, so any client in any language
  (the browser included) produces the same bytes;
- what is *stored and hashed* in the state is compact, key-sorted UTF-8 JSON (orjson) of
  values we built ourselves (ints, strings, lists, dicts; never floats), which is
  deterministic and about thirty times faster than JCS in pure Python.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

import orjson
import rfc8785

from planet.core.errors import InvalidField


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical form: the bytes every signature is made over."""
    return rfc8785.dumps(value)


def state_json(value: Any) -> bytes:
    """Deterministic compact JSON for state values (no floats ever reach it).

    Copied to a right-sized `bytes`: orjson ≥ 3.12 returns objects that keep a buffer of at
    least 4 KiB, and the state holds millions of small values (66 bytes would cost 4 KiB).
    """
    return bytes(memoryview(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)))


def parse_json(raw: bytes) -> Any:
    """Strict UTF-8 JSON parsing (raises ValueError on anything else)."""
    return orjson.loads(raw)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: object, *, field: str, length: int | None = None,
              max_length: int | None = None) -> bytes:
    """Strict standard base64 with padding; the error names the field."""
    if not isinstance(text, str):
        raise InvalidField(f"{field}: expected a base64 string")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as err:
        raise InvalidField(f"{field}: not valid base64 ({err})") from None
    if length is not None and len(raw) != length:
        raise InvalidField(f"{field}: expected {length} bytes, got {len(raw)}")
    if max_length is not None and len(raw) > max_length:
        raise InvalidField(f"{field}: at most {max_length} bytes, got {len(raw)}")
    return raw


def hex_decode(text: object, *, field: str, length: int) -> bytes:
    if not isinstance(text, str) or len(text) != 2 * length:
        raise InvalidField(f"{field}: expected {2 * length} hex characters")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise InvalidField(f"{field}: not hexadecimal") from None
