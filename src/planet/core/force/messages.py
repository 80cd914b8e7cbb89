"""Messages of the force module (task governance by the operator)."""

from __future__ import annotations

from dataclasses import dataclass

from planet.core.errors import InvalidField
from planet.core.force.catalog import TASK_FIELDS, Task, parse_task
from planet.core.messages import Msg
from planet.core.params import Params


@dataclass(frozen=True, slots=True)
class UpsertTask(Msg):
    """The operator adds a task to the catalog or changes one (never emission)."""

    TYPE = "force/upsert_task"
    id: str
    title: str
    category: str
    force: int
    duration_days: int
    limit: str
    attester: str
    enabled: bool

    def validate(self, params: Params) -> None:
        parse_task({name: getattr(self, name) for name in TASK_FIELDS}, where=self.TYPE)

    def to_task(self) -> Task:
        return Task(**{name: getattr(self, name) for name in TASK_FIELDS})


@dataclass(frozen=True, slots=True)
class SetTaskEnabled(Msg):
    """The operator switches a task on or off (Sesame Credit ships off)."""

    TYPE = "force/set_task_enabled"
    task_id: str
    enabled: bool

    def validate(self, params: Params) -> None:
        if not self.task_id or len(self.task_id) > 48:
            raise InvalidField(f"{self.TYPE}.task_id: 1 to 48 characters")


@dataclass(frozen=True, slots=True)
class CompleteTask(Msg):
    """A resident completes a task they attest themselves (the daily check-in)."""

    TYPE = "force/complete_task"
    task_id: str

    def validate(self, params: Params) -> None:
        if not self.task_id or len(self.task_id) > 48:
            raise InvalidField(f"{self.TYPE}.task_id: 1 to 48 characters")
