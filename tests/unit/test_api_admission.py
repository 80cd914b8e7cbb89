"""Batched admission keeps arrival order: one sender's consecutive sequence numbers,
posted at once, are all accepted; garbage in the same batch is refused on its own."""

from __future__ import annotations

import asyncio
from pathlib import Path

from planet.api.admission import Admission
from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites
from planet.core.genesis import parse_genesis
from planet.engines.embedded import EmbeddedNode
from planet.node.home import make_genesis_document
from planet.sdk.client import new_invite_codes
from planet.sdk.wallet import Wallet


def test_order_is_kept_and_refusals_stay_separate(tmp_path: Path) -> None:
    operator = Wallet.generate()
    node = EmbeddedNode(tmp_path / "node.db",
                        parse_genesis(make_genesis_document("planet-adm", operator, [])))
    raws = [operator.sign_tx(chain_id="planet-adm", sequence=i, messages=[CreateInvites(
        code_hashes=(compute_invite_hash(new_invite_codes(1)[0]),))]) for i in range(20)]

    async def scenario() -> list[bool]:
        admission = Admission(node, max_batch=7)
        results = await asyncio.gather(*(admission.submit(r) for r in
                                         [*raws[:10], b"garbage", *raws[10:]]))
        return [r.accepted for r in results]

    accepted = asyncio.run(scenario())
    assert accepted == [True] * 10 + [False] + [True] * 10
    assert node.mempool_size() == 20
    node.close()
