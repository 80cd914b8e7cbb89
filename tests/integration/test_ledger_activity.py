"""Block events and account activity from the ledger, on a real embedded node with the API.

A resident checks in, collects and redeems; the shop posts a data request that expires in a
later block's begin step. The node must keep that begin-step event with its block, serve it
in `GET /v1/blocks/{height}`, and list every event naming an address (signed by it or not)
in `GET /v1/accounts/{address}/activity`, newest first, paged, with the µBD and Force each
moved for that address. An old store (made before migration 0006) opens, upgrades and has
its activity rebuilt from the stored transaction results.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from planet.core.emission.messages import Collect
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.sdk.client import PlanetClient
from planet.storage.sqlite import NodeStore
from tests.integration.ledger_world import World, open_world, story


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with open_world(tmp_path) as w:
        yield w


def test_begin_step_events_are_kept_with_their_block_and_served(world: World) -> None:
    height = story(world)
    (event,) = [e for e in world.node.store.block_events(height)
                if e["type"] == "exchange/request_expired"]
    assert event["phase"] == "begin"
    assert event["attributes"] == {"request": 1, "business": world.shop.address, "refunded": 1,
                                   "lapsed": 0}
    body = world.api.get(f"/v1/blocks/{height}").json()
    assert body["txs"] == [] and event in body["events"]
    assert world.api.get(f"/v1/blocks/{height - 1}").json()["events"] == []


def test_activity_lists_what_reached_an_account_newest_first_with_amounts(world: World) -> None:
    height = story(world)
    shop = world.activity(world.shop)["items"]
    assert [i["type"] for i in shop] == ["exchange/request_expired", "exchange/request_created",
                                         "exchange/redeemed", "exchange/offer_created"]
    assert [i["amount_micro"] for i in shop] == [1, -1, 1, None]
    expired = shop[0]
    assert expired["height"] == height and expired["tx"] is None
    assert expired["time"] == world.node.last_block.time  # type: ignore[union-attr]
    assert shop[1]["tx"] == world.node.store.block_txs(shop[1]["height"])[0].hash.hex()
    alice = world.activity(world.alice)["items"]
    types = [i["type"] for i in alice]
    assert types == ["exchange/redeemed", "emission/collected", "force/granted",
                     "accounts/registered"]
    redeemed, collected, granted, registered = alice
    assert redeemed["amount_micro"] == -1 and redeemed["force"] is None
    assert collected["amount_micro"] == collected["attributes"]["amount"] > 0
    assert granted["force"] == granted["attributes"]["force"] > 0
    assert granted["amount_micro"] is None
    assert registered["attributes"]["inviter"] == world.operator.address
    # the operator never signed alice's registration; it names them as the inviter
    assert "accounts/registered" in [i["type"] for i in world.activity(world.operator)["items"]]


def test_activity_pages_with_a_stable_cursor(world: World) -> None:
    story(world)
    everything = world.activity(world.alice, limit=100)
    assert everything["next_before"] is None
    first = world.activity(world.alice, limit=3)
    assert first["next_before"] == first["items"][-1]["cursor"]
    world.send(world.alice, Collect())  # a newer event does not shift the next page
    rest = world.activity(world.alice, limit=3, before=first["next_before"])
    assert first["items"] + rest["items"] == everything["items"]
    assert rest["next_before"] is None
    bad = world.api.get(f"/v1/accounts/{world.alice.address}/activity", params={"before": "x"})
    assert bad.status_code in (400, 422)


def test_an_old_store_opens_upgrades_and_rebuilds_activity_from_tx_results(
        world: World) -> None:
    story(world)
    before = {w.address: world.activity(w, limit=100)["items"]
              for w in (world.alice, world.shop, world.operator)}
    world.node.close()
    with sqlite3.connect(world.path) as conn:  # as 0005 left it
        conn.execute("DROP TABLE activity")
        conn.execute("DROP TABLE block_events")
        conn.execute("UPDATE alembic_version SET version_num = '0005'")
    node = EmbeddedNode(world.path, None, EngineConfig(verify_threads=1), clock=world.clock)
    try:
        with sqlite3.connect(world.path) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
                ("0006",)]
        store: NodeStore = node.store
        for address, items in before.items():
            # old blocks' begin-step events were never stored: only they are missing
            tx_events = [i for i in items if i["tx"] is not None]
            rebuilt = store.activity(address, 100)
            assert [(i["height"], i["tx"], i["type"], i["attributes"], i["amount_micro"],
                     i["force"]) for i in rebuilt] == [
                (i["height"], i["tx"], i["type"], i["attributes"], i["amount_micro"],
                 i["force"]) for i in tx_events]
        assert store.block_events(node.height) == []
        node.produce_block()  # and it goes on indexing
    finally:
        node.close()


def test_a_failure_while_indexing_leaves_nothing_of_the_block(world: World,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """Events, index, block and state are one SQLite transaction: a crash at any step of it
    leaves the store at the block before, whole."""
    import planet.storage.sqlite as sqlite_store

    story(world)
    height, rows = world.node.height, len(world.node.store.activity(world.alice.address, 100))

    def boom(*_args: object) -> list[object]:
        raise RuntimeError("the power went out")

    monkeypatch.setattr(sqlite_store, "activity_rows", boom)
    with pytest.raises(RuntimeError):
        world.node.store.commit_block(
            sqlite_store.BlockRecord(height + 1, b"\x09" * 32, b"\x00" * 32, 0, b"", b"", 0, "x",
                                     ({"type": "t", "attributes": {"a": world.alice.address}},)),
            [], [("chain/probe", b"1")], {})
    monkeypatch.undo()
    store = world.node.store
    assert store.last_height() == height and store.get_block(height + 1) is None
    assert store.block_events(height + 1) == []
    with sqlite3.connect(world.path) as conn:
        assert conn.execute("SELECT 1 FROM state WHERE key = 'chain/probe'").fetchall() == []
    assert len(store.activity(world.alice.address, 100)) == rows
    assert world.node.produce_block().height == height + 1  # and the chain goes on


def test_the_python_sdk_pages_the_same_activity(world: World) -> None:
    story(world)
    client = PlanetClient("http://testserver")
    client.http = TestClient(world.api.app, base_url="http://testserver/v1")
    everything = world.activity(world.alice, limit=100)["items"]
    first = client.activity(world.alice.address, limit=2)
    rest = client.activity(world.alice.address, limit=100, before=first["next_before"])
    assert first["items"] + rest["items"] == everything
