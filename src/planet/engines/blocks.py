"""What every engine does with a block the same way: open the application over the
store, and turn an executed block into the records the store keeps.

Both engines (`embedded.py` and the CometBFT side, `abci/app.py`) import these from here,
so neither reaches into the other's module.
"""

from __future__ import annotations

from collections.abc import Sequence

from planet.core.app import Application, BlockResult
from planet.core.encoding import canonical_json, sha256
from planet.core.errors import PlanetError, StateMismatch
from planet.core.genesis import Genesis, parse_genesis
from planet.core.state import CommittedState
from planet.core.transition import BlockHeader
from planet.storage.sqlite import STATE_FORMAT, BlockRecord, NodeStore, TxRecord
from planet.storage.state_store import SqliteStateBackend, tree_class


def open_application(store: NodeStore, genesis: Genesis | None) -> Application:
    """The app over the store's committed state; a new store gets the genesis state.

    Every engine opens its store this way: the store must come from this genesis, and the
    root of its state tree must hash to the last committed app hash. That reads one node,
    whatever the size of the state; every other node and record is checked against the
    tree as it is first read, so the node never serves or signs on altered state.
    """
    doc = store.genesis_document()
    if doc is None:
        if genesis is None:
            raise PlanetError(f"{store.path} holds no chain and no genesis was given")
        app = Application(genesis)
        app.init_chain()
        commit = app.commit()
        store.save_genesis(canonical_json(genesis.document), commit.writes, commit.nodes,
                           commit.app_hash)
        return Application(genesis, open_state(store))
    stored = parse_genesis(doc)
    if genesis is not None and genesis.hash != stored.hash:
        raise PlanetError("this node's database was made from a different genesis")
    if store.state_format() != STATE_FORMAT:
        raise PlanetError(
            f"{store.path} was made by an earlier Planet, before the state tree was kept on "
            "disk, and its app hashes are of the old form: run `planet migrate` (with its "
            "--home) to replay its blocks into a database of the current form")
    return Application(stored, open_state(store))


def open_state(store: NodeStore) -> CommittedState:
    """The stored state, checked at its root against the last committed app hash."""
    expected = store.last_app_hash()
    try:
        return CommittedState(backend=SqliteStateBackend(store), root=expected,
                              tree_class=tree_class())
    except StateMismatch as err:
        raise StateMismatch(f"the stored state does not match the last committed app hash "
                            f"{expected.hex()[:16]}… ({err.message}). Run `planet verify`."
                            ) from None


def compute_tx_root(tx_hashes: Sequence[bytes]) -> bytes:
    return sha256(b"".join(tx_hashes))


def block_records(header: BlockHeader, prev: bytes, tx_root: bytes,
                  batch: Sequence[tuple[bytes, bytes]],
                  result: BlockResult) -> tuple[BlockRecord, list[TxRecord]]:
    """What the store keeps of an executed block: its record (with its begin-step events)
    and one per (hash, raw) tx, the same for both engines."""
    block = BlockRecord(header.height, header.hash, prev, header.time, result.app_hash,
                        tx_root, len(batch), header.proposer,
                        tuple(e.to_json() for e in result.events))
    records = [TxRecord(h, header.height, i, raw, r.code, r.to_json())
               for i, ((h, raw), r) in enumerate(zip(batch, result.tx_results, strict=True))]
    return block, records
