"""Byte encodings shared by every module: canonical JSON, base64, hashes.

Two encodings, for two jobs:
- what is *signed* is RFC 8785 (JCS) canonical JSON, so any client in any language
  (the browser included) produces the same bytes; orjson writes them for the values a
  transaction can hold, `rfc8785` everything else (`canonical_json`);
- what is *stored and hashed* in the state is compact, key-sorted UTF-8 JSON (orjson) of
  values we built ourselves (ints, strings, lists, dicts; never floats), which is
  deterministic and about thirty times faster than JCS in pure Python.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from typing import Any

import orjson
import rfc8785

from planet.core.errors import DuplicateKey, InvalidField

_CANONICAL_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER
_PLAIN_SCALARS = frozenset({str, int, bool, type(None)})


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical form: the bytes every signature is made over.

    `rfc8785.dumps` costs ~12-20 µs a transaction body, orjson ~0.3. Both write the same
    bytes on the values a decoded transaction holds, which `_orjson_writes_jcs` checks
    first (~1 µs): JCS sorts keys by UTF-16 code units and orjson by code points, which
    agree on ASCII keys; both escape exactly '"', '\\' and U+0000-U+001F, the same way,
    and write the rest as UTF-8; OPT_STRICT_INTEGER refuses the integers JCS refuses
    (beyond ±(2^53 - 1)). Anything else (floats, non-ASCII keys, big integers, lone
    surrogates, subclasses, nesting past orjson's 255 levels) goes to `rfc8785`, which
    writes or refuses it as it always did. tests/property/test_canonical_json.py holds
    the two to the same bytes.
    """
    try:
        if _orjson_writes_jcs(value):
            return orjson.dumps(value, option=_CANONICAL_OPTIONS)
    except TypeError:  # a non-str key, or orjson.JSONEncodeError: rfc8785 decides
        pass
    return rfc8785.dumps(value)


def _orjson_writes_jcs(value: Any) -> bool:
    """Whether `value` holds only dicts with ASCII string keys, lists, tuples, and plain
    str, int, bool and None (raises TypeError on a key that is not a string)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            if not "".join(item).isascii():
                return False
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        elif kind not in _PLAIN_SCALARS:
            return False
    return True


def state_json(value: Any) -> bytes:
    """Deterministic compact JSON for state values (no floats ever reach it).

    Copied to a right-sized `bytes`: orjson ≥ 3.12 returns objects that keep a buffer of at
    least 4 KiB, and the state holds millions of small values (66 bytes would cost 4 KiB).
    """
    return bytes(memoryview(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)))


def parse_json(raw: bytes) -> Any:
    """Strict UTF-8 JSON parsing (raises ValueError on anything else)."""
    return orjson.loads(raw)


_JSON_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)
_NAMED_DEPTH = 64
"""Duplicates in documents nested deeper are refused without naming the key: naming
re-parses with the recursive `json` module, whose limit depends on the caller's stack."""


def parse_json_unique(raw: bytes) -> Any:
    """`parse_json` that also refuses a repeated key in any object (I-JSON, RFC 7493 §2.3).

    orjson keeps the last of two equal keys, other parsers the first, so such bytes have two
    meanings. A document whose objects have n members in total holds at least n ':' bytes,
    exactly n when none sits inside a string, and orjson's result has fewer members than the
    text only if keys repeat: counting ':' (C speed) settles almost every document, and only
    one with ':' inside strings costs a regular-expression pass that removes the strings.
    """
    doc = orjson.loads(raw)
    members = _count_members(doc)
    if raw.count(b":") != members and _JSON_STRING.sub(b"", raw).count(b":") != members:
        name = _repeated_key(raw) if _depth(doc) <= _NAMED_DEPTH else None
        which = f"the key {name[:40]!r}" if name is not None else "a key"
        raise DuplicateKey(f"an object repeats {which}; I-JSON (RFC 7493) allows each key "
                           "once, so that every reader sees the same values")
    return doc


def _count_members(doc: Any) -> int:
    """Object members in `doc`, all levels (iterative: no recursion limit to meet)."""
    members = 0
    stack = [doc]
    while stack:
        value = stack.pop()
        if type(value) is dict:
            members += len(value)
            stack.extend(value.values())
        elif type(value) is list:
            stack.extend(value)
    return members


def _depth(doc: Any) -> int:
    depth = 0
    stack = [(doc, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            depth = max(depth, level)
            stack.extend((v, level + 1) for v in (value.values() if isinstance(value, dict)
                                                  else value))
    return depth


def _repeated_key(raw: bytes) -> str | None:
    """The first repeated key, innermost objects first, for the refusal's message."""
    found: list[str] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> None:
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen and not found:
                found.append(key)
            seen.add(key)

    try:
        json.loads(raw.decode("utf-8"), object_pairs_hook=pairs_hook)
    except ValueError:
        return None
    return found[0] if found else None


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
