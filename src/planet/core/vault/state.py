"""The vault module's records, under `vault/`. Only this module writes them.

    vault/record/<owner>/<digest>    VaultRecord (a commitment; a tombstone once erased)
    vault/digest/<digest>            Marker-like owner pointer (one record per digest, ever)
    vault/depositor/<owner>/<business>  Allowance (the owner lets this business deposit)

The ledger holds what a record *is* (category, source, time, size, the SHA-256 of its
ciphertext), never what it *says*: the ciphertext lives in the blob store, off the chain,
so erasing it is possible on an immutable ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

from planet.core.records import Record

PREFIX = "vault/"

CATEGORIES = ("credit", "browsing", "shopping", "entertainment", "travel", "identity", "health",
              "location", "social", "other")


@dataclass(frozen=True, slots=True)
class VaultRecord(Record):
    owner: str
    digest: str  # hex SHA-256 of the ciphertext blob
    category: str
    source: str  # the owner's address, or the depositing business's
    time: int  # ms: when the behaviour it records happened (what requests' periods select)
    size: int  # bytes of ciphertext
    added_at: int  # block time
    erased_at: int = 0  # block time of erasure; the record stays as a tombstone

    @property
    def erased(self) -> bool:
        return self.erased_at > 0


@dataclass(frozen=True, slots=True)
class DigestOwner(Record):
    owner: str


@dataclass(frozen=True, slots=True)
class Allowance(Record):
    """A resident's consent that one business may deposit into their vault, until revoked."""

    since: int  # block time it was signed


def record_key(owner: str, digest: str) -> str:
    return f"{PREFIX}record/{owner}/{digest}"


def records_prefix(owner: str) -> str:
    return f"{PREFIX}record/{owner}/"


def digest_key(digest: str) -> str:
    return f"{PREFIX}digest/{digest}"


def depositor_key(owner: str, business: str) -> str:
    return f"{PREFIX}depositor/{owner}/{business}"


def depositors_prefix(owner: str) -> str:
    return f"{PREFIX}depositor/{owner}/"
