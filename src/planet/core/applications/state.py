"""The applications module's records, under `applications/`. Only this module writes them.

    applications/app/<id:016d>       Application (kept once decided: its status and reason)
    applications/pending/<id:016d>   Marker: the operator's queue, oldest first
    applications/of/<address>        Latest: the key's most recent application
    applications/meta                Counters: the next id and how many are pending
"""

from __future__ import annotations

from dataclasses import dataclass

from planet.core.records import Record

PREFIX = "applications/"
PENDING = "pending"
APPROVED = "approved"
DECLINED = "declined"
WITHDRAWN = "withdrawn"
STATUSES = (PENDING, APPROVED, DECLINED, WITHDRAWN)
META_KEY = f"{PREFIX}meta"
PENDING_PREFIX = f"{PREFIX}pending/"


@dataclass(frozen=True, slots=True)
class Application(Record):
    id: int
    applicant: str  # the address of the key that signed it; the business's address if approved
    public_key: str  # base64 Ed25519: the key that signed the application
    encryption_key: str  # base64 X25519
    name: str
    contact: str
    offers: str
    status: str
    applied_at: int
    applied_height: int
    decided_at: int = 0  # block time of the decision or withdrawal
    decided_height: int = 0
    reason: str = ""  # a decline's reason, for the applicant to read

    @property
    def is_pending(self) -> bool:
        return self.status == PENDING


@dataclass(frozen=True, slots=True)
class Latest(Record):
    id: int


@dataclass(frozen=True, slots=True)
class Counters(Record):
    next_id: int = 1
    pending: int = 0


def application_key(app_id: int) -> str:
    return f"{PREFIX}app/{app_id:016d}"


def pending_key(app_id: int) -> str:
    return f"{PENDING_PREFIX}{app_id:016d}"


def latest_key(address: str) -> str:
    return f"{PREFIX}of/{address}"
