"""The force module as the transition sees it: the task catalog and its governance.

Grants, expiry and daily limits (`grants.py`, `days.py`) join when the economy is wired
into blocks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planet.core.errors import NotFound
from planet.core.force.catalog import Task
from planet.core.force.messages import SetTaskEnabled, UpsertTask
from planet.core.force.rules import (
    PREFIX,
    get_task,
    process_set_task_enabled,
    process_upsert_task,
    task_key,
)
from planet.core.genesis import Genesis
from planet.core.messages import Module
from planet.core.state import Layer, View


def init_genesis(state: Layer, genesis: Genesis) -> None:
    for task in genesis.tasks:
        state.set(task_key(task.id), task)


def query_tasks(view: View, args: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [task.to_json() for _key, task in view.iter_prefix(f"{PREFIX}task/", Task)]


def query_task(view: View, args: Mapping[str, Any]) -> dict[str, Any]:
    task = get_task(view, str(args.get("id", "")))
    if task is None:
        raise NotFound(f"no task '{args.get('id', '')}' in the catalog")
    return task.to_json()


MODULE = Module(
    name="force",
    messages=((UpsertTask, process_upsert_task), (SetTaskEnabled, process_set_task_enabled)),
    init_genesis=init_genesis,
    queries={"tasks": query_tasks, "task": query_task},
)
