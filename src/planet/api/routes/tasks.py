"""The task catalog and business quotas."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from planet.api.context import ApiContext
from planet.api.errors import ERRORS
from planet.api.shapes import TASK, array, ok


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(prefix="/v1", tags=["tasks"], responses=ERRORS)

    @r.get("/tasks", responses=ok(array(TASK)), summary="The task catalog")
    def tasks() -> list[dict[str, Any]]:
        return ctx.query("force/tasks")  # type: ignore[no-any-return]

    @r.get("/tasks/{task_id}", responses=ok(TASK), summary="One task")
    def task(task_id: Annotated[str, Path(max_length=200)]) -> dict[str, Any]:
        return ctx.query("force/task", id=task_id)  # type: ignore[no-any-return]

    return r
