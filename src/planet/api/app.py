"""FastAPI application over a running node.

The routers (one per resource) are in planet.api.routes; errors map to statuses in
planet.api.errors; planet.api.edge wraps everything with metrics, a body limit and the
per-block read cache. Bad input gets a 4xx with the core's error code and message.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import Response
from starlette.types import Receive, Scope, Send

from planet import __version__
from planet.api.context import ApiContext, OrjsonResponse
from planet.api.edge import Edge, IngressFront, ResponseCache
from planet.api.errors import error_response, install_error_handlers, status_for
from planet.api.events import EventHub
from planet.api.limits import DEFAULT_LIMITS, HttpLimits
from planet.api.metrics import Metrics
from planet.api.routes import all_routers
from planet.api.security import HEADERS as SECURITY_HEADERS
from planet.api.security import SecurityHeaders
from planet.api.static import install_web
from planet.api.txs_edge import TxIngress, is_ingress
from planet.engines.base import Node
from planet.identity.service import IdentityService
from planet.storage.sqlite import BlockRecord, TxRecord
from planet.vault.service import VaultService
from planet.webhooks.service import WebhookService

MAX_BODY = DEFAULT_LIMITS.max_body_bytes
WEB_DIST = Path(__file__).resolve().parent.parent / "web" / "dist"

TAGS = [
    {"name": "node", "description": "Health, status and Prometheus metrics."},
    {"name": "txs", "description": "Submit signed transactions; read committed ones."},
    {"name": "blocks", "description": "The chain of blocks."},
    {"name": "accounts", "description": "Accounts, Force, diamonds, bubbles, history, activity."},
    {"name": "supply", "description": "Emission against its schedule; the residents' census."},
    {"name": "tasks", "description": "The task catalog."},
    {"name": "exchange", "description": "Businesses, offers, data requests, grants."},
    {"name": "applications", "description": "Businesses apply on the ledger; the operator "
                                            "approves or declines."},
    {"name": "vault", "description": "Record commitments and their signed ciphertext."},
    {"name": "drill", "description": "Lucky Drill rounds."},
    {"name": "events", "description": "Server-sent events: blocks and an account's txs."},
    {"name": "identity", "description": "Real-name verification that keeps nothing."},
    {"name": "proofs", "description": "State records with their proofs to the app hash; "
                                      "the genesis a verifier re-runs queries with."},
    {"name": "query", "description": "Every core query, generically."},
]

__all__ = ["MAX_BODY", "create_app", "error_response", "status_for"]


class PlanetApi(FastAPI):
    """FastAPI with transaction ingress answered before its middleware stack
    (planet.api.edge.IngressFront); everything else goes through FastAPI as before."""

    front: IngressFront | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        front = self.front
        if front is not None and scope["type"] == "http" \
                and is_ingress(scope["method"], scope["path"]) \
                and await front(scope, receive, send):
            return
        await super().__call__(scope, receive, send)


def create_app(node: Node, on_startup: Callable[[], None] | None = None,
               vault: VaultService | None = None, identity: IdentityService | None = None,
               web_dir: Path | None = WEB_DIST, limits: HttpLimits = DEFAULT_LIMITS,
               on_shutdown: Callable[[], None] | None = None,
               webhooks: WebhookService | None = None) -> PlanetApi:
    metrics = Metrics(node)
    hub = EventHub(limits.sse_max_streams, limits.sse_max_streams_per_client)
    cache = ResponseCache()
    ctx = ApiContext(node, metrics, hub, vault, identity)
    ingress = TxIngress(node, limits.max_body_bytes)  # the edge's and the txs routes'

    def on_block(block: BlockRecord, records: list[TxRecord]) -> None:
        cache.clear()
        metrics.on_block(block, records)
        hub.on_block(block, records)

    node.add_listener(on_block)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if on_startup is not None:
            on_startup()
        yield
        ingress.close()
        if on_shutdown is not None:
            on_shutdown()

    # FastAPI's built-in OpenTelemetry is off: the node exports Prometheus metrics itself
    # (/metrics), and the per-request provider lookups cost about 5% of a busy validator.
    api = PlanetApi(title="Planet", version=__version__, lifespan=lifespan, openapi_tags=TAGS,
                    default_response_class=OrjsonResponse,
                    telemetry={"tracing": False, "metrics": False, "logs": False},
                    docs_url=None, redoc_url=None,  # served from local files by install_web
                    description="Submit signed transactions and read the ledger. Errors are "
                                "JSON {code, codespace, error, message}.")
    api.state.tx_ingress = ingress
    install_error_handlers(api)
    for router in all_routers(ctx):
        api.include_router(router)
    if vault is not None:
        from planet.api.blobs import blob_router

        api.include_router(blob_router(vault, node.genesis.params.vault_max_record_bytes))
    if webhooks is not None:
        from planet.api.routes.webhooks import webhook_router

        api.include_router(webhook_router(webhooks))

    @api.get("/metrics", tags=["node"], response_class=Response,
             summary="Prometheus metrics (text format)",
             responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
    def prometheus() -> Response:
        return Response(metrics.render(), media_type="text/plain; version=0.0.4")

    install_web(api, web_dir)  # after the API routes: it answers what they do not
    api.add_middleware(Edge, node=node, metrics=metrics, cache=cache, max_body=limits.max_body_bytes)
    api.add_middleware(SecurityHeaders)  # outermost, so the edge's own answers carry them too
    api.front = IngressFront(ingress, metrics, limits.max_body_bytes, SECURITY_HEADERS)
    return api
