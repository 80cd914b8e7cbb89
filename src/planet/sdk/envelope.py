"""Envelope encryption for the data vault: one fresh key per record, sealed to its owner.

The vault stores blobs it cannot read. Each record is encrypted under its own random data
key, and only that 32-byte key is sealed to the owner's X25519 key, so the owner can later
grant one record to a business by resealing one small key, without re-encrypting the
record and without giving away a long-lived key. A browser (WebCrypto + an RFC 9180 HPKE
library such as @hpke/core) must produce and read exactly the same bytes, so the format is
specified here in full.

Primitives
    HPKE (RFC 9180), base mode, single shot, empty AEAD associated data, suite
    DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-128-GCM (kem 0x0020, kdf 0x0001,
    aead 0x0001). An HPKE "sealed" value is always ``enc || ct``: the 32-byte
    encapsulated key followed by the AEAD ciphertext with its 16-byte tag.
    Public keys are raw 32-byte X25519 keys.
    Record bodies use AES-256-GCM with a 12-byte nonce and a 16-byte tag.

Blob, version 1 (integers big-endian)
    ======== ======== =============================================================
    magic    4 bytes  ``b"PV1\\n"`` (50 56 31 0a)
    key_len  2 bytes  length of sealed_key; always 80 (= 32 + 32 + 16) in version 1,
                      readers reject any other value
    sealed   key_len  HPKE seal of the 32-byte data key to the owner's public key,
                      info = ``b"planet/vault/v1/owner-key"``
    nonce    12 bytes random, fresh per record
    body     rest     AES-256-GCM(key = data key, nonce, plaintext,
                      aad = ``b"planet/vault/v1/record"``); at least 16 bytes (the tag)
    ======== ======== =============================================================

Digest
    A record's identity on the ledger is the lower-case hex SHA-256 of the whole blob.

Grant (resealed key)
    HPKE seal of the same 32-byte data key to the recipient's public key, with
    info = ``b"planet/vault/v1/grant\\n" + digest`` (the 64 ASCII hex characters). The
    digest in the info binds a grant to one blob: a grant for record A does not open B.

Voucher
    A plain HPKE seal to a recipient with info = ``b"planet/exchange/v1/voucher"``.

Every failure raises :class:`EnvelopeError`; messages never contain plaintext or keys.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"PV1\n"
OWNER_KEY_INFO = b"planet/vault/v1/owner-key"
RECORD_AAD = b"planet/vault/v1/record"
GRANT_INFO_PREFIX = b"planet/vault/v1/grant\n"
VOUCHER_INFO = b"planet/exchange/v1/voucher"
IDENTITY_INFO_PREFIX = b"planet/identity/v1\n"

DATA_KEY_LEN = 32
NONCE_LEN = 12
TAG_LEN = 16
ENC_LEN = 32
SEALED_KEY_LEN = ENC_LEN + DATA_KEY_LEN + TAG_LEN
_KEY_LEN = struct.Struct(">H")
HEADER_LEN = len(MAGIC) + _KEY_LEN.size

_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)
_DIGEST = re.compile(r"[0-9a-f]{64}")

_NOT_OWNER = "cannot open: this key is not the record's owner key, or the blob was altered"
_NOT_GRANTED = "cannot open: the granted key does not open this record"
_ALTERED = "record was altered (authentication failed)"
_NOT_SEALED_FOR_YOU = "cannot open: wrong key or purpose, or the sealed data was altered"


class EnvelopeError(ValueError):
    """Any vault-envelope failure, so callers need catch only one thing and never see plaintext."""


@dataclass(frozen=True)
class SealedRecord:
    """A sealed blob, its ledger digest, and its data key for resealing without reopening.

    The data key must not be stored or logged; it is kept out of ``repr`` for that reason.
    """

    blob: bytes
    digest: str
    data_key: bytes = field(repr=False)


# --- generic HPKE single shot --------------------------------------------------------------


def _public_key(raw: bytes) -> X25519PublicKey:
    try:
        return X25519PublicKey.from_public_bytes(raw)
    except (TypeError, ValueError):
        raise EnvelopeError("public key must be a raw 32-byte X25519 key") from None


def seal_to(plaintext: bytes, recipient_public_key: bytes, info: bytes) -> bytes:
    """HPKE-seal to one recipient; ``info`` names the purpose so a seal cannot be reused elsewhere."""
    public_key = _public_key(recipient_public_key)
    try:
        return _SUITE.encrypt(plaintext, public_key, info=info)
    except ValueError:
        # OpenSSL refuses low-order points (the shared secret would be all zeros).
        raise EnvelopeError("cannot seal to this public key (not a usable X25519 point)") from None


def _open(sealed: bytes, private_key: X25519PrivateKey, info: bytes, message: str) -> bytes:
    try:
        return _SUITE.decrypt(sealed, private_key, info=info)
    except (InvalidTag, ValueError):
        # Wrong key, wrong info, truncation and tampering all surface as InvalidTag.
        raise EnvelopeError(message) from None


def open_sealed(sealed: bytes, private_key: X25519PrivateKey, info: bytes) -> bytes:
    """Open a :func:`seal_to` value; one error for every cause, as HPKE cannot tell them apart."""
    return _open(sealed, private_key, info, _NOT_SEALED_FOR_YOU)


# --- blobs ---------------------------------------------------------------------------------


def compute_digest(blob: bytes) -> str:
    """The record's ledger identity, over the whole blob so any altered byte is a different record."""
    return hashlib.sha256(blob).hexdigest()


def parse_blob(blob: bytes) -> tuple[bytes, bytes, bytes]:
    """Split a blob into (sealed_key, nonce, body), refusing anything not shaped like version 1."""
    if not blob.startswith(MAGIC):
        if len(blob) < len(MAGIC) and MAGIC.startswith(blob):
            raise EnvelopeError("truncated blob")
        raise EnvelopeError("not a Planet vault blob (bad magic)")
    if len(blob) < HEADER_LEN:
        raise EnvelopeError("truncated blob")
    (key_len,) = _KEY_LEN.unpack_from(blob, len(MAGIC))
    if key_len != SEALED_KEY_LEN:
        raise EnvelopeError(f"unsupported sealed key length {key_len} (version 1 uses {SEALED_KEY_LEN})")
    nonce_at = HEADER_LEN + key_len
    body_at = nonce_at + NONCE_LEN
    if len(blob) < body_at + TAG_LEN:
        raise EnvelopeError("truncated blob")
    return blob[HEADER_LEN:nonce_at], blob[nonce_at:body_at], blob[body_at:]


def _checked_data_key(data_key: bytes, message: str) -> bytes:
    # Anyone can seal to a public key, so the length is checked rather than trusted.
    if len(data_key) != DATA_KEY_LEN:
        raise EnvelopeError(message)
    return data_key


def _decrypt_body(data_key: bytes, nonce: bytes, body: bytes) -> bytes:
    try:
        return AESGCM(data_key).decrypt(nonce, body, RECORD_AAD)
    except InvalidTag:
        raise EnvelopeError(_ALTERED) from None


def seal_record(plaintext: bytes, owner_public_key: bytes) -> SealedRecord:
    """Encrypt a record under a fresh data key sealed to its owner, so only the owner can open or grant it."""
    data_key = AESGCM.generate_key(bit_length=8 * DATA_KEY_LEN)
    sealed_key = seal_to(data_key, owner_public_key, OWNER_KEY_INFO)
    nonce = os.urandom(NONCE_LEN)
    try:
        body = AESGCM(data_key).encrypt(nonce, plaintext, RECORD_AAD)
    except OverflowError:
        raise EnvelopeError("record too large for AES-GCM") from None
    blob = b"".join((MAGIC, _KEY_LEN.pack(len(sealed_key)), sealed_key, nonce, body))
    return SealedRecord(blob=blob, digest=compute_digest(blob), data_key=data_key)


def open_data_key(blob: bytes, owner_private_key: X25519PrivateKey) -> bytes:
    """Recover a record's data key, which the owner needs to grant the record without decrypting it."""
    sealed_key, _, _ = parse_blob(blob)
    data_key = _open(sealed_key, owner_private_key, OWNER_KEY_INFO, _NOT_OWNER)
    return _checked_data_key(data_key, _NOT_OWNER)


def open_record(blob: bytes, owner_private_key: X25519PrivateKey) -> bytes:
    """Decrypt a record as its owner; fails rather than return bytes that were altered."""
    _, nonce, body = parse_blob(blob)
    return _decrypt_body(open_data_key(blob, owner_private_key), nonce, body)


# --- grants --------------------------------------------------------------------------------


def identity_info(resident: str) -> bytes:
    """HPKE `info` binding a resident's details sealed to the identity verifier to the
    resident they are for: the client seals with it, the node's verifier opens with it."""
    return IDENTITY_INFO_PREFIX + resident.encode("ascii")


def _grant_info(digest: str) -> bytes:
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        raise EnvelopeError("digest must be 64 lower-case hex characters")
    return GRANT_INFO_PREFIX + digest.encode("ascii")


def reseal_data_key(data_key: bytes, recipient_public_key: bytes, digest: str) -> bytes:
    """Seal a data key to a recipient, bound to one record's digest so the grant cannot be moved."""
    _checked_data_key(data_key, f"data key must be {DATA_KEY_LEN} bytes")
    return seal_to(data_key, recipient_public_key, _grant_info(digest))


def reseal_for(blob: bytes, owner_private_key: X25519PrivateKey, recipient_public_key: bytes) -> bytes:
    """Grant one record to a recipient in one step, as the owner's client does."""
    data_key = open_data_key(blob, owner_private_key)
    return reseal_data_key(data_key, recipient_public_key, compute_digest(blob))


def open_granted(blob: bytes, granted_key: bytes, recipient_private_key: X25519PrivateKey) -> bytes:
    """Decrypt a record with a grant; whether the grant is still valid is the ledger's business."""
    _, nonce, body = parse_blob(blob)
    data_key = _open(granted_key, recipient_private_key, _grant_info(compute_digest(blob)), _NOT_GRANTED)
    return _decrypt_body(_checked_data_key(data_key, _NOT_GRANTED), nonce, body)
