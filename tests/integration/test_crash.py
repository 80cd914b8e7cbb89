"""kill -9 a real node under load, several times: nothing it reported committed is lost."""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

import httpx
import pytest

from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites, RegisterResident
from planet.core.encoding import b64encode
from planet.sdk.client import PlanetClient, new_invite_codes
from planet.sdk.keys import load_keystore
from planet.sdk.wallet import Wallet
from tests.integration.nodeproc import NodeProcess, planet

pytestmark = pytest.mark.slow

ROUNDS = 3
WRITERS = 4


def _writer(url: str, chain_id: str, wallet: Wallet, code: str, stop: threading.Event,
            committed: dict[str, int], lock: threading.Lock) -> None:
    """Register, then create invite hashes one tx at a time until stopped or out of quota."""
    http = httpx.Client(timeout=10)
    seq = 0
    while not stop.is_set() and seq < 4:
        if seq == 0:
            msg = RegisterResident(invite_code=code,
                                   encryption_key=b64encode(wallet.encryption_public_key))
        else:
            msg = CreateInvites(code_hashes=(compute_invite_hash(new_invite_codes(1)[0]),))
        raw = wallet.sign_tx(chain_id=chain_id, sequence=seq, messages=[msg])
        try:
            r = http.post(f"{url}/v1/txs", content=raw, params={"wait": "true"})
        except httpx.TransportError:
            return  # the node was killed mid-request: nothing was promised
        body = r.json()
        if r.status_code == 200 and body.get("committed") and body["committed"]["code"] == 0:
            with lock:
                committed[body["hash"]] = body["committed"]["height"]
            seq += 1
        elif r.status_code == 400 and body["check"]["code"] == 107:
            seq += 1  # committed just before a crash, but its reply was lost
        else:
            return


def test_kill9_under_load_loses_no_committed_tx(tmp_path: Path) -> None:
    home = tmp_path / "home"
    planet("init", "--home", str(home), "--chain-id", "planet-crash")
    cfg = json.loads((home / "config.json").read_text())
    cfg["block_interval_ms"] = 50
    (home / "config.json").write_text(json.dumps(cfg))
    operator = load_keystore(home / "keys" / "operator.json", None)
    committed: dict[str, int] = {}
    heights_seen: list[tuple[int, str]] = []
    lock = threading.Lock()
    rng = random.Random(7)
    node = NodeProcess(home).start()
    try:
        for _round in range(ROUNDS):
            client = PlanetClient(node.url)
            chain_id = client.chain_id
            codes = client.create_invites(operator, WRITERS)
            stop = threading.Event()
            writers = [threading.Thread(target=_writer, args=(
                node.url, chain_id, Wallet.generate(), code, stop, committed, lock))
                for code in codes]
            for w in writers:
                w.start()
            time.sleep(0.3 + rng.random() * 0.7)
            status = client.status()
            heights_seen.append((status["height"], status["app_hash"]))
            node.kill9()
            stop.set()
            for w in writers:
                w.join(timeout=15)
            client.close()
            node = NodeProcess(home, node.port).start()
            client = PlanetClient(node.url)
            for tx_hash, height in list(committed.items()):
                record = client.tx(tx_hash)
                assert record["height"] == height, f"tx {tx_hash} moved from {height}"
                assert record["code"] == 0
            for height, app_hash in heights_seen:
                assert client.block(height)["app_hash"] == app_hash or height == 0
            client.close()
        assert len(committed) >= ROUNDS, "the load produced too few commits to mean anything"
    finally:
        node.stop()
    verify = planet("verify", "--home", str(home), "--json", check=False)
    report = json.loads(verify.stdout)
    assert verify.returncode == 0 and report["ok"], report
    assert report["txs"] >= len(committed)
