"""State-sync snapshots: what a validator writes every `interval` blocks, and how a node
that joins restores one instead of replaying every block since genesis.

Format 1. The snapshot of height H is the node's whole state after block H — every record,
in key order, read in one SQLite transaction — cut into chunks of at most `CHUNK_BYTES`
(4 MiB). A chunk is a run of records, each

    u32 key length ‖ key (UTF-8) ‖ u32 value length ‖ value        (lengths big-endian)

and a chunk's first key follows the last key of the chunk before it. The same state gives
the same bytes on every validator, so the joining node fetches chunks from all of them.

    chunk hash        = SHA-256(chunk)
    Snapshot.hash     = SHA-256(chunk hash 0 ‖ chunk hash 1 ‖ …)
    Snapshot.metadata = hash of block H (32 bytes) ‖ chunk hash 0 ‖ chunk hash 1 ‖ …

On disk, beside the node's database: `snapshots/H/manifest.json` and the chunk files
`00000`, `00001`, … A snapshot is written in `snapshots/H.tmp` by a background thread
(blocks never wait for it) and renamed when complete; the newest `keep` are kept.

Trust. The joining node's CometBFT verifies the app hash after block H with its light
client and offers it with the snapshot (OfferSnapshot). Nothing a peer sends is trusted
beyond that: each chunk is checked against its hash in the metadata as it arrives (a bad
one is fetched again from another peer and its sender rejected); the records must come in
strictly increasing key order; after the last chunk the tree built from them must have the
offered app hash, else the snapshot is rejected and nothing of it is kept. The chunks are
staged as files, never in the node's tables, so the API keeps reading the genesis state
until the restored one replaces it in one transaction (`NodeStore.restore_state`); the
staged chunks then stay as one of the node's own snapshots (it can serve them, and
`planet verify` replays its blocks from them). The block hash in the metadata is only what
the snapshot's producer stored (the first block after H names it as its `prev_hash`); the
app hash is what is verified.

The tree of a restored state is built in bounded memory (`storage.tree_runs`: the
records' hashes spilled beside the staged chunks, 64 bytes each, then built a prefix at a
time), its nodes written in the restore's one transaction, which stores nothing unless the
root is the offered app hash: a node joins a planet of ten million residents as it joins a
small one.
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
import os
import shutil
import struct
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from planet.core.errors import StateMismatch
from planet.storage.sqlite import NodeStore, StateReader
from planet.storage.tree_runs import RunWriter, build_runs

log = logging.getLogger("planet.snapshots")

FORMAT = 1
CHUNK_BYTES = 4 << 20
"""A chunk closes before the record that would take it past 4 MiB (CometBFT carries up to
16 MB per chunk message; a record is far smaller than either)."""
MAX_CHUNKS = 100_000
"""At most this many chunks are accepted (CometBFT's own default limit; 400 GB of state)."""
LISTED = 10
"""Snapshots answered to ListSnapshots: CometBFT considers the 10 most recent of a peer."""
HASH = 32
LENGTH = struct.Struct(">I")

SYNCED_FROM = "state_synced_from"
"""Meta key: the height of the snapshot this node's state was restored from."""
SYNCED_APP_HASH = "state_synced_app_hash"
SYNCED_BLOCK_HASH = "state_synced_block_hash"


class SnapshotError(ValueError):
    """A chunk that is not a well-formed run of records in key order."""


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def snapshot_dir(db_file: Path) -> Path:
    """Where a node keeps its snapshots: beside its database (HOME/data/snapshots)."""
    return db_file.parent / "snapshots"


# --- format 1 ------------------------------------------------------------------------------


def encode_record(key: str, value: bytes) -> bytes:
    raw = key.encode()
    return LENGTH.pack(len(raw)) + raw + LENGTH.pack(len(value)) + value


def decode_chunk(chunk: bytes) -> Iterator[tuple[str, bytes]]:
    """The records of one chunk; SnapshotError if it is not a whole number of them."""
    pos, end = 0, len(chunk)
    while pos < end:
        if end - pos < LENGTH.size:
            raise SnapshotError("a chunk ends inside a key length")
        (n,) = LENGTH.unpack_from(chunk, pos)
        pos += LENGTH.size
        if end - pos < n + LENGTH.size:
            raise SnapshotError("a chunk ends inside a key")
        try:
            key = chunk[pos:pos + n].decode()
        except UnicodeDecodeError:
            raise SnapshotError("a key is not UTF-8") from None
        pos += n
        (m,) = LENGTH.unpack_from(chunk, pos)
        pos += LENGTH.size
        if end - pos < m:
            raise SnapshotError("a chunk ends inside a value")
        yield key, chunk[pos:pos + m]
        pos += m


def snapshot_hash(chunk_hashes: list[bytes]) -> bytes:
    return sha256(b"".join(chunk_hashes))


def split_metadata(metadata: bytes, chunks: int) -> tuple[bytes, list[bytes]] | None:
    """(block hash, chunk hashes) from a snapshot's metadata; None if it is not that shape."""
    if len(metadata) != HASH * (chunks + 1):
        return None
    hashes = [metadata[i:i + HASH] for i in range(HASH, len(metadata), HASH)]
    return metadata[:HASH], hashes


@dataclass(frozen=True)
class Manifest:
    """A snapshot as ListSnapshots offers it, plus the app hash it restores to."""

    height: int
    format: int
    chunks: int
    hash: bytes
    metadata: bytes
    app_hash: bytes

    def to_json(self) -> dict[str, object]:
        return {k: v.hex() if isinstance(v, bytes) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Manifest:
        return cls(height=int(str(data["height"])), format=int(str(data["format"])),
                   chunks=int(str(data["chunks"])), hash=bytes.fromhex(str(data["hash"])),
                   metadata=bytes.fromhex(str(data["metadata"])),
                   app_hash=bytes.fromhex(str(data["app_hash"])))

    @property
    def chunk_hashes(self) -> list[bytes]:
        split = split_metadata(self.metadata, self.chunks)
        assert split is not None
        return split[1]


class ChunkWriter:
    """Records in key order into chunk files of at most CHUNK_BYTES in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hashes: list[bytes] = []
        self._parts: list[bytes] = []
        self._size = 0

    def add(self, key: str, value: bytes) -> None:
        record = encode_record(key, value)
        if self._parts and self._size + len(record) > CHUNK_BYTES:
            self._flush()
        self._parts.append(record)
        self._size += len(record)

    def add_chunk(self, chunk: bytes) -> None:
        """A whole chunk as received (a restore keeps the bytes it checked)."""
        self._write(chunk)

    def finish(self) -> list[bytes]:
        if self._parts or not self.hashes:
            self._flush()  # an empty state is one empty chunk
        return self.hashes

    def _flush(self) -> None:
        self._write(b"".join(self._parts))
        self._parts = []
        self._size = 0

    def _write(self, chunk: bytes) -> None:
        write_synced(self.folder / chunk_name(len(self.hashes)), chunk)
        self.hashes.append(sha256(chunk))


def chunk_name(index: int) -> str:
    return f"{index:05d}"


def write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def iter_chunk_files(folder: Path, chunks: int) -> Iterator[tuple[str, bytes]]:
    for i in range(chunks):
        yield from decode_chunk((folder / chunk_name(i)).read_bytes())


# --- the node's snapshots ------------------------------------------------------------------


class SnapshotStore:
    """The snapshots of one node: taking them every `interval` blocks (0: never), listing
    and serving them, keeping the newest `keep`."""

    def __init__(self, folder: Path, interval: int = 0, keep: int = 2, *,
                 clean: bool = True) -> None:
        if interval < 0 or keep < 1:
            raise ValueError("snapshot interval must be ≥ 0 and keep ≥ 1")
        self.folder = folder
        self.interval = interval
        self.keep = keep
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = threading.Event()
        self._manifests: dict[int, Manifest] = {}
        self._load(clean)

    def _load(self, clean: bool) -> None:
        """Read the kept snapshots; with `clean` (the node starting, not a reader beside
        it) remove what an earlier run left half-written."""
        if not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if not entry.name.isdigit():  # a .tmp or .restore an earlier run left
                if clean:
                    shutil.rmtree(entry, ignore_errors=True)
                continue
            try:
                manifest = Manifest.from_json(json.loads((entry / "manifest.json").read_text()))
            except (OSError, ValueError, KeyError):
                if clean:
                    log.warning("removing %s: no readable manifest", entry)
                    shutil.rmtree(entry, ignore_errors=True)
                continue
            self._manifests[manifest.height] = manifest

    # --- reading ---------------------------------------------------------------------------

    def list(self) -> list[Manifest]:
        """The snapshots kept, newest first."""
        with self._lock:
            return [self._manifests[h] for h in sorted(self._manifests, reverse=True)]

    def get(self, height: int) -> Manifest | None:
        with self._lock:
            return self._manifests.get(height)

    def load_chunk(self, height: int, fmt: int, index: int) -> bytes:
        """A chunk's bytes; empty if this node does not hold it (CometBFT asks another)."""
        manifest = self.get(height)
        if manifest is None or manifest.format != fmt or not 0 <= index < manifest.chunks:
            return b""
        try:
            return (self.folder / str(height) / chunk_name(index)).read_bytes()
        except OSError:  # pruned meanwhile
            return b""

    def items(self, height: int) -> Iterator[tuple[str, bytes]]:
        """The records of a kept snapshot, each chunk checked against its hash."""
        manifest = self.get(height)
        if manifest is None:
            raise FileNotFoundError(f"no snapshot at height {height}")
        folder = self.folder / str(height)
        for i, expected in enumerate(manifest.chunk_hashes):
            chunk = (folder / chunk_name(i)).read_bytes()
            if sha256(chunk) != expected:
                raise SnapshotError(f"chunk {i} of the snapshot at height {height} is not "
                                    "the one its manifest names")
            yield from decode_chunk(chunk)

    # --- writing ---------------------------------------------------------------------------

    def due(self, height: int) -> bool:
        return self.interval > 0 and height > 0 and height % self.interval == 0

    def take(self, store: NodeStore, height: int, app_hash: bytes, block_hash: bytes) -> bool:
        """Snapshot the state the store holds now, which must be after block `height`.

        The read transaction begins here, in the committing thread; the records are written
        by a background thread (`wait` for it). A snapshot still being written makes this
        one skipped, never queued. Whether one was started.
        """
        with self._lock:
            if self._closed.is_set() or (self._thread is not None and self._thread.is_alive()):
                log.warning("snapshot at height %d skipped: the one before is still being "
                            "written", height)
                return False
            reader = store.begin_read()
            stored = reader.meta("last_height")
            if stored is None or int(stored) != height:
                reader.close()
                log.warning("snapshot at height %d skipped: the store is at %s", height,
                            stored)
                return False
            self._thread = threading.Thread(target=self._write, name=f"snapshot-{height}",
                                            args=(reader, height, app_hash, block_hash),
                                            daemon=True)
            self._thread.start()
            return True

    def _write(self, reader: StateReader, height: int, app_hash: bytes,
               block_hash: bytes) -> None:
        tmp = self.folder / f"{height}.tmp"
        try:
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            writer = ChunkWriter(tmp)
            for key, value in reader.iter_state():
                if self._closed.is_set():
                    raise InterruptedError("the node is stopping")
                writer.add(key, value)
            hashes = writer.finish()
        except InterruptedError:
            shutil.rmtree(tmp, ignore_errors=True)
            return
        except Exception:
            log.exception("snapshot at height %d failed", height)
            shutil.rmtree(tmp, ignore_errors=True)
            return
        finally:
            reader.close()
        manifest = Manifest(height, FORMAT, len(hashes), snapshot_hash(hashes),
                            block_hash + b"".join(hashes), app_hash)
        self.install(tmp, manifest)
        log.info("snapshot at height %d: %d chunk(s), hash %s", height, len(hashes),
                 manifest.hash.hex()[:16])

    def install(self, folder: Path, manifest: Manifest) -> None:
        """Make a folder of chunk files a kept snapshot (renamed into place), then prune."""
        write_synced(folder / "manifest.json", json.dumps(manifest.to_json()).encode())
        final = self.folder / str(manifest.height)
        shutil.rmtree(final, ignore_errors=True)
        os.replace(folder, final)
        fsync_dir(self.folder)
        with self._lock:
            self._manifests[manifest.height] = manifest
            old = sorted(self._manifests, reverse=True)[self.keep:]
            for h in old:
                del self._manifests[h]
        for h in old:
            shutil.rmtree(self.folder / str(h), ignore_errors=True)

    def wait(self, timeout: float | None = None) -> None:
        """Until the snapshot being written, if any, is done (tests; shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def close(self) -> None:
        """Stop a snapshot being written (it is dropped) before the store closes."""
        self._closed.set()
        self.wait(30)


# --- restoring -----------------------------------------------------------------------------


class Offered(enum.Enum):
    """OfferSnapshot's answers (ABCI's names and numbers)."""

    ACCEPT = 1
    ABORT = 2
    REJECT = 3
    REJECT_FORMAT = 4


class Applied(enum.Enum):
    """ApplySnapshotChunk's answers (ABCI's names and numbers)."""

    ACCEPT = 1
    ABORT = 2
    RETRY = 3
    RETRY_SNAPSHOT = 4
    REJECT_SNAPSHOT = 5


@dataclass(frozen=True)
class ChunkAnswer:
    result: Applied
    refetch: tuple[int, ...] = ()
    reject_senders: tuple[str, ...] = ()
    restored: bool = False
    """The last chunk was applied: the store now holds the snapshot's state."""


@dataclass
class _Restore:
    manifest: Manifest
    block_hash: bytes
    folder: Path
    already: bool
    """The store already holds exactly this state (a crash after the restore, before
    CometBFT stored its own state): the chunks are checked and nothing is written."""
    writer: ChunkWriter
    next: int = 0
    last_key: str | None = None


class Restorer:
    """A node's side of state sync: an accepted offer, its chunks, the switch of state."""

    def __init__(self, store: NodeStore, snapshots: SnapshotStore) -> None:
        self.store = store
        self.snapshots = snapshots
        self._restore: _Restore | None = None

    def offer(self, height: int, fmt: int, chunks: int, hash_: bytes, metadata: bytes,
              app_hash: bytes) -> Offered:
        """Accept format 1, a sane shape, into a node without blocks (never over a chain)."""
        self._drop()
        if fmt != FORMAT:
            return Offered.REJECT_FORMAT
        split = split_metadata(metadata, chunks)
        if (height < 1 or not 1 <= chunks <= MAX_CHUNKS or len(app_hash) != HASH
                or split is None or snapshot_hash(split[1]) != hash_):
            log.warning("refusing the snapshot at height %d: malformed (%d chunks, %d bytes "
                        "of metadata)", height, chunks, len(metadata))
            return Offered.REJECT
        synced = self.store.get_meta(SYNCED_FROM)
        already = (self.store.last_height() == height and synced == str(height).encode()
                   and self.store.last_app_hash() == app_hash)
        if self.store.last_height() != 0 and not already:
            log.error("refusing every snapshot: this node's store already holds blocks (up "
                      "to %d); state sync only fills an empty node", self.store.last_height())
            return Offered.ABORT
        folder = self.snapshots.folder / f"{height}.restore"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        manifest = Manifest(height, fmt, chunks, hash_, metadata, app_hash)
        self._restore = _Restore(manifest, split[0], folder, already, ChunkWriter(folder))
        log.info("accepted the snapshot at height %d (%d chunks) for app hash %s", height,
                 chunks, app_hash.hex()[:16])
        return Offered.ACCEPT

    def apply(self, index: int, chunk: bytes, sender: str) -> ChunkAnswer:
        r = self._restore
        if r is None:
            return ChunkAnswer(Applied.ABORT)
        if index != r.next:
            self._drop()
            return ChunkAnswer(Applied.RETRY_SNAPSHOT)
        if sha256(chunk) != r.manifest.chunk_hashes[index]:
            log.warning("chunk %d of the snapshot at height %d from %s is not the one its "
                        "hash names: fetching it again from another peer", index,
                        r.manifest.height, sender or "?")
            return ChunkAnswer(Applied.RETRY, (index,), (sender,) if sender else ())
        try:
            for key, _value in decode_chunk(chunk):
                if r.last_key is not None and key <= r.last_key:
                    raise SnapshotError("records are not in strictly increasing key order")
                r.last_key = key
        except SnapshotError as err:
            return self._reject(f"chunk {index} matches its hash but is malformed: {err}")
        r.writer.add_chunk(chunk)
        r.next += 1
        if r.next < r.manifest.chunks:
            return ChunkAnswer(Applied.ACCEPT)
        return self._finish(r)

    def _finish(self, r: _Restore) -> ChunkAnswer:
        m = r.manifest
        spill = r.folder.with_name(r.folder.name + ".runs")
        try:
            with RunWriter(spill) as runs:
                runs.add_all(iter_chunk_files(r.folder, m.chunks))
            if r.already:
                root, _ = build_runs([spill])
                if root != m.app_hash:
                    raise StateMismatch(f"its records hash to {root.hex()[:16]}…, not to the "
                                        f"app hash {m.app_hash.hex()[:16]}…")
            else:
                self.store.restore_state(iter_chunk_files(r.folder, m.chunks),
                                         lambda emit: build_runs([spill], emit)[0],
                                         m.height, m.app_hash, {
                                             SYNCED_FROM: str(m.height).encode(),
                                             SYNCED_APP_HASH: m.app_hash,
                                             SYNCED_BLOCK_HASH: r.block_hash})
        except StateMismatch as err:
            return self._reject(f"{err} verified for height {m.height}")
        finally:
            shutil.rmtree(spill, ignore_errors=True)
        self._restore = None
        self.snapshots.install(r.folder, m)
        log.info("restored the state at height %d from a snapshot: app hash %s", m.height,
                 m.app_hash.hex())
        return ChunkAnswer(Applied.ACCEPT, restored=True)

    def _reject(self, why: str) -> ChunkAnswer:
        r = self._restore
        assert r is not None
        log.error("rejecting the snapshot at height %d: %s; nothing of it is kept",
                  r.manifest.height, why)
        self._drop()
        return ChunkAnswer(Applied.REJECT_SNAPSHOT)

    def _drop(self) -> None:
        if self._restore is not None:
            shutil.rmtree(self._restore.folder, ignore_errors=True)
            self._restore = None
