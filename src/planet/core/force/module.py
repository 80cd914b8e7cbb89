"""The force module as the transition sees it: the task catalog, its governance,
completions and attestations, and the queries on Force."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planet.core.chain import get_meta
from planet.core.errors import NotFound
from planet.core.force.catalog import Task
from planet.core.force.days import compute_day
from planet.core.force.grants import get_force, get_grants
from planet.core.force.messages import (
    AttestTasks,
    CompleteTask,
    SetBusinessQuota,
    SetTaskEnabled,
    UpsertTask,
)
from planet.core.force.rules import (
    PREFIX,
    compute_quota_left,
    get_business_quota,
    get_task,
    process_attest_tasks,
    process_complete_task,
    process_set_business_quota,
    process_set_task_enabled,
    process_upsert_task,
    task_key,
)
from planet.core.genesis import Genesis
from planet.core.messages import Module
from planet.core.params import Params
from planet.core.queries import address_arg
from planet.core.state import Layer, View


def init_genesis(state: Layer, genesis: Genesis) -> None:
    for task in genesis.tasks:
        state.set(task_key(task.id), task)


def query_tasks(view: View, args: Mapping[str, Any], params: Params) -> list[dict[str, Any]]:
    return [task.to_json() for _key, task in view.iter_prefix(f"{PREFIX}task/", Task)]


def query_task(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    task = get_task(view, str(args.get("id", "")))
    if task is None:
        raise NotFound(f"no task '{args.get('id', '')}' in the catalog")
    return task.to_json()


def query_force(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """A resident's Force with each grant and when it expires."""
    resident = address_arg(args)
    return {"address": resident, "force": get_force(view, resident),
            "grants": [g.to_json() for g in get_grants(view, resident)]}


def query_quota(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """A business's daily Force quota and what is left of it on the chain's current day."""
    business = address_arg(args)
    quota = get_business_quota(view, business, params)
    day = compute_day(get_meta(view).time, params.timezone_offset_minutes)
    return {"business": business, "daily_force": quota.daily_force,
            "left_today": compute_quota_left(quota, day)}


MODULE = Module(
    name="force",
    messages=((UpsertTask, process_upsert_task), (SetTaskEnabled, process_set_task_enabled),
              (CompleteTask, process_complete_task), (AttestTasks, process_attest_tasks),
              (SetBusinessQuota, process_set_business_quota)),
    init_genesis=init_genesis,
    queries={"tasks": query_tasks, "task": query_task, "force": query_force,
             "quota": query_quota},
)
