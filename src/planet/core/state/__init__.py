"""The state: records in layers for blocks and transactions, kept in a backend and
committed to by a 16-ary Merkle tree whose root is the app hash.

A newcomer reads it in this order:

- `view.py`: what the rules see. `View` reads; a block works in a `Layer` over the
  committed state and each transaction in a `Layer` over the block's, so a failed
  transaction is dropped with its layer. `RecordingView` notes what a query read, to
  prove each record of its answer.
- `tree.py`: the tree, keyed by SHA-256 of the state key; its hashes, its node format, the
  incremental update of one block, and `compute_state_root` from scratch.
- `committed.py`: `CommittedState`, the records as of the last block, read through bounded
  caches and checked against the tree as they come off the backend.
- `backend.py`: the one interface storage implements (`StateBackend`), and `MemoryBackend`.
- `cache.py`: the bounded cache that keeps memory independent of the number of records.
- `proofs.py`: a read with a proof, and `verify_proof`, which needs only the app hash.
"""

from planet.core.state.backend import MemoryBackend, StateBackend
from planet.core.state.cache import BoundedCache
from planet.core.state.committed import CommittedState
from planet.core.state.proofs import Proof, ProofNode, prove, verify_proof
from planet.core.state.tree import (
    EMPTY_ROOT,
    NodeWrites,
    StateTree,
    build_tree,
    compute_state_root,
)
from planet.core.state.view import DELETED, MISSING, Layer, RecordingView, View, prefix_end

__all__ = ["DELETED", "EMPTY_ROOT", "MISSING", "BoundedCache", "CommittedState", "Layer",
           "MemoryBackend", "NodeWrites", "Proof", "ProofNode", "RecordingView", "StateBackend",
           "StateTree", "View", "build_tree", "compute_state_root", "prefix_end", "prove", "verify_proof"]
