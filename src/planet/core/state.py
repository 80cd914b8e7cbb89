"""The state: a key-value map of records, layered for blocks and transactions, with a
bucket-tree root that commits to all of it.

Layers: `CommittedState` holds everything as of the last block; a block works in a
`Layer` over it and every transaction in a `Layer` over the block's, so a failed
transaction is dropped by discarding its layer. Keys are strings `module/table/id…`; each
module writes only under its own prefix.

The app hash is the root of a two-level hash tree over 65,536 buckets (a key's bucket is
the first two bytes of SHA-256 of the key). A block re-hashes only the buckets it touched
and their groups, so its cost follows its writes, not the size of the state, and anyone
can recompute the root from the key-value pairs alone.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import takewhile
from typing import Any

from sortedcontainers import SortedList

from planet.core.encoding import sha256
from planet.core.records import R, Record

BUCKET_BITS = 16
NUM_BUCKETS = 1 << BUCKET_BITS
GROUP_SIZE = 256
NUM_GROUPS = NUM_BUCKETS // GROUP_SIZE
STATE_DOMAIN = b"planet/state/v1"
_EMPTY = sha256(b"")

_MISSING = object()
DELETED: Any = None
"""A layer records a deletion as the value None."""


def compute_bucket(key: str) -> int:
    return int.from_bytes(sha256(key.encode())[:2], "big")


def compute_leaf_hash(key: str, value: bytes) -> bytes:
    k = key.encode()
    return sha256(len(k).to_bytes(4, "big") + k + value)


def compute_state_root(items: Iterable[tuple[str, bytes]]) -> bytes:
    """The app hash of a full key-value set, computed from scratch (what an auditor runs)."""
    tree = BucketTree()
    tree.update((k, v) for k, v in items)
    return tree.root()


class _Bucket:
    """One bucket's leaves in key order: the keys, and their 32-byte hashes end to end.

    The bucket hash is SHA-256 of the concatenated leaf hashes, so keeping them contiguous
    makes a write a bisect and a 32-byte splice, and the hash one call, whatever the
    bucket's size (a dict rebuilt and re-joined on every write cost O(bucket) in Python).
    """

    __slots__ = ("hashes", "keys")

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.hashes = bytearray()

    def put(self, key: str, leaf: bytes) -> None:
        i = bisect_left(self.keys, key)
        if i < len(self.keys) and self.keys[i] == key:
            self.hashes[32 * i:32 * i + 32] = leaf
        else:
            self.keys.insert(i, key)
            self.hashes[32 * i:32 * i] = leaf

    def remove(self, key: str) -> bool:
        i = bisect_left(self.keys, key)
        if i == len(self.keys) or self.keys[i] != key:
            return False
        del self.keys[i]
        del self.hashes[32 * i:32 * i + 32]
        return True


class BucketTree:
    """Incremental two-level hash tree; see the module docstring."""

    def __init__(self) -> None:
        self._leaves: dict[int, _Bucket] = {}
        self._bucket_hash: list[bytes] = [_EMPTY] * NUM_BUCKETS
        self._group_hash: list[bytes] = [sha256(_EMPTY * GROUP_SIZE)] * NUM_GROUPS
        self._root = self._compute_root()

    def _compute_root(self) -> bytes:
        return sha256(STATE_DOMAIN + b"".join(self._group_hash))

    def update(self, writes: Iterable[tuple[str, bytes | None]]) -> None:
        """Apply encoded writes (None deletes) and refresh the touched paths."""
        dirty: set[int] = set()
        leaves = self._leaves
        for key, value in writes:
            b = compute_bucket(key)
            bucket = leaves.get(b)
            if value is None:
                if bucket is not None and bucket.remove(key):
                    dirty.add(b)
                continue
            if bucket is None:
                bucket = leaves[b] = _Bucket()
            bucket.put(key, compute_leaf_hash(key, value))
            dirty.add(b)
        if not dirty:
            return
        groups: set[int] = set()
        for b in dirty:
            bucket = leaves.get(b)
            self._bucket_hash[b] = sha256(bytes(bucket.hashes)) if bucket and bucket.keys \
                else _EMPTY
            groups.add(b // GROUP_SIZE)
        for g in groups:
            start = g * GROUP_SIZE
            self._group_hash[g] = sha256(b"".join(self._bucket_hash[start:start + GROUP_SIZE]))
        self._root = self._compute_root()

    def root(self) -> bytes:
        return self._root


class View:
    """Read and write access to records; implemented by the committed state and layers."""

    def get(self, key: str, cls: type[R]) -> R | None:
        raise NotImplementedError

    def _lookup(self, key: str) -> Any:
        raise NotImplementedError

    def iter_keys(self, prefix: str) -> Iterator[str]:
        raise NotImplementedError

    def has(self, key: str) -> bool:
        return self._lookup(key) not in (_MISSING, None)

    def iter_prefix(self, prefix: str, cls: type[R]) -> Iterator[tuple[str, R]]:
        for key in self.iter_keys(prefix):
            value = self.get(key, cls)
            if value is not None:
                yield key, value


class CommittedState(View):
    """Everything as of the last committed block, held in memory.

    Values loaded from storage stay encoded until first read; reads are cached decoded.
    """

    def __init__(self, items: Iterable[tuple[str, bytes]] = ()) -> None:
        self._raw: dict[str, bytes] = {}
        self._values: dict[str, Record] = {}
        self._tree = BucketTree()
        pairs = list(items)
        for key, value in pairs:
            self._raw[key] = value
        self._keys: SortedList = SortedList(self._raw)
        self._tree.update(pairs)

    def __len__(self) -> int:
        return len(self._raw)

    def _lookup(self, key: str) -> Any:
        value = self._values.get(key)
        if value is not None:
            return value
        raw = self._raw.get(key)
        return _MISSING if raw is None else raw

    def get(self, key: str, cls: type[R]) -> R | None:
        value = self._values.get(key)
        if value is not None:
            return value  # type: ignore[return-value]
        raw = self._raw.get(key)
        if raw is None:
            return None
        decoded = cls.decode(raw)
        self._values[key] = decoded
        return decoded

    def iter_keys(self, prefix: str) -> Iterator[str]:
        # Every key that starts with prefix sorts between prefix and prefix + the largest
        # code point.
        yield from self._keys.irange(prefix, prefix + "\U0010ffff", inclusive=(True, False))

    def apply(self, writes: dict[str, Record | None]) -> list[tuple[str, bytes | None]]:
        """Fold a block's writes in; returns them encoded, in key order, for storage."""
        encoded: list[tuple[str, bytes | None]] = []
        for key in sorted(writes):
            value = writes[key]
            if value is None:
                if key in self._raw:
                    del self._raw[key]
                    self._values.pop(key, None)
                    self._keys.remove(key)
                encoded.append((key, None))
                continue
            raw = value.encode()
            if key not in self._raw:
                self._keys.add(key)
            self._raw[key] = raw
            self._values[key] = value
            encoded.append((key, raw))
        self._tree.update(encoded)
        return encoded

    def root(self) -> bytes:
        return self._tree.root()

    def items(self) -> Iterator[tuple[str, bytes]]:
        for key in self._keys:
            yield key, self._raw[key]


class Layer(View):
    """Uncommitted writes over a parent view; `absorb` folds a child's writes in."""

    def __init__(self, parent: View) -> None:
        self.parent = parent
        self.writes: dict[str, Record | None] = {}
        self._written = SortedList()  # keys of `writes`, so prefix scans cost O(log n + k)

    def _lookup(self, key: str) -> Any:
        if key in self.writes:
            return self.writes[key]
        return self.parent._lookup(key)

    def get(self, key: str, cls: type[R]) -> R | None:
        if key in self.writes:
            return self.writes[key]  # type: ignore[return-value]
        return self.parent.get(key, cls)

    def set(self, key: str, value: Record) -> None:
        if key not in self.writes:
            self._written.add(key)
        self.writes[key] = value

    def delete(self, key: str) -> None:
        if key not in self.writes:
            self._written.add(key)
        self.writes[key] = DELETED

    def child(self) -> Layer:
        return Layer(self)

    def absorb(self, child: Layer) -> None:
        for key in child.writes:
            if key not in self.writes:
                self._written.add(key)
        self.writes.update(child.writes)

    def iter_keys(self, prefix: str) -> Iterator[str]:
        mine = list(takewhile(lambda k: k.startswith(prefix),
                              self._written.irange(minimum=prefix)))
        parent_keys = self.parent.iter_keys(prefix)
        i = 0
        for key in parent_keys:
            while i < len(mine) and mine[i] < key:
                if self.writes[mine[i]] is not None:
                    yield mine[i]
                i += 1
            if i < len(mine) and mine[i] == key:
                if self.writes[key] is not None:
                    yield key
                i += 1
                continue
            yield key
        for k in mine[i:]:
            if self.writes[k] is not None:
                yield k
