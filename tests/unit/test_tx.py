"""Known answers for the transaction envelope: addresses, sign bytes, a hand-built tx.

Expected values are computed independently of planet.core (a BIP 350 bech32m encoder
written out below, the rfc8785 package, `cryptography` directly) or fixed as literals.
"""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from planet.core.address import compute_address, is_address, parse_address
from planet.core.errors import BadSignature, InvalidField
from planet.core.params import Params
from planet.core.transition import ROUTER
from planet.core.tx import SIGN_DOMAIN, compute_sign_bytes, compute_tx_hash, decode_tx, verify_tx_signature
from planet.sdk.wallet import Wallet

# RFC 8032, section 7.1, TEST 1.
RFC8032_SECRET = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC8032_ADDRESS = "planet1y8lrrhap2j3xzcntlp2qgm7jyudhhm2trjc8t4"
CHAIN_ID = "planet-test"
PARAMS = Params.test()

# --- an independent BIP 350 bech32m encoder (reference algorithm) ------------------------------

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32M_CONST = 0x2BC830A3


def _polymod(values: list[int]) -> int:
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def _to_5bit(data: bytes) -> list[int]:
    acc, bits, out = 0, 0, []
    for b in data:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append((acc >> bits) & 31)
    if bits:
        out.append((acc << (5 - bits)) & 31)
    return out


def bech32m_encode(hrp: str, data: bytes) -> str:
    five = _to_5bit(data)
    polymod = _polymod([*_hrp_expand(hrp), *five, 0, 0, 0, 0, 0, 0]) ^ _BECH32M_CONST
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[d] for d in five + checksum)


def reference_address(public_key: bytes) -> str:
    return bech32m_encode("planet", hashlib.sha256(public_key).digest()[:20])


# --- addresses --------------------------------------------------------------------------------


def test_rfc8032_key_and_its_address() -> None:
    key = Ed25519PrivateKey.from_private_bytes(RFC8032_SECRET)
    assert key.public_key().public_bytes_raw() == RFC8032_PUBLIC
    assert reference_address(RFC8032_PUBLIC) == RFC8032_ADDRESS
    assert compute_address(RFC8032_PUBLIC) == RFC8032_ADDRESS


@pytest.mark.parametrize("seed", range(8))
def test_address_format(seed: int) -> None:
    public_key = Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(b"addr" + bytes([seed])).digest()).public_key().public_bytes_raw()
    address = compute_address(public_key)
    assert address == reference_address(public_key)
    assert address.startswith("planet1")
    assert len(address) == 45  # "planet" + "1" + 32 data characters (20 bytes) + 6 checksum
    assert set(address[7:]) <= set(_CHARSET)
    assert parse_address(address) == address
    assert is_address(address)


@pytest.mark.parametrize("bad", [
    RFC8032_ADDRESS.upper(),
    RFC8032_ADDRESS[:-1] + "q",  # checksum no longer matches
    RFC8032_ADDRESS[:12] + RFC8032_ADDRESS[13] + RFC8032_ADDRESS[12] + RFC8032_ADDRESS[14:],
    "cosmos1" + RFC8032_ADDRESS[7:],
    bech32m_encode("planet", b"\x00" * 19),  # valid bech32m, wrong payload size
    bech32m_encode("planet", b"\x00" * 32),
    bech32m_encode("cosmos", b"\x00" * 20),
    "",
])
def test_bad_addresses_are_refused(bad: str) -> None:
    assert bad != RFC8032_ADDRESS
    assert not is_address(bad)
    with pytest.raises(InvalidField, match="owner"):
        parse_address(bad, field="owner")


def test_bech32_not_bech32m_is_refused() -> None:
    """Same data with the BIP 173 (bech32) constant: the checksum kind is checked."""
    five = _to_5bit(hashlib.sha256(RFC8032_PUBLIC).digest()[:20])
    polymod = _polymod([*_hrp_expand("planet"), *five, 0, 0, 0, 0, 0, 0]) ^ 1
    old = "planet1" + "".join(_CHARSET[d] for d in five + [(polymod >> 5 * (5 - i)) & 31
                                                           for i in range(6)])
    assert old != RFC8032_ADDRESS and len(old) == 45
    with pytest.raises(InvalidField):
        parse_address(old)


# --- sign bytes -------------------------------------------------------------------------------

BODY = {
    "sequence": 7,
    "sender": RFC8032_ADDRESS,
    "messages": [{"type": "accounts/create_invites", "code_hashes": ["ab" * 32]}],
    "chain_id": CHAIN_ID,
}


def test_sign_bytes_are_domain_plus_rfc8785() -> None:
    expected = (b"planet/tx/v1\n"
                b'{"chain_id":"planet-test","messages":[{"code_hashes":["' + b"ab" * 32
                + b'"],"type":"accounts/create_invites"}],"sender":"' + RFC8032_ADDRESS.encode()
                + b'","sequence":7}')
    assert SIGN_DOMAIN == b"planet/tx/v1\n"
    assert compute_sign_bytes(BODY) == expected
    assert compute_sign_bytes(BODY) == b"planet/tx/v1\n" + rfc8785.dumps(BODY)


def test_sign_bytes_of_non_ascii_follow_rfc8785() -> None:
    body = dict(BODY, messages=[{"type": "accounts/register_business", "name": "Café ☕ 星球",
                                 "business": RFC8032_ADDRESS, "public_key": "x",
                                 "encryption_key": "y"}])
    signed = compute_sign_bytes(body)
    assert signed == b"planet/tx/v1\n" + rfc8785.dumps(body)
    assert "Café ☕ 星球".encode() in signed  # raw UTF-8, not \\u escapes
    assert b"\\u" not in signed


# --- a transaction built by hand --------------------------------------------------------------


def hand_built(body: dict, *, indent: int | None = None, key_order: list[str] | None = None
               ) -> bytes:
    key = Ed25519PrivateKey.from_private_bytes(RFC8032_SECRET)
    signature = key.sign(b"planet/tx/v1\n" + rfc8785.dumps(body))
    envelope = {"signature": base64.b64encode(signature).decode(),
                "public_key": base64.b64encode(RFC8032_PUBLIC).decode(), "body": body}
    if key_order:
        envelope = {k: envelope[k] for k in key_order}
    return json.dumps(envelope, indent=indent, ensure_ascii=False).encode()


def test_a_hand_built_tx_decodes_and_verifies() -> None:
    raw = hand_built(BODY)
    tx = decode_tx(raw, params=PARAMS, router=ROUTER, chain_id=CHAIN_ID)
    verify_tx_signature(tx)
    assert tx.sender == RFC8032_ADDRESS
    assert tx.sequence == 7
    assert tx.public_key == RFC8032_PUBLIC
    assert tx.chain_id == CHAIN_ID
    assert tx.hash == hashlib.sha256(raw).digest() == compute_tx_hash(raw)
    assert [m.to_json() for m in tx.messages] == BODY["messages"]


def test_layout_of_the_envelope_does_not_matter_but_changes_the_hash() -> None:
    """Signatures cover the canonical body, so any JSON layout verifies; the tx hash is of
    the exact bytes."""
    a = hand_built(BODY)
    b = hand_built(BODY, indent=3, key_order=["body", "signature", "public_key"])
    assert a != b
    ta = decode_tx(a, params=PARAMS, router=ROUTER, chain_id=CHAIN_ID)
    tb = decode_tx(b, params=PARAMS, router=ROUTER, chain_id=CHAIN_ID)
    verify_tx_signature(ta)
    verify_tx_signature(tb)
    assert ta.hash != tb.hash
    assert ta.signature == tb.signature


def test_wallet_signs_what_a_hand_builder_signs() -> None:
    w = Wallet.from_seeds(RFC8032_SECRET, b"\x01" * 32)
    assert w.address == RFC8032_ADDRESS
    raw = w.sign_tx(chain_id=CHAIN_ID, sequence=7, messages=BODY["messages"])  # type: ignore[arg-type]
    doc = json.loads(raw)
    assert doc["body"] == BODY
    # Ed25519 is deterministic: same key, same sign bytes, same signature.
    assert doc["signature"] == json.loads(hand_built(BODY))["signature"]


def test_a_signature_over_non_canonical_bytes_is_refused() -> None:
    """Signing json.dumps(body) (not RFC 8785) must not verify."""
    key = Ed25519PrivateKey.from_private_bytes(RFC8032_SECRET)
    loose = json.dumps(BODY).encode()
    assert loose != rfc8785.dumps(BODY)
    envelope = {"body": BODY, "public_key": base64.b64encode(RFC8032_PUBLIC).decode(),
                "signature": base64.b64encode(key.sign(b"planet/tx/v1\n" + loose)).decode()}
    tx = decode_tx(json.dumps(envelope).encode(), params=PARAMS, router=ROUTER, chain_id=CHAIN_ID)
    with pytest.raises(BadSignature):
        verify_tx_signature(tx)
    # Nor does a signature without the domain prefix.
    envelope["signature"] = base64.b64encode(key.sign(rfc8785.dumps(BODY))).decode()
    tx = decode_tx(json.dumps(envelope).encode(), params=PARAMS, router=ROUTER, chain_id=CHAIN_ID)
    with pytest.raises(BadSignature):
        verify_tx_signature(tx)
