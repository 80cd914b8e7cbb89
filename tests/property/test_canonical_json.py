"""`canonical_json` writes RFC 8785's bytes, with `rfc8785` kept here as the reference.

On the values a transaction holds (dicts with ASCII keys, lists, strings of any code point
but a lone surrogate, integers within ±(2^53 - 1), booleans, null) orjson writes them, and
its bytes must be rfc8785's. On anything else (floats, non-ASCII or non-string keys, big
integers, surrogates, subclasses, deep nesting) `canonical_json` must give rfc8785's bytes
or raise rfc8785's error.
"""

from __future__ import annotations

import enum
import json
from typing import Any

import orjson
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from planet.core import encoding
from planet.core.encoding import canonical_json, parse_json
from planet.core.tx import compute_sign_bytes
from tests.chain import make_chain

SAFE = 2**53 - 1
SETTINGS = settings(max_examples=400, deadline=None)

# Characters where JSON writers tend to differ: controls, quote, backslash, '/', DEL, the
# line and paragraph separators JavaScript once could not hold, BOM, astral characters.
TRICKY = [chr(c) for c in range(0x20)] + ['"', "\\", "/", "\x7f", "\x80", "\u00e9", "\u2028",
                                          "\u2029", "\ufeff", "\uffff", "\ue000", "\U0001f600",
                                          "\U00010000", "\U0010ffff"]
strings = st.text(st.sampled_from(TRICKY) | st.characters(exclude_categories=["Cs"]))
ascii_keys = st.text(st.characters(max_codepoint=0x7F), max_size=12)
in_domain_scalars = (st.none() | st.booleans() | st.integers(-SAFE, SAFE)
                     | st.sampled_from([SAFE, -SAFE, 0, -1]) | strings)
in_domain = st.recursive(
    in_domain_scalars,
    lambda inner: (st.lists(inner, max_size=6) | st.tuples(inner, inner)
                   | st.dictionaries(ascii_keys, inner, max_size=6)),
    max_leaves=40)


class Colour(enum.StrEnum):
    RED = "red"


class Count(enum.IntEnum):
    ONE = 1


any_key = (ascii_keys | st.text(max_size=6) | st.sampled_from(["\ue000", "\U00010000", "é"])
           | st.integers(-3, 3) | st.sampled_from([Colour.RED, "\ud800", None, (1, 2)]))
out_of_domain_scalars = (in_domain_scalars | st.floats(allow_nan=True, allow_infinity=True)
                         | st.integers() | st.sampled_from([SAFE + 1, -SAFE - 1, 2**64, 2**70])
                         | st.text(st.sampled_from(["a", "\ud800", "\udfff", "é"]))
                         | st.sampled_from([Colour.RED, Count.ONE, b"bytes", 1j]))
anything = st.recursive(
    out_of_domain_scalars,
    lambda inner: (st.lists(inner, max_size=5) | st.tuples(inner)
                   | st.dictionaries(any_key, inner, max_size=5)),
    max_leaves=30)


def reference(value: Any) -> bytes | tuple[type[BaseException], str]:
    try:
        return rfc8785.dumps(value)
    except Exception as err:  # the outcome to match, error included
        return type(err), str(err)


def ours(value: Any) -> bytes | tuple[type[BaseException], str]:
    try:
        return canonical_json(value)
    except Exception as err:
        return type(err), str(err)


@SETTINGS
@given(in_domain)
def test_orjson_writes_rfc8785s_bytes_in_the_domain(value: Any) -> None:
    assert encoding._orjson_writes_jcs(value)
    expected = rfc8785.dumps(value)
    assert orjson.dumps(value, option=encoding._CANONICAL_OPTIONS) == expected
    assert canonical_json(value) == expected


@SETTINGS
@given(anything)
def test_outside_the_domain_the_bytes_or_the_error_are_rfc8785s(value: Any) -> None:
    assert ours(value) == reference(value)


@SETTINGS
@given(in_domain)
def test_json_text_round_trip_keeps_the_bytes(value: Any) -> None:
    """What a node hashes is the parse of what a client sent: same bytes either way."""
    text = json.dumps(value, ensure_ascii=False).encode()
    assert canonical_json(parse_json(text)) == rfc8785.dumps(parse_json(text))


@pytest.mark.parametrize("value", [
    {"\ue000": 1, "\U00010000": 2},  # UTF-16 order puts the astral key first; code points not
    {"b": 1.0, "a": 2.5e-7},  # floats: ECMAScript's number form
    {"n": float("nan")}, {"n": float("inf")},  # orjson would write null; rfc8785 refuses
    {"big": SAFE + 1}, {"big": -SAFE - 1}, {"big": 2**64}, {"ok": SAFE},
    {"s": "\ud800"}, {"\udfff": 1},  # lone surrogates
    {1: "x"}, {None: 1},  # keys that are not strings
    {"e": Colour.RED}, {"e": Count.ONE}, {"t": (1, [2, {"z": None, "a": True}])},
    "\u2028\u2029/\x7f\x00\x1f\"\\",
])
def test_edge_cases(value: Any) -> None:
    assert ours(value) == reference(value)


def test_nesting_past_orjsons_limit_falls_back() -> None:
    value: Any = 1
    for _ in range(300):  # orjson stops at 255 levels
        value = [value]
    with pytest.raises(orjson.JSONEncodeError):
        orjson.dumps(value, option=encoding._CANONICAL_OPTIONS)
    assert canonical_json(value) == rfc8785.dumps(value)


def test_a_real_transaction_body_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Signed tx bodies never need rfc8785 (else the speed-up is silently lost), and their
    sign bytes are the reference's."""
    chain = make_chain(label="canonical/fast")
    raw = chain.sign(chain.operator, [{"type": "accounts/create_invites",
                                       "code_hashes": ["ab" * 32]}])
    body = parse_json(raw)["body"]
    expected = b"planet/tx/v1\n" + rfc8785.dumps(body)

    def refuse(value: Any) -> bytes:
        raise AssertionError(f"rfc8785 was asked for {value!r}")

    monkeypatch.setattr(encoding.rfc8785, "dumps", refuse)
    assert compute_sign_bytes(body) == expected
