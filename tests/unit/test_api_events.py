"""Live events over a real HTTP connection: blocks for everyone, an account's own txs for
it, and a slow subscriber dropped with a final event instead of holding the chain."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from planet.api import events as events_module
from planet.api.app import create_app
from planet.api.events import EventHub
from planet.core.genesis import parse_genesis
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.node.home import make_genesis_document
from planet.sdk.client import PlanetClient
from planet.sdk.wallet import Wallet
from planet.storage.sqlite import BlockRecord
from tests.integration.nodeproc import free_port

OPERATOR = Wallet.generate()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, EmbeddedNode]]:
    genesis = parse_genesis(make_genesis_document("planet-events", OPERATOR, []))
    node = EmbeddedNode(tmp_path_factory.mktemp("events") / "node.db", genesis,
                        EngineConfig(block_interval_ms=20, empty_block_ms=300))
    node.start()
    port = free_port()  # not a fixed one: another run on this machine may hold it
    srv = uvicorn.Server(uvicorn.Config(create_app(node, web_dir=None), host="127.0.0.1",
                                        port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", node
    srv.should_exit = True
    thread.join(timeout=10)
    node.close()


def read_events(response: httpx.Response, want: int, timeout: float = 10.0
                ) -> list[tuple[str, dict]]:
    out: list[tuple[str, dict]] = []
    event = ""
    deadline = time.monotonic() + timeout
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            out.append((event, json.loads(line[6:])))
            if sum(1 for e, _ in out if e == "tx") >= want or time.monotonic() > deadline:
                break
    return out


def test_blocks_and_own_txs_arrive(server: tuple[str, EmbeddedNode]) -> None:
    url, _node = server
    client = PlanetClient(url)
    result: dict[str, str] = {}

    def submit() -> None:
        time.sleep(0.5)
        client.create_invites(OPERATOR, 1)
        result["hash"] = client.history(OPERATOR.address, limit=1)[0]["hash"]

    with httpx.stream("GET", f"{url}/v1/events", params={"address": OPERATOR.address},
                      timeout=15) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        worker = threading.Thread(target=submit)
        worker.start()
        got = read_events(response, want=1)
        worker.join()
    blocks = [d for e, d in got if e == "block"]
    txs = [d for e, d in got if e == "tx"]
    assert blocks and set(blocks[0]) == {"height", "time", "hash", "app_hash", "txs"}
    assert txs and txs[0]["hash"] == result["hash"] and txs[0]["sender"] == OPERATOR.address
    assert txs[0]["types"] == ["accounts/create_invites"] and txs[0]["code"] == 0
    metrics = httpx.get(f"{url}/metrics").text
    assert "planet_sse_subscribers" in metrics and "planet_txs_committed_total" in metrics


def test_others_txs_are_not_sent(server: tuple[str, EmbeddedNode]) -> None:
    url, _node = server
    other = Wallet.generate().address
    client = PlanetClient(url)
    with httpx.stream("GET", f"{url}/v1/events", params={"address": other},
                      timeout=15) as response:
        threading.Thread(target=lambda: client.create_invites(OPERATOR, 1)).start()
        got = read_events(response, want=1, timeout=2.0)
    assert got and all(e == "block" for e, _ in got)


def test_bad_address_is_4xx(server: tuple[str, EmbeddedNode]) -> None:
    url, _node = server
    r = httpx.get(f"{url}/v1/events", params={"address": "planet1nope"})
    assert r.status_code == 400 and r.json()["code"] == 111


def test_slow_subscriber_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events_module, "MAX_QUEUE", 3)
    hub = EventHub()

    async def scenario() -> list[bytes]:
        sub = hub.subscribe(None)
        block = BlockRecord(1, b"\x01" * 32, b"\x00" * 32, 0, b"\x02" * 32, b"", 0, "x")
        for _ in range(5):
            hub.on_block(block, [])
        await asyncio.sleep(0.05)
        assert hub.count == 0
        return [chunk async for chunk in hub.stream(sub)]

    chunks = asyncio.run(scenario())
    assert chunks[-1].startswith(b"event: dropped")
    assert sum(c.startswith(b"event: block") for c in chunks) == 3


def test_no_dist_gives_the_install_hint(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    genesis = parse_genesis(make_genesis_document("planet-web", OPERATOR, []))
    node = EmbeddedNode(tmp_path / "node.db", genesis)
    with TestClient(create_app(node, web_dir=tmp_path / "missing")) as c:
        r = c.get("/")
        assert r.status_code == 200 and "./scripts/install" in r.text
    node.close()


def test_keep_alive_comment_when_idle() -> None:
    hub = EventHub()

    async def scenario() -> list[bytes]:
        sub = hub.subscribe(None)
        stream = hub.stream(sub, keepalive_s=0.05)
        chunks = [await anext(stream), await anext(stream)]
        await stream.aclose()
        return chunks

    assert asyncio.run(scenario()) == [b": connected\n\n", b": keep-alive\n\n"]
    assert hub.count == 0
