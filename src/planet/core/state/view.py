"""Views of the state for the rules: `View` reads, `Layer` collects writes over a parent.

A block works in a `Layer` over the committed state and every transaction in a `Layer`
over the block's, so a failed transaction is dropped by discarding its layer. Keys are
strings `module/table/id…`; each module writes only under its own prefix.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from itertools import takewhile
from typing import Any

from sortedcontainers import SortedList

from planet.core.records import R, Record

MISSING = object()
DELETED: Any = None
"""A layer records a deletion as the value None."""


def prefix_end(prefix: str) -> str:
    """Every key that starts with `prefix` sorts in [prefix, prefix_end(prefix))."""
    return prefix + "\U0010ffff"


class View:
    """Read access to records; implemented by the committed state and layers."""

    def get(self, key: str, cls: type[R]) -> R | None:
        raise NotImplementedError

    def _lookup(self, key: str) -> Any:
        """The record, its encoded bytes, None (deleted) or MISSING."""
        raise NotImplementedError

    def iter_keys(self, prefix: str, after: str | None = None) -> Iterator[str]:
        """Keys starting with `prefix` in code-point order; with `after`, only those past it
        (a page that starts in the middle costs what it returns, not what it skips)."""
        raise NotImplementedError

    def has(self, key: str) -> bool:
        return self._lookup(key) not in (MISSING, None)

    def iter_prefix(self, prefix: str, cls: type[R]) -> Iterator[tuple[str, R]]:
        for key in self.iter_keys(prefix):
            value = self.get(key, cls)
            if value is not None:
                yield key, value


def merge_keys(base: Iterator[str], mine: list[str], written: dict[str, Any]
               ) -> Iterator[str]:
    """Keys of `base` overlaid with `mine` (sorted keys of `written`; a None value deletes),
    in order."""
    i = 0
    for key in base:
        while i < len(mine) and mine[i] < key:
            if written[mine[i]] is not None:
                yield mine[i]
            i += 1
        if i < len(mine) and mine[i] == key:
            if written[key] is not None:
                yield key
            i += 1
            continue
        yield key
    for k in mine[i:]:
        if written[k] is not None:
            yield k


def overlay_keys(keys: SortedList | list[str], prefix: str, after: str | None = None
                 ) -> list[str]:
    """The keys of a sorted collection that start with `prefix` (and sort after `after`)."""
    start = prefix if after is None or after < prefix else after
    if isinstance(keys, SortedList):
        first = keys.bisect_right(start) if after is not None and after >= prefix \
            else keys.bisect_left(start)
        tail: Iterator[str] = keys.islice(first)  # O(log n) to the start
    else:
        first = bisect_right(keys, start) if after is not None and after >= prefix \
            else bisect_left(keys, start)
        tail = (keys[i] for i in range(first, len(keys)))
    return list(takewhile(lambda k: k.startswith(prefix), tail))


class Layer(View):
    """Uncommitted writes over a parent view; `absorb` folds a child's writes in.

    The written keys are sorted only when the layer is first scanned (`iter_keys`), and
    kept sorted from then on: most layers (a transaction's) are never scanned, and a
    block's sorted its thousands of keys one insertion at a time."""

    def __init__(self, parent: View) -> None:
        self.parent = parent
        self.writes: dict[str, Record | None] = {}
        self._written: SortedList | None = None  # keys of `writes`, once scanned: O(log n + k)
        self._unsorted: list[str] = []  # keys written since, for `_written`

    def _lookup(self, key: str) -> Any:
        if key in self.writes:
            return self.writes[key]
        return self.parent._lookup(key)

    def get(self, key: str, cls: type[R]) -> R | None:
        if key in self.writes:
            return self.writes[key]  # type: ignore[return-value]
        return self.parent.get(key, cls)

    def set(self, key: str, value: Record) -> None:
        if self._written is not None and key not in self.writes:
            self._unsorted.append(key)
        self.writes[key] = value

    def delete(self, key: str) -> None:
        if self._written is not None and key not in self.writes:
            self._unsorted.append(key)
        self.writes[key] = DELETED

    def child(self) -> Layer:
        return Layer(self)

    def absorb(self, child: Layer) -> None:
        if self._written is not None:
            writes = self.writes
            self._unsorted.extend(key for key in child.writes if key not in writes)
        self.writes.update(child.writes)

    def _sorted_keys(self) -> SortedList:
        if self._written is None:
            self._written = SortedList(self.writes)
        elif self._unsorted:
            self._written.update(self._unsorted)
        self._unsorted = []
        return self._written

    def iter_keys(self, prefix: str, after: str | None = None) -> Iterator[str]:
        return merge_keys(self.parent.iter_keys(prefix, after),
                          overlay_keys(self._sorted_keys(), prefix, after), self.writes)


class RecordingView(View):
    """A view that notes every key read through it and every prefix scanned, so that a
    query's answer can be sent with a proof of each record it rests on (`Application.
    query_proven`). A prefix scan cannot be proven complete by proofs of single keys."""

    def __init__(self, inner: View) -> None:
        self.inner = inner
        self.keys: dict[str, None] = {}  # first-read order, each key once
        self.prefixes: dict[str, None] = {}

    def get(self, key: str, cls: type[R]) -> R | None:
        self.keys.setdefault(key)
        return self.inner.get(key, cls)

    def _lookup(self, key: str) -> Any:
        self.keys.setdefault(key)
        return self.inner._lookup(key)

    def iter_keys(self, prefix: str, after: str | None = None) -> Iterator[str]:
        self.prefixes.setdefault(prefix)
        return self.inner.iter_keys(prefix, after)
