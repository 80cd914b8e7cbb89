"""What the vault service needs of a blob store: the interface the storage backends
(`planet.storage.blobs`: files, PostgreSQL) implement. Defined here, beside its user, so
the service depends on no backend (nor on SQLAlchemy) and storage sits above services.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

DIGEST_RE = re.compile(r"[0-9a-f]{64}")


class BlobStore(Protocol):
    """Content-addressed storage of opaque blobs."""

    def put(self, digest: str, data: bytes) -> bool:
        """Store `data` under `digest`; True if newly stored, False if it was already there."""
        ...

    def get(self, digest: str) -> bytes | None:
        """The blob stored under `digest`, or None."""
        ...

    def delete(self, digest: str) -> bool:
        """Remove the blob; True if it was there."""
        ...

    def has(self, digest: str) -> bool:
        ...

    def digests(self) -> Iterator[str]:
        """Every stored digest, in ascending order."""
        ...

    def stats(self) -> dict[str, int]:
        """``{"count": number of blobs, "bytes": their total size}``."""
        ...

    def close(self) -> None:
        ...


def check_digest(digest: str) -> None:
    """Raise ValueError unless `digest` is 64 lower-case hex characters."""
    if not isinstance(digest, str) or DIGEST_RE.fullmatch(digest) is None:
        raise ValueError("blob digest must be 64 lower-case hex characters (a SHA-256)")
