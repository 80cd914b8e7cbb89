"""Task governance: the operator owns the catalog; no message touches emission."""

from __future__ import annotations

import dataclasses

from planet.core.accounts.rules import is_operator
from planet.core.errors import NotOperator, TaskUnknown
from planet.core.force.catalog import Task
from planet.core.force.messages import SetTaskEnabled, UpsertTask
from planet.core.messages import Ctx
from planet.core.state import View

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
    task = get_task(ctx.state, msg.task_id)
    if task is None:
        raise TaskUnknown(f"no task '{msg.task_id}' in the catalog")
    ctx.state.set(task_key(msg.task_id), dataclasses.replace(task, enabled=msg.enabled))
    ctx.emit("force/task_enabled" if msg.enabled else "force/task_disabled", task=msg.task_id)
