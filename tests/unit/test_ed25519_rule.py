"""One Ed25519 rule, two libraries: `ed25519.verify` (libsodium, what the ledger runs) and
`ed25519.verify_with_openssl` (the same checks, then OpenSSL through `cryptography`) must
give the same verdict on every input, and that verdict is the rule's (ARCHITECTURE.md,
"Signatures"): RFC 8032's own vectors, the edge-case fixture both SDKs are tested on
(tests/unit/test_ed25519.py), small-order R with a valid equation, and signatures that
Hypothesis mutates in the ways the rule cares about.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.bindings import crypto_sign_open
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey

from planet.core import ed25519
from tests.unit.test_ed25519 import load_vectors

IDENTITY = bytes([1]) + bytes(31)
SMALL_ORDER = sorted(ed25519.SMALL_ORDER_ENCODINGS)

# RFC 8032 §7.1, "Test Vectors for Ed25519": TEST 1, 2, 3 and SHA(abc) (the message of the
# last is SHA-512("abc")), as (secret seed, public key, message, signature), in hex.
RFC8032 = {
    "TEST 1": (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    "TEST 2": (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    "TEST 3": (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
        "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
    "TEST SHA(abc)": (
        "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        hashlib.sha512(b"abc").hexdigest(),
        "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
        "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"),
}


def both(key: bytes, signature: bytes, message: bytes) -> bool:
    """The rule's verdict, after checking that both libraries give it."""
    verdict = ed25519.verify(key, signature, message)
    assert ed25519.verify_with_openssl(key, signature, message) is verdict
    return verdict


def libsodium_alone(key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        crypto_sign_open(signature + message, key)
    except BadSignatureError:
        return False
    return True


def openssl_alone(key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def with_identity_r(seed: bytes, message: bytes) -> tuple[bytes, bytes]:
    """A key and a signature whose R is the identity (small-order) and whose cofactorless
    equation holds: S = k·a, so [S]B = [k]A = R + [k]A. Only the key's owner can make one."""
    key = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    digest = hashlib.sha512(seed).digest()
    a = int.from_bytes(digest[:32], "little") & ((1 << 254) - 8) | (1 << 254)  # RFC 8032 §5.1.5
    k = int.from_bytes(hashlib.sha512(IDENTITY + key + message).digest(), "little") % ed25519.L
    return key, IDENTITY + (k * a % ed25519.L).to_bytes(32, "little")


@pytest.mark.parametrize("name", sorted(RFC8032))
def test_rfc8032_vectors(name: str) -> None:
    seed, key, message, signature = (bytes.fromhex(h) for h in RFC8032[name])
    # The transcription is right: both libraries derive the key and the signature.
    private = Ed25519PrivateKey.from_private_bytes(seed)
    assert private.public_key().public_bytes_raw() == key
    assert private.sign(message) == signature
    assert SigningKey(seed).sign(message).signature == signature
    assert both(key, signature, message)
    assert not both(key, signature, message + b"\0")
    assert not both(key, signature[:32] + (int.from_bytes(signature[32:], "little")
                                           + ed25519.L).to_bytes(32, "little"), message)


@pytest.mark.parametrize("v", load_vectors(), ids=lambda v: v["name"])
def test_both_libraries_give_the_fixture_verdicts(v: dict[str, object]) -> None:
    key, signature, message = (bytes.fromhex(str(v[k])) for k in ("key", "sig", "msg"))
    assert both(key, signature, message) is v["accept"]
    # The checks are libsodium's own, written out: on its own it says the same.
    assert libsodium_alone(key, signature, message) is v["accept"]


def test_small_order_r_is_refused_though_openssl_alone_accepts_it() -> None:
    """The one change of issue 14: R = identity with a valid equation was accepted before
    (OpenSSL alone still does); libsodium refuses it, and so does the rule everywhere."""
    for i in range(8):
        message = f"planet/tx/v1\nbody {i}".encode()
        key, signature = with_identity_r(hashlib.sha256(b"identity-r %d" % i).digest(), message)
        assert ed25519.public_key_problem(key) is None
        assert openssl_alone(key, signature, message)
        assert not libsodium_alone(key, signature, message)
        assert not both(key, signature, message)


def test_edge_cases_one_by_one() -> None:
    seed = hashlib.sha256(b"planet/ed25519-rule").digest()
    private = Ed25519PrivateKey.from_private_bytes(seed)
    key = private.public_key().public_bytes_raw()
    message = b"planet/tx/v1\n{}"
    signature = private.sign(message)
    r, s = signature[:32], int.from_bytes(signature[32:], "little")
    assert both(key, signature, message)
    # S not canonical: S + L (the malleated twin), S = L, the largest 32-byte S.
    for high in (s + ed25519.L, ed25519.L, 2**256 - 1):
        assert not both(key, r + high.to_bytes(32, "little"), message)
    # R not canonical: y >= p, with either sign bit.
    for k in range(19):
        for sign in (0, 1 << 255):
            assert not both(key, (sign | (ed25519.P + k)).to_bytes(32, "little") + signature[32:],
                            message)
    # Small-order keys and small-order R, in every combination, S = 0 or the real S.
    for weak in SMALL_ORDER:
        assert not both(weak, signature, message)
        for small_r in SMALL_ORDER:
            assert not both(weak, small_r + bytes(32), message)
            assert not both(key, small_r + signature[32:], message)
    # A non-canonical key: y >= p.
    for k in range(19):
        assert not both((ed25519.P + k).to_bytes(32, "little"), signature, message)
    # Wrong lengths never reach a library.
    assert not both(key[:31], signature, message)
    assert not both(key, signature[:63], message)
    assert not both(key, signature + b"\0", message)


MUTATIONS = ("none", "flip_sig", "flip_key", "flip_msg", "small_order_r", "s_plus_l",
             "s_random_high", "small_order_key", "y_above_p_key", "y_above_p_r", "identity_r",
             "random")


@settings(max_examples=300, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), message=st.binary(max_size=96),
       mutation=st.sampled_from(MUTATIONS), bit=st.integers(0, 511),
       pick=st.integers(0, len(SMALL_ORDER) - 1), noise=st.binary(min_size=96, max_size=96))
def test_mutated_signatures_get_the_same_verdict_from_both(
        seed: bytes, message: bytes, mutation: str, bit: int, pick: int, noise: bytes) -> None:
    private = Ed25519PrivateKey.from_private_bytes(seed)
    key = private.public_key().public_bytes_raw()
    signature = private.sign(message)
    s = int.from_bytes(signature[32:], "little")

    def flip(data: bytes, at: int) -> bytes:
        out = bytearray(data)
        out[at // 8] ^= 1 << (at % 8)
        return bytes(out)

    if mutation == "flip_sig":
        signature = flip(signature, bit)
    elif mutation == "flip_key":
        key = flip(key, bit % 256)
    elif mutation == "flip_msg":
        message = flip(message + b"\0", bit % (8 * (len(message) + 1)))
    elif mutation == "small_order_r":
        signature = SMALL_ORDER[pick] + signature[32:]
    elif mutation == "s_plus_l":
        signature = signature[:32] + (s + ed25519.L).to_bytes(32, "little")
    elif mutation == "s_random_high":
        high = ed25519.L + int.from_bytes(noise[:32], "little") % (2**256 - ed25519.L)
        signature = signature[:32] + high.to_bytes(32, "little")
    elif mutation == "small_order_key":
        key, signature = SMALL_ORDER[pick], SMALL_ORDER[(pick + bit) % 14] + noise[:32]
    elif mutation == "y_above_p_key":
        key = ((bit & 1) << 255 | (ed25519.P + pick % 19)).to_bytes(32, "little")
    elif mutation == "y_above_p_r":
        signature = ((bit & 1) << 255 | (ed25519.P + pick % 19)).to_bytes(32, "little") + \
            signature[32:]
    elif mutation == "identity_r":
        key, signature = with_identity_r(seed, message)
    elif mutation == "random":
        key, signature = noise[:32], noise[32:]
    assert both(key, signature, message) is (mutation == "none")


def test_verdicts_from_a_thread_pool_are_the_serial_ones() -> None:
    """The engines verify on threads (libsodium and OpenSSL both release the GIL)."""
    cases = []
    for i in range(64):
        private = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"pool %d" % i).digest())
        message = b"m%d" % i
        signature = private.sign(message)
        if i % 3 == 0:
            signature = SMALL_ORDER[i % 14] + signature[32:]
        cases.append((private.public_key().public_bytes_raw(), signature, message))
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda c: ed25519.verify(*c), cases))
    assert threaded == [ed25519.verify(*c) for c in cases]
    assert threaded == [i % 3 != 0 for i in range(64)]
