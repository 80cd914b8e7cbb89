"""Health, status, transactions and blocks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse

from planet import __version__
from planet.api.body import read_body
from planet.api.context import ApiContext, OrjsonResponse
from planet.api.errors import ERROR_SCHEMA, ERRORS
from planet.api.examples import BATCH_EXAMPLES, TX_EXAMPLES
from planet.api.idempotency import HEADER, MAX_KEY_CHARS, REPLAYED, parse_key
from planet.api.limits import DEFAULT_LIMITS
from planet.api.shapes import BLOCK, HEALTH, STATUS, TX, array, ok
from planet.api.txs_edge import MAX_BATCH_TXS, TxIngress, http_413
from planet.core.errors import InvalidField, NotFound
from planet.engines.base import engine_name
from planet.engines.snapshots import SYNCED_FROM
from planet.storage.sqlite import NodeStore

CHECK_RESULT = {"type": "object", "required": ["code", "log"], "properties": {
    "code": {"type": "integer"}, "codespace": {"type": "string"}, "log": {"type": "string"},
    "error": {"type": "string"}, "events": {"type": "array"}}}
TX_REFUSED: dict[str, Any] = {"description": "check_tx refused the transaction; `check` says why",
              "content": {"application/json": {"schema": {
                  "type": "object", "required": ["hash", "check"],
                  "properties": {"hash": {"type": "string"}, "check": CHECK_RESULT}}}}}
BATCH_REQUEST = {"type": "object", "required": ["txs"], "additionalProperties": False,
                 "properties": {"txs": {"type": "array", "minItems": 1,
                                        "maxItems": MAX_BATCH_TXS,
                                        "items": {"type": "string"}}}}
BATCH_ITEM = {"type": "object", "required": ["hash", "accepted", "code", "check"], "properties": {
    "hash": {"type": "string"}, "accepted": {"type": "boolean"}, "code": {"type": "integer"},
    "check": CHECK_RESULT, "message": {"type": "string"},
    "committed": {"anyOf": [{"type": "object"}, {"type": "null"}]}}}
BATCH_RESULTS = {"type": "object", "required": ["results"],
                 "properties": {"results": {"type": "array", "items": BATCH_ITEM}}}
BATCH_OK = {"description": "One result per tx, in order (`committed` with wait=true)",
            "content": {"application/json": {"schema": BATCH_RESULTS}}}
BATCH_WAITING = {"description": "A tx accepted was not committed within `timeout` "
                                "(its `committed` is null)",
                 "content": {"application/json": {"schema": BATCH_RESULTS}}}
IdempotencyKey = Annotated[str | None, Header(
    alias=HEADER, max_length=MAX_KEY_CHARS,
    description="Optional; 1 to 128 of A-Z a-z 0-9 . _ : - (a UUID fits). A retry with the "
                "same key and body gets the first answer (marked `Idempotent-Replayed: "
                "true`, a 202 brought up to date) instead of being submitted again; the same "
                "key with another body is a 422 (code 961); a malformed key a 400 (960). "
                "Each node keeps keys in memory for 24 h (at most 10,000 keys and 64 MiB of "
                "answers, the oldest forgotten first): retry on the same node.")]
IDEMPOTENCY_RESPONSES: dict[int | str, dict[str, Any]] = {422: {
    "description": "The Idempotency-Key was used for a different request (code 961)",
    "content": ERROR_SCHEMA["content"]}}
TX_REFUSED_OR_BAD_KEY = {
    "description": "check_tx refused the transaction (`check` says why), or the "
                   "Idempotency-Key is malformed (the error shape, code 960)",
    "content": {"application/json": {"schema": {"anyOf": [
        TX_REFUSED["content"]["application/json"]["schema"],
        ERROR_SCHEMA["content"]["application/json"]["schema"]]}}}}
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


async def keyed_answer(txs: TxIngress, request: Request, body: bytes, wait: bool,
                       timeout: float) -> JSONResponse:
    """The edge's answer (TxIngress.answer) for the requests it left to FastAPI; the header
    is read raw, so that a repeated one is refused as there."""
    key = parse_key(request.headers.getlist(HEADER))
    status, content, replayed = await txs.answer(request.url.path, body, key, wait, timeout)
    return OrjsonResponse(status_code=status, content=content,
                          headers={REPLAYED: "true"} if replayed else None)


def router(ctx: ApiContext) -> APIRouter:
    node = ctx.node
    r = APIRouter(prefix="/v1", responses=ERRORS)
    no_identity = dict.fromkeys(("identity_authority", "identity_authority_kind",
                                 "identity_code_sender", "identity_code_sender_kind"))

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
                "state_synced_from": synced_from(node.store),
                # which identity authority and code sender the node's verifier uses
                **(ctx.identity.settings() if ctx.identity is not None else no_identity)}

    def ingress(request: Request) -> TxIngress:
        found: TxIngress | None = getattr(request.app.state, "tx_ingress", None)
        if found is None:  # a router used without create_app
            found = request.app.state.tx_ingress = TxIngress(node, DEFAULT_LIMITS.max_body_bytes)
        return found

    # Both routes are answered by the ASGI edge (planet.api.txs_edge) before FastAPI, with
    # the same TxIngress methods; these declare them to OpenAPI and answer the queries the
    # edge leaves to FastAPI's validation.
    @r.post("/txs", tags=["txs"], summary="Submit a signed transaction",
            responses={400: TX_REFUSED_OR_BAD_KEY, 413: ERROR_SCHEMA, **IDEMPOTENCY_RESPONSES},
            description="Body: the raw signed transaction JSON. With wait=true (default) the "
                        "answer comes once the transaction is committed; 400 when check_tx "
                        "refuses it, 202 if not committed within `timeout` seconds.",
            openapi_extra={"requestBody": {"required": True, "content": {
                "application/json": {"schema": {"type": "object"},
                                     "examples": TX_EXAMPLES}}}})
    async def submit_tx(request: Request,
                        wait: Annotated[bool, Query(description="wait until committed")] = True,
                        timeout: Annotated[float, Query(gt=0, le=60)] = 20.0,
                        idempotency_key: IdempotencyKey = None) -> JSONResponse:
        txs = ingress(request)
        raw = await read_body(request, txs.max_tx, lambda n: http_413(txs.tx_too_large(n)))
        return await keyed_answer(txs, request, raw, wait, timeout)

    @r.post("/txs/batch", tags=["txs"], summary="Submit signed transactions together",
            responses={200: BATCH_OK, 202: BATCH_WAITING, 400: ERROR_SCHEMA,
                       413: ERROR_SCHEMA, **IDEMPOTENCY_RESPONSES},
            description=f"Body: {{\"txs\": [...]}}, each item one signed transaction's JSON "
                        f"as a string; at most {MAX_BATCH_TXS} transactions and the node's "
                        "max_body_bytes (1 MiB by default). The txs are admitted together "
                        "(their signatures verified in one go), in order. One result per tx, "
                        "in order: accepted, or refused with check_tx's code and message; a "
                        "refused tx does not fail the others. With wait=true (default) the "
                        "answer comes once every accepted tx is committed (202 if one is not "
                        "within `timeout` seconds). A malformed batch is a 400.",
            openapi_extra={"requestBody": {"required": True, "content": {
                "application/json": {"schema": BATCH_REQUEST,
                                     "examples": BATCH_EXAMPLES}}}})
    async def submit_batch(request: Request,
                           wait: Annotated[bool, Query(description="wait until committed")
                                           ] = True,
                           timeout: Annotated[float, Query(gt=0, le=60)] = 20.0,
                           idempotency_key: IdempotencyKey = None) -> JSONResponse:
        txs = ingress(request)
        body = await read_body(request, txs.max_batch_bytes,
                               lambda n: http_413(txs.batch_too_large(n)))
        return await keyed_answer(txs, request, body, wait, timeout)

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

    @r.get("/blocks/{height}", tags=["blocks"],
           summary="A block with its transactions and its begin-step events",
           description="`events` are what the block's begin step emitted (request expiries, "
                       "Lucky Drill draws, Force grants expiring), each with `phase`, `type` "
                       "and `attributes`; empty for blocks committed before the node kept "
                       "them.")
    def get_block(height: Height) -> dict[str, Any]:
        block = node.store.get_block(height)
        if block is None:
            raise NotFound(f"no block at height {height}")
        return {**block.to_json(), "txs": [t.to_json() for t in node.store.block_txs(height)],
                "events": node.store.block_events(height)}

    return r
