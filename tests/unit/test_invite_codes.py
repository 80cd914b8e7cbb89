"""Invitation codes derived from the wallet (planet.sdk.invites) are the web SDK's
(web/src/sdk/invites.js): both sides are pinned to web/test/fixtures/invite-vectors.json,
which `python -m tests.unit.test_invite_codes` writes and web/test/invites.test.mjs reads."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from planet.core.accounts.codes import compute_invite_hash
from planet.sdk.invites import derive_invite_codes, invite_seed, match_invite_codes
from planet.sdk.wallet import Wallet

FIXTURE = Path(__file__).resolve().parents[2] / "web" / "test" / "fixtures" / "invite-vectors.json"


def vectors() -> dict[str, Any]:
    out = []
    for n in range(2):
        signing, encryption = bytes(range(n, n + 32)), bytes(range(100 + n, 132 + n))
        wallet = Wallet.from_seeds(signing, encryption)
        codes = derive_invite_codes(invite_seed(wallet), 0, 5)
        out.append({"signing_seed": signing.hex(), "encryption_seed": encryption.hex(),
                    "address": wallet.address, "seed": invite_seed(wallet).hex(),
                    "codes": codes, "hashes": [compute_invite_hash(c) for c in codes]})
    return {"domain": "planet/invite-codes/v1\n", "wallets": out}


def test_the_pinned_vectors_are_what_python_derives() -> None:
    assert json.loads(FIXTURE.read_text()) == vectors()


def test_codes_are_stable_distinct_and_per_wallet() -> None:
    a, b = Wallet.generate(), Wallet.generate()
    first = derive_invite_codes(invite_seed(a), 0, 6)
    assert derive_invite_codes(invite_seed(a), 0, 6) == first  # any device, any time
    assert derive_invite_codes(invite_seed(a), 2, 3) == first[2:5]
    assert len(set(first)) == 6 and not set(first) & set(derive_invite_codes(invite_seed(b), 0, 6))


def test_a_wallet_finds_its_codes_among_its_invites() -> None:
    wallet = Wallet.generate()
    seed = invite_seed(wallet)
    codes = derive_invite_codes(seed, 0, 3)
    on_chain = [{"code_hash": compute_invite_hash(codes[1]), "used_by": "planet1x"},
                {"code_hash": "ab" * 32, "used_by": None},
                {"code_hash": compute_invite_hash(codes[0]), "used_by": None}]
    found = match_invite_codes(seed, on_chain)
    assert [(i, c) for i, c, _inv in found.mine] == [(0, codes[0]), (1, codes[1])]
    assert found.mine[1][2]["used_by"] == "planet1x"
    assert found.other == [on_chain[1]] and found.next == 2


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(vectors(), indent=1) + "\n")
    sys.stdout.write(f"wrote {FIXTURE}\n")
