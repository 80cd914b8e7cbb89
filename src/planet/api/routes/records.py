"""Vault record commitments (the ciphertext itself is under /v1/blobs, signed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from planet.api.context import ApiContext
from planet.api.errors import ERRORS


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(prefix="/v1/records", tags=["vault"], responses=ERRORS)

    @r.get("", summary="An owner's records, oldest first; tombstones with erased=true")
    def records(owner: Annotated[str, Query(max_length=200)],
                category: Annotated[str | None, Query(max_length=100)] = None,
                erased: bool = False, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> dict[str, Any]:
        return ctx.query("vault/records", owner=owner,  # type: ignore[no-any-return]
                         category=category, erased=erased, limit=limit, offset=offset)

    @r.get("/depositors", summary="The businesses an owner allows to deposit into their vault")
    def depositors(owner: Annotated[str, Query(max_length=200)]) -> dict[str, Any]:
        return ctx.query("vault/depositors", owner=owner)  # type: ignore[no-any-return]

    @r.get("/{digest}", summary="One record commitment by digest")
    def record(digest: Annotated[str, Path(max_length=200)]) -> dict[str, Any]:
        return ctx.query("vault/record", digest=digest)  # type: ignore[no-any-return]

    return r
