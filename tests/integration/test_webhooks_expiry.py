"""A data request's expiry reaches its business's webhooks as `request.closed` with
`status: "expired"`: derived from the begin-step event the node stored with the block, with
an id of its own form (`evt_{height}_b_{n}`), whether the service heard the block live or
read it back from the store after a restart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from planet.core.exchange.messages import CloseRequest, CreateRequest
from planet.sdk.webhooks import sign_webhooks_request
from planet.webhooks.service import WebhookConfig, WebhookService
from tests.integration.ledger_world import CHAIN, HOUR, World, open_world, post_request
from tests.integration.webhook_receiver import Receiver

FAST = WebhookConfig(allow_private_urls=True, backoff_base_s=0.02, backoff_cap_s=0.2)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail_first=0)
    yield r
    r.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with open_world(tmp_path, FAST) as w:
        yield w


def subscribe(w: World, receiver: Receiver) -> None:
    path = f"/v1/businesses/{w.shop.address}/webhooks"
    body = json.dumps({"url": receiver.url, "events": ["request.closed"]}).encode()
    headers = sign_webhooks_request(w.shop, chain_id=CHAIN, method="POST", path=path, body=body)
    r = w.api.post(path, content=body, headers=headers)
    assert r.status_code == 201, r.text
    receiver.secrets.append(r.json()["secret"])


def expired_event(w: World, height: int, event: dict[str, Any]) -> None:
    n = [e["type"] for e in w.node.store.block_events(height)].index("exchange/request_expired")
    assert event["id"] == f"evt_{height}_b_{n}"
    assert event["type"] == "request.closed" and event["height"] == height
    assert event["data"] == {"request": 1, "business": w.shop.address, "refunded": 1,
                             "lapsed": 0, "status": "expired", "tx": None}


def test_an_expiry_heard_live_is_sent_as_request_closed_expired(world: World,
                                                                receiver: Receiver) -> None:
    subscribe(world, receiver)
    expires_at = post_request(world)
    height = world.node.produce_block(time_ms=expires_at + HOUR).height
    (event,) = receiver.wait_events(1)
    expired_event(world, height, event)
    # a close by the business is still "closed", from its transaction (the refund paid for
    # a second request)
    t = world.node.last_block.time  # type: ignore[union-attr]
    world.send(world.shop, CreateRequest(categories=("shopping",), period_start=0, period_end=t,
                                         purpose="Again", reward=1, residents=1, cohort=1,
                                         expires_at=t + HOUR, access_ms=HOUR))
    world.send(world.shop, CloseRequest(request=2))
    closed = max(receiver.wait_events(2), key=lambda e: e["height"])
    tx = world.node.store.block_txs(closed["height"])[0]
    assert closed["id"] == f"evt_{closed['height']}_0_0"
    assert closed["data"]["status"] == "closed" and closed["data"]["tx"] == tx.hash.hex()


def test_an_expiry_read_back_from_the_store_is_the_same_event(world: World,
                                                              receiver: Receiver) -> None:
    subscribe(world, receiver)
    expires_at = post_request(world)
    assert world.webhooks is not None
    world.webhooks.close()  # the node goes on; the block is read back from the store
    height = world.node.produce_block(time_ms=expires_at + HOUR).height
    service = WebhookService(world.node, world.path.parent / "webhooks.db", CHAIN, FAST)
    world.node.add_listener(service.on_block)
    world.webhooks = service
    service.start()
    (event,) = receiver.wait_events(1)
    expired_event(world, height, event)
