"""The same blocks give the same app hash at every height whether the state lives in
memory or on disk (SQLite, read through tiny caches so that almost every read comes off
the database and is checked against the tree), across restarts from disk."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planet.core.app import Application, BlockHeader, BlockResult
from planet.core.encoding import canonical_json
from planet.core.state import CommittedState, compute_state_root
from planet.storage.sqlite import BlockRecord, NodeStore
from planet.storage.state_store import SqliteStateBackend
from tests.native import both_trees, tree_under_test  # noqa: F401 (the fixture: every test runs on both trees)
from tests.property.test_determinism import (
    GENESIS,
    Client,
    block_txs,
    codes_of,
    new_app,
    resync,
    run_block,
)

pytestmark = pytest.mark.usefixtures("both_trees")


def stored_app(store: NodeStore) -> Application:
    """An app over the store's state, with caches of two entries."""
    state = CommittedState(backend=SqliteStateBackend(store), root=store.last_app_hash(),
                           record_cache=2, node_cache=2, tree_class=tree_under_test())
    return Application(GENESIS, state)


def run_stored_block(app: Application, store: NodeStore, header: BlockHeader,
                     txs: list[bytes]) -> BlockResult:
    """What an engine does: finalize, commit, store the writes with the block, then say so."""
    result = app.finalize_block(header, txs)
    commit = app.commit()
    block = BlockRecord(header.height, header.height.to_bytes(32, "big"), b"", header.time,
                        result.app_hash, b"", len(txs), "")
    store.commit_block(block, [], commit.writes, commit.nodes)
    app.stored()
    return result


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_memory_and_sqlite_backends_agree_at_every_height(data: st.DataObject) -> None:
    memory = new_app()
    with tempfile.TemporaryDirectory() as tmp:
        store = NodeStore(Path(tmp) / "node.db")
        genesis_app = Application(GENESIS)
        genesis_app.init_chain()
        commit = genesis_app.commit()
        store.save_genesis(canonical_json(GENESIS.document), commit.writes, commit.nodes,
                           commit.app_hash)
        disk = stored_app(store)
        assert disk.state.root() == memory.state.root()
        client = Client()
        time = GENESIS.genesis_time
        for height in range(1, data.draw(st.integers(1, 6), label="blocks") + 1):
            txs = data.draw(block_txs(client))
            time += data.draw(st.sampled_from([0, 1_000, 3_600_000]), label="dt")
            header = BlockHeader(height, time)
            rm = run_block(memory, header, txs)
            rd = run_stored_block(disk, store, header, txs)
            assert rd.app_hash == rm.app_hash, f"backends disagree at height {height}"
            assert codes_of(rd) == codes_of(rm)
            assert store.last_app_hash() == rm.app_hash
            resync(client, memory)
            if data.draw(st.booleans(), label="restart"):
                disk = stored_app(store)  # reopens at the root: nothing loaded but one node
                assert disk.info().app_hash == rm.app_hash and disk.info().height == height
        stored = store.load_state()
        assert stored == list(memory.state.items())
        assert compute_state_root(stored) == memory.state.root()
        store.close()
