"""compute_address's own bech32m encoder gives exactly the bech32m library's addresses."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from planet.core.address import compute_address, compute_address_reference, parse_address


@settings(max_examples=2000, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_same_address_as_the_library(public_key: bytes) -> None:
    address = compute_address.__wrapped__(public_key)
    assert address == compute_address_reference(public_key)
    assert parse_address(address) == address


def test_edge_digests() -> None:
    """Keys whose digest prefix is all zeros or all ones at either end stay identical (the
    32 five-bit groups are read from one 160-bit integer)."""
    keys = [bytes(32), b"\xff" * 32, *(hashlib.sha256(bytes([i])).digest() for i in range(256))]
    for key in keys:
        assert compute_address.__wrapped__(key) == compute_address_reference(key)


def test_known_address() -> None:
    key = bytes(range(32))
    assert compute_address(key) == compute_address_reference(key)
    assert compute_address(key).startswith("planet1") and len(compute_address(key)) == 7 + 38
