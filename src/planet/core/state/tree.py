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
import struct
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass
from typing import Any, Protocol

from planet.core.errors import StateMismatch
from planet.core.state.cache import BoundedCache

LEAF = b"\x00"
INTERNAL = b"\x01"
_MAPS = struct.Struct(">BHH")  # the node-hash prefix: 0x01, bitmap, leafmap
_STORED_MAPS = struct.Struct(">HH")  # a stored node's: bitmap, leafmap
_sha256 = hashlib.sha256
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


_NIBBLES = bytes.maketrans(b"0123456789abcdef", bytes(range(16)))


def nibbles(key_hash: bytes) -> bytes:
    """A key hash's 64 nibbles, one byte each: its first d bytes are the path of the node at
    depth d on the key's way (where that node is stored)."""
    return key_hash.hex().encode().translate(_NIBBLES)


class Node:
    """An internal node. `entries[i]` is child i as stored (a leaf's key hash and value hash,
    64 bytes, or an internal child's hash, 32), `hashes[i]` its hash; the bitmap and leafmap
    are kept up to date with them, so hashing and encoding a node are one join each."""

    __slots__ = ("bitmap", "entries", "hashes", "leafmap")

    def __init__(self) -> None:
        self.hashes: list[bytes | None] = [None] * 16
        self.entries: list[bytes | None] = [None] * 16
        self.bitmap = 0
        self.leafmap = 0

    def copy(self) -> Node:
        """A mutable copy (a stored node is frozen, see `freeze`)."""
        node = Node.__new__(Node)
        node.hashes = list(self.hashes)
        node.entries = list(self.entries)
        node.bitmap = self.bitmap
        node.leafmap = self.leafmap
        return node

    def set_leaf(self, i: int, key_hash: bytes, value_hash: bytes) -> None:
        entry = key_hash + value_hash
        self.hashes[i] = _sha256(LEAF + entry).digest()
        self.entries[i] = entry
        self.bitmap |= 1 << i
        self.leafmap |= 1 << i

    def set_node(self, i: int, node_hash: bytes) -> None:
        self.hashes[i] = self.entries[i] = node_hash
        self.bitmap |= 1 << i
        self.leafmap &= ~(1 << i)

    def clear(self, i: int) -> None:
        self.hashes[i] = self.entries[i] = None
        self.bitmap &= ~(1 << i)
        self.leafmap &= ~(1 << i)

    def leaf(self, i: int) -> tuple[bytes, bytes] | None:
        """Child i's key hash and value hash, if it is a leaf."""
        if not self.leafmap >> i & 1:
            return None
        entry = self.entries[i]
        assert entry is not None
        return entry[:32], entry[32:]

    def freeze(self) -> Node:
        """Children as tuples: a tuple of bytes is dropped from the garbage collector's
        tracking, so tens of thousands of cached nodes do not slow every collection."""
        self.hashes = tuple(self.hashes)  # type: ignore[assignment]
        self.entries = tuple(self.entries)  # type: ignore[assignment]
        return self

    def is_leaf(self, i: int) -> bool:
        return bool(self.leafmap >> i & 1)

    def maps(self) -> tuple[int, int]:
        return self.bitmap, self.leafmap

    def hash(self) -> bytes:
        # filter(None, …) drops the absent children (None; no hash or entry is empty).
        return _sha256(_MAPS.pack(1, self.bitmap, self.leafmap)
                       + b"".join(filter(None, self.hashes))).digest()

    def encode(self) -> bytes:
        return _STORED_MAPS.pack(self.bitmap, self.leafmap) + b"".join(filter(None, self.entries))

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
        return node.freeze()

    def child_count(self) -> int:
        return self.bitmap.bit_count()


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
        path = nibbles(key_hash)
        expected = self._root
        for depth in range(KEY_NIBBLES):
            node = self.node(path[:depth], expected)
            i = path[depth]
            yield path[:depth], node, i
            child = node.hashes[i]
            if child is None or node.leafmap >> i & 1:
                return
            expected = child
        raise StateMismatch("the state tree is deeper than a key hash")

    def leaf_value_hash(self, key_hash: bytes) -> bytes | None:
        """The value hash the tree holds for a key hash, None if the key is absent.

        `walk` without the generator: this runs for every record read off disk and for
        every absent key a transaction looks up (a new invitation, a new account)."""
        path = nibbles(key_hash)
        expected = self._root
        unsaved, cache = self.unsaved, self.cache
        for depth in range(KEY_NIBBLES):
            prefix = path[:depth]
            node = cache.get(prefix) if prefix not in unsaved else unsaved[prefix]
            if node is None:
                node = self.node(prefix, expected)
            i = path[depth]
            child = node.hashes[i]
            if child is None:
                return None
            if node.leafmap >> i & 1:
                entry = node.entries[i]
                assert entry is not None
                return entry[32:] if entry[:32] == key_hash else None
            expected = child
        raise StateMismatch("the state tree is deeper than a key hash")

    # --- writing ---------------------------------------------------------------------------

    def update(self, writes: Iterable[tuple[str, bytes | None]]) -> NodeWrites:
        """Apply one block's record writes (None deletes); returns the node rows it changed.

        The new nodes are readable at once (in `unsaved`); the caller persists the rows with
        the records and the block, then calls `saved()`.
        """
        changes: list[_Change] = []
        for key, value in writes:
            key_hash = _sha256(key.encode()).digest()
            changes.append((nibbles(key_hash), key_hash,
                            None if value is None else _sha256(value).digest()))
        rows: NodeWrites = {}
        if changes:
            changes.sort(key=_first)
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
        self.unsaved[path] = None if node is None else node.freeze()
        rows[path] = None if node is None else node.encode()

    def _update_node(self, path: bytes, node_hash: bytes, depth: int,
                     changes: list[_Change], rows: NodeWrites) -> Slot:
        # The hottest loop of a block (about one call a write): `_groups`, `_update_slot`'s
        # one-key case and `Node.set_leaf`/`set_node` written out inline.
        fresh = self.node(path, node_hash).copy()  # the stored one stays as it was: discard()
        hashes, entries = fresh.hashes, fresh.entries
        n = len(changes)
        start = 0
        below = depth + 1
        while start < n:  # runs of changes by their nibble at `depth`
            first = changes[start]
            i = first[0][depth]
            end = start + 1
            while end < n and changes[end][0][depth] == i:
                end += 1
            child = hashes[i]
            bit = 1 << i
            slot: Slot
            if child is not None and not fresh.leafmap & bit:
                slot = self._update_node(first[0][:below], child, below, changes[start:end], rows)
            elif end - start == 1 and (child is None or entries[i][:32] == first[1]):  # type: ignore[index]
                slot = None if first[2] is None else (first[1], first[2])  # one key alone
            else:
                slot = self._update_slot(below, fresh.leaf(i), changes[start:end], rows)
            start = end
            if slot is None:
                fresh.clear(i)
            elif type(slot) is tuple:
                entry = slot[0] + slot[1]
                hashes[i] = _sha256(LEAF + entry).digest()
                entries[i] = entry
                fresh.bitmap |= bit
                fresh.leafmap |= bit
            else:
                hashes[i] = entries[i] = slot  # type: ignore[assignment]
                fresh.bitmap |= bit
                fresh.leafmap &= ~bit
        if path != ROOT_PATH:
            if not fresh.bitmap:
                self._put(path, None, rows)
                return None
            if fresh.bitmap == fresh.leafmap and fresh.bitmap.bit_count() == 1:
                self._put(path, None, rows)  # one leaf left: it moves up to the parent
                return fresh.leaf(fresh.bitmap.bit_length() - 1)
        self._put(path, fresh, rows)
        return fresh.hash()

    def _update_slot(self, depth: int, existing: tuple[bytes, bytes] | None,
                     changes: list[_Change], rows: NodeWrites) -> Slot:
        """A slot that held at most one leaf: what it holds after `changes`."""
        if len(changes) == 1:  # the usual write: one key, alone in its slot
            nibs, key_hash, value_hash = changes[0]
            if existing is None or existing[0] == key_hash:
                return None if value_hash is None else (key_hash, value_hash)
        leaves: dict[bytes, tuple[bytes, bytes]] = {}
        if existing is not None:
            leaves[existing[0]] = (nibbles(existing[0]), existing[1])
        for nibs, key_hash, value_hash in changes:
            if value_hash is None:
                leaves.pop(key_hash, None)
            else:
                leaves[key_hash] = (nibs, value_hash)
        return self._build(depth, sorted((n, k, v) for k, (n, v) in leaves.items()), rows)

    def _build(self, depth: int, leaves: list[tuple[bytes, bytes, bytes]], rows: NodeWrites
               ) -> Slot:
        if not leaves:
            return None
        if len(leaves) == 1:
            return leaves[0][1], leaves[0][2]
        node = Node()
        for i, group in _groups(leaves, depth):
            slot = self._build(depth + 1, group, rows)
            if isinstance(slot, tuple):
                node.set_leaf(i, slot[0], slot[1])
            else:
                assert slot is not None
                node.set_node(i, slot)
        self._put(leaves[0][0][:depth], node, rows)
        return node.hash()


_Change = tuple[bytes, bytes, bytes | None]
"""A write as the tree sees it: the key hash's nibbles, the key hash, the value hash (None
deletes)."""


def _first(item: _Change) -> bytes:
    return item[0]


def _groups(items: list[Any], depth: int) -> Iterator[tuple[int, list[Any]]]:
    """Runs of nibble-sorted items by their nibble at `depth`."""
    start = 0
    n = len(items)
    while start < n:
        i = items[start][0][depth]
        end = start + 1
        while end < n and items[end][0][depth] == i:
            end += 1
        yield i, items[start:end]
        start = end


def _dedupe(changes: list[_Change]) -> list[_Change]:
    """One change per key (a block's writes have unique keys; this keeps it so)."""
    out: list[_Change] = []
    for item in changes:
        if out and out[-1][0] == item[0]:
            out[-1] = item
        else:
            out.append(item)
    return out


def build_subtree(depth: int, leaves: list[tuple[bytes, bytes, bytes]]) -> tuple[Slot, NodeWrites]:
    """The subtree of `leaves` (nibble-sorted: nibbles, key hash, value hash; one prefix of
    `depth` nibbles) from scratch: what its parent's slot holds, and its node rows. A bulk
    build makes the tree a prefix at a time with it, then joins the tops with `join_slots`."""
    rows: NodeWrites = {}
    slot = StateTree(lambda _path: None, EMPTY_ROOT)._build(depth, leaves, rows)
    return slot, rows


def join_slots(path: bytes, slots: list[Slot]) -> tuple[Slot, bytes | None]:
    """The node at `path` over its 16 children's slots, as `update` would leave it: nothing
    when empty, the leaf itself when it is the only child (it moves up), else the node's
    hash and its encoding. The root is always a node."""
    node = Node()
    for i, slot in enumerate(slots):
        if isinstance(slot, tuple):
            node.set_leaf(i, slot[0], slot[1])
        elif slot is not None:
            node.set_node(i, slot)
    if path != ROOT_PATH:
        if not node.bitmap:
            return None, None
        if node.bitmap == node.leafmap and node.bitmap.bit_count() == 1:
            return node.leaf(node.bitmap.bit_length() - 1), None
    return node.hash(), node.encode()


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


class Tree(Protocol):
    """What the rest of the code uses of a state tree: `StateTree` (the specification) or
    another `TreeClass`'s, which must give the same roots, rows and errors."""

    @property
    def cache(self) -> Sized: ...
    def root(self) -> bytes: ...
    def node(self, path: bytes, expected: bytes) -> Node: ...
    def walk(self, key_hash: bytes) -> Iterable[tuple[bytes, Node, int]]: ...
    def leaf_value_hash(self, key_hash: bytes) -> bytes | None: ...
    def update(self, writes: Iterable[tuple[str, bytes | None]]) -> NodeWrites: ...
    def saved(self) -> None: ...
    def discard(self) -> None: ...


TreeClass = Callable[[Callable[[bytes], bytes | None], bytes, int | None], Tree]
"""What opens a tree over a node loader at a root with a bounded node cache: `python_tree`, or
an implementation the edge provides (the Rust one of native/, which must give the same
roots, rows and errors)."""


def python_tree(load: Callable[[bytes], bytes | None], root: bytes, cache_size: int | None = None
                ) -> Tree:
    """A `StateTree` over `load`; `cache_size` bounds its node cache (None: unbounded)."""
    cache: Any = {} if cache_size is None else BoundedCache(cache_size)
    return StateTree(load, root, cache)
