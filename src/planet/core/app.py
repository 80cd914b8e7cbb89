"""The application, in the shape of an ABCI application.

`init_chain`, `check_tx`, `finalize_block`, `commit`, `query`, `info`: the embedded engine
calls these directly; the CometBFT adapter calls them from ABCI requests. The app reads
the committed state through its backend and hands the engine, at `commit`, the exact
record and tree-node writes to persist with the block in one atomic batch, then hears
from the engine (`stored`) that they are durable; it never writes to storage itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from planet.core.accounts.rules import get_account, increment_sequence
from planet.core.chain import META_KEY, ChainMeta, get_meta
from planet.core.errors import (
    BadSignature,
    BlobRefused,
    InternalQueryError,
    InvalidField,
    Missing,
    NotFound,
    PlanetError,
    QueryError,
    SequenceReused,
    SequenceSkipped,
    StateMismatch,
)
from planet.core.genesis import Genesis
from planet.core.messages import Event
from planet.core.state import CommittedState, Layer, NodeWrites, Proof, RecordingView, View
from planet.core.transition import (
    MODULES,
    ROUTER,
    BlockHeader,
    TxResult,
    authenticate_tx,
    init_chain,
    process_block_start,
    process_tx,
    refuse_unexpected,
)
from planet.core.tx import Tx, compute_tx_hash, decode_tx, verify_tx_signature

Writes = list[tuple[str, bytes | None]]
log = logging.getLogger("planet.core")

MAX_STATE_KEY = 256
"""The longest key a proof may be asked for; the rules' own keys are under 160 characters."""
_STATE_KEY = re.compile(r"[a-z_]+/[!-~]+")


def check_state_key(key: str) -> str:
    """A key shaped as the rules write them (`module/table/id…`: visible ASCII, at most
    MAX_STATE_KEY characters). Anything else cannot be in the state; it is refused as bad
    input rather than proven absent, so a typo is not answered with a valid proof."""
    if len(key) > MAX_STATE_KEY:
        raise InvalidField(f"key: a state key is at most {MAX_STATE_KEY} characters, "
                           f"not {len(key)}")
    if not _STATE_KEY.fullmatch(key):
        raise InvalidField("key: a state key is 'module/…' in visible ASCII (no spaces or "
                           "control characters), e.g. 'emission/holder/planet1…'")
    return key


@dataclass(frozen=True, slots=True)
class AppInfo:
    chain_id: str
    height: int
    app_hash: bytes
    time: int


@dataclass(slots=True)
class BlockResult:
    height: int
    app_hash: bytes
    tx_results: list[TxResult]
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ProvenAnswer:
    """A query's answer with a proof of every record it read, all at one committed height.

    `scans` lists the prefixes the query scanned: proofs of single keys cannot show that a
    scan saw every key under a prefix, so an answer with scans is proven only in part.
    """

    value: Any
    height: int
    app_hash: bytes
    reads: tuple[Proof, ...]
    scans: tuple[str, ...] = ()

    def proof_json(self) -> dict[str, Any]:
        return {"height": self.height, "app_hash": self.app_hash.hex(),
                "reads": [p.to_json() for p in self.reads], "scans": list(self.scans)}


@dataclass(frozen=True, slots=True)
class CommitResult:
    height: int
    app_hash: bytes
    writes: Writes
    nodes: NodeWrites = field(default_factory=dict)


class Application:
    """One chain's state machine. Deterministic: same genesis and blocks, same app hash."""

    def __init__(self, genesis: Genesis, state: CommittedState | None = None) -> None:
        self.genesis = genesis
        self.params = genesis.params
        self.state = state if state is not None else CommittedState()
        self._pending: tuple[Writes, NodeWrites] | None = None
        self._checked: dict[bytes, Tx] = {}
        self._check = Layer(self.state)
        self._recheck_new: dict[str, int] = {}
        """Senders without an account whose registration or application a recheck kept (no
        account or key count in the mempool's view yet), with the next sequence their kept
        txs must have."""
        self._modules = {m.name: m for m in MODULES}
        self._check_header: BlockHeader | None = None
        """The header a mempool check runs under (the next height, the last block's time):
        read from chain/meta once per state rather than once per CheckTx; dropped whenever
        the state changes (`_state_changed`)."""

    # --- lifecycle ------------------------------------------------------------------------

    def info(self) -> AppInfo:
        if self.state.is_empty():
            return AppInfo(self.genesis.chain_id, 0, b"", self.genesis.genesis_time)
        meta = get_meta(self.state)
        return AppInfo(meta.chain_id, meta.height, self.state.root(), meta.time)

    def init_chain(self) -> bytes:
        if not self.state.is_empty():
            raise PlanetError("init_chain on a chain that already has state")
        layer = Layer(self.state)
        init_chain(layer, self.genesis)
        self._pending = self.state.apply(layer.writes)
        self._check_header = None
        return self.state.root()

    def decode(self, raw: bytes, *, verify: bool = False) -> Tx:
        """Every stateless check of `raw` (and its signature if `verify`). Raises only
        PlanetErrors: anything else is a bug, refused as `InternalTxError`."""
        try:
            tx = decode_tx(raw, params=self.params, router=ROUTER,
                           chain_id=self.genesis.chain_id)
            if verify:
                verify_tx_signature(tx)
        except PlanetError:
            raise
        except MemoryError:
            raise
        except Exception as err:
            raise refuse_unexpected(err, "decoding") from None
        return tx

    def check_tx(self, raw: bytes, *, signature_checked: bool = False,
                 block: tuple[Layer, BlockHeader] | None = None,
                 decoded: Tx | None = None) -> tuple[TxResult, Tx | None]:
        """Mempool admission: every check a block would make, against pending state.

        `signature_checked` lets an engine that verified the signature on another thread
        skip doing it twice; an accepted tx is remembered (decoded and verified) so that
        `finalize_block` of this node, and a recheck after each block, do not redo the work.
        `block` runs the tx in the engine's own view of the next block instead (its layer,
        with `process_block_start` already applied, and its header), so that a block of
        exactly those txs can be committed from it (`commit_checked`) without running them
        again. `decoded` is `raw` as `decode(raw, verify=True)` gave it, done by the engine
        outside its lock.
        """
        tx = decoded if decoded is not None else self._checked.get(compute_tx_hash(raw))
        if tx is None:
            try:
                tx = self.decode(raw, verify=not signature_checked)
            except PlanetError as err:
                return TxResult.failure(err), None
        if block is None:
            header = self._check_header
            if header is None:
                meta = get_meta(self.state)
                header = self._check_header = BlockHeader(meta.height + 1, meta.time)
            view = self._check
        else:
            view, header = block
        result = process_tx(view, tx, header, self.genesis, in_block=False)
        if result.ok:
            self._checked[tx.hash] = tx
        return result, tx

    def finalize_block(self, header: BlockHeader, txs: Iterable[bytes]) -> BlockResult:
        layer = Layer(self.state)
        events = process_block_start(layer, header, self.genesis)
        results: list[TxResult] = []
        for raw in txs:
            tx = self._checked.pop(compute_tx_hash(raw), None)
            if tx is None:
                try:
                    tx = self.decode(raw, verify=True)
                except PlanetError as err:
                    results.append(TxResult.failure(err))
                    continue
            results.append(process_tx(layer, tx, header, self.genesis, in_block=True))
        self._pending = self.state.apply(layer.writes)
        self._check_header = None
        return BlockResult(header.height, self.state.root(), results, events)

    def recheck_tx(self, raw: bytes) -> TxResult:
        """CometBFT's recheck after a block, of a tx this node accepted before it: only the
        sequence rule (`authenticate_tx`: the sender's next sequence, or a registration
        opening a new account) against the mempool's view, whose sequence it then advances;
        the messages are not run. Why that is safe is in planet.engines.abci.app. A tx not
        remembered as checked gets the full check."""
        tx = self._checked.get(compute_tx_hash(raw))
        if tx is None:
            return self.check_tx(raw)[0]
        try:
            pending = self._recheck_new.get(tx.sender)
            if pending is not None:  # its registration is still pending: no account yet
                if tx.sequence != pending:
                    raise (SequenceReused if tx.sequence < pending else SequenceSkipped)(
                        f"sequence {tx.sequence}; next is {pending}")
                self._recheck_new[tx.sender] = pending + 1
                return TxResult()
            authenticate_tx(self._check, tx)
        except StateMismatch:
            raise
        except PlanetError as err:
            return TxResult.failure(err)
        if get_account(self._check, tx.sender) is None:
            self._recheck_new[tx.sender] = tx.sequence + 1  # a registrant's 0, an applicant's n
        else:
            increment_sequence(self._check, tx.sender)
        return TxResult()

    def commit_checked(self, header: BlockHeader, layer: Layer, tx_hashes: Iterable[bytes],
                       results: list[TxResult], events: list[Event]) -> BlockResult:
        """Finalize a block from a layer the engine already ran it in: `process_block_start`
        at `header` over the committed state, then each tx of the block in order through
        `check_tx(block=…)`, every one accepted (an accepted tx's result in a block is the
        one check_tx gave). The engine vouches for that; the writes, app hash and results
        are then those `finalize_block` would give, without executing anything again."""
        self.forget_verified(tx_hashes)
        self._pending = self.state.apply(layer.writes)
        self._check_header = None
        return BlockResult(header.height, self.state.root(), results, events)

    def commit(self) -> CommitResult:
        """Hand the block's writes to the engine and reopen the mempool's view."""
        if self._pending is None:
            raise PlanetError("commit without a finalized block")
        (writes, nodes), self._pending = self._pending, None
        self._check = Layer(self.state)
        self._check_header = None
        self._recheck_new.clear()
        info = self.info()
        return CommitResult(info.height, info.app_hash, writes, nodes)

    def stored(self) -> None:
        """The engine persisted what `commit` handed it."""
        self.state.saved()

    def is_checked(self, tx_hash: bytes) -> bool:
        """Whether this node's `check_tx` accepted the tx and still holds it decoded and
        verified (until a block includes it or the engine forgets it)."""
        return tx_hash in self._checked

    def forget_verified(self, hashes: Iterable[bytes]) -> None:
        """Drop remembered checks of txs the engine evicted from its mempool."""
        for h in hashes:
            self._checked.pop(h, None)

    # --- reads ----------------------------------------------------------------------------

    def meta(self) -> ChainMeta:
        return get_meta(self.state)

    def query(self, path: str, args: Mapping[str, Any] | None = None) -> Any:
        """`module/name`, e.g. `accounts/account` with {"address": …}."""
        return self._query(self.state, path, args)

    def state_height(self) -> int:
        """The height the state is at: the one its app hash belongs to (0 before genesis)."""
        return 0 if self.state.is_empty() else get_meta(self.state).height

    def prove(self, key: str) -> Proof:
        """The proof of one record (or of its absence) under the state's app hash.

        The engine calls it as it calls `query`, under the lock that keeps blocks out."""
        return self.state.prove(check_state_key(key), self.state_height())

    def query_proven(self, path: str, args: Mapping[str, Any] | None = None) -> ProvenAnswer:
        """`query`, with a proof of each record the query read (and of `chain/meta` first,
        which ties the app hash to its height and to the genesis whose parameters the query
        used), so that a client can re-run the query on the proven records alone."""
        recorder = RecordingView(self.state)
        value = self._query(recorder, path, args)
        height = self.state_height()
        keys = [META_KEY, *(k for k in recorder.keys if k != META_KEY)]
        return ProvenAnswer(value, height, self.state.root(),
                            tuple(self.state.prove(k, height) for k in keys),
                            tuple(recorder.prefixes))

    def _query(self, view: View, path: str, args: Mapping[str, Any] | None) -> Any:
        module_name, _, name = path.partition("/")
        module = self._modules.get(module_name)
        handler = module.queries.get(name) if module is not None else None
        if handler is None:
            raise NotFound(f"unknown query path '{path}'")
        try:
            return handler(view, dict(args or {}), self.params)
        except StateMismatch:
            raise  # altered storage: never answered as a refusal of the query
        except (QueryError, InvalidField, BlobRefused, Missing):
            raise  # kept whole: BlobRefused for the blob store's 403, Missing for a 404
        except PlanetError as err:
            raise QueryError(err.message) from None
        except MemoryError:
            raise
        except Exception as err:  # a bug: never a crash of the caller (HTTP, ABCI)
            log.exception("BUG: query %s raised %s", path, type(err).__name__)
            raise InternalQueryError(f"the node failed on query '{path}' "
                                     f"({type(err).__name__}): a bug, logged") from None


__all__ = ["MAX_STATE_KEY", "AppInfo", "Application", "BadSignature", "BlockHeader",
           "BlockResult", "CommitResult", "ProvenAnswer", "TxResult", "check_state_key"]
