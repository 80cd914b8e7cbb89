"""PlanetAbciApp over the real core and a real NodeStore, driven by ABCI messages, and the
CometNode glue (waiters, listeners, the broadcast answer) without a CometBFT process."""

from __future__ import annotations

import base64
from pathlib import Path

import orjson
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites
from planet.core.app import Application
from planet.core.encoding import canonical_json
from planet.core.errors import AbciRefused, PlanetError, StateMismatch
from planet.core.transition import BlockHeader
from planet.core.tx import compute_tx_hash
from planet.engines.abci import abci_pb2 as pb
from planet.engines.abci.app import PlanetAbciApp, timestamp_ms
from planet.engines.abci.server import dispatch
from planet.engines.cometbft import CometConfig, CometNode, submitted_from_rpc
from planet.storage.sqlite import NodeStore
from tests.chain import CHAIN_ID, make_genesis, new_code

T0 = 1_800_000_000  # seconds


def ts(ms: int) -> Timestamp:
    return Timestamp(seconds=ms // 1000, nanos=(ms % 1000) * 1_000_000)


def fin(height: int, txs: list[bytes], ms: int) -> pb.FinalizeBlockRequest:
    return pb.FinalizeBlockRequest(height=height, txs=txs, time=ts(ms),
                                   hash=bytes([height]) * 32, proposer_address=b"\xab" * 20)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[PlanetAbciApp, NodeStore, object, object]:
    genesis, operator, _verifier = make_genesis(label="abci")
    store = NodeStore(tmp_path / "node.db")
    return PlanetAbciApp(store, genesis), store, genesis, operator


def invites_tx(operator: object, seq: int, label: str) -> bytes:
    codes = [new_code(f"{label}-{i}") for i in range(2)]
    return operator.sign_tx(chain_id=CHAIN_ID, sequence=seq,  # type: ignore[attr-defined]
                            messages=[CreateInvites(code_hashes=tuple(
                                compute_invite_hash(c) for c in codes))])


def test_info_and_init_chain_at_genesis(setup: tuple) -> None:
    abci, store, genesis, _ = setup
    info = abci.info(pb.InfoRequest(version="0.38.25"))
    assert info.last_block_height == 0
    assert info.last_block_app_hash == store.get_meta("genesis_app_hash")
    doc = canonical_json(genesis.document)
    res = abci.init_chain(pb.InitChainRequest(chain_id=CHAIN_ID, initial_height=1,
                                              app_state_bytes=doc))
    assert res.app_hash == store.get_meta("genesis_app_hash")
    with pytest.raises(AbciRefused):
        abci.init_chain(pb.InitChainRequest(chain_id="other-chain", initial_height=1))
    wrong = dict(genesis.document, chain_id="planet-other")
    with pytest.raises(PlanetError):
        abci.init_chain(pb.InitChainRequest(chain_id=CHAIN_ID, initial_height=1,
                                            app_state_bytes=canonical_json(wrong)))
    # through the dispatcher a refusal is an Exception response, not a crash
    out = dispatch(abci, pb.Request(init_chain=pb.InitChainRequest(chain_id="x")))
    assert out.WhichOneof("value") == "exception"


def test_blocks_execute_like_the_core_and_persist_at_commit(setup: tuple) -> None:
    abci, store, genesis, operator = setup
    raw = invites_tx(operator, 0, "a")
    check = abci.check_tx(pb.CheckTxRequest(tx=raw))
    assert check.code == 0
    assert orjson.loads(check.data)["code"] == 0
    bad = abci.check_tx(pb.CheckTxRequest(tx=b"{not json"))
    assert bad.code != 0 and bad.log

    ms = (T0 + 10) * 1000 + 123
    res = abci.finalize_block(fin(1, [raw, b"garbage"], ms))
    assert [r.code == 0 for r in res.tx_results] == [True, False]
    assert store.last_height() == 0  # nothing durable before Commit
    abci.commit(pb.CommitRequest())
    assert store.last_height() == 1
    assert store.last_app_hash() == res.app_hash
    block = store.get_block(1)
    assert block is not None
    assert block.hash == bytes([1]) * 32 and block.time == ms and block.proposer == "AB" * 20
    assert block.prev_hash == b"\x00" * 32 and block.tx_count == 2
    assert store.get_tx(compute_tx_hash(raw)).code == 0  # type: ignore[union-attr]

    # the same block through the core directly gives the same app hash
    app = Application(genesis)
    app.init_chain()
    app.commit()
    direct = app.finalize_block(BlockHeader(1, ms, "AB" * 20, bytes([1]) * 32), [raw, b"garbage"])
    assert direct.app_hash == res.app_hash

    info = abci.info(pb.InfoRequest())
    assert (info.last_block_height, info.last_block_app_hash) == (1, res.app_hash)
    q = abci.query(pb.QueryRequest(path="accounts/account",
                                   data=orjson.dumps({"address": operator.address})))
    assert q.code == 0 and orjson.loads(q.value)["sequence"] == 1
    missing = abci.query(pb.QueryRequest(path="nope/nothing"))
    assert missing.code != 0


def test_heights_must_follow_and_time_never_goes_back(setup: tuple) -> None:
    abci, store, _, _ = setup
    with pytest.raises(AbciRefused):
        abci.finalize_block(fin(2, [], T0 * 1000))
    with pytest.raises(AbciRefused):
        abci.commit(pb.CommitRequest())
    abci.finalize_block(fin(1, [], (T0 + 5) * 1000))
    abci.commit(pb.CommitRequest())
    abci.finalize_block(fin(2, [], (T0 + 1) * 1000))  # earlier than block 1: clamped
    abci.commit(pb.CommitRequest())
    b1, b2 = store.get_block(1), store.get_block(2)
    assert b1 is not None and b2 is not None
    assert b2.time == b1.time and b2.prev_hash == b1.hash


def test_an_uncommitted_block_is_redone_from_the_committed_state(setup: tuple) -> None:
    """CometBFT went away between FinalizeBlock and Commit and replays the height."""
    abci, _store, _, operator = setup
    raw = invites_tx(operator, 0, "b")
    first = abci.finalize_block(fin(1, [raw], (T0 + 1) * 1000))
    again = abci.finalize_block(fin(1, [raw], (T0 + 1) * 1000))
    assert again.app_hash == first.app_hash
    assert again.tx_results[0].code == 0  # not "sequence reused": the first run was undone
    abci.commit(pb.CommitRequest())
    assert abci.height == 1


def test_check_tx_between_finalize_and_commit_survives_the_recheck(setup: tuple) -> None:
    """CometBFT runs CheckTx while a block is finalized but not committed, then rechecks
    its mempool after Commit: a tx admitted in that window must pass its recheck."""
    abci, _store, _, operator = setup
    first = invites_tx(operator, 0, "w1")
    assert abci.check_tx(pb.CheckTxRequest(tx=first)).code == 0
    abci.finalize_block(fin(1, [first], (T0 + 1) * 1000))
    second = invites_tx(operator, 1, "w2")  # arrives in the window
    assert abci.check_tx(pb.CheckTxRequest(tx=second)).code == 0
    abci.commit(pb.CommitRequest())
    recheck = abci.check_tx(pb.CheckTxRequest(tx=second, type=pb.CHECK_TX_TYPE_RECHECK))
    assert recheck.code == 0, recheck.log
    # and one admitted in the window but left out of the next block stays valid too
    third = invites_tx(operator, 2, "w3")
    abci.finalize_block(fin(2, [second], (T0 + 2) * 1000))
    assert abci.check_tx(pb.CheckTxRequest(tx=third)).code == 0
    abci.commit(pb.CommitRequest())
    again = abci.check_tx(pb.CheckTxRequest(tx=third, type=pb.CHECK_TX_TYPE_RECHECK))
    assert again.code == 0, again.log


def test_restart_resumes_and_tampering_is_detected(tmp_path: Path) -> None:
    genesis, operator, _ = make_genesis(label="abci-restart")
    store = NodeStore(tmp_path / "node.db")
    abci = PlanetAbciApp(store, genesis)
    res = abci.finalize_block(fin(1, [invites_tx(operator, 0, "c")], (T0 + 1) * 1000))
    abci.commit(pb.CommitRequest())
    store.close()
    store = NodeStore(tmp_path / "node.db")
    again = PlanetAbciApp(store, genesis)
    info = again.info(pb.InfoRequest())
    assert (info.last_block_height, info.last_block_app_hash) == (1, res.app_hash)
    with store.engine.begin() as conn:
        key = conn.exec_driver_sql("SELECT key FROM state ORDER BY key LIMIT 1").scalar()
        conn.exec_driver_sql("UPDATE state SET value = x'00' WHERE key = ?", (key,))
    # Opening reads only the root; the altered record is refused at its first read, and a
    # block that reads it is never finalized.
    altered = PlanetAbciApp(store, genesis)
    with pytest.raises(StateMismatch):
        altered.app.state.get_raw(key)
    with store.engine.begin() as conn:  # an altered tree node: refused at opening
        conn.exec_driver_sql("UPDATE state_nodes SET node = node || x'00' WHERE path = x''")
    with pytest.raises(StateMismatch):
        PlanetAbciApp(store, genesis)
    store.close()


def test_proposals(setup: tuple) -> None:
    abci, _, _, operator = setup
    raw = invites_tx(operator, 0, "d")
    prep = abci.prepare_proposal(pb.PrepareProposalRequest(
        max_tx_bytes=len(raw) + 11 + 5, txs=[raw, raw]))
    assert list(prep.txs) == [raw]
    unlimited = abci.prepare_proposal(pb.PrepareProposalRequest(max_tx_bytes=0, txs=[raw, raw]))
    assert len(unlimited.txs) == 2
    ok = abci.process_proposal(pb.ProcessProposalRequest(height=1, txs=[raw]))
    assert ok.status == pb.ProcessProposalResponse.ACCEPT
    bad = abci.process_proposal(pb.ProcessProposalRequest(height=1, txs=[raw, b"{}"]))
    assert bad.status == pb.ProcessProposalResponse.REJECT
    assert abci.verify_vote_extension(pb.VerifyVoteExtensionRequest()).status == \
        pb.VerifyVoteExtensionResponse.ACCEPT
    assert abci.list_snapshots(pb.ListSnapshotsRequest()).snapshots == []


def test_recheck_failure_evicts_and_tells_waiters(tmp_path: Path) -> None:
    genesis, operator, _ = make_genesis(label="abci-node")
    node = CometNode(tmp_path / "node.db", genesis, CometConfig(
        abci_address="tcp://127.0.0.1:0", rpc_url="http://127.0.0.1:9"))
    try:
        seen: list[int] = []
        node.add_listener(lambda block, _records: seen.append(block.height))
        raw = invites_tx(operator, 0, "e")
        h = compute_tx_hash(raw)
        assert node.abci.check_tx(pb.CheckTxRequest(tx=raw)).code == 0
        fut = node.wait_for(h)
        assert not fut.done()
        node.abci.finalize_block(fin(1, [raw], (T0 + 1) * 1000))
        assert not fut.done()
        node.abci.commit(pb.CommitRequest())
        record = fut.result(timeout=1)
        assert record is not None and record.height == 1 and record.code == 0
        assert seen == [1] and node.height == 1 and node.last_block is not None
        assert node.wait_for(h).result(timeout=1) is not None  # already committed
        # a tx whose recheck fails is evicted: its waiter gets None
        stale = invites_tx(operator, 0, "f")  # sequence 0 is used now
        fut2 = node.wait_for(compute_tx_hash(stale))
        out = node.abci.check_tx(pb.CheckTxRequest(tx=stale, type=pb.CHECK_TX_TYPE_RECHECK))
        assert out.code != 0
        assert fut2.result(timeout=1) is None
        assert node.query("accounts/account", {"address": operator.address})["sequence"] == 1
        # CometBFT is not running: submitting says so instead of hanging
        sub = node.submit(invites_tx(operator, 1, "g"))
        assert not sub.accepted and sub.result.codespace == "node"
        assert node.mempool_size() == 0
    finally:
        node.close()


def test_broadcast_answers_map_to_embedded_results() -> None:
    h = b"\x01" * 32
    data = base64.b64encode(orjson.dumps({"code": 0, "codespace": "", "log": "", "error": "",
                                          "events": [{"type": "t", "attributes": {"a": 1}}]}))
    ok = submitted_from_rpc(h, {"result": {"code": 0, "data": data.decode(), "log": ""}})
    assert ok.accepted and ok.result.events[0].attributes == {"a": 1}
    refused = submitted_from_rpc(h, {"result": {"code": 101, "data": None, "log": "bad",
                                                "codespace": "tx"}})
    assert not refused.accepted and refused.result.code == 101 and refused.result.log == "bad"
    dup = submitted_from_rpc(h, {"error": {"code": -32603, "message": "Internal error",
                                           "data": "tx already exists in cache"}})
    assert dup.result.error == "DuplicateTx"
    full = submitted_from_rpc(h, {"error": {"message": "Internal error",
                                            "data": "mempool is full: number of txs 5000"}})
    assert full.result.error == "MempoolFull"


def test_timestamp_ms() -> None:
    assert timestamp_ms(Timestamp(seconds=2, nanos=999_999_999)) == 2999


def test_recheck_checks_only_the_sequence_and_keeps_a_chain_of_pending_txs(
        setup: tuple) -> None:
    """RECHECK keeps a tx that is still its sender's next one (and the txs after it),
    evicts one whose sequence a block used, and does not run messages again: a tx whose
    messages the block made fail stays, and fails in its block, changing nothing but its
    sequence, on every validator alike."""
    abci, _store, _genesis, operator = setup
    from planet.core.accounts.messages import RegisterResident
    from planet.core.encoding import b64encode
    from planet.core.errors import SequenceReused
    from tests.chain import wallet

    code = new_code("recheck-code")
    publish = operator.sign_tx(chain_id=CHAIN_ID, sequence=0, messages=[
        CreateInvites(code_hashes=(compute_invite_hash(code),))])
    abci.finalize_block(fin(1, [publish], (T0 + 1) * 1000))
    abci.commit(pb.CommitRequest())

    alice, bob = wallet("recheck/alice"), wallet("recheck/bob")
    def register(w: object) -> bytes:
        return w.sign_tx(chain_id=CHAIN_ID, sequence=0, messages=[  # type: ignore[attr-defined]
            RegisterResident(invite_code=code,
                             encryption_key=b64encode(w.encryption_public_key))])  # type: ignore[attr-defined]
    reg_alice, reg_bob = register(alice), register(bob)
    alice_next = alice.sign_tx(chain_id=CHAIN_ID, sequence=1, messages=[
        CreateInvites(code_hashes=(compute_invite_hash(new_code("alice-1")),))])
    op_1, op_2 = invites_tx(operator, 1, "r1"), invites_tx(operator, 2, "r2")
    for raw in (reg_alice, alice_next, op_1, op_2):
        assert abci.check_tx(pb.CheckTxRequest(tx=raw)).code == 0
    assert abci.check_tx(pb.CheckTxRequest(tx=reg_bob)).code != 0  # the code is taken
    # A peer's block: bob registers with the code (his tx reached another validator), and
    # op_1 is replaced by another tx at the operator's sequence 1.
    other_1 = invites_tx(operator, 1, "other")
    abci.finalize_block(fin(2, [reg_bob, other_1], (T0 + 2) * 1000))
    abci.commit(pb.CommitRequest())

    def recheck(raw: bytes) -> pb.CheckTxResponse:
        return abci.check_tx(pb.CheckTxRequest(tx=raw, type=pb.CHECK_TX_TYPE_RECHECK))

    assert recheck(reg_alice).code == 0  # its code is used now: kept, fails in its block
    assert recheck(op_1).code == SequenceReused.code  # its sequence was used: evicted
    assert recheck(op_2).code == 0  # the operator's next one
    assert not abci.app.is_checked(compute_tx_hash(op_1))
    # alice's next tx, checked before her registration's block, chains after it in recheck
    assert recheck(alice_next).code == 0
    abci.finalize_block(fin(3, [reg_alice, op_2, alice_next], (T0 + 3) * 1000))
    assert abci._finalized is not None
    codes = [r.code for r in abci._finalized.records]
    assert codes[0] != 0 and codes[1] == 0  # alice's registration fails in the block
    abci.commit(pb.CommitRequest())
    assert abci.app.query("accounts/account",
                          {"address": operator.address})["sequence"] == 3


def test_check_tx_verifies_signatures_before_the_lock(setup: tuple) -> None:
    """A new tx's signature is verified before the app's lock is taken: a bad one is refused
    while another thread holds the lock."""
    import threading

    abci, _store, _genesis, operator = setup
    raw = bytearray(invites_tx(operator, 0, "sig"))
    i = raw.index(b'"signature":"') + len(b'"signature":"')
    raw[i] = ord("A") if raw[i] != ord("A") else ord("B")
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with abci.lock:
            held.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    try:
        held.wait(10)
        out = abci.check_tx(pb.CheckTxRequest(tx=bytes(raw)))
        assert out.code != 0
    finally:
        release.set()
        t.join()


def test_event_attributes_are_indexed_only_for_the_psql_sink(tmp_path: Path) -> None:
    genesis, operator, _ = make_genesis(label="abci-index")
    for index in (False, True):
        store = NodeStore(tmp_path / f"node-{index}.db")
        abci = PlanetAbciApp(store, genesis, index_events=index)
        res = abci.finalize_block(fin(1, [invites_tx(operator, 0, "i")], (T0 + 1) * 1000))
        attrs = [a for r in res.tx_results for e in r.events for a in e.attributes]
        assert attrs and {a.index for a in attrs} == {index}
        store.close()
    assert CometConfig().index_events is False


def test_recheck_answers_carry_the_code_without_the_json(setup: tuple) -> None:
    """A recheck's answer reaches no client (CometBFT reads its code), so it carries no
    `data`; a new tx's CheckTx still carries the whole result for broadcast_tx_sync."""
    abci, _store, _, operator = setup
    first, second = invites_tx(operator, 0, "r1"), invites_tx(operator, 1, "r2")
    stale = invites_tx(operator, 0, "r3")
    checked = abci.check_tx(pb.CheckTxRequest(tx=first))
    assert checked.code == 0 and orjson.loads(checked.data)["code"] == 0
    assert abci.check_tx(pb.CheckTxRequest(tx=second)).code == 0
    abci.finalize_block(fin(1, [first], (T0 + 1) * 1000))
    abci.commit(pb.CommitRequest())
    kept = abci.check_tx(pb.CheckTxRequest(tx=second, type=pb.CHECK_TX_TYPE_RECHECK))
    assert kept.code == 0 and kept.data == b""
    refused = abci.check_tx(pb.CheckTxRequest(tx=stale, type=pb.CHECK_TX_TYPE_RECHECK))
    assert refused.code != 0 and refused.log and refused.data == b""


def test_the_mempool_header_follows_every_state_change(setup: tuple) -> None:
    """Application caches the header a CheckTx runs under; it is the one chain/meta gives
    at every moment: before a block, between FinalizeBlock and Commit, after Commit."""
    abci, _store, _, operator = setup

    def expected() -> BlockHeader:
        meta = abci.app.meta()
        return BlockHeader(meta.height + 1, meta.time)

    for height in (1, 2, 3):
        raw = invites_tx(operator, height - 1, f"h{height}")
        assert abci.check_tx(pb.CheckTxRequest(tx=raw)).code == 0
        assert abci.app._check_header == expected()
        abci.finalize_block(fin(height, [raw], (T0 + height) * 1000))
        assert abci.app._check_header is None  # the state moved: read again on next use
        window = invites_tx(operator, height, f"w{height}")
        abci.check_tx(pb.CheckTxRequest(tx=window))
        assert abci.app._check_header == expected() and expected().height == height + 1
        abci.commit(pb.CommitRequest())
        assert abci.app._check_header is None
        abci.app.forget_verified([compute_tx_hash(window)])


@pytest.mark.parametrize("index", [True, False])
def test_finalize_block_events_are_the_messages_built_one_by_one(tmp_path: Path,
                                                                  index: bool) -> None:
    """FinalizeBlock builds its events in place; the answer is byte for byte the one built
    from separate Event and EventAttribute messages, non-string attributes as JSON."""
    genesis, operator, _ = make_genesis(label=f"abci-events-{index}")
    abci = PlanetAbciApp(NodeStore(tmp_path / "node.db"), genesis, index_events=index)
    raws = [invites_tx(operator, 0, "e1"), invites_tx(operator, 1, "e2"),
            invites_tx(operator, 1, "e3")]  # the last reuses a sequence: a failure's result
    answer = abci.finalize_block(fin(1, raws, (T0 + 1) * 1000))
    assert answer.tx_results[2].code != 0
    store = NodeStore(tmp_path / "again.db")
    again = PlanetAbciApp(store, genesis, index_events=index).app.finalize_block(
        BlockHeader(1, (T0 + 1) * 1000, (b"\xab" * 20).hex().upper(), bytes([1]) * 32), raws)

    def events(evs: list) -> list[pb.Event]:
        return [pb.Event(type=e.type, attributes=[
            pb.EventAttribute(key=str(k), value=v if isinstance(v, str)
                              else orjson.dumps(v).decode(), index=index)
            for k, v in e.attributes.items()]) for e in evs]

    reference = pb.FinalizeBlockResponse(
        events=events(again.events),
        tx_results=[pb.ExecTxResult(code=r.code, codespace=r.codespace, log=r.log,
                                    events=events(r.events)) for r in again.tx_results],
        app_hash=again.app_hash)
    assert any(a.index == index for e in answer.tx_results[0].events for a in e.attributes)
    assert answer.SerializeToString() == reference.SerializeToString()
