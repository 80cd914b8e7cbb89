"""The data vault's blob storage: opaque record ciphertext addressed by its SHA-256.

A blob is stored under its digest, the lower-case hex SHA-256 of its bytes (64 characters).
A store only keeps bytes; who may read or write them is decided by the vault service
(`planet.vault`), which also defines the `BlobStore` interface both backends implement.

Two backends:

* `FileBlobStore`, the embedded default: one file per blob under the node's home folder,
  at ``root/ab/cd/<digest>``, written crash-safely (temp file, fsync, rename, fsync dir).
* `PostgresBlobStore`: one row per blob in the ``vault_blobs`` table, through SQLAlchemy
  Core and the psycopg 3 driver.

`open_blob_store` picks one from a configuration string.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import (
    CHAR,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    create_engine,
    delete,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from planet.vault.store import DIGEST_RE, BlobStore, check_digest

FANOUT_RE = re.compile(r"[0-9a-f]{2}")
TEMP_PREFIX = ".tmp-"
PSYCOPG_DRIVER = "postgresql+psycopg"
POSTGRES_SCHEMES = ("postgresql", "postgres", PSYCOPG_DRIVER)
DIGESTS_PAGE = 1000


def check_blob(digest: str, data: bytes) -> None:
    """Raise ValueError unless `digest` is well formed and is the SHA-256 of `data`."""
    check_digest(digest)
    if hashlib.sha256(data).hexdigest() != digest:
        raise ValueError("blob does not match its digest")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileBlobStore:
    """Blobs as files at ``root/ab/cd/<digest>``; nothing but blob bytes is ever written."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, digest: str) -> Path:
        check_digest(digest)
        return self.root / digest[0:2] / digest[2:4] / digest

    def put(self, digest: str, data: bytes) -> bool:
        check_blob(digest, data)
        path = self.path(digest)
        if path.is_file():
            return False
        self._make_dirs(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        _fsync_dir(path.parent)
        return True

    def _make_dirs(self, leaf: Path) -> None:
        # root/ab, then root/ab/cd; a directory's new entry is made durable in its parent.
        for d in (leaf.parent, leaf):
            try:
                d.mkdir()
            except FileExistsError:
                continue
            _fsync_dir(d.parent)

    def get(self, digest: str) -> bytes | None:
        try:
            return self.path(digest).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, digest: str) -> bool:
        path = self.path(digest)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        _fsync_dir(path.parent)
        return True

    def has(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def _files(self) -> Iterator[tuple[str, os.DirEntry[str]]]:
        for a in _sorted_dirs(self.root):
            for b in _sorted_dirs(Path(a.path)):
                with os.scandir(b.path) as it:
                    entries = sorted(it, key=lambda e: e.name)
                for e in entries:
                    name = e.name
                    if (DIGEST_RE.fullmatch(name) and name[0:2] == a.name and name[2:4] == b.name
                            and e.is_file(follow_symlinks=False)):
                        yield name, e

    def digests(self) -> Iterator[str]:
        for name, _ in self._files():
            yield name

    def stats(self) -> dict[str, int]:
        count = size = 0
        for _, e in self._files():
            try:
                size += e.stat(follow_symlinks=False).st_size
            except FileNotFoundError:
                continue
            count += 1
        return {"count": count, "bytes": size}

    def close(self) -> None:
        pass


def _sorted_dirs(path: Path) -> list[os.DirEntry[str]]:
    """The two-hex-character fan-out directories directly under `path`."""
    try:
        with os.scandir(path) as it:
            found = [e for e in it if FANOUT_RE.fullmatch(e.name) and e.is_dir(follow_symlinks=False)]
    except FileNotFoundError:
        return []
    return sorted(found, key=lambda e: e.name)


metadata = MetaData()

vault_blobs = Table(
    "vault_blobs", metadata,
    Column("digest", CHAR(64), primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("stored_at", DateTime(timezone=True), server_default=func.now()),
)


def psycopg_url(url: str) -> URL:
    """`url` (postgresql://, postgres:// or postgresql+psycopg://) with the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError("not a PostgreSQL URL") from None
    if parsed.drivername not in POSTGRES_SCHEMES:
        raise ValueError(f"not a PostgreSQL URL for the psycopg driver: scheme {parsed.drivername!r}")
    return parsed.set(drivername=PSYCOPG_DRIVER)


class PostgresBlobStore:
    """Blobs as rows of the ``vault_blobs`` table in a PostgreSQL database."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(psycopg_url(url), pool_pre_ping=True)
        metadata.create_all(self.engine, tables=[vault_blobs], checkfirst=True)

    def put(self, digest: str, data: bytes) -> bool:
        check_blob(digest, data)
        # RETURNING tells whether the row was inserted: with psycopg 3, SQLAlchemy reports
        # rowcount -1 for an INSERT without it (sqlalchemy/sqlalchemy#10696).
        stmt = (pg_insert(vault_blobs).values(digest=digest, data=data, size=len(data))
                .on_conflict_do_nothing(index_elements=[vault_blobs.c.digest])
                .returning(vault_blobs.c.digest))
        with self.engine.begin() as conn:
            return conn.execute(stmt).first() is not None

    def get(self, digest: str) -> bytes | None:
        check_digest(digest)
        with self.engine.connect() as conn:
            data = conn.execute(select(vault_blobs.c.data).where(vault_blobs.c.digest == digest)).scalar()
        return None if data is None else bytes(data)

    def delete(self, digest: str) -> bool:
        check_digest(digest)
        with self.engine.begin() as conn:
            stmt = delete(vault_blobs).where(vault_blobs.c.digest == digest).returning(vault_blobs.c.digest)
            return conn.execute(stmt).first() is not None

    def has(self, digest: str) -> bool:
        check_digest(digest)
        with self.engine.connect() as conn:
            row = conn.execute(select(vault_blobs.c.digest).where(vault_blobs.c.digest == digest)).first()
        return row is not None

    def digests(self) -> Iterator[str]:
        # Keyset pages: no connection or cursor stays open while the caller iterates.
        last: str | None = None
        while True:
            q = select(vault_blobs.c.digest).order_by(vault_blobs.c.digest).limit(DIGESTS_PAGE)
            if last is not None:
                q = q.where(vault_blobs.c.digest > last)
            with self.engine.connect() as conn:
                page = list(conn.execute(q).scalars())
            yield from page
            if len(page) < DIGESTS_PAGE:
                return
            last = page[-1]

    def stats(self) -> dict[str, int]:
        q = select(func.count(), func.coalesce(func.sum(vault_blobs.c.size), 0))
        with self.engine.connect() as conn:
            count, size = conn.execute(q).one()
        return {"count": int(count), "bytes": int(size)}

    def close(self) -> None:
        self.engine.dispose()


def open_blob_store(spec: str, home_blobs_dir: Path) -> BlobStore:
    """"" or "files": files under `home_blobs_dir`; a postgresql:// URL: that database."""
    spec = spec.strip()
    if spec in ("", "files"):
        return FileBlobStore(home_blobs_dir)
    scheme = spec.split("://", 1)[0] if "://" in spec else None
    if scheme in POSTGRES_SCHEMES:
        return PostgresBlobStore(spec)
    # The spec may hold a password: name only its scheme.
    what = f"scheme {scheme!r}" if scheme else "spec"
    raise ValueError(f"unknown blob store {what}: expected '', 'files' or a postgresql:// URL")
