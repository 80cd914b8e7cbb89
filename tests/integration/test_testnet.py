"""A real 4-validator network on loopback: CometBFT v0.38.25 processes and Planet app
processes (`planet node --engine cometbft`), made and run by planet.testnet.

One network serves the module, in this order: agreement at every height while txs go
through different validators' APIs; a crafted unsigned tx sent to two validators is refused
and halts nothing; kill -9 of one validator under load and its catch-up;
two of four stopped (no block, no fork) and one back (blocks resume); a validator with
tampered state is detected while the other three go on. Skipped without the CometBFT binary
unless PLANET_REQUIRE_COMETBFT is set (then it fails).
"""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from planet.bench.load import make_invites, post_all, sign_registrations
from planet.core.errors import InvalidField
from planet.sdk.keys import load_keystore
from planet.sdk.wallet import Wallet
from planet.testnet.network import Testnet, _listening, free_base_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

BASE_PORT = free_base_port(4)  # a free block, not a fixed one another run may hold
CHAIN = "planet-testnet-it"


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory, cometbft: str) -> Iterator[Testnet]:
    folder = tmp_path_factory.mktemp("testnet")
    network = Testnet.create(folder, 4, BASE_PORT, CHAIN, cometbft=cometbft,
                             drill_operator=False)
    try:
        network.start_and_wait(timeout=90, api_timeout=60)
        yield network
    finally:
        network.stop(grace=5)


@pytest.fixture(scope="module")
def operator(net: Testnet) -> Wallet:
    return load_keystore(net.validators[0].home / "keys" / "operator.json", None)


@pytest.fixture(scope="module")
def codes(net: Testnet, operator: Wallet) -> list[str]:
    """Invitation codes for every test's registrations, made once through v0's API."""
    return make_invites(net.validators[0].api_url, operator, CHAIN, 900)


def rpc_block(net: Testnet, index: int, height: int) -> dict[str, Any]:
    v = net.validators[index]
    r = httpx.get(f"{v.rpc_url}/block", params={"height": height}, timeout=5)
    header: dict[str, Any] = r.json()["result"]["block"]["header"]
    return header


def app_blocks(net: Testnet, index: int, top: int) -> dict[int, dict[str, Any]]:
    """The app's own blocks 1..top from /v1/blocks, by height."""
    v = net.validators[index]
    out: dict[int, dict[str, Any]] = {}
    before = top + 1
    with httpx.Client(base_url=v.api_url, timeout=10) as http:
        while before > 1:
            page = http.get("/v1/blocks", params={"limit": 100, "before": before}).json()
            if not page:
                break
            for b in page:
                out[b["height"]] = b
            before = min(b["height"] for b in page)
    return {h: b for h, b in out.items() if h <= top}


def assert_agree(net: Testnet, indices: list[int], top: int) -> None:
    """Every validator in `indices` has the same CometBFT header (block id chain and app
    hash) and the same app block (hash, app hash) at every height 1..top; and the app hash
    each app stored for height h is the one CometBFT put in header h+1."""
    apps = {i: app_blocks(net, i, top) for i in indices}
    for i in indices:
        assert sorted(apps[i]) == list(range(1, top + 1)), f"v{i} misses app blocks"
    for h in range(1, top + 1):
        headers = {i: rpc_block(net, i, h) for i in indices}
        first = headers[indices[0]]
        for i in indices[1:]:
            assert headers[i]["app_hash"] == first["app_hash"], f"app hash differs at {h}"
            assert headers[i]["last_block_id"] == first["last_block_id"], f"fork at {h}"
        ref = apps[indices[0]][h]
        for i in indices[1:]:
            assert apps[i][h]["app_hash"] == ref["app_hash"], f"v{i} app hash differs at {h}"
            assert apps[i][h]["hash"] == ref["hash"], f"v{i} block hash differs at {h}"
        if h > 1:  # header h carries the app hash after block h-1
            assert first["app_hash"].lower() == apps[indices[0]][h - 1]["app_hash"]


def heights(net: Testnet, indices: list[int]) -> dict[int, int]:
    return {i: net.height(net.validators[i]) for i in indices}


def test_all_validators_agree_while_txs_go_through_different_apis(
        net: Testnet, codes: list[str]) -> None:
    wallets, raws = sign_registrations(codes[:400], CHAIN)
    result = post_all([v.api_port for v in net.validators], raws, clients=32)
    assert result["committed_ok"] == 400, result
    # Every resident is known to every validator, whichever API took its registration.
    for i, v in enumerate(net.validators):
        for w in wallets[i::97]:
            r = httpx.get(f"{v.api_url}/v1/accounts/{w.address}", timeout=5)
            assert r.status_code == 200, r.text
    top = min(heights(net, [0, 1, 2, 3]).values())
    net.wait_height(top + 1, timeout=30)
    for v in net.validators:  # every app has committed `top` (CometBFT waits for it)
        deadline = time.monotonic() + 10
        while httpx.get(f"{v.api_url}/v1/status", timeout=5).json()["height"] < top:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    assert_agree(net, [0, 1, 2, 3], top)


def test_two_unsigned_requests_no_longer_halt_the_network(net: Testnet) -> None:
    """Issue 12 §7, measured on this network before the fix: one unsigned tx whose
    attest_identity names `planet1qatd29x` (a bech32m string with a valid checksum whose
    padding is not zero) made the address parser raise bech32m's DecodeError out of
    check_tx, CometBFT dropped its mempool connection and stopped; sent to validator 0's
    CometBFT RPC and to validator 1's API, it halted the network. Now both are refusals with
    a code, every process stays up and blocks keep coming."""
    stranger = Wallet.generate()
    raw = json.dumps({
        "body": {"chain_id": CHAIN, "sender": stranger.address, "sequence": 0,
                 "messages": [{"type": "accounts/attest_identity", "resident": "planet1qatd29x",
                               "nullifier": "ab" * 32}]},
        "public_key": base64.b64encode(stranger.public_key).decode(),
        "signature": base64.b64encode(bytes(64)).decode()}).encode()
    at_attack = max(heights(net, [0, 1, 2, 3]).values())
    v0, v1 = net.validators[0], net.validators[1]

    answer = httpx.post(v0.rpc_url, timeout=10, json={
        "jsonrpc": "2.0", "id": 1, "method": "broadcast_tx_sync",
        "params": {"tx": base64.b64encode(raw).decode()}}).json()
    assert "error" not in answer, answer
    assert answer["result"]["code"] == InvalidField.code, answer
    assert answer["result"]["codespace"] == "tx"
    assert "attest_identity.resident" in answer["result"]["log"]

    r = httpx.post(f"{v1.api_url}/v1/txs", content=raw, timeout=10)
    assert r.status_code == 400, r.text
    assert r.json()["check"]["code"] == InvalidField.code, r.text
    r = httpx.get(f"{v1.api_url}/v1/accounts/planet1qatd29x", timeout=10)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == InvalidField.code

    net.wait_height(at_attack + 3, [0, 1, 2, 3], timeout=60)
    for v in net.validators:
        assert net.pid(v, "app") is not None and net.pid(v, "cometbft") is not None, v.name
    for v in (v0, v1):
        log = net.tail(v, "cometbft", 2000)
        assert "connection terminated" not in log and "Stopping abci.socketClient" not in log
        assert "BUG" not in net.tail(v, "app", 2000)


def test_kill9_one_validator_under_load_and_it_catches_up(
        net: Testnet, codes: list[str]) -> None:
    _w, raws = sign_registrations(codes[400:700], CHAIN)
    stop = threading.Event()
    results: list[dict[str, Any]] = []
    loader = threading.Thread(target=lambda: results.append(post_all(
        [v.api_port for v in net.validators[:3]], raws, clients=24, stop=stop)))
    loader.start()
    try:
        time.sleep(1.5)
        before = heights(net, [0, 1, 2])
        net.kill_validator(3)
        assert net.pid(net.validators[3], "app") is None
        assert net.pid(net.validators[3], "cometbft") is None
        net.wait_height(max(before.values()) + 5, [0, 1, 2], timeout=30)
    finally:
        loader.join(timeout=60)
        stop.set()
        loader.join()
    assert results and results[0]["committed_ok"] > 0, results
    assert results[0]["connection_errors"] == 0, results
    net.start_validator(3, timeout=60)
    target = max(heights(net, [0, 1, 2]).values())
    net.wait_height(target + 2, [0, 1, 2, 3], timeout=60)
    net.wait_api([3])
    top = min(heights(net, [0, 1, 2, 3]).values()) - 1
    assert_agree(net, [0, 3], top)


def test_two_of_four_stopped_makes_no_block_and_no_fork_then_one_returns(
        net: Testnet, codes: list[str]) -> None:
    net.stop_validator(2, grace=5)
    net.stop_validator(3, grace=5)
    # A block already voted on may still commit, and an app may still be storing it: take
    # the heights once they have held for 1.5 s.
    halted = heights(net, [0, 1])
    for _ in range(10):
        time.sleep(1.5)
        settled, halted = halted, heights(net, [0, 1])
        if settled == halted:
            break
    # A transaction is still admitted to the mempool, but cannot be committed.
    _w, raws = sign_registrations(codes[700:701], CHAIN)
    r = httpx.post(f"{net.validators[0].api_url}/v1/txs", params={"wait": "false"},
                   content=raws[0], timeout=10)
    assert r.status_code == 200, r.text
    tx_hash = r.json()["hash"]
    time.sleep(5)
    assert heights(net, [0, 1]) == halted, "a block was made by 2 of 4 validators"
    top = min(halted.values())
    assert_agree(net, [0, 1], top)
    net.start_validator(2, timeout=60)
    net.wait_height(max(halted.values()) + 3, [0, 1, 2], timeout=60)
    deadline = time.monotonic() + 30
    while httpx.get(f"{net.validators[1].api_url}/v1/txs/{tx_hash}",
                    timeout=5).status_code != 200:
        assert time.monotonic() < deadline, "the tx held during the halt was not committed"
        time.sleep(0.3)
    assert_agree(net, [0, 1, 2], min(heights(net, [0, 1, 2]).values()) - 1)
    # v3 stays down: the next test starts it with its state tampered with.


def tamper(db: Path) -> None:
    """Change a stored state value behind the app's back: the chain's meta record, which
    every block reads (a node checks each record as it first reads it)."""
    with sqlite3.connect(db) as conn:
        (value,) = conn.execute("SELECT value FROM state WHERE key = 'chain/meta'").fetchone()
        flipped = bytes([value[0] ^ 0x01]) + value[1:]
        conn.execute("UPDATE state SET value = ? WHERE key = 'chain/meta'", (flipped,))


def test_a_tampered_validator_is_detected_and_the_others_go_on(
        net: Testnet, codes: list[str]) -> None:
    v3 = net.validators[3]
    net.stop_validator(3, grace=10)  # stopped already by the previous test, if it ran
    tamper(v3.db_file)
    before = heights(net, [0, 1, 2])
    net.start_app(v3)
    # The app refuses its altered state at the first block that reads it (StateMismatch:
    # the process stops), or CometBFT halts it on an app hash that disagrees.
    deadline = time.monotonic() + 60
    detected = ""
    while not detected and time.monotonic() < deadline:
        app_log = net.tail(v3, "app", 200)
        if net.pid(v3, "app") is None:
            detected = "app exited: " + app_log  # its last lines are closing connections
            break
        if net.pid(v3, "cometbft") is None and _listening(v3.abci_port):
            net.start_cometbft(v3)
        comet_log = net.tail(v3, "cometbft", 400)
        if "wrong Block.Header.AppHash" in comet_log:
            detected = "cometbft: " + comet_log[-300:]
        time.sleep(0.3)
    assert detected, "the tampered validator was not detected within 60 s"
    assert any(word in detected for word in ("altered", "Mismatch", "mismatch", "AppHash")), \
        detected[-3000:]
    # The network goes on without it, and the three still agree.
    _w, raws = sign_registrations(codes[701:801], CHAIN)
    result = post_all([v.api_port for v in net.validators[:3]], raws, clients=12)
    assert result["committed_ok"] == 100, result
    net.wait_height(max(before.values()) + 3, [0, 1, 2], timeout=30)
    assert_agree(net, [0, 1, 2], min(heights(net, [0, 1, 2]).values()) - 1)
    net.stop_validator(3, grace=5)
