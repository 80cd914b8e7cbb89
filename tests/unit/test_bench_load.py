"""The admission-paced loader (`post_admitted`, planet.bench.load) against a real server: a
full mempool is answered, backed off and retried, and every tx is confirmed from the
blocks the node stored. No timing assertions."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from planet.api.app import create_app
from planet.bench.load import post_admitted, sign_registrations
from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites
from planet.core.errors import MempoolFull
from planet.core.genesis import parse_genesis
from planet.engines.base import Submitted
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.node.home import make_genesis_document
from planet.sdk.client import new_invite_codes
from planet.sdk.wallet import Wallet
from tests.integration.nodeproc import free_port

CHAIN = "planet-load"


def invited_node(folder: Path, codes: Sequence[str], max_mempool: int) -> EmbeddedNode:
    """A node whose first block holds the operator's invitations for `codes`; its
    sequencer is not started."""
    operator = Wallet.generate()
    node = EmbeddedNode(folder / "node.db",
                        parse_genesis(make_genesis_document(CHAIN, operator, [])),
                        EngineConfig(block_interval_ms=20, max_mempool_txs=max_mempool))
    invite = operator.sign_tx(chain_id=CHAIN, sequence=0, messages=[CreateInvites(
        code_hashes=tuple(compute_invite_hash(c) for c in codes))])
    assert node.submit(invite).accepted
    node.produce_block()
    return node


@contextmanager
def serving(node: EmbeddedNode) -> Iterator[int]:
    try:
        with serving_app(create_app(node, web_dir=None)) as port:
            yield port
    finally:
        node.close()


@contextmanager
def serving_app(app: Any) -> Iterator[int]:
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                        lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield port
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def test_a_full_mempool_is_retried_and_every_tx_confirmed(tmp_path: Path) -> None:
    """The sequencer starts only once the node has answered "mempool full", so the
    clients must have backed off and posted again; all txs still commit, once each."""
    codes = new_invite_codes(24)
    node = invited_node(tmp_path, codes, max_mempool=4)
    full = threading.Event()
    submit_many = node.submit_many

    def watched(raws: Sequence[bytes]) -> list[Submitted]:
        answers = submit_many(raws)
        if any(s.result.code == MempoolFull.code for s in answers) and not full.is_set():
            full.set()
            node.start()
        return answers

    node.submit_many = watched  # type: ignore[method-assign]
    _wallets, raws = sign_registrations(codes, CHAIN)
    with serving(node) as port:
        result = post_admitted([port], raws, clients=8)
    assert full.is_set()
    assert result["mempool_full_retries"] >= 1
    assert result["admitted"] == result["committed_ok"] == len(raws)
    assert result["refused"] == result["not_committed"] == result["committed_failed"] == 0
    assert result["connection_errors"] == 0 and result["failures"] == []
    assert result["committed_per_s"] > 0 and result["blocks"] >= 1
    assert 0 < result["latency_ms_p50"] <= result["latency_ms_p99"]


def test_refusals_are_counted_not_retried(tmp_path: Path) -> None:
    """A tx the node refuses for any other reason (an invitation used twice) is counted
    as refused, once; the rest commit."""
    codes = new_invite_codes(3)
    node = invited_node(tmp_path, codes, max_mempool=100)
    node.start()
    _wallets, raws = sign_registrations([*codes, codes[0]], CHAIN)
    with serving(node) as port:
        result = post_admitted([port], raws, clients=1)
    assert result["mempool_full_retries"] == 0
    assert result["committed_ok"] == 3 and result["refused"] == 1
    assert len(result["failures"]) == 1 and result["failures"][0].startswith("400")


def test_the_load_ends_only_once_every_drain_port_has_an_empty_mempool(tmp_path: Path) -> None:
    """A network's other validator may still hold admitted txs: the watcher keeps asking
    its status (fresh each time) until it reports an empty mempool, then confirms every tx."""
    codes = new_invite_codes(4)
    node = invited_node(tmp_path, codes, max_mempool=100)
    node.start()
    asked: list[str] = []

    async def other(scope: dict[str, Any], receive: Any, send: Any) -> None:
        """A validator whose mempool empties on the third status request."""
        asked.append(f"{scope['path']}?{scope['query_string'].decode()}")
        body = json.dumps({"mempool": 0 if len(asked) >= 3 else 1}).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    _wallets, raws = sign_registrations(codes, CHAIN)
    with serving_app(other) as other_port, serving(node) as port:
        result = post_admitted([port], raws, clients=2, drain_ports=[other_port])
    assert len(asked) >= 3 and all(a.startswith("/v1/status?_=") for a in asked)
    assert len(set(asked)) == len(asked)  # never a cached answer
    assert result["admitted"] == result["committed_ok"] == len(raws)
    assert result["not_committed"] == 0
