"""The committed state's backend in the node's SQLite database (`core/state/backend.py`).

Records are rows of `state` (key → encoded record), tree nodes rows of `state_nodes`
(nibble path → encoded node); the engine writes both with each block in the block's one
transaction (`NodeStore.commit_block`). Reads take whatever SQLite holds, as bytes (a hand
edit may leave TEXT): the core checks every one against the tree before using it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from typing import cast

from planet.core.state import prefix_end
from planet.core.state.tree import TreeClass, python_tree
from planet.storage.sqlite import NodeStore

KEY_PAGE = 512
"""Keys fetched per query of a prefix scan: no cursor stays open while the rules read."""


def tree_class() -> TreeClass:
    """The state tree a node opens its state with: the Rust one (native/, module
    `planet_native`, built by scripts/install with cargo) when it is installed and
    PLANET_NATIVE is not "0", else the Python specification, `StateTree`. Both give the same
    roots, rows and errors (tests/property/test_native_tree.py); the native one applies a
    block several times faster."""
    if os.environ.get("PLANET_NATIVE", "1") == "0":
        return python_tree
    try:
        import planet_native
    except ImportError:
        return python_tree
    return cast(TreeClass, planet_native.Tree)


class SqliteStateBackend:
    volatile = False

    def __init__(self, store: NodeStore) -> None:
        self.store = store

    def get_record(self, key: str) -> bytes | None:
        rows = self.store._rows("SELECT CAST(value AS BLOB) FROM state WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def iter_record_keys(self, prefix: str, after: str | None = None) -> Iterator[str]:
        end = prefix_end(prefix)
        if after is not None and after >= prefix:
            rows = self.store._rows("SELECT key FROM state WHERE key > ? AND key < ? "
                                    "ORDER BY key LIMIT ?", (after, end, KEY_PAGE))
        else:
            rows = self.store._rows("SELECT key FROM state WHERE key >= ? AND key < ? "
                                    "ORDER BY key LIMIT ?", (prefix, end, KEY_PAGE))
        while rows:
            for (key,) in rows:
                yield key
            if len(rows) < KEY_PAGE:
                return
            rows = self.store._rows("SELECT key FROM state WHERE key > ? AND key < ? "
                                    "ORDER BY key LIMIT ?", (rows[-1][0], end, KEY_PAGE))

    def get_node(self, path: bytes) -> bytes | None:
        rows = self.store._rows("SELECT CAST(node AS BLOB) FROM state_nodes WHERE path = ?", (path,))
        return rows[0][0] if rows else None

    def write(self, records: Iterable[tuple[str, bytes | None]],
              nodes: Mapping[bytes, bytes | None]) -> None:
        raise TypeError("the stored state is written with its block (NodeStore.commit_block)")
