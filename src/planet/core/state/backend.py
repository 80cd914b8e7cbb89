"""Where committed records and tree nodes are kept: the one interface storage implements.

The core reads through it and never writes to it directly: a block's writes come back from
`CommittedState.apply` for the engine to store with the block in one transaction (the
SQLite backend, `storage/state_store.py`). `MemoryBackend` is the same thing in dicts, for
unit and property tests and for replays, and is written at once (`volatile`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Protocol

from sortedcontainers import SortedDict

from planet.core.state.tree import ROOT_PATH


class StateBackend(Protocol):
    volatile: bool
    """True when nothing outside the state persists writes (in memory): `apply` writes them."""

    def get_record(self, key: str) -> bytes | None: ...

    def iter_record_keys(self, prefix: str, after: str | None = None) -> Iterator[str]:
        """Stored keys starting with `prefix`, in code-point order (past `after`, if given)."""
        ...

    def get_node(self, path: bytes) -> bytes | None: ...

    def write(self, records: Iterable[tuple[str, bytes | None]],
              nodes: Mapping[bytes, bytes | None]) -> None: ...


class MemoryBackend:
    volatile = True

    def __init__(self) -> None:
        self.records: SortedDict = SortedDict()
        self.nodes: dict[bytes, bytes] = {}

    def get_record(self, key: str) -> bytes | None:
        value: bytes | None = self.records.get(key)
        return value

    def iter_record_keys(self, prefix: str, after: str | None = None) -> Iterator[str]:
        end = prefix + "\U0010ffff"
        if after is not None and after >= prefix:
            yield from self.records.irange(after, end, inclusive=(False, False))
        else:
            yield from self.records.irange(prefix, end, inclusive=(True, False))

    def get_node(self, path: bytes) -> bytes | None:
        return self.nodes.get(path)

    def write(self, records: Iterable[tuple[str, bytes | None]],
              nodes: Mapping[bytes, bytes | None]) -> None:
        for key, value in records:
            if value is None:
                self.records.pop(key, None)
            else:
                self.records[key] = value
        for path, raw in nodes.items():
            if raw is None:
                self.nodes.pop(path, None)
            else:
                self.nodes[path] = raw

    def has_root(self) -> bool:
        return ROOT_PATH in self.nodes
