"""State sync on a real network: 4 CometBFT v0.38.25 validators with Planet apps snapshot
their state every few blocks; a fifth node joins by state sync (`planet testnet join`),
restores the newest snapshot after CometBFT's light client checked its app hash, reaches
the validators' app hash without replaying from height 1, then follows new blocks.
Skipped without the CometBFT binary unless PLANET_REQUIRE_COMETBFT is set (then it fails).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from planet.bench.load import make_invites, post_all, sign_registrations
from planet.cli.main import app
from planet.engines.embedded import replay_chain
from planet.engines.snapshots import SnapshotStore, snapshot_dir
from planet.sdk.keys import load_keystore
from planet.storage.sqlite import NodeStore
from planet.testnet.network import Testnet, free_base_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

BASE_PORT = free_base_port(5)  # the validators' block and the joining node's
CHAIN = "planet-statesync-it"
INTERVAL = 10
RESIDENTS = 150


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory, cometbft: str) -> Iterator[Testnet]:
    folder = tmp_path_factory.mktemp("statesync")
    network = Testnet.create(folder, 4, BASE_PORT, CHAIN, cometbft=cometbft,
                             drill_operator=False, snapshot_interval=INTERVAL)
    try:
        network.start_and_wait(timeout=90, api_timeout=60)
        yield network
    finally:
        Testnet.load(folder).stop(grace=5)  # with the node the CLI joined


def newest_snapshot(db_file: Path) -> int:
    """The height of the newest snapshot a node has completed (0: none yet)."""
    kept = SnapshotStore(snapshot_dir(db_file), clean=False).list()
    return kept[0].height if kept else 0


def wait_for(what: str, check: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.2)


def known(url: str, address: str) -> bool:
    try:
        return httpx.get(f"{url}/v1/accounts/{address}", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def test_a_fifth_node_joins_by_state_sync_and_follows(net: Testnet) -> None:
    v0 = net.validators[0]
    operator = load_keystore(v0.home / "keys" / "operator.json", None)
    codes = make_invites(v0.api_url, operator, CHAIN, RESIDENTS + 10)
    # The invitations are committed on v0; a registration posted to a validator whose app is
    # still a block behind would be refused by its CheckTx (302, unknown code), as CI once saw.
    net.wait_height(net.app_height(v0), apps=True)
    wallets, raws = sign_registrations(codes[:RESIDENTS], CHAIN)
    result = post_all([v.api_port for v in net.validators], raws, clients=16)
    assert result["committed_ok"] == RESIDENTS, result["failures"]
    registered = max(net.height(v) for v in net.validators)
    # Every validator takes its snapshot at the same heights, in the background.
    wait_for("a snapshot holding the residents on every validator",
             lambda: all(newest_snapshot(v.db_file) >= registered for v in net.validators),
             timeout=60)

    # State sync: trust height and hash from v0's RPC, the light client on v0's and v1's.
    joined = CliRunner().invoke(app, ["testnet", "join", "--dir", str(net.dir), "--json"])
    assert joined.exit_code == 0, joined.output
    out = json.loads(joined.output)
    net = Testnet.load(net.dir)
    [node] = net.nodes
    assert not node.validator and node.name == out["node"] == "n4"
    height = out["height"]
    assert out["app_hash"] == net.app_block(v0, height)["app_hash"]  # type: ignore[index]

    synced = net.synced_from(node)
    assert out["state_synced_from"] == synced
    assert synced is not None and synced >= registered and synced % INTERVAL == 0
    assert height > synced
    # It did not replay from height 1: neither its app nor its CometBFT has the blocks
    # up to the snapshot; its first block is the one after it.
    assert net.app_block(node, 1) is None and net.app_block(node, synced) is None
    first = net.app_block(node, synced + 1)
    assert first is not None
    assert first["prev_hash"] == net.app_block(v0, synced)["hash"]  # type: ignore[index]
    info = net.rpc_status(node)
    assert info is not None and int(info["earliest_block_height"]) > 1
    status = httpx.get(f"{node.api_url}/v1/status", timeout=5).json()
    assert status["state_synced_from"] == synced
    assert "state synced: height" in net.log_file(node, "app").read_text()
    # The residents registered before the snapshot are in its state.
    for w in wallets[::29]:
        assert known(node.api_url, w.address), w.address

    # It follows: a resident registered through a validator now reaches it too, and its
    # app hash stays the validators' block after block.
    late_wallets, late = sign_registrations(codes[RESIDENTS:RESIDENTS + 1], CHAIN)
    assert post_all([net.validators[1].api_port], late, clients=1)["committed_ok"] == 1
    wait_for("the late resident on the joined node",
             lambda: known(node.api_url, late_wallets[0].address), timeout=60)
    later = net.wait_agree(node, net.validators[2], timeout=60, above=height + 2)
    assert later > height + 2
    v3 = net.validators[3]
    assert net.app_block(node, later)["hash"] == net.app_block(v3, later)["hash"]  # type: ignore[index]

    # `planet verify` on the joined node says it cannot replay from genesis, and replays
    # what it has from the snapshot it restored.
    store = NodeStore(node.db_file)
    try:
        report = replay_chain(store)
    finally:
        store.close()
    assert report.ok, report.problems
    assert report.replayed_from >= synced and report.blocks >= 1
    assert "state sync" in report.notes[0]
