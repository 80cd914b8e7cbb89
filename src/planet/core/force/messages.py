"""Messages of the force module (task governance by the operator)."""

from __future__ import annotations

from dataclasses import dataclass

from planet.core.address import parse_address
from planet.core.errors import InvalidField
from planet.core.force.catalog import TASK_FIELDS, Task, parse_task
from planet.core.messages import Msg
from planet.core.params import Params


def check_task_id(type_: str, task_id: str) -> None:
    if not task_id or len(task_id) > 48:
        raise InvalidField(f"{type_}.task_id: 1 to 48 characters")


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
        check_task_id(self.TYPE, self.task_id)


@dataclass(frozen=True, slots=True)
class CompleteTask(Msg):
    """A resident completes a task they attest themselves (the daily check-in)."""

    TYPE = "force/complete_task"
    task_id: str

    def validate(self, params: Params) -> None:
        check_task_id(self.TYPE, self.task_id)


@dataclass(frozen=True, slots=True)
class AttestTasks(Msg):
    """A batch of completions of one task, attested by whoever the task names.

    A business attests its tasks this way (within its daily Force quota); an identity
    verifier attests face verification or Sesame Credit; the operator its own tasks. A
    resident may appear more than once when the task's limit allows it. The batch is all
    or nothing, and a refusal names the first entry that cannot be granted.
    """

    TYPE = "force/attest_tasks"
    task_id: str
    residents: tuple[str, ...]

    def validate(self, params: Params) -> None:
        check_task_id(self.TYPE, self.task_id)
        if not self.residents:
            raise InvalidField(f"{self.TYPE}.residents: at least one")
        for i, resident in enumerate(self.residents):
            parse_address(resident, field=f"{self.TYPE}.residents[{i}]")


@dataclass(frozen=True, slots=True)
class SetBusinessQuota(Msg):
    """The operator sets how much Force a business may attest per local day."""

    TYPE = "force/set_business_quota"
    business: str
    daily_force: int

    def validate(self, params: Params) -> None:
        parse_address(self.business, field=f"{self.TYPE}.business")
