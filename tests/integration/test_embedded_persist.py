"""The embedded engine stores a block with its lock released: admission goes on meanwhile,
while every read of the state, every announcement and every waiter waits for the write."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites
from planet.core.genesis import parse_genesis
from planet.core.tx import compute_tx_hash
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.node.home import make_genesis_document
from planet.sdk.client import new_invite_codes
from planet.sdk.wallet import Wallet
from planet.storage.sqlite import BlockRecord, TxRecord
from tests.chain import Clock

CHAIN = "planet-persist"
WAIT_S = 30
"""Upper bound on any wait for a condition (never reached when the code is right)."""


class HeldWrite:
    """Wraps the store's `commit_block`: the next write waits for `release()` (or fails with
    `fail`) after it has begun, so a test acts while a block is being stored."""

    def __init__(self, node: EmbeddedNode) -> None:
        self._commit = node.store.commit_block
        self.entered = threading.Event()
        self._go = threading.Event()
        self.fail: BaseException | None = None
        node.store.commit_block = self  # type: ignore[method-assign]

    def __call__(self, *args: Any) -> None:
        self.entered.set()
        assert self._go.wait(WAIT_S)
        if self.fail is not None:
            raise self.fail
        self._commit(*args)

    def release(self) -> None:
        self._go.set()


@pytest.fixture
def node(tmp_path: Path) -> Iterator[tuple[EmbeddedNode, Wallet]]:
    operator = Wallet.generate()
    genesis = parse_genesis(make_genesis_document(CHAIN, operator, [],
                                                  genesis_time="2027-01-15T00:00:00Z"))
    n = EmbeddedNode(tmp_path / "node.db", genesis, EngineConfig(verify_threads=1),
                     clock=Clock())
    yield n, operator
    n.close()


def _invites(operator: Wallet, seq: int) -> bytes:
    code_hashes = tuple(compute_invite_hash(c) for c in new_invite_codes(1))
    return operator.sign_tx(chain_id=CHAIN, sequence=seq,
                            messages=[CreateInvites(code_hashes=code_hashes)])


def _sequence(node: EmbeddedNode, operator: Wallet) -> int:
    return int(node.query("accounts/account", {"address": operator.address})["sequence"])


def test_admission_runs_while_reads_and_waiters_wait_for_the_write(
        node: tuple[EmbeddedNode, Wallet]) -> None:
    n, operator = node
    first = _invites(operator, _sequence(n, operator))
    assert n.submit(first).accepted
    announced: list[int] = []
    n.add_listener(lambda block, _records: announced.append(block.height))
    held = HeldWrite(n)
    with ThreadPoolExecutor(3) as pool:
        producing = pool.submit(n.produce_block)
        assert held.entered.wait(WAIT_S)
        # The block is applied, not stored: admission goes on against it...
        assert n.submit(first).result.error == "DuplicateTx"
        second = _invites(operator, 1)
        assert n.submit(second).accepted
        # ...while nothing shows it: the reported height, reads, waiters, listeners; its tx
        # still counts as pending, as the new one does.
        assert n.height == 0 and n.store.last_height() == 0 and announced == []
        assert n.mempool_size() == 2
        waiter = n.wait_for(compute_tx_hash(first))
        gate = threading.Event()
        stored_state = n._stored_state

        def at_gate() -> None:
            gate.set()
            stored_state()

        n._stored_state = at_gate  # type: ignore[method-assign]
        reading = pool.submit(lambda: (_sequence(n, operator), n.store.last_height()))
        assert gate.wait(WAIT_S)
        assert not reading.done() and not waiter.done()
        held.release()
        block = producing.result(WAIT_S)
        # The read returned only once the block was durable, and saw it.
        assert reading.result(WAIT_S) == (1, 1)
    record = waiter.result(WAIT_S)
    assert isinstance(record, TxRecord) and record.height == 1 and record.code == 0
    assert announced == [1] and n.height == 1 and block.height == 1
    assert n.mempool_size() == 1
    n.store.commit_block = held._commit  # type: ignore[method-assign]
    assert n.produce_block().tx_count == 1 and n.height == 2
    assert _sequence(n, operator) == 2


def test_a_failed_write_leaves_the_stored_state_and_says_so(
        node: tuple[EmbeddedNode, Wallet], tmp_path: Path) -> None:
    n, operator = node
    raw = _invites(operator, 0)
    assert n.submit(raw).accepted
    held = HeldWrite(n)
    held.fail = OSError("disk full")
    with ThreadPoolExecutor(1) as pool:
        producing = pool.submit(n.produce_block)
        assert held.entered.wait(WAIT_S)
        later = _invites(operator, 1)
        assert n.submit(later).accepted  # checked against the block being stored
        waiters = [n.wait_for(compute_tx_hash(raw)), n.wait_for(compute_tx_hash(later))]
        held.release()
        with pytest.raises(OSError, match="disk full"):
            producing.result(WAIT_S)
    # Nothing of the block shows: reads are of the stored state, waiters are told.
    assert [w.result(WAIT_S) for w in waiters] == [None, None]
    assert n.height == 0 and _sequence(n, operator) == 0 and n.mempool_size() == 0
    n.store.commit_block = held._commit  # type: ignore[method-assign]
    n.close()
    reopened = EmbeddedNode(tmp_path / "node.db", clock=Clock())
    try:
        assert reopened.height == 0 and _sequence(reopened, operator) == 0
        assert reopened.submit(raw).accepted
        block: BlockRecord = reopened.produce_block()
        assert block.height == 1 and block.tx_count == 1
    finally:
        reopened.close()
