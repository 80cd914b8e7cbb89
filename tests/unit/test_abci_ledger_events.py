"""The CometBFT engine's side of issue 16's ledger history: a block's begin-step events and
the activity index are written in its Commit, as on the embedded engine (both go through
engines/blocks.block_records and NodeStore.commit_block)."""

from __future__ import annotations

from pathlib import Path

from google.protobuf.timestamp_pb2 import Timestamp

from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites, RegisterResident
from planet.core.encoding import b64encode
from planet.core.force.messages import CompleteTask
from planet.core.tx import compute_tx_hash
from planet.engines.abci import abci_pb2 as pb
from planet.engines.abci.app import PlanetAbciApp
from planet.storage.sqlite import NodeStore
from tests.chain import CHAIN_ID, make_genesis, new_code, wallet

T0 = 1_800_000_000  # seconds
YEAR_MS = 366 * 24 * 3_600_000


def fin(height: int, txs: list[bytes], ms: int) -> pb.FinalizeBlockRequest:
    return pb.FinalizeBlockRequest(
        height=height, txs=txs, time=Timestamp(seconds=ms // 1000, nanos=(ms % 1000) * 10**6),
        hash=bytes([height]) * 32, proposer_address=b"\xab" * 20)


def test_begin_step_events_and_activity_are_committed_with_the_block(tmp_path: Path) -> None:
    genesis, operator, _verifier = make_genesis(label="abci-ledger")
    store = NodeStore(tmp_path / "node.db")
    abci = PlanetAbciApp(store, genesis)
    resident = wallet("abci-ledger/resident")
    code = new_code("abci-ledger-0")
    ms = (T0 + 10) * 1000

    def block(height: int, raws: list[bytes], at: int) -> pb.FinalizeBlockResponse:
        res = abci.finalize_block(fin(height, raws, at))
        assert all(r.code == 0 for r in res.tx_results), [r.log for r in res.tx_results]
        abci.commit(pb.CommitRequest())
        return res

    invites = operator.sign_tx(chain_id=CHAIN_ID, sequence=0, messages=[
        CreateInvites(code_hashes=(compute_invite_hash(code),))])
    block(1, [invites], ms)
    block(2, [resident.sign_tx(chain_id=CHAIN_ID, sequence=0, messages=[RegisterResident(
        invite_code=code, encryption_key=b64encode(resident.encryption_public_key))])], ms + 1)
    block(3, [resident.sign_tx(chain_id=CHAIN_ID, sequence=1,
                               messages=[CompleteTask(task_id="daily_checkin")])], ms + 2)
    assert store.block_events(3) == []
    late = block(4, [], ms + YEAR_MS)  # the check-in's Force has long expired
    stored = store.block_events(4)
    assert [(e["phase"], e["type"]) for e in stored] == [("begin", e.type) for e in late.events]
    assert "force/grant_expired" in [e["type"] for e in stored]

    items = store.activity(resident.address, 10)
    expired = next(i for i in items if i["type"] == "force/grant_expired")
    granted = next(i for i in items if i["type"] == "force/granted")
    assert expired["height"] == 4 and expired["tx"] is None
    assert expired["force"] == -granted["force"] < 0
    assert [i["height"] for i in items] == sorted((i["height"] for i in items), reverse=True)
    (made,) = [i for i in store.activity(operator.address, 10)
               if i["type"] == "accounts/invites_created"]
    assert made["tx"] == compute_tx_hash(invites).hex() and made["height"] == 1
    store.close()
