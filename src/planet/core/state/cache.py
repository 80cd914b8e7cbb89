"""A bounded cache whose hits cost one dict lookup.

Two generations: new entries go to `young`; when it is full it becomes `old` and the
previous `old` is dropped, and a hit in `old` moves the entry back to `young`. What is used
stays, what is not is gone after two turns, and the size never passes `capacity` — which is
what keeps a node's memory from growing with the number of residents. (An LRU list would
cost a pointer move on every hit, on the hottest path of every block.)
"""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    __slots__ = ("_half", "old", "young")

    def __init__(self, capacity: int) -> None:
        if capacity < 2:
            raise ValueError("a bounded cache holds at least 2 entries")
        self._half = capacity // 2
        self.young: dict[K, V] = {}
        self.old: dict[K, V] = {}

    def peek(self, key: K) -> V | None:
        """The entry if it is in the young generation: one dict lookup, which changes
        nothing, so it is safe beside a writer on another thread (`get` and the writes are
        not: the caller serializes them)."""
        return self.young.get(key)

    def get(self, key: K) -> V | None:
        value = self.young.get(key)
        if value is not None:
            return value
        value = self.old.pop(key, None)
        if value is not None:
            self[key] = value
        return value

    def __setitem__(self, key: K, value: V) -> None:
        young = self.young
        if key not in young and len(young) >= self._half:
            self.old = young
            self.young = young = {}
        young[key] = value
        self.old.pop(key, None)

    def pop(self, key: K, default: V | None = None) -> V | None:
        a = self.young.pop(key, None)
        b = self.old.pop(key, None)
        return a if a is not None else b if b is not None else default

    def clear(self) -> None:
        self.young = {}
        self.old = {}

    def __len__(self) -> int:
        return len(self.young) + len(self.old)

    def __contains__(self, key: object) -> bool:
        return key in self.young or key in self.old
