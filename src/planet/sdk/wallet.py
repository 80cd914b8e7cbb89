"""A wallet: an Ed25519 signing key and an X25519 encryption key, held by their owner.

Keys come from the operating system's CSPRNG or from a BIP-39 mnemonic (see
`planet.sdk.keys`); this module only uses them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from planet.core.address import compute_address
from planet.core.encoding import b64encode
from planet.core.messages import Msg
from planet.core.tx import compute_sign_bytes
from planet.core.types import Address


@dataclass(frozen=True)
class Wallet:
    signing_key: Ed25519PrivateKey
    encryption_key: X25519PrivateKey

    @classmethod
    def generate(cls) -> Wallet:
        return cls(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())

    @classmethod
    def from_seeds(cls, signing_seed: bytes, encryption_seed: bytes) -> Wallet:
        return cls(Ed25519PrivateKey.from_private_bytes(signing_seed),
                   X25519PrivateKey.from_private_bytes(encryption_seed))

    @property
    def public_key(self) -> bytes:
        return self.signing_key.public_key().public_bytes_raw()

    @property
    def encryption_public_key(self) -> bytes:
        return self.encryption_key.public_key().public_bytes_raw()

    @property
    def address(self) -> Address:
        return compute_address(self.public_key)

    def sign_tx(self, *, chain_id: str, sequence: int, messages: list[Msg | dict[str, Any]]
                ) -> bytes:
        """A signed transaction, ready to submit."""
        body = {"chain_id": chain_id, "sender": self.address, "sequence": sequence,
                "messages": [m.to_json() if isinstance(m, Msg) else m for m in messages]}
        signature = self.signing_key.sign(compute_sign_bytes(body))
        envelope = {"body": body, "public_key": b64encode(self.public_key),
                    "signature": b64encode(signature)}
        return json.dumps(envelope, separators=(",", ":")).encode()

    def genesis_key(self, name: str = "") -> dict[str, str]:
        return {"address": self.address, "public_key": b64encode(self.public_key),
                "encryption_key": b64encode(self.encryption_public_key), "name": name}
