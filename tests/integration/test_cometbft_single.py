"""One validator on loopback: a real CometBFT v0.38.25 process and a real Planet app
process (`planet node --engine cometbft`), driven through the HTTP API with the Python SDK.

Registration, check-in and collect go through CometBFT (broadcast_tx_sync → our CheckTx →
a block → FinalizeBlock + Commit); every block's app hash in the app's store equals the one
CometBFT's next header commits to; after kill -9 of the app (with its store set back to an
earlier height) CometBFT's handshake replays the missing blocks and the app arrives at the
same hashes and balances. Skipped without the cometbft binary unless
PLANET_REQUIRE_COMETBFT is set (then it fails).
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites
from planet.engines.config_toml import set_keys
from planet.node.home import init_home
from planet.sdk.client import NodeError, PlanetClient, new_invite_codes
from planet.sdk.keys import load_keystore
from planet.sdk.wallet import Wallet
from planet.testnet.network import _alive, free_base_port, ports_for
from tests.integration.nodeproc import wait_until as poll

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

CHAIN = "planet-comet-single"
# A free block of ports (p2p, CometBFT RPC, ABCI, API), not a fixed one another run may hold.
P2P, RPC, ABCI, API = ports_for(free_base_port(1), 0)


def wait_until(what: str, check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """nodeproc.wait_until, taking an API or RPC that does not answer yet as not yet."""
    return poll(what, check, timeout, ignore=(httpx.HTTPError, KeyError, ValueError))


def configure_cometbft(comet_home: Path, chain_id: str) -> None:
    """Point a `cometbft init` home at our ports and ABCI server; blocks every ~200 ms."""
    path = comet_home / "config" / "config.toml"
    text = set_keys(path.read_text(), "", {"proxy_app": f"tcp://127.0.0.1:{ABCI}",
                                           "moniker": "planet-single"})
    text = set_keys(text, "rpc", {"laddr": f"tcp://127.0.0.1:{RPC}"})
    text = set_keys(text, "p2p", {"laddr": f"tcp://127.0.0.1:{P2P}"})
    text = set_keys(text, "consensus", {"timeout_commit": "200ms",
                                        "create_empty_blocks_interval": "2s"})
    path.write_text(text)
    genesis_path = comet_home / "config" / "genesis.json"
    genesis = json.loads(genesis_path.read_text())
    genesis["chain_id"] = chain_id
    genesis_path.write_text(json.dumps(genesis, indent=2))


@dataclass
class Validator:
    home: Path
    cometbft: str
    app: subprocess.Popen[bytes] | None = None
    comet: subprocess.Popen[bytes] | None = None

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{API}"

    @property
    def rpc(self) -> str:
        return f"http://127.0.0.1:{RPC}"

    def start_app(self, *extra: str) -> None:
        env = {**os.environ}
        env.pop("PLANET_PASSWORD", None)
        with open(self.home / "app.log", "ab") as log:
            self.app = subprocess.Popen(
                [sys.executable, "-m", "planet.cli.main", "node", "--home", str(self.home),
                 "--engine", "cometbft", "--port", str(API), *extra],
                env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_until("the app's API", lambda: self._alive(self.app) and httpx.get(
            f"{self.api}/v1/health", timeout=1).status_code == 200)

    def start_comet(self) -> None:
        with open(self.home / "cometbft.log", "ab") as log:
            self.comet = subprocess.Popen(
                [self.cometbft, "start", "--home", str(self.home / "cometbft")],
                stdout=log, stderr=subprocess.STDOUT)

    @staticmethod
    def _alive(proc: subprocess.Popen[bytes] | None) -> bool:
        if proc is None or proc.poll() is not None:
            raise RuntimeError("a process exited early")
        return True

    def app_height(self) -> int:
        return int(httpx.get(f"{self.api}/v1/status", timeout=2).json()["height"])

    def comet_block(self, height: int) -> dict[str, Any]:
        r = httpx.get(f"{self.rpc}/block", params={"height": height}, timeout=5)
        return r.json()["result"]  # type: ignore[no-any-return]

    def comet_height(self) -> int:
        r = httpx.get(f"{self.rpc}/status", timeout=2)
        return int(r.json()["result"]["sync_info"]["latest_block_height"])

    def app_block(self, height: int) -> dict[str, Any]:
        return httpx.get(f"{self.api}/v1/blocks/{height}", timeout=5).json()  # type: ignore[no-any-return]

    def kill(self, proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGKILL) -> None:
        if proc is not None and proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)

    def stop(self) -> None:
        self.kill(self.comet, signal.SIGTERM)
        self.kill(self.app, signal.SIGTERM)

    def logs(self) -> str:
        parts = []
        for name in ("app.log", "cometbft.log"):
            path = self.home / name
            if path.exists():
                parts.append(f"--- {name} ---\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)


@pytest.fixture
def validator(tmp_path: Path, cometbft: str) -> Iterator[Validator]:
    home = tmp_path / "validator"
    init_home(home, CHAIN)
    config = json.loads((home / "config.json").read_text())
    config.update(engine="cometbft", abci_address=f"tcp://127.0.0.1:{ABCI}",
                  cometbft_rpc=f"http://127.0.0.1:{RPC}", api_port=API, drill_operator=False)
    (home / "config.json").write_text(json.dumps(config, indent=2))
    subprocess.run([cometbft, "init", "--home", str(home / "cometbft")], check=True,
                   capture_output=True, timeout=60)
    configure_cometbft(home / "cometbft", CHAIN)
    v = Validator(home, cometbft)
    try:
        yield v
    finally:
        v.stop()
        print(v.logs())  # shown by pytest when the test failed


def check_app_hashes(v: Validator, upto: int) -> None:
    """Block h in the app: same hash as CometBFT's block h, and the app hash it produced is
    the one CometBFT's header h+1 commits to."""
    for h in range(1, upto + 1):
        ours = v.app_block(h)
        theirs = v.comet_block(h)
        nxt = v.comet_block(h + 1)
        assert ours["hash"] == theirs["block_id"]["hash"].lower(), h
        assert ours["app_hash"] == nxt["block"]["header"]["app_hash"].lower(), h
        assert ours["proposer"] == theirs["block"]["header"]["proposer_address"], h
        assert ours["tx_count"] == len(theirs["block"]["data"]["txs"] or []), h


def backup(db: Path, to: Path) -> int:
    """A consistent copy of the live SQLite store; returns its height."""
    src = sqlite3.connect(db)
    dst = sqlite3.connect(to)
    try:
        src.backup(dst)
        row = dst.execute("SELECT value FROM meta WHERE key = 'last_height'").fetchone()
        return int(row[0])
    finally:
        src.close()
        dst.close()


def test_single_validator_through_the_api_and_a_crash(validator: Validator,
                                                      tmp_path: Path) -> None:
    v = validator
    v.start_app()
    v.start_comet()
    wait_until("block 2", lambda: v.app_height() >= 2)
    status = httpx.get(f"{v.api}/v1/status").json()
    assert status["engine"] == "cometbft" and status["chain_id"] == CHAIN

    api = PlanetClient(v.api)
    try:
        operator = load_keystore(v.home / "keys" / "operator.json", None)
        codes = api.create_invites(operator, 3)
        residents = [Wallet.generate() for _ in codes]
        for w, code in zip(residents, codes, strict=True):
            outcome, _ = api.register_resident(w, code)
            assert outcome.ok and outcome.height is not None
        # a refused tx comes back as CheckTx refused it, exactly as embedded
        reused = operator.sign_tx(chain_id=CHAIN, sequence=0, messages=[CreateInvites(
            code_hashes=(compute_invite_hash(new_invite_codes(1)[0]),))])
        with pytest.raises(NodeError, match="sequence 0 was already used") as refused:
            api.submit(reused)
        assert refused.value.status == 400

        saved = tmp_path / "earlier.db"
        saved_height = backup(v.home / "data" / "node.db", saved)

        checkin = api.complete_task(residents[0], "daily_checkin")
        collect = api.collect(residents[0])
        assert checkin.ok and collect.ok
        assert any(e["type"] == "emission/collected" for e in collect.events)
        holder = api.holder(residents[0].address)
        assert holder["balance_micro"] > 0 and holder["force"] > 0
        assert [api.account(w.address) is not None for w in residents] == [True] * 3

        height = wait_until("a block after the collect",
                            lambda: v.app_height() if v.app_height() > collect.height
                            else None)  # type: ignore[operator]
        check_app_hashes(v, height - 1)
        app_hash_at = {h: v.app_block(h)["app_hash"] for h in range(1, height)}
        tx_at = {t.hash: t.height for t in (checkin, collect)}

        # kill -9 the app: CometBFT loses its ABCI connection and stops too
        v.kill(v.app)
        try:
            v.comet.wait(20)  # type: ignore[union-attr]
        except subprocess.TimeoutExpired:
            v.kill(v.comet)
        # ... and the app's store goes back to before the check-in: the handshake must
        # replay every block since, through FinalizeBlock + Commit
        db = v.home / "data" / "node.db"
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        saved.replace(db)
        assert saved_height < checkin.height  # type: ignore[operator]

        v.start_app()
        assert v.app_height() == saved_height
        v.start_comet()
        wait_until("the app past its old height", lambda: v.app_height() > height + 2,
                   timeout=60)
        log = (v.home / "cometbft.log").read_text(errors="replace")
        assert re.search(rf"appHeight={saved_height}\b", log), "handshake saw the old height"
        for h, app_hash in app_hash_at.items():
            assert v.app_block(h)["app_hash"] == app_hash, h
        for tx_hash, tx_height in tx_at.items():
            assert api.tx(tx_hash)["height"] == tx_height
        assert api.holder(residents[0].address)["balance_micro"] == holder["balance_micro"]
        check_app_hashes(v, v.app_height() - 1)

        # and the chain goes on through the API after the crash
        again, _ = api.register_resident(Wallet.generate(), api.create_invites(operator, 1)[0])
        assert again.ok
    finally:
        api.close()

    # `planet verify` replays the whole store from genesis to the same app hashes
    v.stop()
    out = subprocess.run([sys.executable, "-m", "planet.cli.main", "verify", "--home",
                          str(v.home), "--json"], capture_output=True, text=True, timeout=120)
    report = json.loads(out.stdout)
    assert report["ok"], report["problems"]
    assert report["blocks"] > height


def children(pid: int) -> list[int]:
    """The live child processes of `pid` (from /proc; zombies left out)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def test_with_cometbft_restarts_a_dead_cometbft_and_blocks_resume(validator: Validator) -> None:
    """`planet node --with-cometbft` supervises its CometBFT: kill -9 it and the node starts
    a new one, which handshakes with the app and goes on from the same chain."""
    v = validator
    v.start_app("--with-cometbft")
    assert v.app is not None
    wait_until("block 2", lambda: v.app_height() >= 2)
    [first] = children(v.app.pid)
    os.kill(first, signal.SIGKILL)
    restarted = wait_until("a new CometBFT child",
                           lambda: [c for c in children(v.app.pid) if c != first])
    height = v.app_height()
    wait_until("blocks after the restart", lambda: v.app_height() >= height + 2)
    assert v.comet_block(height + 1)["block"]["header"]["app_hash"]
    assert "cometbft exited with code -9" in (v.home / "app.log").read_text()
    v.kill(v.app, signal.SIGTERM)  # and the node stops its CometBFT with it: none is left
    assert not [pid for pid in restarted if _alive(pid)]
