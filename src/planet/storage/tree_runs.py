"""The state tree of a whole record set in bounded memory: for restore, verify and bulk builds.

`core.state.build_tree` folds every record into one in-memory update: fine for a test or a
small chain, but at 10⁷ residents (~128 million records) its key hashes alone need tens of
gigabytes. The tree's shape depends only on the set of key hashes, so it can be built a
prefix at a time: every record's key hash and value hash (64 bytes) is spilled to one of 256
run files by the first byte of the key hash (`RunWriter`); each run is then sorted and built
alone into the subtree at depth 2 (`tree.build_subtree`, the same code as a block's update),
and the 256 subtrees are joined into the 16 nodes of depth 1 and the root
(`tree.join_slots`). Memory is one run (~500,000 leaves at 10⁷ residents, ~100 MB) whatever
the size; the disk holds 64 bytes a record while it runs.

Records may be spilled by several writers at once (each into a directory of its own, as
the bulk build's scan does from two processes); a run is the union of its files.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from hashlib import sha256
from pathlib import Path
from types import TracebackType
from typing import IO

from planet.core.state.tree import ROOT_PATH, Slot, build_subtree, join_slots, nibbles
from planet.storage.sqlite import NodeStore

RUNS = 256
ENTRY = 64
"""A run entry: key hash ‖ value hash."""

NodeRows = list[tuple[bytes, bytes | None]]
EmitRows = Callable[[NodeRows], None]
"""Receives node rows (path, encoded node) a run at a time, in path order within a run."""


class RunWriter(AbstractContextManager["RunWriter"]):
    """Spills records' hashes into `folder`'s 256 run files."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.count = 0
        self._files: list[IO[bytes]] = [open(folder / f"{b:02x}.run", "wb", buffering=1 << 16)  # noqa: SIM115
                                        for b in range(RUNS)]

    def add(self, key: str, value: bytes) -> None:
        key_hash = sha256(key.encode()).digest()
        self._files[key_hash[0]].write(key_hash + sha256(value).digest())
        self.count += 1

    def add_all(self, items: Iterable[tuple[str, bytes]]) -> RunWriter:
        for key, value in items:
            self.add(key, value)
        return self

    def close(self) -> None:
        for f in self._files:
            f.close()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def build_run(folders: Sequence[Path], b: int) -> tuple[Slot, NodeRows]:
    """The subtree under first byte `b` of the key hash (path: two nibbles) from its run
    files in `folders`, which it deletes; its slot and its node rows in path order."""
    entries: list[bytes] = []
    for folder in folders:
        run = folder / f"{b:02x}.run"
        raw = run.read_bytes()
        entries.extend(raw[i:i + ENTRY] for i in range(0, len(raw), ENTRY))
        del raw
        run.unlink()
    entries.sort()
    for i in range(1, len(entries)):
        if entries[i][:32] == entries[i - 1][:32]:
            raise ValueError("a key was spilled twice: a record set has each key once")
    slot, rows = build_subtree(2, [(nibbles(e[:32]), e[:32], e[32:]) for e in entries])
    return slot, sorted(rows.items())


def build_runs(folders: Sequence[Path], emit: EmitRows | None = None,
               mapper: Callable[..., Iterable[tuple[Slot, NodeRows]]] = map) -> tuple[bytes, int]:
    """The root over the runs spilled into `folders` (closed writers), and its node count.

    `emit` gets every node row, the root's last; `mapper` may be a process pool's `map`
    (the runs are built independently).
    """
    slots: list[Slot] = []
    nodes = 0
    for slot, rows in mapper(build_run, [folders] * RUNS, range(RUNS)):
        slots.append(slot)
        nodes += len(rows)
        if emit is not None and rows:
            emit(rows)
    top: NodeRows = []
    depth1: list[Slot] = []
    for a in range(16):
        slot, encoded = join_slots(bytes([a]), slots[a * 16:(a + 1) * 16])
        depth1.append(slot)
        if encoded is not None:
            top.append((bytes([a]), encoded))
    root, encoded = join_slots(ROOT_PATH, depth1)
    assert isinstance(root, bytes) and encoded is not None
    top.insert(0, (ROOT_PATH, encoded))
    if emit is not None:
        emit(top)
    return root, nodes + len(top)


def spilled_root(items: Iterable[tuple[str, bytes]], workdir: Path) -> bytes:
    """The app hash of a record set streamed once, spilled under `workdir` (removed after)."""
    try:
        with RunWriter(workdir / "0") as writer:
            writer.add_all(items)
        return build_runs([writer.folder])[0]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def stored_state_root(store: NodeStore) -> bytes:
    """The root recomputed from every stored record (`planet verify`'s full check), spilled
    beside the database; inside `store.snapshot()`, as of its instant."""
    workdir = Path(tempfile.mkdtemp(prefix=f".{store.path.name}.verify-", dir=store.path.parent))
    return spilled_root(store.iter_state(), workdir)
