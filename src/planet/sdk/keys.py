"""Key backup (BIP-39 mnemonic) and the keystore file a node or CLI keeps a wallet in.

A mnemonic lets a resident write their keys on paper and restore them anywhere; SLIP-0010
derivation makes the same words always give the same wallet. The keystore keeps the
private keys on disk sealed under a password (scrypt, then AES-256-GCM bound to the
address), so a copied file alone does not give the keys away. Nothing of the mnemonic
is ever stored.
"""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from mnemonic import Mnemonic
from slip10 import SLIP10

from planet.core.encoding import b64decode, b64encode
from planet.core.errors import InvalidField
from planet.sdk.wallet import Wallet

KEYSTORE_VERSION = 1
COIN_TYPE = 7777
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_MNEMONIC_WORDS = (12, 15, 18, 21, 24)
_WRONG_PASSWORD = "wrong password or corrupted keystore"
_english = Mnemonic("english")


# --- mnemonic -------------------------------------------------------------------------------


def new_mnemonic() -> str:
    """24 fresh BIP-39 English words (256 bits of entropy from the OS)."""
    return _english.generate(strength=256)


def wallet_from_mnemonic(words: str, passphrase: str = "", account: int = 0) -> Wallet:
    """The wallet the words (and optional BIP-39 passphrase) stand for; deterministic.

    Signing key: ed25519 at m/44'/7777'/account'/0'/0'; encryption key: curve25519 at
    m/44'/7777'/account'/1'/0' (SLIP-0010, hardened only). Errors never repeat a word.
    """
    return wallet_from_seed(Mnemonic.to_seed(check_mnemonic(words), passphrase), account)


def check_mnemonic(words: str) -> str:
    """The canonical form (lower case, single spaces) of a valid mnemonic, or ValueError."""
    parts = unicodedata.normalize("NFKD", words).lower().split()
    if len(parts) not in _MNEMONIC_WORDS:
        raise ValueError(f"a mnemonic has 12, 15, 18, 21 or 24 words, got {len(parts)}")
    known = set(_english.wordlist)
    for i, word in enumerate(parts, 1):
        if word not in known:
            raise ValueError(f"mnemonic word #{i} is not in the BIP-39 English word list")
    canonical = " ".join(parts)
    if not _english.check(canonical):
        raise ValueError("mnemonic checksum does not match: a word is wrong or out of order")
    return canonical


def wallet_from_seed(seed: bytes, account: int = 0) -> Wallet:
    """SLIP-0010 derivation of both keys from a BIP-39 seed."""
    if not 0 <= account < 2**31:
        raise ValueError("account must be between 0 and 2**31 - 1")
    base = f"m/44'/{COIN_TYPE}'/{account}'"
    signing = SLIP10.from_seed(seed, curve_name="ed25519").get_privkey_from_path(f"{base}/0'/0'")
    encryption = SLIP10.from_seed(seed, curve_name="curve25519").get_privkey_from_path(
        f"{base}/1'/0'")
    return Wallet.from_seeds(signing, encryption)


# --- keystore -------------------------------------------------------------------------------


def export_keystore_json(wallet: Wallet, password: str | None, name: str) -> str:
    """The keystore document for a wallet; None as password stores the keys in clear (dev)."""
    secret = _private_bytes(wallet)
    doc: dict[str, Any] = {
        "version": KEYSTORE_VERSION, "name": name, "address": wallet.address,
        "public_key": b64encode(wallet.public_key),
        "encryption_key": b64encode(wallet.encryption_public_key),
        "encrypted": password is not None,
    }
    if password is None:
        doc["private_keys"] = b64encode(secret)
    else:
        if not password:
            raise ValueError("empty password: use None for an unencrypted (dev) keystore")
        salt, nonce = os.urandom(16), os.urandom(12)
        sealed = AESGCM(_derive_key(password, salt)).encrypt(nonce, secret, wallet.address.encode())
        doc["crypto"] = {"kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
                         "salt": b64encode(salt), "cipher": "aes-256-gcm",
                         "nonce": b64encode(nonce), "ciphertext": b64encode(sealed)}
    return json.dumps(doc, indent=2) + "\n"


def import_keystore_json(text: str, password: str | None) -> Wallet:
    """The wallet in a keystore document; the password is ignored if it is unencrypted."""
    try:
        doc = json.loads(text)
        if doc["version"] != KEYSTORE_VERSION:
            raise ValueError(f"unsupported keystore version {doc['version']!r}")
        address = doc["address"]
        if doc["encrypted"]:
            if password is None:
                raise ValueError("keystore is encrypted: a password is needed")
            secret = _open(doc["crypto"], password, address)
        else:
            secret = b64decode(doc["private_keys"], field="private_keys", length=64)
    except (KeyError, TypeError, AttributeError, InvalidField, json.JSONDecodeError) as err:
        raise ValueError(f"not a valid Planet keystore ({type(err).__name__}: {err})") from None
    wallet = Wallet.from_seeds(secret[:32], secret[32:])
    if (wallet.address != address or b64encode(wallet.public_key) != doc.get("public_key")
            or b64encode(wallet.encryption_public_key) != doc.get("encryption_key")):
        raise ValueError("keystore keys do not match its address or public keys")
    return wallet


def save_keystore(path: str | os.PathLike[str], wallet: Wallet, password: str | None,
                  name: str) -> None:
    """Write the keystore atomically with mode 0600 (replaces an existing file)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(export_keystore_json(wallet, password, name))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def load_keystore(path: str | os.PathLike[str], password: str | None) -> Wallet:
    """Read a keystore file; ValueError on a wrong password or a damaged file."""
    return import_keystore_json(Path(path).read_text(encoding="utf-8"), password)


def _private_bytes(wallet: Wallet) -> bytes:
    return wallet.signing_key.private_bytes_raw() + wallet.encryption_key.private_bytes_raw()


def _derive_key(password: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R,
                p: int = SCRYPT_P) -> bytes:
    # NFC so the same password typed on different systems gives the same key.
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(
        unicodedata.normalize("NFC", password).encode())


def _open(crypto: dict[str, Any], password: str, address: str) -> bytes:
    if crypto["kdf"] != "scrypt" or crypto["cipher"] != "aes-256-gcm":
        raise ValueError("unsupported keystore kdf or cipher")
    n, r, p = int(crypto["n"]), int(crypto["r"]), int(crypto["p"])
    # Bounded so a hostile file cannot make us allocate gigabytes (2**15, 8 takes 32 MiB).
    if not (n >= 2 and n & (n - 1) == 0 and r >= 1 and 128 * n * r <= 2**28 and 1 <= p <= 16):
        raise ValueError("keystore scrypt parameters out of range")
    key = _derive_key(password, b64decode(crypto["salt"], field="salt", length=16), n, r, p)
    try:
        secret = AESGCM(key).decrypt(b64decode(crypto["nonce"], field="nonce", length=12),
                                     b64decode(crypto["ciphertext"], field="ciphertext"),
                                     address.encode())
    except InvalidTag:
        raise ValueError(_WRONG_PASSWORD) from None
    if len(secret) != 64:
        raise ValueError(_WRONG_PASSWORD)
    return secret
