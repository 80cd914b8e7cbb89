"""FastAPI application over a running node.

Bad input gets a 4xx with the core's error code and message; the core's errors map to
status codes here, at the edge, and nowhere else.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from planet import __version__
from planet.core.errors import (
    BadRequestSignature,
    BlobRefused,
    InvalidField,
    NotFound,
    PlanetError,
    QueryError,
)
from planet.engines.embedded import EmbeddedNode
from planet.vault.service import BlobTooLarge, VaultService

MAX_BODY = 1 << 20


def error_response(status: int, err: PlanetError) -> JSONResponse:
    return JSONResponse(status_code=status, content=err.to_dict())


def status_for(err: PlanetError) -> int:
    if isinstance(err, NotFound):
        return 404
    if isinstance(err, BadRequestSignature):
        return 401
    if isinstance(err, BlobRefused):
        return 403
    if isinstance(err, BlobTooLarge):
        return 413
    return 400


def create_app(node: EmbeddedNode, on_startup: Callable[[], None] | None = None,
               vault: VaultService | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if on_startup is not None:
            on_startup()
        yield

    api = FastAPI(title="Planet", version=__version__, lifespan=lifespan,
                  description="Submit signed transactions and read the ledger.")

    @api.exception_handler(PlanetError)
    async def _planet_error(_req: Request, err: PlanetError) -> JSONResponse:
        return error_response(status_for(err), err)

    v1 = APIRouter(prefix="/v1")

    @v1.get("/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "height": node.height}

    @v1.get("/status")
    def status() -> dict[str, Any]:
        block = node.last_block
        return {"chain_id": node.genesis.chain_id, "height": node.height,
                "app_hash": (block.app_hash if block else node.store.last_app_hash()).hex(),
                "time": block.time if block else node.genesis.genesis_time,
                "version": __version__,
                "engine": "embedded", "mempool": node.mempool_size(),
                "last_block_hash": block.hash.hex() if block else None,
                "genesis_time": node.genesis.genesis_time}

    @v1.post("/txs")
    async def submit_tx(request: Request,
                        wait: Annotated[bool, Query(description="wait until committed")] = True,
                        timeout: Annotated[float, Query(gt=0, le=60)] = 20.0
                        ) -> JSONResponse:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise HTTPException(413, "body too large")
        from starlette.concurrency import run_in_threadpool

        submitted = await run_in_threadpool(node.submit, raw)
        out: dict[str, Any] = {"hash": submitted.hash.hex(), "check": submitted.result.to_json()}
        if not submitted.accepted:
            return JSONResponse(status_code=400, content=out)
        if wait:
            fut = node.wait_for(submitted.hash)
            try:
                record = await run_in_threadpool(fut.result, timeout)
            except FutureTimeout:
                return JSONResponse(status_code=202, content={**out, "committed": None})
            out["committed"] = record.to_json() if record else None
            if record is None:
                return JSONResponse(status_code=409, content={
                    **out, "message": "dropped from the mempool before inclusion"})
        return JSONResponse(status_code=200, content=out)

    @v1.get("/txs/{tx_hash}")
    def get_tx(tx_hash: str) -> dict[str, Any]:
        try:
            h = bytes.fromhex(tx_hash)
        except ValueError:
            raise InvalidField("tx hash: expected 64 hex characters") from None
        if len(h) != 32:
            raise InvalidField("tx hash: expected 64 hex characters")
        record = node.store.get_tx(h)
        if record is None:
            raise NotFound(f"no committed transaction {tx_hash}")
        return record.to_json()

    @v1.get("/blocks")
    def list_blocks(limit: Annotated[int, Query(ge=1, le=100)] = 20,
                    before: Annotated[int | None, Query(ge=1)] = None) -> list[dict[str, Any]]:
        return [b.to_json() for b in node.store.recent_blocks(limit, before)]

    @v1.get("/blocks/latest")
    def latest_block() -> dict[str, Any]:
        block = node.last_block
        if block is None:
            raise NotFound("no block yet")
        return block.to_json()

    @v1.get("/blocks/{height}")
    def get_block(height: int) -> dict[str, Any]:
        block = node.store.get_block(height)
        if block is None:
            raise NotFound(f"no block at height {height}")
        return {**block.to_json(), "txs": [t.to_json() for t in node.store.block_txs(height)]}

    @v1.get("/query/{module}/{name}")
    def query(module: str, name: str, request: Request) -> Any:
        args: dict[str, Any] = dict(request.query_params)
        if "args" in args:
            try:
                args = json.loads(args["args"])
            except ValueError:
                raise QueryError("args: not JSON") from None
        return node.query(f"{module}/{name}", args)

    api.include_router(v1)
    if vault is not None:
        from planet.api.blobs import blob_router

        api.include_router(blob_router(vault, node.genesis.params.vault_max_record_bytes))
    return api
