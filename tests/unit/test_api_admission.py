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


def test_a_batch_takes_whole_requests_in_order(tmp_path: Path) -> None:
    """A request's txs are admitted in one submit_many (a request larger than max_batch
    alone), never split across two; arrival order holds across requests."""
    operator = Wallet.generate()
    node = EmbeddedNode(tmp_path / "node.db",
                        parse_genesis(make_genesis_document("planet-adm", operator, [])))
    raws = [operator.sign_tx(chain_id="planet-adm", sequence=i, messages=[CreateInvites(
        code_hashes=(compute_invite_hash(new_invite_codes(1)[0]),))]) for i in range(20)]
    calls: list[int] = []
    submit_many = node.submit_many

    def counted(batch: list[bytes]) -> list:
        calls.append(len(batch))
        return submit_many(batch)

    node.submit_many = counted  # type: ignore[method-assign]

    async def scenario() -> list[list[bool]]:
        admission = Admission(node, max_batch=7)
        requests = [raws[0:1], raws[1:11], raws[11:14], raws[14:16], [b"garbage"], raws[16:20]]
        answers = await asyncio.gather(*(admission.submit_many(r) for r in requests))
        admission.close()
        return [[s.accepted for s in answer] for answer in answers]

    accepted = asyncio.run(scenario())
    assert accepted == [[True], [True] * 10, [True] * 3, [True] * 2, [False], [True] * 4]
    assert calls == [1, 10, 6, 4]  # the first alone; then whole requests up to 7 txs
    node.close()
