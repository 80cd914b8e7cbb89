"""Mnemonic backup (BIP-39 + SLIP-0010) and the keystore file."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
from pathlib import Path

import pytest
from mnemonic import Mnemonic

from planet.sdk.keys import (
    import_keystore_json,
    load_keystore,
    new_mnemonic,
    save_keystore,
    wallet_from_mnemonic,
)
from planet.sdk.wallet import Wallet

# BIP-39 English test vectors, passphrase "TREZOR": the list the BIP-39 spec links to,
# https://github.com/trezor/python-mnemonic/blob/master/vectors.json (entries 0 and 8).
VECTORS = [
    ("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
     "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf14"
     "1630c7a3c4ab7c81b2f001698e7463b04"),
    (" ".join(["abandon"] * 23 + ["art"]),
     "bda85446c68413707090a52022edd26a1c9462295029f2e60cd7c4f2bbd3097170af7a4d73245cafa9c3cca8d561a7c3"
     "de6f5d4a10be8ed2a5e608d68f92fcc8"),
]


def private_bytes(wallet: Wallet) -> tuple[bytes, bytes]:
    return wallet.signing_key.private_bytes_raw(), wallet.encryption_key.private_bytes_raw()


def slip10_hardened(seed: bytes, curve: bytes, path: list[int]) -> bytes:
    """A second, independent SLIP-0010 (hardened-only) derivation to check ours against."""
    digest = hmac.new(curve, seed, hashlib.sha512).digest()
    for index in path:
        data = b"\x00" + digest[:32] + (index | 0x80000000).to_bytes(4, "big")
        digest = hmac.new(digest[32:], data, hashlib.sha512).digest()
    return digest[:32]


def test_reference_derivation_matches_slip10_test_vector() -> None:
    # SLIP-0010 test vector 1 for ed25519, chain m/0H.
    key = slip10_hardened(bytes.fromhex("000102030405060708090a0b0c0d0e0f"), b"ed25519 seed", [0])
    assert key.hex() == "68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3"


# --- mnemonic ----------------------------------------------------------------------------------


def test_new_mnemonic_is_24_valid_words() -> None:
    words = new_mnemonic()
    assert len(words.split()) == 24
    assert Mnemonic("english").check(words)
    assert words != new_mnemonic()


def test_mnemonic_round_trip_is_deterministic() -> None:
    words = new_mnemonic()
    first, again = wallet_from_mnemonic(words), wallet_from_mnemonic(words)
    assert again.address == first.address
    assert private_bytes(again) == private_bytes(first)
    assert wallet_from_mnemonic(f"  {words.upper()}\n").address == first.address
    assert wallet_from_mnemonic(words, passphrase="extra").address != first.address
    assert wallet_from_mnemonic(words, account=1).address != first.address
    assert wallet_from_mnemonic(new_mnemonic()).address != first.address


@pytest.mark.parametrize(("words", "seed_hex"), VECTORS)
def test_bip39_vectors_derive_the_documented_paths(words: str, seed_hex: str) -> None:
    seed = bytes.fromhex(seed_hex)
    assert Mnemonic.to_seed(words, "TREZOR") == seed
    for account in (0, 3):
        wallet = wallet_from_mnemonic(words, passphrase="TREZOR", account=account)
        assert private_bytes(wallet) == (
            slip10_hardened(seed, b"ed25519 seed", [44, 7777, account, 0, 0]),
            slip10_hardened(seed, b"curve25519 seed", [44, 7777, account, 1, 0]))


def test_wrong_checksum_rejected() -> None:
    with pytest.raises(ValueError, match="checksum"):
        wallet_from_mnemonic(" ".join(["abandon"] * 12))
    words = VECTORS[1][0].split()
    with pytest.raises(ValueError, match="checksum"):
        wallet_from_mnemonic(" ".join([*words[:-1], "ability"]))


def test_bad_words_and_counts_rejected_without_echoing_words() -> None:
    with pytest.raises(ValueError, match="word #3 is not in the BIP-39") as info:
        wallet_from_mnemonic("abandon abandon zzqx " + " ".join(["abandon"] * 9))
    assert "zzqx" not in str(info.value)
    with pytest.raises(ValueError, match="got 11"):
        wallet_from_mnemonic(" ".join(["abandon"] * 11))
    with pytest.raises(ValueError, match="account"):
        wallet_from_mnemonic(VECTORS[0][0], account=2**31)


# --- keystore ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wallet() -> Wallet:
    return wallet_from_mnemonic(VECTORS[0][0])


@pytest.mark.parametrize("password", ["correct horse", None])
def test_keystore_round_trip(tmp_path: Path, wallet: Wallet, password: str | None) -> None:
    path = tmp_path / "alice.json"
    save_keystore(path, wallet, password, "alice")
    doc = json.loads(path.read_text())
    assert doc["encrypted"] is (password is not None)
    assert doc["version"] == 1 and doc["name"] == "alice" and doc["address"] == wallet.address
    assert base64.b64decode(doc["public_key"]) == wallet.public_key
    assert base64.b64decode(doc["encryption_key"]) == wallet.encryption_public_key
    loaded = load_keystore(path, password)
    assert loaded.address == wallet.address
    assert private_bytes(loaded) == private_bytes(wallet)


def test_encrypted_keystore_parameters(tmp_path: Path, wallet: Wallet) -> None:
    save_keystore(tmp_path / "a.json", wallet, "pw", "a")
    save_keystore(tmp_path / "b.json", wallet, "pw", "a")
    a, b = (json.loads((tmp_path / f).read_text())["crypto"] for f in ("a.json", "b.json"))
    assert (a["kdf"], a["n"], a["r"], a["p"], a["cipher"]) == ("scrypt", 2**15, 8, 1, "aes-256-gcm")
    assert len(base64.b64decode(a["salt"])) == 16 and len(base64.b64decode(a["nonce"])) == 12
    assert a["salt"] != b["salt"] and a["nonce"] != b["nonce"] and a["ciphertext"] != b["ciphertext"]


def test_wrong_password_rejected(tmp_path: Path, wallet: Wallet) -> None:
    path = tmp_path / "k.json"
    save_keystore(path, wallet, "right", "k")
    with pytest.raises(ValueError) as info:
        load_keystore(path, "wrong")
    assert str(info.value) == "wrong password or corrupted keystore"
    with pytest.raises(ValueError, match="password is needed"):
        load_keystore(path, None)


def test_tampered_keystore_rejected(tmp_path: Path, wallet: Wallet) -> None:
    other = Wallet.generate()
    path = tmp_path / "k.json"
    save_keystore(path, wallet, "pw", "k")
    doc = json.loads(path.read_text())
    doc["address"] = other.address  # the address is the AEAD's associated data
    with pytest.raises(ValueError, match="wrong password or corrupted keystore"):
        import_keystore_json(json.dumps(doc), "pw")
    save_keystore(path, wallet, None, "k")
    doc = json.loads(path.read_text())
    doc["public_key"] = base64.b64encode(other.public_key).decode()
    with pytest.raises(ValueError, match="do not match"):
        import_keystore_json(json.dumps(doc), None)
    with pytest.raises(ValueError, match="not a valid Planet keystore"):
        import_keystore_json("{}", None)


def test_keystore_file_mode_is_0600(tmp_path: Path, wallet: Wallet) -> None:
    path = tmp_path / "k.json"
    path.write_text("old")
    path.chmod(0o644)
    for password in (None, "pw"):
        save_keystore(path, wallet, password, "k")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["k.json"]  # no temporary file left


def test_encrypted_keystore_holds_no_private_key_or_mnemonic(tmp_path: Path, wallet: Wallet) -> None:
    signing, encryption = private_bytes(wallet)
    secrets = [signing, encryption, signing + encryption, Mnemonic.to_seed(VECTORS[0][0])]
    encodings = [f(s) for s in secrets for f in (lambda b: base64.b64encode(b).decode(), bytes.hex)]
    encodings.append(VECTORS[0][0])
    path = tmp_path / "k.json"
    save_keystore(path, wallet, None, "k")
    assert any(e in path.read_text() for e in encodings)  # the check can see keys when present
    save_keystore(path, wallet, "pw", "k")
    text = path.read_text()
    assert not any(e in text for e in encodings)
    assert set(json.loads(text)) == {"version", "name", "address", "public_key", "encryption_key",
                                     "encrypted", "crypto"}


def test_save_creates_file_with_0600_under_permissive_umask(tmp_path: Path, wallet: Wallet) -> None:
    old = os.umask(0)
    try:
        save_keystore(tmp_path / "k.json", wallet, None, "k")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "k.json").stat().st_mode) == 0o600
