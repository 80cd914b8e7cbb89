"""The vault's blob stores: each test runs against the file store and a real PostgreSQL server."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from planet.storage.blobs import FileBlobStore, PostgresBlobStore, open_blob_store
from planet.vault.store import BlobStore, check_digest
from tests.pg import PostgresServer


def blob(n: int = 64, seed: bytes = b"") -> tuple[str, bytes]:
    """A blob of `n` random-looking bytes and its digest."""
    data = b"".join(hashlib.sha256(seed + i.to_bytes(8, "big")).digest() for i in range(n // 32 + 1))[:n]
    return hashlib.sha256(data).hexdigest(), data


@dataclass
class Backend:
    kind: str
    opener: Callable[[], BlobStore]
    server: PostgresServer | None = None
    opened: list[BlobStore] = field(default_factory=list)

    def open(self) -> BlobStore:
        store = self.opener()
        self.opened.append(store)
        return store


def reset_postgres(server: PostgresServer) -> None:
    engine = create_engine(server.url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS vault_blobs"))
    engine.dispose()


@pytest.fixture(params=["files", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "files":
        b = Backend("files", lambda: FileBlobStore(tmp_path / "blobs"))
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        reset_postgres(server)
        b = Backend("postgres", lambda: PostgresBlobStore(server.url), server)
    yield b
    for store in b.opened:
        store.close()


@pytest.fixture
def store(backend: Backend) -> BlobStore:
    return backend.open()


BAD_DIGESTS = [
    "",
    "A" * 64,                                   # upper case
    hashlib.sha256(b"x").hexdigest().upper(),
    "a" * 63,                                   # short
    "a" * 65,                                   # long
    "g" * 64,                                   # not hex
    "a" * 63 + " ",
    "a" * 64 + "\n",
    " " + "a" * 63,
    "../x",
    "../" + "a" * 61,                           # 64 characters, climbs out
    "ab/cd/" + "a" * 58,
    "/" + "a" * 63,
    "a" * 32 + "\x00" + "a" * 31,
    "\uff10" * 64,                              # full-width digits
    "\u0660" * 64,                              # Arabic-Indic digits
]


# --- the protocol ------------------------------------------------------------------------------


def test_put_get_has_delete(store: BlobStore) -> None:
    digest, data = blob(100)
    assert not store.has(digest)
    assert store.get(digest) is None
    assert store.put(digest, data) is True
    assert store.has(digest)
    assert store.get(digest) == data
    assert store.delete(digest) is True
    assert not store.has(digest)
    assert store.get(digest) is None
    assert store.delete(digest) is False


def test_digests_and_stats(store: BlobStore) -> None:
    assert list(store.digests()) == []
    assert store.stats() == {"count": 0, "bytes": 0}
    blobs = dict(blob(n, seed=b"s%d" % n) for n in (1, 10, 100, 1000, 0))
    for digest, data in blobs.items():
        store.put(digest, data)
    assert list(store.digests()) == sorted(blobs)
    assert store.stats() == {"count": 5, "bytes": 1111}
    gone = sorted(blobs)[2]
    store.delete(gone)
    assert list(store.digests()) == sorted(set(blobs) - {gone})
    assert store.stats() == {"count": 4, "bytes": 1111 - len(blobs[gone])}


def test_empty_blob(store: BlobStore) -> None:
    digest, data = blob(0)
    assert store.put(digest, data)
    assert store.get(digest) == b""
    assert store.has(digest)


def test_put_is_idempotent(store: BlobStore) -> None:
    digest, data = blob(50)
    assert store.put(digest, data) is True
    assert store.put(digest, data) is False
    assert store.put(digest, data) is False
    assert store.get(digest) == data
    assert store.stats() == {"count": 1, "bytes": 50}


def test_digest_mismatch_refused_and_nothing_stored(store: BlobStore) -> None:
    digest, data = blob(40)
    other_digest, _ = blob(40, seed=b"other")
    with pytest.raises(ValueError, match="blob does not match its digest"):
        store.put(other_digest, data)
    with pytest.raises(ValueError, match="blob does not match its digest"):
        store.put(digest, data + b"\x00")
    assert not store.has(other_digest)
    assert not store.has(digest)
    assert store.stats() == {"count": 0, "bytes": 0}
    assert list(store.digests()) == []


@pytest.mark.parametrize("bad", BAD_DIGESTS)
def test_malformed_digest_refused(backend: Backend, store: BlobStore, tmp_path: Path, bad: str) -> None:
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(ValueError, match="64 lower-case hex"):
        store.put(bad, b"x")
    for op in (store.get, store.has, store.delete):
        with pytest.raises(ValueError, match="64 lower-case hex"):
            op(bad)
    with pytest.raises(ValueError, match="64 lower-case hex"):
        check_digest(bad)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert store.stats() == {"count": 0, "bytes": 0}


def test_check_digest_accepts_a_sha256() -> None:
    check_digest(hashlib.sha256(b"hello").hexdigest())


def test_delete_missing_is_false(store: BlobStore) -> None:
    digest, _ = blob(10)
    assert store.delete(digest) is False


def test_three_mib_round_trip(store: BlobStore) -> None:
    digest, data = blob(3 * 1024 * 1024, seed=b"big")
    assert store.put(digest, data)
    assert store.get(digest) == data
    assert store.stats() == {"count": 1, "bytes": 3 * 1024 * 1024}


def test_survives_reopening(backend: Backend) -> None:
    first = backend.open()
    blobs = dict(blob(n, seed=b"r") for n in (5, 500, 5000))
    for digest, data in blobs.items():
        first.put(digest, data)
    first.close()
    second = backend.open()
    assert list(second.digests()) == sorted(blobs)
    for digest, data in blobs.items():
        assert second.get(digest) == data
    assert second.put(*blob(5, seed=b"r")) is False


# --- the file store ----------------------------------------------------------------------------


def test_file_layout_and_no_temp_files(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    store = FileBlobStore(root)
    blobs = dict(blob(n, seed=b"f") for n in range(1, 30))
    for digest, data in blobs.items():
        store.put(digest, data)
    files = sorted(p for p in root.rglob("*") if p.is_file())
    assert files == sorted(root / d[0:2] / d[2:4] / d for d in blobs)
    for p in files:
        assert p.read_bytes() == blobs[p.name]
    assert all(p.is_dir() for p in root.rglob("*") if not p.is_file())


def test_file_store_cleans_up_a_failed_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FileBlobStore(tmp_path)
    digest, data = blob(100)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.put(digest, data)
    monkeypatch.undo()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert not store.has(digest)
    assert store.put(digest, data)
    assert store.get(digest) == data


def test_file_store_ignores_stray_files(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path)
    digest, data = blob(10)
    store.put(digest, data)
    fanout = tmp_path / digest[0:2] / digest[2:4]
    (fanout / ".tmp-leftover").write_bytes(b"half a blob")
    misplaced, _ = blob(10, seed=b"elsewhere")
    (fanout / misplaced).write_bytes(b"in the wrong folder")
    (tmp_path / "README").write_text("not a blob")
    (tmp_path / "zz").mkdir()
    assert list(store.digests()) == [digest]
    assert store.stats() == {"count": 1, "bytes": 10}


# --- PostgreSQL --------------------------------------------------------------------------------


def test_postgres_dump_holds_blob_until_deleted(postgres: PostgresServer) -> None:
    reset_postgres(postgres)
    store = PostgresBlobStore(postgres.url)
    try:
        digest, data = blob(4096, seed=b"dump")
        kept, kept_data = blob(64, seed=b"kept")
        store.put(digest, data)
        store.put(kept, kept_data)
        dump = postgres.dump()
        assert digest.encode() in dump
        assert data.hex().encode() in dump
        assert store.delete(digest)
        dump = postgres.dump()
        assert digest.encode() not in dump
        assert data.hex().encode() not in dump
        assert data not in dump
        assert kept.encode() in dump
    finally:
        store.close()


def test_postgres_table_shape(postgres: PostgresServer) -> None:
    reset_postgres(postgres)
    store = PostgresBlobStore(postgres.url)
    try:
        digest, data = blob(77)
        store.put(digest, data)
        engine = create_engine(postgres.url)
        with engine.connect() as conn:
            row = conn.execute(text("SELECT digest, size, stored_at IS NOT NULL FROM vault_blobs")).one()
            columns = dict(conn.execute(text(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_name = 'vault_blobs'")).all())
        engine.dispose()
        assert tuple(row) == (digest, 77, True)
        assert columns == {"digest": "character", "data": "bytea", "size": "integer",
                           "stored_at": "timestamp with time zone"}
    finally:
        store.close()


def test_postgres_digests_pages(postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import planet.storage.blobs as blobs_module

    monkeypatch.setattr(blobs_module, "DIGESTS_PAGE", 3)
    reset_postgres(postgres)
    store = PostgresBlobStore(postgres.url)
    try:
        blobs = dict(blob(8, seed=b"p%d" % i) for i in range(10))
        for digest, data in blobs.items():
            store.put(digest, data)
        assert list(store.digests()) == sorted(blobs)
    finally:
        store.close()


# --- choosing a store --------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["", "files", "  files  "])
def test_open_file_store(tmp_path: Path, spec: str) -> None:
    store = open_blob_store(spec, tmp_path / "blobs")
    assert isinstance(store, FileBlobStore)
    assert store.root == tmp_path / "blobs"
    assert (tmp_path / "blobs").is_dir()


@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+psycopg", "postgres"])
def test_open_postgres_store(postgres: PostgresServer, scheme: str) -> None:
    reset_postgres(postgres)
    url = scheme + "://" + postgres.url.split("://", 1)[1]
    store = open_blob_store(url, Path("/nonexistent"))
    try:
        assert isinstance(store, PostgresBlobStore)
        assert store.engine.url.drivername == "postgresql+psycopg"
        digest, data = blob(9)
        assert store.put(digest, data)
        assert store.get(digest) == data
    finally:
        store.close()


@pytest.mark.parametrize("spec", ["sqlite:///x.db", "postgresql+psycopg2://u:secret@h/db", "s3://bucket",
                                  "file", "mysql://u:secret@h/db"])
def test_open_unknown_store_refused(tmp_path: Path, spec: str) -> None:
    with pytest.raises(ValueError, match="unknown blob store") as info:
        open_blob_store(spec, tmp_path)
    assert "secret" not in str(info.value)
