"""What the native state tree saves a block: the ledger bench's own blocks, replayed through
both trees in one process.

`planet bench ledger` runs once (smaller with --txs) with `CommittedState.apply` recording
each block's encoded writes; then the same writes are replayed, alternately through the
Python `StateTree` and the native `planet_native.Tree`, each over an in-memory node store
with the node cache the node uses (NODE_CACHE), `update` + storing the rows + `saved()` timed
in thread CPU time. Reports the median CPU per tx of the timed phase's blocks (the 3 small
txs a resident), per tree, and of an absent-key `leaf_value_hash` (check_tx's lookup).
Usage: PYTHONPATH=src .venv/bin/python bench/native_tree.py [txs] [rounds]
"""

from __future__ import annotations

import hashlib
import importlib
import os
import statistics
import sys
import time
from typing import Any

from planet.bench import ledger
from planet.core.state.cache import BoundedCache
from planet.core.state.committed import NODE_CACHE, CommittedState
from planet.core.state.tree import EMPTY_ROOT, StateTree

Block = list[tuple[str, bytes | None]]


def record(n_txs: int) -> tuple[list[Block], int]:
    """The ledger bench's blocks' writes, and the index of the first timed-phase block."""
    blocks: list[Block] = []
    first_timed = [-1]
    apply = CommittedState.apply
    drive = ledger._drive

    def recording_apply(self: CommittedState, writes: Any) -> Any:
        encoded, nodes = apply(self, writes)
        blocks.append(list(encoded))
        return encoded, nodes

    def marked_drive(*args: Any, **kwargs: Any) -> Any:
        first_timed[0] = len(blocks)
        return drive(*args, **kwargs)

    CommittedState.apply = recording_apply  # type: ignore[method-assign]
    ledger._drive = marked_drive  # type: ignore[assignment]
    try:
        ledger.run_ledger_bench(n_txs, progress=False)
    finally:
        CommittedState.apply = apply  # type: ignore[method-assign]
        ledger._drive = drive  # type: ignore[assignment]
    return blocks, first_timed[0]


def replay(make: Any, blocks: list[Block], first_timed: int) -> tuple[float, bytes]:
    """Thread CPU seconds of the timed blocks' update + store + saved, and the final root."""
    nodes: dict[bytes, bytes] = {}
    tree = make(nodes.get)
    spent = 0.0
    for n, writes in enumerate(blocks):
        start = time.thread_time()
        rows = tree.update(writes)
        for path, raw in rows.items():
            if raw is None:
                nodes.pop(path, None)
            else:
                nodes[path] = raw
        tree.saved()
        if n >= first_timed:
            spent += time.thread_time() - start
    return spent, tree.root()


def absent_reads(make: Any, blocks: list[Block], n: int = 20_000) -> float:
    """Thread CPU µs of one leaf_value_hash of an absent key, over the replayed state."""
    nodes: dict[bytes, bytes] = {}
    tree = make(nodes.get)
    for writes in blocks:
        nodes.update({p: r for p, r in tree.update(writes).items() if r is not None})
        tree.saved()
    keys = [hashlib.sha256(f"absent/{i}".encode()).digest() for i in range(n)]
    start = time.thread_time()
    for key in keys:
        tree.leaf_value_hash(key)
    return (time.thread_time() - start) / n * 1e6


def main() -> None:
    n_txs = int(sys.argv[1]) if len(sys.argv) > 1 else 40_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    native = importlib.import_module("planet_native").Tree
    os.environ["PLANET_NATIVE"] = "0"  # the recording run itself on the Python tree
    blocks, first_timed = record(n_txs)
    timed_txs = n_txs
    print(f"{len(blocks)} blocks, timed phase from block {first_timed}, "
          f"{sum(len(b) for b in blocks[first_timed:])} writes in it; load {os.getloadavg()[0]:.2f}")
    makers = {
        "python": lambda load: StateTree(load, EMPTY_ROOT, BoundedCache(NODE_CACHE)),  # type: ignore[arg-type]
        "native": lambda load: native(load, EMPTY_ROOT, NODE_CACHE),
    }
    per_tx: dict[str, list[float]] = {k: [] for k in makers}
    reads: dict[str, list[float]] = {k: [] for k in makers}
    roots = set()
    for _ in range(rounds):
        for name, make in makers.items():
            spent, root = replay(make, blocks, first_timed)
            roots.add(root)
            per_tx[name].append(spent / timed_txs * 1e6)
            reads[name].append(absent_reads(make, blocks))
    assert len(roots) == 1, "the two trees disagree"
    for name in makers:
        print(f"{name}: tree update+saved {statistics.median(per_tx[name]):.1f} µs/tx "
              f"(runs {', '.join(f'{x:.1f}' for x in per_tx[name])}); absent-key "
              f"leaf_value_hash {statistics.median(reads[name]):.2f} µs")
    print(f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
