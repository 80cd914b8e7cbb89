"""Execute once: a block the embedded engine commits from the mempool's view (the txs run
once, in check_tx) is byte-identical to the same block executed again.

Node `once` runs with execute_once; node `again` (execute_once off) gets the same txs and
makes each block at the header `once` chose, executing it. Every block record (hash, app
hash, tx root), every tx's stored result and events, and the stored state must be equal at
every height, for blocks drawn by Hypothesis (registrations, invitations, attestations,
junk, resent and out-of-order txs) over small blocks that overflow into the next one.
A block whose block-start reads the block's hash (a Lucky Drill round sealed) must be
executed again, and still agree.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from planet.core.drill.draw import compute_commitment
from planet.core.drill.messages import CommitRound
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.storage.sqlite import BlockRecord
from tests.chain import BLOCK_MS, make_genesis
from tests.property.test_determinism import CHAIN_ID, GENESIS, OPERATOR, Client, block_txs

DAY = 86_400_000


class Clock:
    """A clock both nodes read; the test moves it."""

    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


@contextmanager
def two_nodes(max_block_txs: int, genesis: object = GENESIS
              ) -> Iterator[tuple[EmbeddedNode, EmbeddedNode, Clock]]:
    clock = Clock(GENESIS.genesis_time)
    with tempfile.TemporaryDirectory(prefix="planet-execute-once-") as tmp:
        once = EmbeddedNode(Path(tmp) / "once.db", genesis,  # type: ignore[arg-type]
                            EngineConfig(max_block_txs=max_block_txs, verify_threads=1),
                            clock=clock)
        again = EmbeddedNode(Path(tmp) / "again.db", genesis,  # type: ignore[arg-type]
                             EngineConfig(max_block_txs=max_block_txs, verify_threads=1,
                                          execute_once=False), clock=clock)
        try:
            yield once, again, clock
        finally:
            once.close()
            again.close()


def block_pair(once: EmbeddedNode, again: EmbeddedNode) -> tuple[BlockRecord, bool]:
    """One block on each node at `once`'s header; whether `once` committed it unexecuted.
    Both must hold the same block, tx results and state afterwards."""
    reused = once.reused_blocks
    a = once.produce_block()
    b = again.produce_block(time_ms=a.time)
    assert a == b, f"blocks differ at height {a.height}"
    stored_a, stored_b = once.store.block_txs(a.height), again.store.block_txs(b.height)
    assert stored_a == stored_b, f"tx records differ at height {a.height}"
    assert once.app.state.root() == again.app.state.root() == a.app_hash
    assert once.mempool_size() == again.mempool_size()
    return a, once.reused_blocks > reused


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_block_committed_from_the_check_layer_equals_the_block_executed_again(
        data: st.DataObject) -> None:
    client = Client()
    max_block = data.draw(st.integers(2, 6), label="max block txs")
    with two_nodes(max_block) as (once, again, clock):
        for _ in range(data.draw(st.integers(1, 6), label="rounds")):
            for raw in data.draw(block_txs(client)):
                clock.now += data.draw(st.sampled_from([0, 1, BLOCK_MS]), label="dt tx")
                ra, rb = once.submit(raw), again.submit(raw)
                # Admission may differ (once checks at the next block's time, after its
                # block-start); what is admitted is what both nodes run.
                if ra.accepted != rb.accepted:
                    event("admission differs")
                    return
            clock.now += data.draw(st.sampled_from([0, 1, BLOCK_MS, 3_600_000]), label="dt")
            while True:  # the block and whatever overflowed it
                block, reused = block_pair(once, again)
                if block.tx_count:
                    event("reused" if reused else "executed again")
                if not once.mempool_size():
                    break
            resync_from(client, once)


def resync_from(client: Client, node: EmbeddedNode) -> None:
    from tests.property.test_determinism import resync
    resync(client, node.app)


def test_a_block_of_the_checked_prefix_is_not_executed_again() -> None:
    from planet.core.accounts.codes import compute_invite_hash
    from planet.core.accounts.messages import CreateInvites
    from tests.chain import new_code

    with two_nodes(3) as (once, again, clock):
        raws = [OPERATOR.sign_tx(chain_id=CHAIN_ID, sequence=seq, messages=[CreateInvites(
            code_hashes=(compute_invite_hash(new_code(f"once/{seq}")),))]) for seq in range(5)]
        for raw in raws:
            assert once.submit(raw).accepted and again.submit(raw).accepted
        clock.now += BLOCK_MS
        first, reused = block_pair(once, again)
        assert reused and first.tx_count == 3
        second, reused = block_pair(once, again)  # the two that overflowed, re-checked
        assert reused and second.tx_count == 2
        # An explicit time the mempool's view did not run at: executed, and still equal.
        raw = OPERATOR.sign_tx(chain_id=CHAIN_ID, sequence=5, messages=[CreateInvites(
            code_hashes=(compute_invite_hash(new_code("once/5")),))])
        assert once.submit(raw).accepted and again.submit(raw).accepted
        t = clock.now + 7
        a, b = once.produce_block(time_ms=t), again.produce_block(time_ms=t)
        assert a == b and once.reused_blocks == 2


def test_a_block_whose_start_reads_its_hash_is_executed_again() -> None:
    genesis, operator, _verifier = make_genesis(label="execute-once-drill")
    with two_nodes(10, genesis) as (once, again, clock):
        secret = b"\x07" * 32
        commit = operator.sign_tx(chain_id=genesis.chain_id, sequence=0, messages=[
            CommitRound(round=1, commitment=compute_commitment(1, secret).hex())])
        assert once.submit(commit).accepted and again.submit(commit).accepted
        clock.now += BLOCK_MS
        assert block_pair(once, again)[1]
        # Round 1 closes two days after genesis: the first block after seals it with its
        # hash, which the mempool's view could not know.
        clock.now = genesis.genesis_time + 2 * DAY + 1
        tx = operator.sign_tx(chain_id=genesis.chain_id, sequence=1, messages=[
            CommitRound(round=3, commitment=compute_commitment(3, secret).hex())])
        assert once.submit(tx).accepted and again.submit(tx).accepted
        block, reused = block_pair(once, again)
        assert not reused
        sealed = once.query("drill/round", {"round": 1})
        assert sealed["status"] == "sealed" and sealed["seal_block_hash"] == block.hash.hex()
