"""State sync in process: a validator's PlanetAbciApp takes snapshots, a second app on an
empty store restores one through the four ABCI snapshot calls, and refuses what it must
(a tampered chunk, a state that does not hash to the offered app hash, an offer over a
chain it already has). Then the restored node follows, restarts and verifies."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites, RegisterResident
from planet.core.encoding import b64encode
from planet.core.genesis import Genesis
from planet.core.state import CommittedState, compute_state_root
from planet.engines import snapshots
from planet.engines.abci import abci_pb2 as pb
from planet.engines.abci.app import PlanetAbciApp
from planet.engines.embedded import replay_chain
from planet.engines.snapshots import (
    FORMAT,
    SYNCED_FROM,
    SnapshotError,
    decode_chunk,
    encode_record,
    snapshot_dir,
)
from planet.sdk.wallet import Wallet
from planet.storage.sqlite import NodeStore
from tests.chain import CHAIN_ID, make_genesis, new_code, wallet

T0 = 1_800_000_000_000  # ms
SNAPSHOT_AT = 4
OFFER = pb.OfferSnapshotResponse
APPLY = pb.ApplySnapshotChunkResponse


def fin(height: int, txs: list[bytes]) -> pb.FinalizeBlockRequest:
    ms = T0 + height * 1000
    return pb.FinalizeBlockRequest(
        height=height, txs=txs, time=Timestamp(seconds=ms // 1000, nanos=(ms % 1000) * 10**6),
        hash=bytes([height]) * 32, proposer_address=b"\xab" * 20)


def block(abci: PlanetAbciApp, height: int, txs: list[bytes] | None = None) -> bytes:
    res = abci.finalize_block(fin(height, txs or []))
    assert all(r.code == 0 for r in res.tx_results), [r.log for r in res.tx_results]
    abci.commit(pb.CommitRequest())
    return bytes(res.app_hash)


def chain_txs(operator: Wallet, n: int) -> list[list[bytes]]:
    """Blocks 1 and 2: invitations, then n residents registering with them."""
    codes = [new_code(f"ss-{i}") for i in range(n)]
    invites = operator.sign_tx(chain_id=CHAIN_ID, sequence=0, messages=[CreateInvites(
        code_hashes=tuple(compute_invite_hash(c) for c in codes))])
    regs = []
    for i, code in enumerate(codes):
        w = wallet(f"ss-resident-{i}")
        regs.append(w.sign_tx(chain_id=CHAIN_ID, sequence=0, messages=[RegisterResident(
            invite_code=code, encryption_key=b64encode(w.encryption_public_key))]))
    return [[invites], regs]


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 2 KB, so a small state makes several."""
    monkeypatch.setattr(snapshots, "CHUNK_BYTES", 2_000)


@pytest.fixture
def validator(tmp_path: Path, small_chunks: None) -> tuple[PlanetAbciApp, Genesis, bytes]:
    """A validator at height SNAPSHOT_AT with 20 residents and its snapshot there."""
    genesis, operator, _ = make_genesis(label="statesync")
    abci = PlanetAbciApp(store_at(tmp_path / "v"), genesis, snapshot_interval=SNAPSHOT_AT)
    txs = chain_txs(operator, 20)
    app_hash = b""
    for h in range(1, SNAPSHOT_AT + 1):
        app_hash = block(abci, h, txs[h - 1] if h <= len(txs) else [])
    abci.snapshots.wait()
    return abci, genesis, app_hash


def store_at(folder: Path) -> NodeStore:
    folder.mkdir(exist_ok=True)
    return NodeStore(folder / "node.db")


def joiner(tmp_path: Path, genesis: Genesis) -> PlanetAbciApp:
    return PlanetAbciApp(store_at(tmp_path / "j"), genesis)


def offered(v: PlanetAbciApp) -> pb.Snapshot:
    listed = v.list_snapshots(pb.ListSnapshotsRequest()).snapshots
    assert [s.height for s in listed] == [SNAPSHOT_AT]
    return listed[0]


def chunk(v: PlanetAbciApp, s: pb.Snapshot, i: int) -> bytes:
    return bytes(v.load_snapshot_chunk(pb.LoadSnapshotChunkRequest(
        height=s.height, format=s.format, chunk=i)).chunk)


def restore(v: PlanetAbciApp, j: PlanetAbciApp, app_hash: bytes) -> list[int]:
    """Offer v's snapshot to j and apply every chunk; the answers' results."""
    s = offered(v)
    offer = j.offer_snapshot(pb.OfferSnapshotRequest(snapshot=s, app_hash=app_hash))
    assert offer.result == OFFER.ACCEPT
    return [j.apply_snapshot_chunk(pb.ApplySnapshotChunkRequest(
        index=i, chunk=chunk(v, s, i), sender="peer-a")).result for i in range(s.chunks)]


# --- the format --------------------------------------------------------------------------------


def test_chunk_records_round_trip_and_malformed_chunks_are_refused() -> None:
    records = [("a", b""), ("accounts/x", b'{"k":1}'), ("\u00e9t\u00e9", bytes(range(256)))]
    raw = b"".join(encode_record(k, v) for k, v in records)
    assert list(decode_chunk(raw)) == records
    assert list(decode_chunk(b"")) == []
    for bad in (raw[:-1], raw + b"\x00", b"\x00\x00\x00\x02\xff\xfe\x00\x00\x00\x00"):
        with pytest.raises(SnapshotError):
            list(decode_chunk(bad))


# --- taking and restoring ----------------------------------------------------------------------


def test_a_snapshot_restores_into_an_empty_node_which_then_follows(
        validator: tuple[PlanetAbciApp, Genesis, bytes], tmp_path: Path) -> None:
    v, genesis, app_hash = validator
    s = offered(v)
    assert s.format == FORMAT and s.chunks > 2  # 2 KB chunks: the state spans several
    assert s.metadata[:32] == v.store.get_block(SNAPSHOT_AT).hash  # type: ignore[union-attr]
    j = joiner(tmp_path, genesis)
    genesis_hash = j.store.last_app_hash()
    assert j.info(pb.InfoRequest()).last_block_height == 0
    results = restore(v, j, app_hash)
    assert results == [APPLY.ACCEPT] * s.chunks
    info = j.info(pb.InfoRequest())
    assert (info.last_block_height, info.last_block_app_hash) == (SNAPSHOT_AT, app_hash)
    assert j.store.get_meta(SYNCED_FROM) == str(SNAPSHOT_AT).encode()
    assert j.store.last_block() is None and j.height == SNAPSHOT_AT  # no block replayed
    assert j.store.last_app_hash() != genesis_hash
    assert sorted(j.app.state.items()) == sorted(v.app.state.items())
    # It keeps the snapshot it restored (and can serve it).
    assert [m.height for m in j.snapshots.list()] == [SNAPSHOT_AT]
    assert chunk(j, s, 0) == chunk(v, s, 0)
    # The next block runs alike on both, and names the snapshot block as its parent.
    assert block(j, SNAPSHOT_AT + 1) == block(v, SNAPSHOT_AT + 1)
    first = j.store.get_block(SNAPSHOT_AT + 1)
    assert first is not None
    assert first.prev_hash == v.store.get_block(SNAPSHOT_AT).hash  # type: ignore[union-attr]
    # Restarted, it resumes where it was; `planet verify` replays from the snapshot.
    j.store.close()
    again = PlanetAbciApp(store_at(tmp_path / "j"), genesis)
    assert again.info(pb.InfoRequest()).last_block_height == SNAPSHOT_AT + 1
    assert block(again, SNAPSHOT_AT + 2) == block(v, SNAPSHOT_AT + 2)
    report = replay_chain(again.store)
    assert report.ok, report.problems
    assert (report.replayed_from, report.blocks) == (SNAPSHOT_AT, 2)
    assert "state sync" in report.notes[0]
    # a record altered behind the node's back fails the check
    again.store.close()
    with sqlite3.connect(tmp_path / "j" / "node.db") as db:
        db.execute("UPDATE state SET value = x'00' WHERE key = "
                   "(SELECT key FROM state ORDER BY key LIMIT 1)")
    altered = replay_chain(NodeStore(tmp_path / "j" / "node.db"))
    assert not altered.ok and any("stored state" in p for p in altered.problems)


def test_a_tampered_chunk_is_fetched_again_and_its_sender_rejected(
        validator: tuple[PlanetAbciApp, Genesis, bytes], tmp_path: Path) -> None:
    v, genesis, app_hash = validator
    s = offered(v)
    j = joiner(tmp_path, genesis)
    assert j.offer_snapshot(pb.OfferSnapshotRequest(snapshot=s, app_hash=app_hash)).result \
        == OFFER.ACCEPT
    assert j.apply_snapshot_chunk(pb.ApplySnapshotChunkRequest(
        index=0, chunk=chunk(v, s, 0), sender="good")).result == APPLY.ACCEPT
    good = chunk(v, s, 1)
    tampered = good[:-1] + bytes([good[-1] ^ 1])
    answer = j.apply_snapshot_chunk(pb.ApplySnapshotChunkRequest(
        index=1, chunk=tampered, sender="liar"))
    assert answer.result == APPLY.RETRY
    assert list(answer.refetch_chunks) == [1] and list(answer.reject_senders) == ["liar"]
    assert j.store.last_height() == 0
    for i in range(1, s.chunks):
        assert j.apply_snapshot_chunk(pb.ApplySnapshotChunkRequest(
            index=i, chunk=chunk(v, s, i), sender="good")).result == APPLY.ACCEPT
    assert j.info(pb.InfoRequest()).last_block_app_hash == app_hash


def test_a_state_that_misses_the_offered_app_hash_is_rejected_and_nothing_kept(
        validator: tuple[PlanetAbciApp, Genesis, bytes], tmp_path: Path) -> None:
    v, genesis, _app_hash = validator
    j = joiner(tmp_path, genesis)
    genesis_hash = j.store.last_app_hash()
    genesis_state = sorted(j.store.load_state())
    results = restore(v, j, b"\x11" * 32)  # CometBFT's light client said otherwise
    assert results[:-1] == [APPLY.ACCEPT] * (len(results) - 1)
    assert results[-1] == APPLY.REJECT_SNAPSHOT
    info = j.info(pb.InfoRequest())
    assert (info.last_block_height, info.last_block_app_hash) == (0, genesis_hash)
    assert sorted(j.store.load_state()) == genesis_state  # the genesis state, untouched
    assert compute_state_root(j.store.load_state()) == genesis_hash
    assert j.store.get_meta(SYNCED_FROM) is None
    assert list(snapshot_dir(j.store.path).iterdir()) == []  # no staged chunk left
    assert j.snapshots.list() == []
    # a chunk after the rejection has no snapshot to go to
    assert j.apply_snapshot_chunk(pb.ApplySnapshotChunkRequest(index=0, chunk=b"")).result \
        == APPLY.ABORT


def test_offers_over_a_chain_or_of_the_wrong_shape_are_refused(
        validator: tuple[PlanetAbciApp, Genesis, bytes], tmp_path: Path) -> None:
    v, genesis, app_hash = validator
    s = offered(v)
    # the validator itself has blocks: never restore over them
    assert v.offer_snapshot(pb.OfferSnapshotRequest(snapshot=s, app_hash=app_hash)).result \
        == OFFER.ABORT
    j = joiner(tmp_path, genesis)

    def offer(**changes: object) -> int:
        fields = {"height": s.height, "format": s.format, "chunks": s.chunks, "hash": s.hash,
                  "metadata": s.metadata, **changes}
        return int(j.offer_snapshot(pb.OfferSnapshotRequest(
            snapshot=pb.Snapshot(**fields), app_hash=app_hash)).result)  # type: ignore[arg-type]

    assert offer(format=2) == OFFER.REJECT_FORMAT
    assert offer(chunks=s.chunks + 1) == OFFER.REJECT  # metadata names fewer chunks
    assert offer(hash=b"\x00" * 32) == OFFER.REJECT  # not the hash of its chunk hashes
    assert offer(metadata=s.metadata[:-1]) == OFFER.REJECT
    assert offer(chunks=0, metadata=s.metadata[:32], hash=snapshots.sha256(b"")) == OFFER.REJECT
    assert offer(height=0) == OFFER.REJECT
    assert offer() == OFFER.ACCEPT
    # chunks out of order: the restore starts over
    assert j.apply_snapshot_chunk(pb.ApplySnapshotChunkRequest(
        index=1, chunk=chunk(v, s, 1))).result == APPLY.RETRY_SNAPSHOT


def test_a_restored_node_accepts_its_own_snapshot_again_without_rewriting(
        validator: tuple[PlanetAbciApp, Genesis, bytes], tmp_path: Path) -> None:
    """A crash after the restore but before CometBFT stored its state: CometBFT syncs
    again, and the app, already at exactly that state, checks the chunks and keeps it."""
    v, genesis, app_hash = validator
    j = joiner(tmp_path, genesis)
    restore(v, j, app_hash)
    before = sorted(j.store.load_state())
    assert all(r == APPLY.ACCEPT for r in restore(v, j, app_hash))
    assert sorted(j.store.load_state()) == before
    assert j.info(pb.InfoRequest()).last_block_height == SNAPSHOT_AT
    block(j, SNAPSHOT_AT + 1)  # once it has a block of its own, no snapshot is taken in
    s = offered(v)
    assert j.offer_snapshot(pb.OfferSnapshotRequest(snapshot=s, app_hash=app_hash)).result \
        == OFFER.ABORT


# --- taking: consistency and keeping ------------------------------------------------------------


def test_a_snapshot_is_of_its_block_while_the_next_commits(tmp_path: Path) -> None:
    """The read transaction begins at the snapshot's block: a block committed while the
    chunks are being written is not in them."""
    genesis, operator, _ = make_genesis(label="statesync-read")
    abci = PlanetAbciApp(NodeStore(tmp_path / "node.db"), genesis)
    txs = chain_txs(operator, 5)
    at_1 = block(abci, 1, txs[0])
    reader = abci.store.begin_read()
    try:
        block(abci, 2, txs[1])
        items = list(reader.iter_state())
    finally:
        reader.close()
    assert CommittedState(items).root() == at_1
    assert [k for k, _ in items] == sorted(k for k, _ in items)
    assert compute_state_root(abci.store.load_state()) == abci.store.last_app_hash() != at_1


def test_snapshots_every_interval_and_only_the_newest_are_kept(tmp_path: Path) -> None:
    genesis, _operator, _ = make_genesis(label="statesync-keep")
    abci = PlanetAbciApp(NodeStore(tmp_path / "node.db"), genesis, snapshot_interval=2,
                         snapshot_keep=2)
    hashes = {}
    for h in range(1, 8):
        hashes[h] = block(abci, h)
        abci.snapshots.wait()
    kept = abci.snapshots.list()
    assert [m.height for m in kept] == [6, 4]
    assert sorted(p.name for p in snapshot_dir(abci.store.path).iterdir()) == ["4", "6"]
    for m in kept:
        assert m.app_hash == hashes[m.height]
        assert CommittedState(abci.snapshots.items(m.height)).root() == hashes[m.height]
    # Snapshots survive a restart; a half-written one an earlier run left is removed.
    abci.store.close()
    (snapshot_dir(abci.store.path) / "8.tmp").mkdir()
    again = PlanetAbciApp(NodeStore(tmp_path / "node.db"), genesis, snapshot_interval=2)
    assert [m.height for m in again.snapshots.list()] == [6, 4]
    assert not (snapshot_dir(abci.store.path) / "8.tmp").exists()
    assert again.load_snapshot_chunk(pb.LoadSnapshotChunkRequest(
        height=5, format=FORMAT, chunk=0)).chunk == b""  # none at 5: CometBFT asks elsewhere
