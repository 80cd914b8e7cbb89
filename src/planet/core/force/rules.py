"""Task governance: the operator owns the catalog; no message touches emission."""

from __future__ import annotations

import dataclasses

from planet.core import hooks
from planet.core.accounts.rules import is_operator, is_resident, require_account
from planet.core.accounts.state import RESIDENT
from planet.core.errors import NotOperator, NotResident, PlanetError, TaskUnknown, Unauthorized
from planet.core.force.catalog import Task
from planet.core.force.grants import grant_force
from planet.core.force.messages import CompleteTask, SetTaskEnabled, UpsertTask
from planet.core.messages import Ctx, Event
from planet.core.params import Params
from planet.core.state import Layer, View

PREFIX = "force/"


def task_key(task_id: str) -> str:
    return f"{PREFIX}task/{task_id}"


def get_task(view: View, task_id: str) -> Task | None:
    return view.get(task_key(task_id), Task)


def require_operator(ctx: Ctx, action: str) -> None:
    if not is_operator(ctx.state, ctx.sender):
        raise NotOperator(f"only the operator may {action}")


def process_upsert_task(ctx: Ctx, msg: UpsertTask) -> None:
    require_operator(ctx, "change the task catalog")
    existed = get_task(ctx.state, msg.id) is not None
    ctx.state.set(task_key(msg.id), msg.to_task())
    ctx.emit("force/task_changed" if existed else "force/task_added", task=msg.id)


def process_set_task_enabled(ctx: Ctx, msg: SetTaskEnabled) -> None:
    require_operator(ctx, "enable or disable tasks")
    task = require_task(ctx.state, msg.task_id)
    ctx.state.set(task_key(msg.task_id), dataclasses.replace(task, enabled=msg.enabled))
    ctx.emit("force/task_enabled" if msg.enabled else "force/task_disabled", task=msg.task_id)


def require_task(view: View, task_id: str) -> Task:
    task = get_task(view, task_id)
    if task is None:
        raise TaskUnknown(f"no task '{task_id}' in the catalog")
    return task


def process_complete_task(ctx: Ctx, msg: CompleteTask) -> None:
    """Self-attested tasks only; others are attested by a verifier or a business."""
    account = require_account(ctx.state, ctx.sender)
    if account.kind != RESIDENT:
        raise NotResident("only residents complete tasks")
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
