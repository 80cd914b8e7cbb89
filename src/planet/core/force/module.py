"""The force module (task catalog for now; grants and expiry follow with the economy)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planet.core.force.catalog import Task
from planet.core.genesis import Genesis
from planet.core.messages import Module
from planet.core.state import Layer, View

PREFIX = "force/"


def task_key(task_id: str) -> str:
    return f"{PREFIX}task/{task_id}"


def init_genesis(state: Layer, genesis: Genesis) -> None:
    for task in genesis.tasks:
        state.set(task_key(task.id), task)


def query_tasks(view: View, args: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [task.to_json() for _key, task in view.iter_prefix(f"{PREFIX}task/", Task)]


MODULE = Module(name="force", init_genesis=init_genesis, queries={"tasks": query_tasks})
