"""The embedded engine in-process: restart, replay, tamper detection, mempool rules."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites, RegisterResident
from planet.core.encoding import b64encode
from planet.core.errors import StateMismatch
from planet.core.genesis import parse_genesis
from planet.engines.embedded import EmbeddedNode, EngineConfig, replay_chain
from planet.node.home import make_genesis_document
from planet.sdk.client import new_invite_codes
from planet.sdk.wallet import Wallet
from planet.storage.sqlite import NodeStore
from tests.chain import Clock

CHAIN = "planet-embedded"


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Wallet, EmbeddedNode]:
    operator = Wallet.generate()
    genesis = parse_genesis(make_genesis_document(CHAIN, operator, [],
                                                  genesis_time="2027-01-15T00:00:00Z"))
    node = EmbeddedNode(tmp_path / "node.db", genesis, EngineConfig(verify_threads=2),
                        clock=Clock())
    return tmp_path / "node.db", operator, node


def _register_some(node: EmbeddedNode, operator: Wallet, n: int) -> list[Wallet]:
    codes = new_invite_codes(n)
    seq = int(node.query("accounts/account", {"address": operator.address})["sequence"])
    res = node.submit(operator.sign_tx(chain_id=CHAIN, sequence=seq, messages=[
        CreateInvites(code_hashes=tuple(compute_invite_hash(c) for c in codes))]))
    assert res.accepted, res.result.log
    node.produce_block()
    wallets = [Wallet.generate() for _ in codes]
    results = node.submit_many([w.sign_tx(chain_id=CHAIN, sequence=0, messages=[
        RegisterResident(invite_code=c, encryption_key=b64encode(w.encryption_public_key))])
        for w, c in zip(wallets, codes, strict=True)])
    assert all(r.accepted for r in results)
    node.produce_block()
    return wallets


def test_restart_resumes_at_last_block_and_replay_agrees(world: tuple) -> None:
    db, operator, node = world
    _register_some(node, operator, 20)
    height, app_hash = node.height, node.last_block.app_hash
    node.close()
    reopened = EmbeddedNode(db)
    assert reopened.height == height and reopened.app.state.root() == app_hash
    report = replay_chain(reopened.store)
    assert report.ok and report.blocks == height and report.app_hash == app_hash.hex()
    reopened.close()


def test_verify_of_a_live_node_reads_one_snapshot(world: tuple) -> None:
    """`planet verify` beside a running node: blocks committed while it replays (here, one
    after each replayed block, from its progress callback) are neither replayed nor in the
    state it compares, so the report is clean and stops at the height it started from."""
    db, operator, node = world
    _register_some(node, operator, 5)
    start = node.height
    report = replay_chain(NodeStore(db), progress=lambda _h, _t: node.produce_block())
    assert node.height == 2 * start  # the node did commit meanwhile
    assert report.ok, report.problems
    assert report.blocks == start
    node.close()


def test_tampered_state_is_detected_on_open_and_by_verify(world: tuple) -> None:
    db, operator, node = world
    wallets = _register_some(node, operator, 3)
    node.close()
    con = sqlite3.connect(db)
    con.execute("UPDATE state SET value = replace(value, '\"invites_left\":3', "
                "'\"invites_left\":9') WHERE key = ?", (f"accounts/acct/{wallets[0].address}",))
    con.commit()
    con.close()
    # Opening reads the root alone; the altered record is refused at its first read, by a
    # query and by check_tx alike, so it is never served nor put in a block.
    node = EmbeddedNode(db)
    with pytest.raises(StateMismatch, match="altered"):
        node.query("accounts/account", {"address": wallets[0].address})
    raw = wallets[0].sign_tx(chain_id=CHAIN, sequence=0, messages=[
        CreateInvites(code_hashes=(compute_invite_hash(new_invite_codes(1)[0]),))])
    with pytest.raises(StateMismatch):
        node.submit(raw)
    assert node.query("accounts/account", {"address": wallets[1].address})["sequence"] == 1
    node.close()

    report = replay_chain(NodeStore(db))
    assert not report.ok
    assert any("stored state differs" in p for p in report.problems)

    # An altered tree node: refused when the node opens (the root) or first loads it.
    con = sqlite3.connect(db)
    con.execute("UPDATE state_nodes SET node = zeroblob(4) WHERE path = x''")
    con.commit()
    con.close()
    with pytest.raises(StateMismatch, match="altered"):
        EmbeddedNode(db)


def test_tampered_block_is_detected_by_verify(world: tuple) -> None:
    db, operator, node = world
    _register_some(node, operator, 3)
    node.close()
    con = sqlite3.connect(db)
    con.execute("UPDATE blocks SET time = time + 1 WHERE height = 1")
    con.commit()
    con.close()

    report = replay_chain(NodeStore(db))
    assert not report.ok
    assert any(p.startswith("block 1") for p in report.problems)


def test_mempool_refuses_duplicates_and_reused_sequences(world: tuple) -> None:
    _db, operator, node = world
    raw = operator.sign_tx(chain_id=CHAIN, sequence=0, messages=[
        CreateInvites(code_hashes=(compute_invite_hash(new_invite_codes(1)[0]),))])
    assert node.submit(raw).accepted
    dup = node.submit(raw)
    assert not dup.accepted and dup.result.code == 112
    node.produce_block()
    again = node.submit(raw)
    assert not again.accepted and again.result.code == 107
    assert node.mempool_size() == 0


def test_pending_txs_from_one_sender_chain_in_order(world: tuple) -> None:
    _db, operator, node = world
    raws = [operator.sign_tx(chain_id=CHAIN, sequence=i, messages=[
        CreateInvites(code_hashes=(compute_invite_hash(new_invite_codes(1)[0]),))])
        for i in range(5)]
    skipped = node.submit(raws[3])
    assert not skipped.accepted and skipped.result.code == 108
    assert all(node.submit(r).accepted for r in raws[:3])
    futures = [node.wait_for(s) for s in (node.submit(raws[3]).hash,)]
    block = node.produce_block()
    assert block.tx_count == 4
    record = futures[0].result(timeout=1)
    assert record is not None and record.code == 0 and record.height == block.height


def test_block_time_never_goes_backwards(world: tuple) -> None:
    _db, _operator, node = world
    first = node.produce_block(time_ms=1_900_000_000_000)
    second = node.produce_block(time_ms=1_800_000_000_000)
    assert second.time == first.time and second.prev_hash == first.hash


def test_a_node_whose_state_was_altered_stops_at_the_first_block_that_reads_it(
        world: tuple) -> None:
    db, operator, node = world
    _register_some(node, operator, 2)
    height = node.height
    node.close()
    con = sqlite3.connect(db)
    con.execute("UPDATE state SET value = value || x'20' WHERE key = 'chain/meta'")
    con.commit()
    con.close()
    node = EmbeddedNode(db, config=EngineConfig(empty_block_ms=50))
    stopped: list[BaseException] = []
    fatal = threading.Event()
    node.on_fatal = lambda err: (stopped.append(err), fatal.set())
    node.start()
    assert fatal.wait(30), "the sequencer did not stop on the altered record"
    assert isinstance(stopped[0], StateMismatch) and "altered" in str(stopped[0])
    assert node.height == height and node.store.last_height() == height  # nothing signed
    node.close()
