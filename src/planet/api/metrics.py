"""Prometheus metrics of one node's API, in a registry of its own (one per app).

Gauges say where the chain is (`planet_height`, from genesis, right after a restart too);
counters count what this process did since it started (`planet_blocks_committed_total`,
transactions, requests), and so start again at 0 on a restart, as Prometheus counters do.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from planet.engines.base import Node
from planet.storage.sqlite import BlockRecord, TxRecord

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                   5.0, 10.0, 30.0)


class Metrics:
    def __init__(self, node: Node) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.height = Gauge("planet_height", "Height of the chain's last committed block "
                            "(the blocks the node holds, counted from genesis)", registry=r)
        self.height.set(node.height)  # at start: a restarted node already holds its chain
        Gauge("planet_mempool_txs", "Transactions waiting in the mempool", registry=r
              ).set_function(node.mempool_size)
        self.txs = Counter("planet_txs_committed", "Transactions committed since this process "
                           "started, by result code", ["code"], registry=r)
        self.blocks = Counter("planet_blocks_committed", "Blocks committed since this process "
                              "started (0 after a restart; the chain's height is planet_height)",
                              registry=r)
        self.block_interval = Histogram(
            "planet_block_interval_seconds", "Block time minus its parent's block time",
            buckets=(0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30), registry=r)
        self.requests = Counter("planet_http_requests", "HTTP requests by route and status",
                                ["route", "method", "status"], registry=r)
        self.latency = Histogram("planet_http_request_duration_seconds",
                                 "HTTP request latency by route", ["route"],
                                 buckets=LATENCY_BUCKETS, registry=r)
        self.sse = Gauge("planet_sse_subscribers", "Open /v1/events streams", registry=r)
        self.cache_hits = Counter("planet_http_cache_hits", "Reads served from the per-block "
                                  "response cache", registry=r)
        self._last_time: int | None = None
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def on_block(self, block: BlockRecord, records: list[TxRecord]) -> None:
        self.height.set(block.height)
        self.blocks.inc()
        if self._last_time is not None:
            self.block_interval.observe(max(0, block.time - self._last_time) / 1000)
        self._last_time = block.time
        for rec in records:
            self.txs.labels(str(rec.code)).inc()

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        pair = self._children.get(key)
        if pair is None:
            if len(self._children) > 5_000:  # unknown routes are one label ("unmatched")
                self._children.clear()
            pair = (self.requests.labels(route, method, str(status)), self.latency.labels(route))
            self._children[key] = pair
        pair[0].inc()
        pair[1].observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


UNMATCHED = "unmatched"
STATIC = "static"


def route_label(scope: MutableMapping[str, Any], status: int) -> str:
    """A request's `route` label: its route's template (`/v1/accounts/{address}`), the path
    of a fixed route FastAPI does not tag in the scope (`/docs`, `/openapi.json`), `static`
    for a file of the mounted web app, else `unmatched`. Never the raw path a client sent:
    one label per route keeps the number of series bounded."""
    path = getattr(scope.get("route"), "path", None)
    if path:
        return str(path)
    if "endpoint" not in scope:  # no route took it (or the edge answered before routing)
        return UNMATCHED
    if "app_root_path" in scope:  # a Mount: the web app's static files
        return UNMATCHED if status == 404 else STATIC
    return UNMATCHED if scope.get("path_params") else str(scope["path"])
