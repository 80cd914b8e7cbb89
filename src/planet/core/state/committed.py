"""The committed state: records as of the last block, read from a backend through bounded
caches and checked against the tree on the way in.

Reading a record: the decoded-record cache; else the records of blocks applied but not yet
stored (`unsaved`); else the tree: no leaf, no record; a leaf, and the backend's bytes must
hash to its value hash (and be there), or the read raises `StateMismatch`. Tree nodes are
checked the same way as they are loaded (each against its parent, the root against the app
hash given at opening), so nothing read from disk is used unless it is what the app hash
commits to. Opening reads one node; memory is the two
caches, whatever the number of records.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import Any

from planet.core.errors import StateMismatch
from planet.core.records import R, Record
from planet.core.state.backend import MemoryBackend, StateBackend
from planet.core.state.cache import BoundedCache
from planet.core.state.proofs import Proof, prove
from planet.core.state.tree import (
    EMPTY_ROOT,
    NodeWrites,
    Tree,
    TreeClass,
    build_tree,
    hash_key,
    hash_value,
    python_tree,
)
from planet.core.state.view import MISSING, View, merge_keys, overlay_keys

ABSENT: Any = object()
"""What the record cache holds for a key read and found missing."""
RECORD_CACHE = 200_000
"""Decoded records kept; about 100 MB at most, and what bounds a node's memory."""
NODE_CACHE = 120_000
"""Tree nodes kept: the upper four levels of a 10^7-resident tree (69,905 nodes) and the
nodes the last blocks rewrote; up to about 150 MB when every one is a full node. A miss is
a SQLite read, which gives up the GIL and may wait to get it back behind the signature
threads: misses cost far more than their microseconds of I/O."""

Writes = list[tuple[str, bytes | None]]


class CommittedState(View):
    """Everything as of the last committed block.

    `CommittedState(items)` holds the given records in memory (tests, replays);
    `CommittedState(backend=…, root=…)` reads a stored state whose app hash is `root`.
    `tree_class` is the tree's implementation: the specification's by default; a node
    passes the native one when it has it (`planet.storage.state_store.tree_class`).
    """

    def __init__(self, items: Iterable[tuple[str, bytes]] = (), *,
                 backend: StateBackend | None = None, root: bytes | None = None,
                 record_cache: int = RECORD_CACHE, node_cache: int = NODE_CACHE,
                 tree_class: TreeClass = python_tree) -> None:
        if backend is None:
            memory = MemoryBackend()
            pairs = list(items)
            built = build_tree(pairs)
            memory.write(pairs, built.rows)
            backend, root = memory, built.root
        elif root is None:
            raise ValueError("a stored state is opened with the app hash it must match")
        self.backend = backend
        self._lock = threading.RLock()
        # Decoded records, and ABSENT for keys read and found missing (a new resident's
        # account is looked up by check_tx and again by its block).
        self._values: BoundedCache[str, Any] = BoundedCache(record_cache)
        self._unsaved: dict[str, bytes | None] = {}
        self._unsaved_sorted: list[str] | None = []
        self.tree: Tree = tree_class(backend.get_node, root, node_cache)
        self.tree.node(b"", root)  # the root node must be there and match: checked now

    # --- reads -----------------------------------------------------------------------------

    def is_empty(self) -> bool:
        return self.tree.root() == EMPTY_ROOT

    def _raw(self, key: str) -> bytes | None:
        """The encoded record, checked against the tree (call with the lock held)."""
        if key in self._unsaved:
            return self._unsaved[key]
        # The tree first: a key it does not hold is absent, whatever the records table says
        # (most reads of absent keys, such as a new resident's account, never touch disk).
        value_hash = self.tree.leaf_value_hash(hash_key(key))
        if value_hash is None:
            return None
        raw = self.backend.get_record(key)
        if raw is not None and not isinstance(raw, bytes):
            raw = str(raw).encode()  # SQLite is typed per value: a hand edit may leave TEXT
        if raw is None or hash_value(raw) != value_hash:
            raise StateMismatch(f"the stored record {key!r} is not the one the app hash commits "
                                "to; the database was altered. Run `planet verify`.")
        return raw

    def _lookup(self, key: str) -> Any:
        value = self._values.peek(key)
        if value is not None:
            return MISSING if value is ABSENT else value
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                return MISSING if value is ABSENT else value
            raw = self._raw(key)
            if raw is None:
                self._values[key] = ABSENT
                return MISSING
        return raw

    def get(self, key: str, cls: type[R]) -> R | None:
        value = self._values.peek(key)  # the hot path: no lock
        if value is not None:
            return None if value is ABSENT else value
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                return None if value is ABSENT else value
            raw = self._raw(key)
            if raw is None:
                self._values[key] = ABSENT
                return None
            decoded = cls.decode(raw)
            self._values[key] = decoded
        return decoded

    def get_raw(self, key: str) -> bytes | None:
        with self._lock:
            return self._raw(key)

    def iter_keys(self, prefix: str, after: str | None = None) -> Iterator[str]:
        with self._lock:
            if self._unsaved_sorted is None:  # sorted once per block, when first scanned
                self._unsaved_sorted = sorted(self._unsaved)
            mine = overlay_keys(self._unsaved_sorted, prefix, after)
            written = {k: self._unsaved[k] for k in mine}
        return merge_keys(self._checked_keys(prefix, after), mine, written)

    def _checked_keys(self, prefix: str, after: str | None) -> Iterator[str]:
        """The backend's keys, each of which the tree must hold: a row slipped into the table
        would otherwise reach the rules that read keys alone (time-ordered indexes)."""
        tree = self.tree
        for key in self.backend.iter_record_keys(prefix, after):
            with self._lock:
                if tree.leaf_value_hash(hash_key(key)) is None:
                    raise StateMismatch(f"the stored state lists a record {key!r} that the app "
                                        "hash does not commit to; the database was altered. "
                                        "Run `planet verify`.")
            yield key

    def items(self) -> Iterator[tuple[str, bytes]]:
        for key in self.iter_keys(""):
            raw = self.get_raw(key)
            if raw is not None:
                yield key, raw

    def __len__(self) -> int:
        return sum(1 for _ in self.iter_keys(""))

    def root(self) -> bytes:
        return self.tree.root()

    def prove(self, key: str, height: int) -> Proof:
        """The proof of `key`'s value (or absence) under the current app hash."""
        with self._lock:
            return prove(self.tree, key, self._raw(key), height)

    # --- writes ----------------------------------------------------------------------------

    def apply(self, writes: dict[str, Record | None]) -> tuple[Writes, NodeWrites]:
        """Fold a block's writes in; returns them encoded (records in key order, tree
        nodes) for the engine to store with the block, then to report with `saved()`."""
        encoded: Writes = [(k, None if writes[k] is None else writes[k].encode())  # type: ignore[union-attr]
                           for k in sorted(writes)]
        with self._lock:
            nodes = self.tree.update(encoded)
            self._unsaved_sorted = None
            for key, raw in encoded:
                self._unsaved[key] = raw
                value = writes[key]
                self._values[key] = ABSENT if value is None else value
            if self.backend.volatile:
                self.backend.write(encoded, nodes)
                self._saved()
        return encoded, nodes

    def saved(self) -> None:
        """The engine stored every write `apply` returned since the last call."""
        with self._lock:
            self._saved()

    def _saved(self) -> None:
        self.tree.saved()
        self._unsaved.clear()
        self._unsaved_sorted = []

    def discard(self) -> None:
        """Forget blocks applied but never stored: back to the stored state."""
        with self._lock:
            self.tree.discard()
            for key in self._unsaved:
                self._values.pop(key)
            self._unsaved.clear()
            self._unsaved_sorted = []


__all__ = ["MISSING", "CommittedState", "View"]
