"""Health, status, transactions and blocks."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse

from planet import __version__
from planet.api.admission import Admission
from planet.api.body import read_body
from planet.api.context import ApiContext, OrjsonResponse
from planet.api.errors import ERROR_SCHEMA, ERRORS
from planet.api.shapes import BLOCK, HEALTH, STATUS, TX, array, ok
from planet.core.errors import InvalidField, NotFound
from planet.engines.base import engine_name
from planet.engines.snapshots import SYNCED_FROM
from planet.storage.sqlite import NodeStore

CHECK_RESULT = {"type": "object", "required": ["code", "log"], "properties": {
    "code": {"type": "integer"}, "codespace": {"type": "string"}, "log": {"type": "string"},
    "error": {"type": "string"}, "events": {"type": "array"}}}
TX_REFUSED = {"description": "check_tx refused the transaction; `check` says why",
              "content": {"application/json": {"schema": {
                  "type": "object", "required": ["hash", "check"],
                  "properties": {"hash": {"type": "string"}, "check": CHECK_RESULT}}}}}
MAX_HEIGHT = 2**62
Height = Annotated[int, Path(ge=1, le=MAX_HEIGHT, description="block height")]
TxHash = Annotated[str, Path(description="64 hex characters", max_length=200)]


def format_offset(minutes: int) -> str:
    """The deployment's UTC offset as genesis writes it ('+08:00'): days run on it."""
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def synced_from(store: NodeStore) -> int | None:
    """The snapshot height a node that joined by state sync restored (its blocks start
    after it), None for a node holding every block."""
    raw = store.get_meta(SYNCED_FROM)
    return None if raw is None else int(raw)


def parse_hash(text: str, what: str = "tx hash") -> bytes:
    try:
        h = bytes.fromhex(text)
    except ValueError:
        raise InvalidField(f"{what}: expected 64 hex characters") from None
    if len(h) != 32:
        raise InvalidField(f"{what}: expected 64 hex characters")
    return h


def router(ctx: ApiContext) -> APIRouter:
    node = ctx.node
    admission = Admission(node)
    max_tx = node.genesis.params.max_tx_bytes  # a longer body can never be a valid tx
    r = APIRouter(prefix="/v1", responses=ERRORS)

    @r.get("/health", tags=["node"], responses=ok(HEALTH), summary="Liveness and height")
    def health() -> dict[str, Any]:
        return {"ok": True, "height": node.height}

    @r.get("/status", tags=["node"], responses=ok(STATUS), summary="Chain id, height, last block, mempool")
    def status() -> dict[str, Any]:
        block = node.last_block
        return {"chain_id": node.genesis.chain_id, "height": node.height,
                "app_hash": (block.app_hash if block else node.store.last_app_hash()).hex(),
                "time": block.time if block else node.genesis.genesis_time,
                "version": __version__,
                "engine": engine_name(node), "mempool": node.mempool_size(),
                "last_block_hash": block.hash.hex() if block else None,
                "genesis_time": node.genesis.genesis_time,
                "timezone": format_offset(node.genesis.params.timezone_offset_minutes),
                "state_synced_from": synced_from(node.store)}

    @r.post("/txs", tags=["txs"], summary="Submit a signed transaction",
            responses={400: TX_REFUSED, 413: ERROR_SCHEMA},
            description="Body: the raw signed transaction JSON. With wait=true (default) the "
                        "answer comes once the transaction is committed; 400 when check_tx "
                        "refuses it, 202 if not committed within `timeout` seconds.",
            openapi_extra={"requestBody": {"required": True, "content": {
                "application/json": {"schema": {"type": "object"}}}}})
    async def submit_tx(request: Request,
                        wait: Annotated[bool, Query(description="wait until committed")] = True,
                        timeout: Annotated[float, Query(gt=0, le=60)] = 20.0
                        ) -> JSONResponse:
        raw = await read_body(request, max_tx, lambda _size: HTTPException(
            413, f"a transaction is at most {max_tx} bytes (the chain's max_tx_bytes)"))
        submitted = await admission.submit(raw)
        out: dict[str, Any] = {"hash": submitted.hash.hex(), "check": submitted.result.to_json()}
        if not submitted.accepted:
            return OrjsonResponse(status_code=400, content=out)
        if wait:
            # Await the commit on the event loop, not in a worker thread: thousands of
            # clients may wait at once, and the thread pool must stay free for reads. The
            # shield keeps a timeout from cancelling the node's own future.
            fut = asyncio.wrap_future(node.wait_for(submitted.hash))
            try:
                record = await asyncio.wait_for(asyncio.shield(fut), timeout)
            except TimeoutError:
                return OrjsonResponse(status_code=202, content={**out, "committed": None})
            out["committed"] = record.to_json() if record else None
            if record is None:
                return OrjsonResponse(status_code=409, content={
                    **out, "message": "dropped from the mempool before inclusion"})
        return OrjsonResponse(status_code=200, content=out)

    @r.get("/txs/{tx_hash}", tags=["txs"], responses=ok(TX), summary="A committed transaction and its result")
    def get_tx(tx_hash: TxHash) -> dict[str, Any]:
        record = node.store.get_tx(parse_hash(tx_hash))
        if record is None:
            raise NotFound(f"no committed transaction {tx_hash}")
        return record.to_json()

    @r.get("/blocks", tags=["blocks"], responses=ok(array(BLOCK)), summary="Recent blocks, newest first")
    def list_blocks(limit: Annotated[int, Query(ge=1, le=100)] = 20,
                    before: Annotated[int | None, Query(ge=1, le=MAX_HEIGHT)] = None
                    ) -> list[dict[str, Any]]:
        return [b.to_json() for b in node.store.recent_blocks(limit, before)]

    @r.get("/blocks/latest", tags=["blocks"], responses=ok(BLOCK), summary="The last committed block")
    def latest_block() -> dict[str, Any]:
        block = node.last_block
        if block is None:
            raise NotFound("no block yet")
        return block.to_json()

    @r.get("/blocks/{height}", tags=["blocks"], summary="A block with its transactions")
    def get_block(height: Height) -> dict[str, Any]:
        block = node.store.get_block(height)
        if block is None:
            raise NotFound(f"no block at height {height}")
        return {**block.to_json(), "txs": [t.to_json() for t in node.store.block_txs(height)]}

    return r
