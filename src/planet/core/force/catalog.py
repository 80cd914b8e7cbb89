"""The task catalog is data: genesis seeds it, operator governance changes it later.

A task says how much Force a completion grants, for how long, how often, and who may
attest it. The default catalog follows the seeds: daily check-in, inviting a friend (paid
when the invitee passes identity verification, one level, capped per day), identity and
face verification, Sesame Credit authorization (+30, shipped disabled), and tasks that
partner businesses attest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from planet.core.address import parse_address
from planet.core.errors import GenesisError, InvalidField
from planet.core.records import Record

TASK_ID = re.compile(r"[a-z][a-z0-9_]{0,47}")  # fullmatch ("$" passes a final "\n")
ATTESTERS = ("resident", "operator", "verifier", "business")
LIMIT = re.compile(r"(once|unlimited|daily:[1-9][0-9]{0,3})")  # fullmatch ("$" passes a final "\n")
TASK_FIELDS = ("id", "title", "category", "force", "duration_days", "limit", "attester",
               "enabled")


@dataclass(frozen=True, slots=True)
class Task(Record):
    id: str
    title: str
    category: str
    force: int
    duration_days: int  # 0: permanent
    limit: str  # once | daily:N | unlimited
    attester: str  # resident | operator | verifier | business | business:<address>
    enabled: bool

    @property
    def is_permanent(self) -> bool:
        return self.duration_days == 0

    @property
    def daily_limit(self) -> int | None:
        return int(self.limit.split(":")[1]) if self.limit.startswith("daily:") else None


def parse_task(data: Any, *, where: str = "task") -> Task:
    """Validate one catalog entry; errors name the entry and the field."""
    if not isinstance(data, dict):
        raise InvalidField(f"{where}: expected an object")
    unknown = sorted(set(data) - set(TASK_FIELDS))
    missing = sorted(set(TASK_FIELDS) - set(data))
    if unknown:
        raise InvalidField(f"{where}: unknown field(s) {', '.join(unknown)}")
    if missing:
        raise InvalidField(f"{where}: missing field(s) {', '.join(missing)}")
    if not isinstance(data["id"], str) or not TASK_ID.fullmatch(data["id"]):
        raise InvalidField(f"{where}.id: lower-case letters, digits and _, starting with a letter")
    for name in ("title", "category"):
        if not isinstance(data[name], str) or not 0 < len(data[name]) <= 80:
            raise InvalidField(f"{where}.{name}: a string of 1 to 80 characters")
    for name in ("force", "duration_days"):
        v = data[name]
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 1_000_000:
            raise InvalidField(f"{where}.{name}: an integer from 0 to 1000000")
    if not isinstance(data["limit"], str) or not LIMIT.fullmatch(data["limit"]):
        raise InvalidField(f"{where}.limit: 'once', 'unlimited' or 'daily:N'")
    attester = data["attester"]
    if not isinstance(attester, str):
        raise InvalidField(f"{where}.attester: a string")
    if attester.startswith("business:"):
        parse_address(attester.removeprefix("business:"), field=f"{where}.attester")
    elif attester not in ATTESTERS:
        raise InvalidField(f"{where}.attester: one of {', '.join(ATTESTERS)} or business:<address>")
    if not isinstance(data["enabled"], bool):
        raise InvalidField(f"{where}.enabled: true or false")
    return Task(**data)


def parse_catalog(entries: Any) -> tuple[Task, ...]:
    if not isinstance(entries, list):
        raise GenesisError("tasks: expected a list")
    try:
        tasks = tuple(parse_task(e, where=f"tasks[{i}]") for i, e in enumerate(entries))
    except InvalidField as err:
        raise GenesisError(err.message) from None
    ids = [t.id for t in tasks]
    if len(set(ids)) != len(ids):
        raise GenesisError("tasks: task ids must be unique")
    return tasks


def _t(id: str, title: str, category: str, force: int, days: int, limit: str, attester: str,
       enabled: bool = True) -> dict[str, Any]:
    return {"id": id, "title": title, "category": category, "force": force,
            "duration_days": days, "limit": limit, "attester": attester, "enabled": enabled}


DEFAULT_CATALOG: tuple[dict[str, Any], ...] = (
    _t("daily_checkin", "Daily check-in", "daily", 2, 7, "daily:1", "resident"),
    _t("invite_friend", "Invite a friend (paid when they verify their identity)", "social",
       10, 0, "daily:5", "verifier"),
    _t("identity_verification", "Verify your identity", "identity", 20, 0, "once", "verifier"),
    _t("face_verification", "Face verification", "identity", 10, 0, "once", "verifier"),
    _t("sesame_credit", "Authorize Sesame Credit", "credit", 30, 0, "once", "verifier",
       enabled=False),
    _t("shopping", "Shop with a partner", "shopping", 3, 30, "daily:3", "business"),
    _t("entertainment", "Watch or play with a partner", "entertainment", 2, 30, "daily:3",
       "business"),
    _t("education", "Complete a course", "education", 5, 60, "daily:1", "business"),
    _t("finance", "Use a partner's financial service", "finance", 5, 60, "daily:1", "business"),
    _t("travel", "Travel with a partner", "travel", 4, 30, "daily:2", "business"),
    _t("browsing", "Read news with a partner", "browsing", 1, 7, "daily:5", "business"),
    _t("social", "Take part in a partner community", "social", 2, 14, "daily:3", "business"),
)
