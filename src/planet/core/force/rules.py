"""Who may grant Force and how: the operator governs the catalog (never emission), residents
complete their own tasks, attesters (verifiers, businesses within a daily quota, the
operator) attest the others in batches, and identity verification pays by rule."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from planet.core import hooks
from planet.core.accounts.rules import (
    is_business,
    is_operator,
    is_resident,
    is_verifier,
    require_operator,
    require_resident,
)
from planet.core.errors import (
    BusinessSuspended,
    NotBusiness,
    NotOperator,
    NotResident,
    NotVerifier,
    PlanetError,
    QuotaExceeded,
    TaskNotAttestable,
    TaskUnknown,
    Unauthorized,
)
from planet.core.force.catalog import Task
from planet.core.force.days import compute_day
from planet.core.force.grants import Grant, grant_force
from planet.core.force.messages import (
    AttestTasks,
    CompleteTask,
    SetBusinessQuota,
    SetTaskEnabled,
    UpsertTask,
)
from planet.core.messages import Ctx, Event
from planet.core.params import Params
from planet.core.records import Record
from planet.core.state import Layer, View

PREFIX = "force/"


@dataclass(frozen=True, slots=True)
class BusinessQuota(Record):
    """How much Force a business may attest per local day, and what it used on `day`."""

    business: str
    daily_force: int
    day: int = 0
    used: int = 0


def task_key(task_id: str) -> str:
    return f"{PREFIX}task/{task_id}"


def quota_key(business: str) -> str:
    return f"{PREFIX}quota/{business}"


def get_business_quota(view: View, business: str, params: Params) -> BusinessQuota:
    """The operator's quota for the business, or the genesis default if it set none."""
    quota = view.get(quota_key(business), BusinessQuota)
    return quota or BusinessQuota(business=business, daily_force=params.business_daily_force_quota)


def compute_quota_left(quota: BusinessQuota, day: int) -> int:
    """Quotas reset at local midnight: a new day has the whole quota."""
    return quota.daily_force - (quota.used if quota.day == day else 0)


def get_task(view: View, task_id: str) -> Task | None:
    return view.get(task_key(task_id), Task)


def process_upsert_task(ctx: Ctx, msg: UpsertTask) -> None:
    require_operator(ctx, "may change the task catalog")
    existed = get_task(ctx.state, msg.id) is not None
    ctx.state.set(task_key(msg.id), msg.to_task())
    ctx.emit("force/task_changed" if existed else "force/task_added", task=msg.id)


def process_set_task_enabled(ctx: Ctx, msg: SetTaskEnabled) -> None:
    require_operator(ctx, "may enable or disable tasks")
    task = require_task(ctx.state, msg.task_id)
    ctx.state.set(task_key(msg.task_id), dataclasses.replace(task, enabled=msg.enabled))
    ctx.emit("force/task_enabled" if msg.enabled else "force/task_disabled", task=msg.task_id)


def require_task(view: View, task_id: str) -> Task:
    task = get_task(view, task_id)
    if task is None:
        raise TaskUnknown(f"no task '{task_id}' in the catalog")
    return task


def process_set_business_quota(ctx: Ctx, msg: SetBusinessQuota) -> None:
    """The operator sets a business's daily Force quota; today's use still counts."""
    require_operator(ctx, "may set a business's Force quota")
    if not is_business(ctx.state, msg.business):
        raise NotBusiness(f"{msg.business} is not an approved business")
    quota = get_business_quota(ctx.state, msg.business, ctx.params)
    ctx.state.set(quota_key(msg.business), dataclasses.replace(quota, daily_force=msg.daily_force))
    ctx.emit("force/quota_set", business=msg.business, daily_force=msg.daily_force)


def process_complete_task(ctx: Ctx, msg: CompleteTask) -> None:
    """Self-attested tasks only; others are attested by a verifier or a business."""
    require_resident(ctx.state, ctx.sender, "complete tasks")
    task = require_task(ctx.state, msg.task_id)
    if task.attester != "resident":
        raise Unauthorized(f"task '{task.id}' is attested by the {task.attester.split(':')[0]}, "
                           "not by the resident")
    grant = grant_force(ctx.state, task, ctx.sender, ctx.time, ctx.params)
    hooks.force_changed(ctx.state, ctx.params, ctx.sender, ctx.time)
    ctx.emit("force/granted", resident=ctx.sender, task=task.id, force=grant.force,
             expires_at=grant.expires_at)


IDENTITY_TASK = "identity_verification"
INVITE_TASK = "invite_friend"
PAID_BY_RULE = frozenset({IDENTITY_TASK, INVITE_TASK})
"""Tasks granted by the identity-verification rule only, so they cannot be attested twice."""


def check_attester(view: View, task: Task, sender: str) -> None:
    """The sender must be who the task names as its attester."""
    attester = task.attester
    if attester == "resident":
        raise Unauthorized(f"task '{task.id}' is attested by residents themselves "
                           "(force/complete_task)")
    if attester == "operator" and not is_operator(view, sender):
        raise NotOperator(f"task '{task.id}' is attested by the operator")
    if attester == "verifier" and not is_verifier(view, sender):
        raise NotVerifier(f"task '{task.id}' is attested by an identity verifier")
    if attester.startswith("business"):
        if not is_business(view, sender):
            raise NotBusiness(f"task '{task.id}' is attested by a business")
        named = attester.removeprefix("business").removeprefix(":")
        if named and named != sender:
            raise NotBusiness(f"task '{task.id}' is attested only by business {named}")
        reason = hooks.business_suspended(view, sender)
        if reason:
            raise BusinessSuspended(f"{sender} is suspended ({reason}): it may not attest tasks")


def charge_business_quota(ctx: Ctx, task: Task, completions: int) -> None:
    """A business's batch must fit in what is left of its quota for the local day."""
    if not is_business(ctx.state, ctx.sender):
        return
    day = compute_day(ctx.time, ctx.params.timezone_offset_minutes)
    quota = get_business_quota(ctx.state, ctx.sender, ctx.params)
    needed, left = completions * task.force, compute_quota_left(quota, day)
    if needed > left:
        raise QuotaExceeded(f"the batch grants {needed} Force; {ctx.sender} has {left} of its "
                            f"daily quota of {quota.daily_force} left today")
    used = (quota.used if quota.day == day else 0) + needed
    ctx.state.set(quota_key(ctx.sender), dataclasses.replace(quota, day=day, used=used))


def process_attest_tasks(ctx: Ctx, msg: AttestTasks) -> None:
    """A batch of completions by the task's attester; all granted, or none."""
    task = require_task(ctx.state, msg.task_id)
    if task.id in PAID_BY_RULE:
        raise TaskNotAttestable(f"task '{task.id}' is paid when a verifier attests an identity "
                                "(accounts/attest_identity), not attested directly")
    check_attester(ctx.state, task, ctx.sender)
    charge_business_quota(ctx, task, len(msg.residents))
    for i, resident in enumerate(msg.residents):
        try:
            grant = grant_to_resident(ctx, task, resident)
        except PlanetError as err:
            raise type(err)(f"residents[{i}] ({resident}): {err.message}") from None
        ctx.emit("force/granted", resident=resident, task=task.id, force=grant.force,
                 expires_at=grant.expires_at, attester=ctx.sender)


def grant_to_resident(ctx: Ctx, task: Task, resident: str) -> Grant:
    if not is_resident(ctx.state, resident):
        raise NotResident("not a resident")
    grant = grant_force(ctx.state, task, resident, ctx.time, ctx.params)
    hooks.force_changed(ctx.state, ctx.params, resident, ctx.time)
    return grant


def reward_verified_identity(state: Layer, params: Params, resident: str, inviter: str,
                             time_ms: int) -> list[Event]:
    """Identity verified: Force for the resident, and for their inviter (one level only).

    The inviter's reward is capped per day by the task's limit; past the cap, or with the
    task disabled, the attestation still stands and simply pays no one.
    """
    events: list[Event] = []
    for task_id, who in ((IDENTITY_TASK, resident), (INVITE_TASK, inviter)):
        task = get_task(state, task_id)
        if task is None or not who or not is_resident(state, who):
            continue
        layer = state.child()
        try:
            grant = grant_force(layer, task, who, time_ms, params)
        except PlanetError:
            continue
        state.absorb(layer)
        hooks.force_changed(state, params, who, time_ms)
        events.append(Event("force/granted", {"resident": who, "task": task_id,
                                              "force": grant.force,
                                              "expires_at": grant.expires_at}))
    return events
