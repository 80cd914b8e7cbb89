"""`planet bench webhooks`: signed webhook delivery on loopback.

A real embedded node (blocks produced by the benchmark), the webhook service on its own
database file beside the node's (as `planet node` runs it), and a receiver in a process of
its own (so it does not share the node's GIL) that checks every signature and counts each
event id once. The events are suspensions and lifts of `endpoints` businesses, one
endpoint each, the cheapest events to make in bulk; what is measured is the path after the
commit: reading the block, queueing in SQLite, signing, POSTing, recording the outcome.

Two phases: `paced`, one block of `per_block` events every `interval_ms`, for the latency
from a block's commit (the node's commit listener) to the receiver's 200 as the node sees
it; and `burst`, `events` events committed as fast as the node can, for events per second
delivered from the first commit to the last 200.
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from planet.bench.common import machine, percentile, sig
from planet.core.exchange.messages import LiftSuspension, SuspendBusiness
from planet.core.genesis import parse_genesis
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.node.home import make_genesis_document
from planet.sdk.wallet import Wallet
from planet.sdk.webhooks import WebhookVerificationError, sign_webhooks_request, verify_webhook
from planet.storage.sqlite import BlockRecord, TxRecord
from planet.webhooks.service import WebhookConfig, WebhookService

CHAIN = "planet-bench-webhooks"
PAIRS_PER_TX = 4  # 8 messages: the most a transaction may hold


def _receiver_main(conn: Connection) -> None:
    """The receiver process: secrets arrive by `conn`, then it serves until told to stop
    and answers {unique, attempts, bad}."""
    port_holder: dict[str, Any] = {"secrets": {}, "seen": set(), "attempts": 0, "bad": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            secret = port_holder["secrets"].get(self.path.rsplit("/", 1)[1], "")
            try:
                event = verify_webhook(secret, dict(self.headers.items()), body)
                status = 200
            except WebhookVerificationError:
                event, status = None, 401
            with lock:
                port_holder["attempts"] += 1
                if event is None:
                    port_holder["bad"] += 1
                else:
                    port_holder["seen"].add(event["id"])
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    conn.send(server.server_address[1])
    port_holder["secrets"] = conn.recv()
    conn.recv()  # stop
    server.shutdown()
    with lock:
        conn.send({"unique": len(port_holder["seen"]), "attempts": port_holder["attempts"],
                   "bad": port_holder["bad"]})


class _Timer:
    """Commit times per height (a listener before the service's) and 200s per event."""

    def __init__(self) -> None:
        self.committed: dict[int, float] = {}
        self.latencies: list[float] = []
        self.ids: set[str] = set()
        self.delivered = 0
        self.last = 0.0
        self.lock = threading.Lock()

    def on_block(self, block: BlockRecord, _records: list[TxRecord]) -> None:
        self.committed[block.height] = time.perf_counter()

    def on_delivered(self, event_id: str, height: int) -> None:
        """The first 200 of each event (a retry after a lost answer is not counted again)."""
        now = time.perf_counter()
        with self.lock:
            if event_id in self.ids:
                return
            self.ids.add(event_id)
            self.delivered += 1
            self.last = now
            self.latencies.append(now - self.committed[height])


def _txs(operator: Wallet, businesses: list[Wallet], seq: int, events: int) -> list[bytes]:
    """Signed txs of suspend-then-lift pairs making `events` events, from sequence `seq`."""
    pairs = [businesses[i % len(businesses)] for i in range(events // 2)]
    out: list[bytes] = []
    for start in range(0, len(pairs), PAIRS_PER_TX):
        msgs: list[Any] = []
        for b in pairs[start:start + PAIRS_PER_TX]:
            msgs += [SuspendBusiness(business=b.address, reason="bench"),
                     LiftSuspension(business=b.address)]
        out.append(operator.sign_tx(chain_id=CHAIN, sequence=seq + len(out), messages=msgs))
    return out


def _admit(node: EmbeddedNode, txs: list[bytes]) -> None:
    for r in node.submit_many(txs):
        if not r.accepted:
            raise RuntimeError(f"the node refused a benchmark tx: {r.result.log}")


def _wait(timer: _Timer, n: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with timer.lock:
            if timer.delivered >= n:
                return
        time.sleep(0.01)
    raise TimeoutError(f"{timer.delivered} of {n} events delivered in {timeout:.0f} s")


def run_webhooks_bench(events: int = 5_000, endpoints: int = 20, per_block: int = 40,
                       paced_blocks: int = 50, interval_ms: int = 200,
                       progress: bool = False) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_receiver_main, args=(child,), daemon=True)
    proc.start()
    port = int(parent.recv())
    operator = Wallet.generate()
    businesses = [Wallet.generate() for _ in range(endpoints)]
    doc = make_genesis_document(CHAIN, operator, [], preset="test")
    doc["businesses"] = [b.genesis_key(f"Business {i}") for i, b in enumerate(businesses)]
    timer = _Timer()
    config = WebhookConfig(allow_private_urls=True)
    with tempfile.TemporaryDirectory(prefix="planet-bench-webhooks-") as tmp:
        db = Path(tmp) / "node.db"
        node = EmbeddedNode(db, parse_genesis(doc), EngineConfig(max_block_txs=10_000))
        node.add_listener(timer.on_block)
        hooks_db = Path(tmp) / "webhooks.db"
        service = WebhookService(node, hooks_db, CHAIN, config, on_delivered=timer.on_delivered)
        node.add_listener(service.on_block)
        service.start()
        secrets = {}  # registered through the service's own checks, signed by each business
        for i, b in enumerate(businesses):
            path = f"/v1/businesses/{b.address}/webhooks"
            body = json.dumps({"url": f"http://127.0.0.1:{port}/e/{i}",
                               "events": ["business.suspended",
                                          "business.suspension_lifted"]}).encode()
            made = service.register(sign_webhooks_request(b, chain_id=CHAIN, method="POST",
                                                          path=path, body=body),
                                    b.address, path, body)
            secrets[str(i)] = made["secret"]
        parent.send(secrets)
        seq = 0
        try:
            # paced: latency
            for n in range(paced_blocks):
                txs = _txs(operator, businesses, seq, per_block)
                seq += len(txs)
                _admit(node, txs)
                node.produce_block()
                time.sleep(interval_ms / 1000)
                if progress and n % 10 == 0:
                    print(f"paced block {n + 1}/{paced_blocks}", flush=True)
            paced_n = paced_blocks * (per_block // 2 * 2)
            _wait(timer, paced_n, 120)
            paced = sorted(timer.latencies)
            # burst: throughput
            with timer.lock:
                timer.latencies = []
            txs = _txs(operator, businesses, seq, events)
            seq += len(txs)
            start = time.perf_counter()
            for first in range(0, len(txs), 100):
                _admit(node, txs[first:first + 100])
                node.produce_block()
            committed_s = time.perf_counter() - start
            burst_n = events // 2 * 2
            _wait(timer, paced_n + burst_n, 600)
            burst_s = timer.last - start
            burst = sorted(timer.latencies)
            with sqlite3.connect(hooks_db) as conn:
                retried = dict(conn.execute(
                    "SELECT COALESCE(last_error, 'none'), COUNT(*) FROM webhook_deliveries "
                    "WHERE attempts > 1 GROUP BY 1").fetchall())
        finally:
            parent.send("stop")
            counts = parent.recv()
            proc.join(10)
            service.close()
            node.close()
    return {
        "benchmark": "webhooks",
        "machine": machine(),
        "endpoints": endpoints,
        "workers": config.workers,
        "per_endpoint_in_flight": config.per_endpoint,
        "per_business_in_flight": config.per_business,
        "attempt_timeout_s": config.attempt_timeout_s,
        "paced": {"blocks": paced_blocks, "events_per_block": per_block // 2 * 2,
                  "interval_ms": interval_ms,
                  "p50_ms": sig(percentile(paced, 50) * 1000),
                  "p99_ms": sig(percentile(paced, 99) * 1000)},
        "burst": {"events": burst_n, "commit_s": sig(committed_s),
                  "events_per_s": sig(burst_n / burst_s),
                  "p50_ms": sig(percentile(burst, 50) * 1000),
                  "p99_ms": sig(percentile(burst, 99) * 1000)},
        "events_per_s": sig(burst_n / burst_s),
        "p50_ms": sig(percentile(paced, 50) * 1000),
        "p99_ms": sig(percentile(paced, 99) * 1000),
        "receiver": counts,
        "retried_by_last_error": retried,
        "exactly_once_after_dedupe": counts["unique"] == paced_n + burst_n and counts["bad"] == 0,
    }
