"""The state tree: a 16-ary Merkle tree keyed by SHA-256 of the state key.

Every record is a leaf at a path of 64 nibbles, the hex digits of `SHA-256(key)`. A leaf
sits as high as it can: as the child of the deepest internal node whose prefix another
key shares too, so the shape depends only on the set of keys (never on the order they
came in) and a path is about log16(n) nodes long. The hashes (SHA-256, domain-separated):

    leaf(key, value)  = H(0x00 ‖ H(key) ‖ H(value))
    internal node     = H(0x01 ‖ bitmap ‖ leafmap ‖ hashes of the present children)

`bitmap` (2 bytes, big-endian) has bit i set when child i (nibble i) is present, and
`leafmap` when that child is a leaf; children are hashed in nibble order. The root is the
internal node at the empty path, always present (an empty state hashes to the node with no
children), and its hash is the app hash.

A node is stored at its nibble path (one byte per nibble) as bitmap ‖ leafmap ‖ one entry
per child: a leaf's key hash and value hash (64 bytes) or an internal child's hash (32), so
a node read from disk is checked against the hash its parent holds before it is used, and
a leaf names its key hash, which is what a lookup or a proof of absence needs.

Costs: a block rewrites each node on the paths of its writes once (the paths share their
upper levels), one SHA-256 over at most 16 hashes each; a read walks about log16(n) nodes,
the upper ones always cached; a proof is one node per level, at most 15 sibling hashes each.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from planet.core.errors import StateMismatch

LEAF = b"\x00"
INTERNAL = b"\x01"
ROOT_PATH = b""
KEY_NIBBLES = 64


def hash_key(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def hash_value(value: bytes) -> bytes:
    return hashlib.sha256(value).digest()


def hash_leaf(key_hash: bytes, value_hash: bytes) -> bytes:
    return hashlib.sha256(LEAF + key_hash + value_hash).digest()


def nibble(key_hash: bytes, depth: int) -> int:
    byte = key_hash[depth >> 1]
    return byte & 0x0F if depth & 1 else byte >> 4


def nibble_path(key_hash: bytes, depth: int) -> bytes:
    """The first `depth` nibbles of a key hash, one byte each: where a node is stored."""
    return bytes(nibble(key_hash, d) for d in range(depth))


class Node:
    """An internal node: its children's hashes, and the key and value hash of each leaf."""

    __slots__ = ("hashes", "leaves")

    def __init__(self) -> None:
        self.hashes: list[bytes | None] = [None] * 16
        self.leaves: dict[int, tuple[bytes, bytes]] = {}

    def set_leaf(self, i: int, key_hash: bytes, value_hash: bytes) -> None:
        self.hashes[i] = hash_leaf(key_hash, value_hash)
        self.leaves[i] = (key_hash, value_hash)

    def set_node(self, i: int, node_hash: bytes) -> None:
        self.hashes[i] = node_hash
        self.leaves.pop(i, None)

    def clear(self, i: int) -> None:
        self.hashes[i] = None
        self.leaves.pop(i, None)

    def maps(self) -> tuple[int, int]:
        bitmap = 0
        for i, h in enumerate(self.hashes):
            if h is not None:
                bitmap |= 1 << i
        leafmap = 0
        for i in self.leaves:
            leafmap |= 1 << i
        return bitmap, leafmap

    def hash(self) -> bytes:
        bitmap, leafmap = self.maps()
        return hashlib.sha256(INTERNAL + bitmap.to_bytes(2, "big") + leafmap.to_bytes(2, "big")
                              + b"".join(h for h in self.hashes if h is not None)).digest()

    def encode(self) -> bytes:
        bitmap, leafmap = self.maps()
        parts = [bitmap.to_bytes(2, "big"), leafmap.to_bytes(2, "big")]
        for i, h in enumerate(self.hashes):
            if h is None:
                continue
            leaf = self.leaves.get(i)
            parts.append(leaf[0] + leaf[1] if leaf is not None else h)
        return b"".join(parts)

    @classmethod
    def decode(cls, raw: bytes) -> Node:
        """Parse a stored node (its hash is checked by the caller, against the parent's)."""
        if len(raw) < 4:
            raise StateMismatch("a stored state-tree node is truncated")
        bitmap = int.from_bytes(raw[0:2], "big")
        leafmap = int.from_bytes(raw[2:4], "big")
        if leafmap & ~bitmap:
            raise StateMismatch("a stored state-tree node marks an absent child as a leaf")
        node = cls()
        pos = 4
        for i in range(16):
            if not bitmap >> i & 1:
                continue
            if leafmap >> i & 1:
                entry = raw[pos:pos + 64]
                pos += 64
                if len(entry) != 64:
                    raise StateMismatch("a stored state-tree node is truncated")
                node.set_leaf(i, entry[:32], entry[32:])
            else:
                entry = raw[pos:pos + 32]
                pos += 32
                if len(entry) != 32:
                    raise StateMismatch("a stored state-tree node is truncated")
                node.set_node(i, entry)
        if pos != len(raw):
            raise StateMismatch("a stored state-tree node has trailing bytes")
        return node

    def child_count(self) -> int:
        return sum(1 for h in self.hashes if h is not None)


EMPTY_ROOT = Node().hash()
"""The app hash of a state with no records."""

# A slot's content during an update: nothing, a leaf (key hash, value hash), or an
# internal node (its hash; the node itself is in the tree's nodes).
Slot = None | tuple[bytes, bytes] | bytes

NodeWrites = dict[bytes, bytes | None]
"""Node rows to store (path → encoded node, None deletes), one block's worth."""


class StateTree:
    """The tree over a node source, updated one block at a time.

    `load(path)` returns a stored node's bytes. A node read from it is checked against the
    hash its parent holds (the root against the trusted root given at construction) and then
    kept in `cache`, a bounded mapping the caller provides; nodes written by blocks not yet
    stored are in `unsaved` until `saved()` says the caller persisted them.
    """

    def __init__(self, load: Callable[[bytes], bytes | None], root: bytes,
                 cache: dict[bytes, Node] | None = None) -> None:
        self._load = load
        self._root = root
        self._saved_root = root
        self.cache: dict[bytes, Node] = cache if cache is not None else {}
        self.unsaved: dict[bytes, Node | None] = {}

    def root(self) -> bytes:
        return self._root

    # --- reading ---------------------------------------------------------------------------

    def node(self, path: bytes, expected: bytes) -> Node:
        """The node at `path`, which its parent says hashes to `expected`."""
        if path in self.unsaved:
            node = self.unsaved[path]
            if node is None:
                raise StateMismatch(f"the state tree lost its node at depth {len(path)}")
            return node
        node = self.cache.get(path)
        if node is not None:
            return node
        raw = self._load(path)
        if raw is None:
            if path == ROOT_PATH and expected == EMPTY_ROOT:
                node = Node()
            else:
                raise StateMismatch(f"the stored state tree has no node at depth {len(path)} "
                                    "where the app hash requires one; the database was altered")
        else:
            node = Node.decode(raw)
            if node.hash() != expected:
                raise StateMismatch(f"a stored state-tree node at depth {len(path)} does not "
                                    "match its parent's hash; the database was altered")
        self.cache[path] = node
        return node

    def walk(self, key_hash: bytes) -> Iterator[tuple[bytes, Node, int]]:
        """The internal nodes on a key's path, root first: (path, node, nibble there)."""
        path = ROOT_PATH
        expected = self._root
        for depth in range(KEY_NIBBLES):
            node = self.node(path, expected)
            i = nibble(key_hash, depth)
            yield path, node, i
            child = node.hashes[i]
            if child is None or i in node.leaves:
                return
            path += bytes((i,))
            expected = child
        raise StateMismatch("the state tree is deeper than a key hash")

    def leaf_value_hash(self, key_hash: bytes) -> bytes | None:
        """The value hash the tree holds for a key hash, None if the key is absent."""
        for _path, node, i in self.walk(key_hash):
            leaf = node.leaves.get(i)
            if leaf is not None:
                return leaf[1] if leaf[0] == key_hash else None
        return None

    # --- writing ---------------------------------------------------------------------------

    def update(self, writes: Iterable[tuple[str, bytes | None]]) -> NodeWrites:
        """Apply one block's record writes (None deletes); returns the node rows it changed.

        The new nodes are readable at once (in `unsaved`); the caller persists the rows with
        the records and the block, then calls `saved()`.
        """
        changes = sorted(((hash_key(k), None if v is None else hash_value(v)) for k, v in writes),
                         key=_first)
        rows: NodeWrites = {}
        if changes:
            root = self._update_node(ROOT_PATH, self._root, 0, _dedupe(changes), rows)
            assert isinstance(root, bytes)
            self._root = root
        return rows

    def saved(self) -> None:
        """The caller stored every unsaved row: they now live in the cache."""
        for path, node in self.unsaved.items():
            if node is None:
                self.cache.pop(path, None)
            else:
                self.cache[path] = node
        self.unsaved.clear()
        self._saved_root = self._root

    def discard(self) -> None:
        """Forget the blocks applied since the last `saved()` (a block never committed)."""
        self.unsaved.clear()
        self._root = self._saved_root

    def _put(self, path: bytes, node: Node | None, rows: NodeWrites) -> None:
        self.unsaved[path] = node
        rows[path] = None if node is None else node.encode()

    def _update_node(self, path: bytes, node_hash: bytes, depth: int,
                     changes: list[tuple[bytes, bytes | None]], rows: NodeWrites) -> Slot:
        node = self.node(path, node_hash)
        fresh = Node()
        fresh.hashes = list(node.hashes)
        fresh.leaves = dict(node.leaves)
        for i, group in _groups(changes, depth):
            child = fresh.hashes[i]
            slot: Slot
            if child is None:
                slot = self._update_leaves(path + bytes((i,)), depth + 1, None, group, rows)
            elif i in fresh.leaves:
                slot = self._update_leaves(path + bytes((i,)), depth + 1, fresh.leaves[i],
                                           group, rows)
            else:
                slot = self._update_node(path + bytes((i,)), child, depth + 1, group, rows)
            _set_slot(fresh, i, slot)
        count = fresh.child_count()
        if path != ROOT_PATH:
            if count == 0:
                self._put(path, None, rows)
                return None
            if count == 1 and fresh.leaves:
                self._put(path, None, rows)
                return next(iter(fresh.leaves.values()))
        self._put(path, fresh, rows)
        return fresh.hash()

    def _update_leaves(self, path: bytes, depth: int, existing: tuple[bytes, bytes] | None,
                       changes: list[tuple[bytes, bytes | None]], rows: NodeWrites) -> Slot:
        """A slot that held at most one leaf: the leaves it holds after `changes`."""
        leaves: dict[bytes, bytes] = {}
        if existing is not None:
            leaves[existing[0]] = existing[1]
        for key_hash, value_hash in changes:
            if value_hash is None:
                leaves.pop(key_hash, None)
            else:
                leaves[key_hash] = value_hash
        return self._build(path, depth, sorted(leaves.items()), rows)

    def _build(self, path: bytes, depth: int, leaves: list[tuple[bytes, bytes]],
               rows: NodeWrites) -> Slot:
        if not leaves:
            return None
        if len(leaves) == 1:
            return leaves[0]
        node = Node()
        for i, group in _groups(leaves, depth):
            _set_slot(node, i, self._build(path + bytes((i,)), depth + 1, group, rows))
        self._put(path, node, rows)
        return node.hash()


def _set_slot(node: Node, i: int, slot: Slot) -> None:
    if slot is None:
        node.clear(i)
    elif isinstance(slot, tuple):
        node.set_leaf(i, slot[0], slot[1])
    else:
        node.set_node(i, slot)


def _groups(items: list[tuple[bytes, bytes | None]] | list[tuple[bytes, bytes]],
            depth: int) -> Iterator[tuple[int, list[Any]]]:
    """Runs of key-hash-sorted items by their nibble at `depth`."""
    start = 0
    n = len(items)
    while start < n:
        i = nibble(items[start][0], depth)
        end = start + 1
        while end < n and nibble(items[end][0], depth) == i:
            end += 1
        yield i, items[start:end]
        start = end


def _first(item: tuple[bytes, bytes | None]) -> bytes:
    return item[0]


def _dedupe(changes: list[tuple[bytes, bytes | None]]) -> list[tuple[bytes, bytes | None]]:
    """One change per key hash (a block's writes have unique keys; this keeps it so)."""
    out: list[tuple[bytes, bytes | None]] = []
    for item in changes:
        if out and out[-1][0] == item[0]:
            out[-1] = item
        else:
            out.append(item)
    return out


@dataclass(frozen=True, slots=True)
class BuiltTree:
    root: bytes
    rows: NodeWrites


def build_tree(items: Iterable[tuple[str, bytes]]) -> BuiltTree:
    """The tree of a full record set from scratch: what an auditor or a restore runs."""
    tree = StateTree(lambda _path: None, EMPTY_ROOT)
    rows = tree.update(items) or {ROOT_PATH: Node().encode()}
    return BuiltTree(tree.root(), rows)


def compute_state_root(items: Iterable[tuple[str, bytes]]) -> bytes:
    return build_tree(items).root
