"""CometBFT's own `kvstore` app as a validator network on loopback: the engine's ceiling on
this machine, against which `planet bench cluster` measures Planet's network.

Each validator is one `cometbft start` process running the built-in app
(`proxy_app = "kvstore"`, in process, so no ABCI socket). The CometBFT homes are written by
the same `cometbft_config` as Planet's validators (same mempool, p2p rates, timeouts and log
level, `timeout_commit` as given), so the two networks differ only in the app. The load is
CometBFT's `loadtime` client (`load`, scripts/install-loadtime), which broadcasts
`a=<hex payload>` txs (a valid kvstore key=value) with `broadcast_tx_async` over each
validator's websocket RPC.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from planet.engines.binary import find_cometbft
from planet.engines.config_toml import set_keys
from planet.testnet.network import (
    TestnetError,
    Validator,
    cometbft_config,
    cometbft_genesis,
    ports_for,
    run_tool,
)

LOADTIME_MODULE = "github.com/cometbft/cometbft/test/loadtime/cmd/load"


def find_loadtime() -> str | None:
    """CometBFT's `load` binary (the loadtime client): $PLANET_LOADTIME, else `load` in
    $GOBIN, $(go env GOPATH)/bin or ~/go/bin (where scripts/install-loadtime puts it). Not
    looked up in PATH: `load` is too common a name to trust."""
    candidates: list[str] = []
    if os.environ.get("PLANET_LOADTIME"):
        candidates.append(os.environ["PLANET_LOADTIME"])
    if os.environ.get("GOBIN"):
        candidates.append(str(Path(os.environ["GOBIN"]) / "load"))
    gopath = os.environ.get("GOPATH", "").split(os.pathsep)[0]
    if gopath:
        candidates.append(str(Path(gopath) / "bin" / "load"))
    candidates.append(str(Path.home() / "go" / "bin" / "load"))
    for c in dict.fromkeys(candidates):
        if os.access(c, os.X_OK):
            return c
    return None


class KvstoreNet:
    """A `kvstore` validator network made in `folder` and the processes started from it."""

    __test__ = False  # not a pytest test class

    def __init__(self, folder: Path, validators: list[Validator], cometbft: str) -> None:
        self.dir = folder
        self.validators = validators
        self.cometbft = cometbft
        self._procs: dict[int, subprocess.Popen[bytes]] = {}

    @classmethod
    def create(cls, folder: Path, validators: int, base_port: int,
               chain_id: str = "kvstore-baseline", timeout_commit: str = "300ms",
               cometbft: str | None = None) -> KvstoreNet:
        binary = cometbft or find_cometbft()
        if binary is None:
            raise TestnetError("CometBFT not found; run scripts/install-cometbft")
        folder = folder.resolve()
        folder.mkdir(parents=True, exist_ok=True)
        vals: list[Validator] = []
        keys: list[dict[str, Any]] = []
        for i in range(validators):
            home = folder / f"k{i}"
            chome = home / "cometbft"
            run_tool([binary, "init", "--home", str(chome)])
            node_id = run_tool([binary, "show-node-id", "--home", str(chome)]).strip()
            keys.append(json.loads((chome / "config" / "priv_validator_key.json").read_text()))
            vals.append(Validator(i, home, *ports_for(base_port, i), node_id=node_id))
        template = json.loads((vals[0].cometbft_home / "config" / "genesis.json").read_text())
        genesis_time = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        shared = cometbft_genesis(template, chain_id, genesis_time, keys)
        for v in vals:
            (v.cometbft_home / "config" / "genesis.json").write_text(json.dumps(shared) + "\n")
            peers = ",".join(f"{o.node_id}@127.0.0.1:{o.p2p_port}" for o in vals
                             if o.index != v.index)
            cfg = v.cometbft_home / "config" / "config.toml"
            text = cometbft_config(cfg.read_text(), v, peers, moniker=f"k{v.index}",
                                   timeout_commit=timeout_commit)
            cfg.write_text(set_keys(text, "", {"proxy_app": "kvstore"}))
        return cls(folder, vals, binary)

    def log_file(self, v: Validator) -> Path:
        return self.dir / f"k{v.index}-cometbft.log"

    def start(self) -> None:
        for v in self.validators:
            with open(self.log_file(v), "ab") as log:
                self._procs[v.index] = subprocess.Popen(
                    [self.cometbft, "start", "--home", str(v.cometbft_home)], stdout=log,
                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def pid(self, v: Validator) -> int | None:
        proc = self._procs.get(v.index)
        return proc.pid if proc is not None and proc.poll() is None else None

    def height(self, v: Validator) -> int:
        try:
            r = httpx.get(f"{v.rpc_url}/status", timeout=2)
            return int(r.json()["result"]["sync_info"]["latest_block_height"])
        except (httpx.HTTPError, KeyError, ValueError):
            return 0

    def unconfirmed(self, v: Validator) -> int:
        """Txs in v's mempool (-1 if its RPC does not answer)."""
        try:
            r = httpx.get(f"{v.rpc_url}/num_unconfirmed_txs", timeout=2)
            return int(r.json()["result"]["n_txs"])
        except (httpx.HTTPError, KeyError, ValueError):
            return -1

    def wait_drained(self, timeout: float) -> bool:
        """Wait until every validator's mempool is empty; whether it happened in time."""
        deadline = time.monotonic() + timeout
        while any(self.unconfirmed(v) != 0 for v in self.validators):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def wait_height(self, height: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while any(self.height(v) < height for v in self.validators):
            for v in self.validators:
                if self.pid(v) is None:
                    tail = self.log_file(v).read_text(errors="replace").splitlines()[-20:]
                    raise TestnetError(f"kvstore validator k{v.index} exited:\n"
                                       + "\n".join(tail))
            if time.monotonic() > deadline:
                raise TestnetError(f"the kvstore network is not at height {height} after "
                                   f"{timeout:.0f} s")
            time.sleep(0.2)

    def stop(self, grace: float = 5.0) -> None:
        for proc in self._procs.values():
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        for proc in self._procs.values():
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs.clear()

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def block_txs(rpc_url: str, first: int, last: int) -> tuple[int, dict[int, int]]:
    """Total txs in blocks first..last (inclusive) of a node, and each block's count, read
    from CometBFT's /blockchain (20 headers a call)."""
    counts: dict[int, int] = {}
    with httpx.Client(timeout=10) as http:
        high = last
        while high >= first:
            low = max(first, high - 19)
            r = http.get(f"{rpc_url}/blockchain", params={"minHeight": low, "maxHeight": high})
            for meta in r.json()["result"]["block_metas"]:
                counts[int(meta["header"]["height"])] = int(meta["num_txs"])
            high = low - 1
    return sum(counts.values()), counts


def loadtime_argv(binary: str, rpc_ports: Sequence[int], *, seconds: int, connections: int,
                  rate: int, size: int) -> list[str]:
    """`load` at `rate` txs/s on each of `connections` websocket connections to each
    validator, `size` bytes a tx, broadcast_tx_async, for `seconds`."""
    endpoints = ",".join(f"ws://127.0.0.1:{p}/websocket" for p in rpc_ports)
    return [binary, "-c", str(connections), "-r", str(rate), "-T", str(seconds),
            "-s", str(size), "--broadcast-tx-method", "async", "--endpoints", endpoints]
