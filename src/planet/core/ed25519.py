"""Ed25519 verification under one exact acceptance rule, the same on every node and client.

Libraries disagree on Ed25519's edge cases, and a chain cannot: a signature one validator
accepts and another refuses splits the network, and a key that verifies anything lets
anyone sign for its address. cryptography (OpenSSL) checks S < L and compares R's bytes
with the encoding of [S]B - [k]A (cofactorless), but it decodes the public key A leniently:
y >= p and "x = -0" encodings pass, and so do the eight small-order points, so the
identity as a key with R = identity and S = 0 verifies for every message, and the same
point has several encodings, hence several addresses. libsodium (PyNaCl), which does the
equation here because it is about twice as fast, refuses more: S >= L, a non-canonical or
small-order A, and a small-order R. The rule every node applies is the union of the two
libraries' checks, written out so that it holds whichever library does the arithmetic
(ARCHITECTURE.md, "Signatures"; web/src/sdk/ed25519.js applies the same):

1. A is 32 bytes, the signature 64 (R, then S);
2. A and R are canonical encodings (RFC 8032 §5.1.3: y < p, and x = 0 never carries the
   sign bit);
3. neither A nor R is a small-order point (`SMALL_ORDER_ENCODINGS`);
4. S < L, the order of the base point (RFC 8032 §5.1.7);
5. the cofactorless equation [S]B = R + [k]A, k = SHA-512(R || A || M) mod L, compared on
   R's bytes, done by libsodium's `crypto_sign_open` (this module adds checks; it
   implements no arithmetic).

Rule 3 on R is libsodium's (the 1.0.20 that PyNaCl bundles, and any build without
ED25519_COMPAT). Until issue 14 Planet allowed a small-order R, which an honest signer never
makes (R = [r]B with r a hash: the identity with probability 2^-252, the other seven
never), so no real signature changes verdict. With the checks above OpenSSL's equation and
libsodium's accept exactly the same signatures (`verify_with_openssl` is the reference the
tests hold `verify` to). Both release the GIL, so the engines' verify threads still run in
parallel.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nacl.bindings import crypto_sign_open
from nacl.exceptions import BadSignatureError

from planet.core.errors import WeakPublicKey

KEY_BYTES = 32
SIGNATURE_BYTES = 64
P = 2**255 - 19
"""The field prime: a canonical encoding has y < P."""
L = 2**252 + 27742317777372353535851937790883648493
"""The order of the base point (RFC 8032 §5.1): a canonical S is < L."""
_Y_BITS = (1 << 255) - 1

SMALL_ORDER_ENCODINGS = frozenset(bytes.fromhex(h) for h in (
    # The eight points of order 1, 2, 4 and 8 of edwards25519, canonical encodings...
    "0100000000000000000000000000000000000000000000000000000000000000",  # order 1 (identity)
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 2
    "0000000000000000000000000000000000000000000000000000000000000000",  # order 4
    "0000000000000000000000000000000000000000000000000000000000000080",  # order 4
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8
    # ...and their six non-canonical ones (refused by rule 2 as well; listed so that this
    # set alone is the whole small-order blocklist).
    "0100000000000000000000000000000000000000000000000000000000000080",  # identity, x = -0
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # identity, y = p + 1
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  # both
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  # order 2, x = -0
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 4, y = p
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  # order 4, y = p
))
"""Every encoding of a small-order point, as C2SP's CCTV lists them ("Low-order
edwards25519 point encodings", github.com/C2SP/CCTV/tree/main/ed25519; the same 8 points
as Chalkias, Garillot and Nikolaenko, "Taming the many EdDSAs", SSR 2020)."""


_X_NEGATIVE_ZERO = frozenset(bytes.fromhex(h) for h in (
    "0100000000000000000000000000000000000000000000000000000000000080",  # y = 1
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  # y = p - 1
))
"""The two canonical-y encodings with x = 0 and the sign bit set (only y = ±1 have x = 0)."""


def is_canonical_point(encoding: bytes) -> bool:
    """RFC 8032 §5.1.3 decoding's two refusals, on the bytes alone: y >= p, and x = 0 with
    the sign bit set. (A y whose top byte is below 0x7f is < p without further ado.)"""
    if encoding in _X_NEGATIVE_ZERO:
        return False
    return (encoding[31] & 0x7F != 0x7F
            or int.from_bytes(encoding, "little") & _Y_BITS < P)


def public_key_problem(public_key: bytes) -> str | None:
    """Why `public_key` can never be an account's key (rules 1-3), or None."""
    if len(public_key) != KEY_BYTES:
        return f"expected {KEY_BYTES} bytes, got {len(public_key)}"
    if public_key in SMALL_ORDER_ENCODINGS:
        return "a small-order point, which would verify signatures nobody made"
    if not is_canonical_point(public_key):
        return "not the canonical encoding of a point (RFC 8032 5.1.3)"
    return None


def check_public_key(public_key: bytes, *, field: str) -> None:
    """Refuse a key no node accepts (at registration, and in every transaction)."""
    problem = public_key_problem(public_key)
    if problem is not None:
        raise WeakPublicKey(f"{field}: refused Ed25519 key: {problem}")


def passes_checks(public_key: bytes, signature: bytes) -> bool:
    """Rules 1-4, on the bytes alone: everything the rule asks before the equation."""
    if len(signature) != SIGNATURE_BYTES or public_key_problem(public_key) is not None:
        return False
    r = signature[:32]
    return (r not in SMALL_ORDER_ENCODINGS and is_canonical_point(r)
            and int.from_bytes(signature[32:], "little") < L)


def verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """True if `signature` is `public_key`'s on `message` under the rule above."""
    if not passes_checks(public_key, signature):
        return False
    try:
        crypto_sign_open(signature + message, public_key)
    except BadSignatureError:
        return False
    return True


def verify_with_openssl(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """`verify` with the equation done by `cryptography` (OpenSSL) instead of libsodium.

    The ledger does not use it: it is the independent path the tests hold `verify` to (the
    same verdict on every vector) and the benchmark's baseline.
    """
    if not passes_checks(public_key, signature):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):  # ValueError: bytes the library will not load
        return False
    return True
