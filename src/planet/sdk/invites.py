"""Invitation codes derived from the wallet, as the web SDK makes them (web/src/sdk/invites.js).

Only a code's hash is on the ledger, so a random code lived only where it was made. The i-th
derived code of a wallet is HKDF-SHA256 over the wallet's Ed25519 signature of
`INVITE_CODES_DOMAIN` (salt: the domain, info: b"code" + u32be(i), 10 bytes), in base32. A
signature and not the seed, because the browser keeps its signing key non-extractable; Ed25519
is deterministic (RFC 8032), so both SDKs and every device get the same codes. No transaction
or request signs that text (their sign bytes begin with their own domain lines), so the
signature, and the codes, stay the wallet's secret.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from planet.core.accounts.codes import CODE_BYTES, code_from_bytes, compute_invite_hash
from planet.sdk.wallet import Wallet

INVITE_CODES_DOMAIN = b"planet/invite-codes/v1\n"


def invite_seed(wallet: Wallet) -> bytes:
    """The secret the wallet's codes come from: its signature of the domain line."""
    return wallet.signing_key.sign(INVITE_CODES_DOMAIN)


def derive_invite_codes(seed: bytes, start: int, count: int) -> list[str]:
    """Codes `start`..`start + count - 1` (ABCD-EFGH-JKMN-PQRS) from `invite_seed`."""
    return [code_from_bytes(HKDF(algorithm=hashes.SHA256(), length=CODE_BYTES,
                                 salt=INVITE_CODES_DOMAIN,
                                 info=b"code" + struct.pack(">I", i)).derive(seed))
            for i in range(start, start + count)]


@dataclass(frozen=True, slots=True)
class MatchedInvites:
    mine: list[tuple[int, str, Mapping[str, Any]]]
    """(index, code, the ledger's invite) of every derived code on the ledger, by index."""
    other: list[Mapping[str, Any]]
    """The ledger's invites no derived code matches (made at random)."""
    next: int
    """The first index not on the ledger: where new codes start."""


def match_invite_codes(seed: bytes, on_chain: Sequence[Mapping[str, Any]]) -> MatchedInvites:
    """The wallet's codes found among its invites (`accounts/invites_of` rows)."""
    by_hash = {str(i["code_hash"]): i for i in on_chain}
    mine = []
    for index, code in enumerate(derive_invite_codes(seed, 0, len(on_chain))):
        invite = by_hash.pop(compute_invite_hash(code), None)
        if invite is not None:
            mine.append((index, code, invite))
    taken = {index for index, _code, _invite in mine}
    nxt = 0
    while nxt in taken:
        nxt += 1
    return MatchedInvites(mine, list(by_hash.values()), nxt)
