"""Every core query, generically: /v1/query/{module}/{name}?arg=… (or ?args=<JSON>)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request

from planet.api.context import ApiContext
from planet.api.errors import ERRORS
from planet.core.errors import QueryError


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(prefix="/v1", responses=ERRORS, tags=["query"])

    @r.get("/query/{module}/{name}", summary="Any core query",
           description="The core's queries are in src/planet/core/*/module.py; arguments "
                       "as query parameters, or all of them as JSON in `args`.")
    def query(module: str, name: str, request: Request) -> Any:
        args: dict[str, Any] = dict(request.query_params)
        if "args" in args:
            try:
                args = json.loads(args["args"])
            except ValueError:
                raise QueryError("args: not JSON") from None
            if not isinstance(args, dict):
                raise QueryError("args: expected a JSON object")
        return ctx.node.query(f"{module}/{name}", args)

    return r
