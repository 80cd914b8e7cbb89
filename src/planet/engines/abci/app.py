"""PlanetAbciApp: the ABCI 2.0 requests of CometBFT, answered by the core Application.

The same calls as the embedded engine makes (`check_tx`, `finalize_block`, `commit`,
`query`), the same NodeStore schema, the same rules. What differs is who sequences:
CometBFT decides the blocks, and this handler executes them.

* FinalizeBlock executes a decided block (header: height, time in ms from the block's
  timestamp, proposer = hex of the proposer's address, hash = CometBFT's block hash,
  which the Lucky Drill's draw mixes in) and answers its tx results and app hash.
* Commit takes the block's writes from the core (`Application.commit`, which also
  reopens the mempool's view on the new state, before CometBFT rechecks its mempool) and
  persists the block, its transactions and its state writes in one SQLite transaction;
  only then are listeners (API, waiters, vault) told.
* Info reports the last persisted height and app hash, so after a crash CometBFT's
  handshake replays exactly the blocks this store lacks. A block that was finalized but
  not committed when CometBFT went away is dropped by reloading the committed state when
  the next FinalizeBlock comes (CometBFT replays it after its handshake).
* InitChain checks the chain id (and the Planet genesis, if the CometBFT genesis carries
  it as app_state) and returns the genesis app hash.
* CheckTx of a new tx decodes it and verifies its signature before taking the app's lock
  (the API's reads and proofs wait on that lock, not on Ed25519), then checks it against
  the mempool's view under the lock.
* CheckTx RECHECK (CometBFT re-offers its whole mempool after every block) checks only the
  sequence (`Application.recheck_tx`): whether the tx is still its sender's next one, or a
  registration opening an account that still does not exist, and advances the sender's
  sequence in the mempool's view; it does not run the messages again. Why that is safe:
  nothing a recheck skips can make two validators disagree or a block carry an invalid
  state change, because FinalizeBlock runs every rule on every tx of a block, whatever a
  mempool said (a proposal may anyway carry txs this node never checked). A tx whose
  messages a block made fail (an invitation code used meanwhile, Force spent or expired, a
  request's escrow refunded at its expiry, a round closed) stays in the mempool and fails
  in its block, where it consumes its sequence and changes nothing else, as a tx a peer
  proposed would: without fees, that costs a slot in a block, not the sender's funds. What
  the sequence rule does catch is what the mempool must not keep: a tx whose sequence a
  block used (included through a peer, or replaced), which could never succeed and would
  otherwise stay forever. The mempool's view then holds the kept txs' sequences but not
  their other effects, so a new tx that depends on one of them (a new resident's first
  act while its registration waits across a block) is refused until that block, and is
  resent; a signature is never skipped, as each kept tx's was verified when first checked.
* Events are marked for CometBFT's indexer only when the psql sink is on (`index_events`):
  Planet's API reads its own store and never /tx_search, and validators without a psql
  sink run with `[tx_index] indexer = "null"` (planet.testnet.network).
* State sync (planet.engines.snapshots): every `snapshot_interval` blocks Commit starts a
  snapshot, written in the background; ListSnapshots and LoadSnapshotChunk serve them. A
  node without blocks accepts an offered snapshot, checks each chunk and the restored
  state's app hash, then reopens on it: its first block is the one after the snapshot.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from planet import __version__
from planet.core.app import Application
from planet.core.errors import AbciRefused, CommitTimeout, PlanetError, QueryError
from planet.core.genesis import Genesis, parse_genesis
from planet.core.messages import Event
from planet.core.transition import BlockHeader, TxResult
from planet.core.tx import compute_tx_hash
from planet.engines.abci import abci_pb2 as pb
from planet.engines.blocks import block_records, compute_tx_root, open_application
from planet.engines.commits import BlockListener
from planet.engines.snapshots import (
    LISTED,
    SYNCED_BLOCK_HASH,
    Offered,
    Restorer,
    SnapshotStore,
    snapshot_dir,
)
from planet.storage.sqlite import BlockRecord, NodeStore, TxRecord

log = logging.getLogger("planet.abci")

ZERO_HASH = b"\x00" * 32
TX_FRAME_OVERHEAD = 1 + 10
"""Bytes a tx costs in a block's protobuf beyond its own length (tag and varint length):
counted when PrepareProposal fits txs within max_tx_bytes."""
COMMIT_WAIT_S = 10.0
"""How long a proven read waits for the Commit of a block already finalized."""
T = TypeVar("T")


def timestamp_ms(ts: Any) -> int:
    """A google.protobuf.Timestamp as milliseconds since the epoch."""
    return int(ts.seconds) * 1000 + int(ts.nanos) // 1_000_000


def add_events(target: Any, events: Iterable[Event], index: bool = True) -> None:
    """Planet events appended to a repeated ABCI Event field as string attributes (JSON for
    anything not a string), marked `index` for CometBFT's indexers (the psql sink stores
    only marked ones). Built in place: half the CPU of building each message and copying
    it into its parent, once for every event of every tx of a block."""
    for event in events:
        out = target.add(type=event.type)
        attributes = out.attributes
        for k, v in event.attributes.items():
            attributes.add(key=str(k), value=v if isinstance(v, str) else orjson.dumps(v).decode(),
                           index=index)


def check_response(result: TxResult) -> pb.CheckTxResponse:
    """CheckTx answer; `data` carries the whole result as JSON so that the node's submit
    (through CometBFT's broadcast_tx_sync) gives clients exactly the embedded answer."""
    return pb.CheckTxResponse(code=result.code, codespace=result.codespace, log=result.log,
                              data=orjson.dumps(result.to_json()))


@dataclass
class _Finalized:
    """A block executed by FinalizeBlock and waiting for Commit to persist it."""

    block: BlockRecord
    records: list[TxRecord]


class PlanetAbciApp:
    """The ABCI handler (see planet.engines.abci.server.Handler) over Application + NodeStore.

    `lock` guards the Application: the ABCI server calls in on its own thread while the
    HTTP API reads (`query`) from others.
    """

    def __init__(self, store: NodeStore, genesis: Genesis, *,
                 on_commit: BlockListener | None = None,
                 on_evict: Callable[[bytes], None] | None = None,
                 snapshot_interval: int = 0, snapshot_keep: int = 2,
                 index_events: bool = True) -> None:
        self.store = store
        self.index_events = index_events
        self.lock = threading.RLock()
        self.committed = threading.Condition(self.lock)  # notified when Commit clears _finalized
        self.app = open_application(store, genesis)
        self.last_block: BlockRecord | None = store.last_block()
        self._height = store.last_height()  # after a state sync, blocks start above 1
        self.snapshots = SnapshotStore(snapshot_dir(store.path), snapshot_interval,
                                       snapshot_keep)
        self.restorer = Restorer(store, self.snapshots)
        self.on_commit = on_commit
        self.on_evict = on_evict
        self._finalized: _Finalized | None = None

    @property
    def genesis(self) -> Genesis:
        return self.app.genesis

    @property
    def height(self) -> int:
        return self._height

    def _prev_hash(self) -> bytes:
        """The hash the next block names as its parent (after a state sync with no block
        yet: the snapshot block's, as its producer stored it)."""
        if self.last_block is not None:
            return self.last_block.hash
        return self.store.get_meta(SYNCED_BLOCK_HASH) or ZERO_HASH

    def _drop_finalized(self) -> None:
        """Forget a block finalized but never committed: back to the persisted state."""
        if self._finalized is None:
            return
        log.warning("dropping uncommitted block %d: reloading the committed state",
                    self._finalized.block.height)
        self._finalized = None
        self.app = open_application(self.store, self.app.genesis)

    # --- info and genesis -------------------------------------------------------------------

    def info(self, req: pb.InfoRequest) -> pb.InfoResponse:
        # Never drops a finalized block here: /abci_info on CometBFT's RPC also lands here.
        with self.lock:
            height = self.store.last_height()
            log.info("Info from CometBFT %s: height %d", req.version or "?", height)
            return pb.InfoResponse(data="planet", version=__version__, app_version=0,
                                   last_block_height=height,
                                   last_block_app_hash=self.store.last_app_hash())

    def init_chain(self, req: pb.InitChainRequest) -> pb.InitChainResponse:
        genesis = self.app.genesis
        if req.chain_id != genesis.chain_id:
            raise AbciRefused(f"CometBFT's chain id {req.chain_id!r} is not Planet's "
                              f"{genesis.chain_id!r}")
        if req.initial_height not in (0, 1):
            raise AbciRefused(f"initial height {req.initial_height}: Planet chains start at 1")
        app_state = req.app_state_bytes.strip()
        if app_state and app_state not in (b"null", b"{}", b'""'):
            carried = parse_genesis(orjson.loads(app_state))
            if carried.hash != genesis.hash:
                raise AbciRefused("the CometBFT genesis carries a different Planet genesis "
                                  "(app_state) from this node's genesis.json")
        if self.store.last_height() != 0:
            raise AbciRefused("InitChain on a store that already holds blocks")
        app_hash = self.store.get_meta("genesis_app_hash") or b""
        log.info("InitChain %s: genesis app hash %s", genesis.chain_id, app_hash.hex())
        return pb.InitChainResponse(app_hash=app_hash)

    # --- reads -------------------------------------------------------------------------------

    def query(self, req: pb.QueryRequest) -> pb.QueryResponse:
        """Path `module/name`, data the JSON arguments; the value is the JSON answer."""
        try:
            args = orjson.loads(req.data) if req.data else {}
            if not isinstance(args, dict):
                raise QueryError("query data must be a JSON object")
            with self.lock:
                value = self.app.query(req.path.strip("/"), args)
                height = self.height
        except PlanetError as err:
            return pb.QueryResponse(code=err.code, codespace=err.codespace, log=err.message)
        except orjson.JSONDecodeError as err:
            return pb.QueryResponse(code=QueryError.code, codespace=QueryError.codespace,
                                    log=f"query data is not JSON: {err}")
        return pb.QueryResponse(code=0, value=orjson.dumps(value), height=height)

    def at_committed(self, read: Callable[[Application], T], timeout_s: float = COMMIT_WAIT_S
                     ) -> T:
        """`read(app)` on the last committed state, for proofs. Between FinalizeBlock and
        Commit the state already holds the next block, whose app hash no stored block has
        yet: wait for its Commit (CometBFT sends it right after), so that a proof's height
        and app hash are those of a block the node serves."""
        with self.committed:
            if not self.committed.wait_for(lambda: self._finalized is None, timeout_s):
                raise CommitTimeout(f"block {self.height + 1} was finalized but not committed "
                                    f"within {timeout_s:g} s; retry")
            return read(self.app)

    # --- mempool ------------------------------------------------------------------------------

    def check_tx(self, req: pb.CheckTxRequest) -> pb.CheckTxResponse:
        recheck = req.type == pb.CHECK_TX_TYPE_RECHECK
        tx_hash = compute_tx_hash(req.tx)
        if recheck:
            with self.lock:
                result = self.app.recheck_tx(req.tx)
                if not result.ok:
                    self.app.forget_verified([tx_hash])
        else:
            try:  # stateless, so outside the lock: reads are not kept waiting on Ed25519
                tx = self.app.decode(req.tx, verify=True)
            except PlanetError as err:
                return check_response(TxResult.failure(err))
            with self.lock:
                result, _tx = self.app.check_tx(req.tx, decoded=tx)
        if recheck:
            if not result.ok and self.on_evict is not None:
                self.on_evict(tx_hash)
            # No `data`: only a broadcast's first CheckTx answers a client; CometBFT reads a
            # recheck's code alone (the JSON was a fifth of a recheck's CPU).
            return pb.CheckTxResponse(code=result.code, codespace=result.codespace,
                                      log=result.log)
        return check_response(result)

    # --- proposals ----------------------------------------------------------------------------

    def prepare_proposal(self, req: pb.PrepareProposalRequest) -> pb.PrepareProposalResponse:
        """CometBFT's mempool order, cut to fit max_tx_bytes."""
        budget = req.max_tx_bytes if req.max_tx_bytes > 0 else None
        txs: list[bytes] = []
        used = 0
        for tx in req.txs:
            cost = len(tx) + TX_FRAME_OVERHEAD
            if budget is not None and used + cost > budget:
                break
            txs.append(tx)
            used += cost
        return pb.PrepareProposalResponse(txs=txs)

    def process_proposal(self, req: pb.ProcessProposalRequest) -> pb.ProcessProposalResponse:
        """Accept a block whose txs all decode (a tx our CheckTx admitted already did)."""
        with self.lock:
            for tx in req.txs:
                if self.app.is_checked(compute_tx_hash(tx)):
                    continue
                try:
                    self.app.decode(tx)
                except PlanetError as err:
                    log.warning("rejecting proposal at height %d: a tx does not decode: %s",
                                req.height, err.message)
                    return pb.ProcessProposalResponse(
                        status=pb.ProcessProposalResponse.REJECT)
        return pb.ProcessProposalResponse(status=pb.ProcessProposalResponse.ACCEPT)

    def extend_vote(self, req: pb.ExtendVoteRequest) -> pb.ExtendVoteResponse:
        return pb.ExtendVoteResponse()

    def verify_vote_extension(self, req: pb.VerifyVoteExtensionRequest
                              ) -> pb.VerifyVoteExtensionResponse:
        return pb.VerifyVoteExtensionResponse(status=pb.VerifyVoteExtensionResponse.ACCEPT)

    # --- execution -----------------------------------------------------------------------------

    def finalize_block(self, req: pb.FinalizeBlockRequest) -> pb.FinalizeBlockResponse:
        with self.lock:
            self._drop_finalized()  # a re-sent height: redo it from the committed state
            expected = self.height + 1
            if req.height != expected:
                raise AbciRefused(f"FinalizeBlock for height {req.height}, but this node's "
                                  f"next block is {expected}")
            time_ms = max(timestamp_ms(req.time), self.app.meta().time)
            proposer = bytes(req.proposer_address).hex().upper()
            header = BlockHeader(req.height, time_ms, proposer, bytes(req.hash))
            raws = list(req.txs)
            result = self.app.finalize_block(header, raws)
            hashes = [compute_tx_hash(raw) for raw in raws]
            tx_root = compute_tx_root(hashes)
            prev = self._prev_hash()
            block, records = block_records(header, prev, tx_root,
                                           list(zip(hashes, raws, strict=True)), result)
            self._finalized = _Finalized(block, records)
        response = pb.FinalizeBlockResponse(app_hash=result.app_hash)
        add_events(response.events, result.events, self.index_events)
        tx_results = response.tx_results
        for r in result.tx_results:
            add_events(tx_results.add(code=r.code, codespace=r.codespace, log=r.log).events,
                       r.events, self.index_events)
        return response

    def commit(self, req: pb.CommitRequest) -> pb.CommitResponse:
        with self.lock:
            done = self._finalized
            if done is None:
                raise AbciRefused("Commit without a finalized block")
            commit = self.app.commit()
            # The one atomic write of the block: nothing is announced before it is durable.
            self.store.commit_block(done.block, done.records, commit.writes, commit.nodes)
            self.app.stored()
            self.last_block = done.block
            self._height = done.block.height
            self._finalized = None
            self.committed.notify_all()
            if self.snapshots.due(done.block.height):
                # The read transaction starts now, under the lock: the snapshot is of
                # exactly this block's state; the chunks are written in the background.
                try:
                    self.snapshots.take(self.store, done.block.height, done.block.app_hash,
                                        done.block.hash)
                except Exception:  # a snapshot must never stop the chain
                    log.exception("could not start the snapshot at height %d",
                                  done.block.height)
        if self.on_commit is not None:
            try:
                self.on_commit(done.block, done.records)
            except Exception:  # a listener must never stop the chain
                log.exception("commit listener failed")
        return pb.CommitResponse(retain_height=0)

    # --- state sync (planet.engines.snapshots) -----------------------------------------------

    def list_snapshots(self, req: pb.ListSnapshotsRequest) -> pb.ListSnapshotsResponse:
        return pb.ListSnapshotsResponse(snapshots=[
            pb.Snapshot(height=m.height, format=m.format, chunks=m.chunks, hash=m.hash,
                        metadata=m.metadata) for m in self.snapshots.list()[:LISTED]])

    def load_snapshot_chunk(self, req: pb.LoadSnapshotChunkRequest
                            ) -> pb.LoadSnapshotChunkResponse:
        return pb.LoadSnapshotChunkResponse(
            chunk=self.snapshots.load_chunk(req.height, req.format, req.chunk))

    def offer_snapshot(self, req: pb.OfferSnapshotRequest) -> pb.OfferSnapshotResponse:
        s = req.snapshot
        with self.lock:
            if self._finalized is not None:  # a block in flight: this node is not empty
                verdict = Offered.ABORT
            else:
                verdict = self.restorer.offer(s.height, s.format, s.chunks, bytes(s.hash),
                                              bytes(s.metadata), bytes(req.app_hash))
        return pb.OfferSnapshotResponse(result=verdict.name)

    def apply_snapshot_chunk(self, req: pb.ApplySnapshotChunkRequest
                             ) -> pb.ApplySnapshotChunkResponse:
        with self.lock:
            answer = self.restorer.apply(req.index, bytes(req.chunk), req.sender)
            if answer.restored:
                # Reopen on the restored state (its root checked against the app hash);
                # Info now answers the snapshot's height and app hash.
                self.app = open_application(self.store, self.app.genesis)
                self.last_block = self.store.last_block()
                self._height = self.store.last_height()
                log.info("state synced: height %d, app hash %s", self._height,
                         self.store.last_app_hash().hex())
        return pb.ApplySnapshotChunkResponse(result=answer.result.name,
                                             refetch_chunks=list(answer.refetch),
                                             reject_senders=list(answer.reject_senders))
