"""A local consortium network on loopback: N validators, each a CometBFT process and a
Planet app process (`planet node --engine cometbft`) with its own home, state and API.

Layout of the network folder (default ./.testnet):

    DIR/testnet.json              what `planet testnet` made: chain id, validators, ports
    DIR/v0 … DIR/vN-1             one Planet home per validator (genesis.json, config.json,
                                  data/node.db); v0 also holds the operator's and the
                                  identity verifier's keys (HOME/keys), as `planet init` makes
    DIR/vI/cometbft               that validator's CometBFT home: config/config.toml,
                                  config/genesis.json (the same file on every validator),
                                  config/node_key.json, config/priv_validator_key.json, data/
    DIR/nI                        a node that joined later (`planet testnet join`): not a
                                  validator; it follows the chain, by default from a
                                  state-sync snapshot of the validators (planet.engines.
                                  snapshots) rather than by replaying every block
    DIR/logs/vI-app.log, vI-cometbft.log  (nI-… for joined nodes)
    DIR/run/vI-app.pid, vI-cometbft.pid

Ports of validator I, from the base port B: p2p B+10I, CometBFT RPC B+10I+1, ABCI
B+10I+2, Planet HTTP API B+10I+3. A joined node takes the next free index after the
validators and the nodes joined before it.

State sync: every validator snapshots its state every `snapshot_interval` blocks (config.json;
1000 by default, `Testnet.create(snapshot_interval=…)`). A node joining by state sync gets
`[statesync] enable = true` with two validators' RPC addresses for CometBFT's light client,
and a trust height and hash read from a running validator's RPC (`/block?height=` of its
latest block); CometBFT fetches the newest snapshot from its peers, the app restores and
checks it, and blocks after the snapshot follow by block sync.

With `psql_url` (`planet testnet up --psql URL`) every validator's CometBFT indexes its
blocks and tx events into that one PostgreSQL database (`[tx_index] indexer = "psql"`,
`psql-conn = URL`) instead of its own kv store; the tables are created first from CometBFT's
schema in the Go module cache. All validators share the database: the sink keys blocks by
(height, chain_id) and skips rows already written, so each block is indexed once while any
validator runs (planet.engines.psql_index explains this and the real-network advice).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from planet.engines import psql_index
from planet.engines.binary import COMETBFT_VERSION, find_cometbft
from planet.engines.config_toml import set_keys
from planet.node.home import Home, NodeConfig, init_home

DEFAULT_DIR = Path(".testnet")
DEFAULT_BASE_PORT = 26600
DEFAULT_CHAIN_ID = "planet-testnet-1"
POWER = 10


class TestnetError(RuntimeError):
    __test__ = False  # not a pytest test class


# --- the network's shape ------------------------------------------------------------------------


@dataclass(frozen=True)
class Validator:
    index: int
    home: Path
    p2p_port: int
    rpc_port: int
    abci_port: int
    api_port: int
    node_id: str = ""
    validator: bool = True
    """False for a node that joined later (`Testnet.join`): it follows, never votes."""

    @property
    def name(self) -> str:
        return f"{'v' if self.validator else 'n'}{self.index}"

    @property
    def cometbft_home(self) -> Path:
        return self.home / "cometbft"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.rpc_port}"

    @property
    def abci_address(self) -> str:
        return f"tcp://127.0.0.1:{self.abci_port}"

    @property
    def db_file(self) -> Path:
        return Home(self.home).db_file


def ports_for(base_port: int, index: int) -> tuple[int, int, int, int]:
    """p2p, rpc, abci, api of validator `index`."""
    b = base_port + 10 * index
    return b, b + 1, b + 2, b + 3


def cometbft_genesis(template: dict[str, Any], chain_id: str, genesis_time: str,
                     validators: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The one CometBFT genesis every validator shares: Planet's chain id and genesis time,
    all validators with equal power; consensus parameters as `cometbft init` wrote them."""
    doc = {k: v for k, v in template.items() if k not in ("validators", "app_hash")}
    doc["chain_id"] = chain_id
    doc["genesis_time"] = genesis_time
    doc["initial_height"] = "1"
    doc["validators"] = [
        {"address": v["address"], "pub_key": v["pub_key"], "power": str(POWER),
         "name": f"v{i}"} for i, v in enumerate(validators)]
    doc["app_hash"] = ""
    return doc


STATESYNC_DISCOVERY = "5s"
"""How long a joining node collects snapshot offers before restoring (CometBFT's minimum)."""


def statesync_config(text: str, rpc_servers: Sequence[str], trust_height: int,
                     trust_hash: str) -> str:
    """Turn on state sync in a joining node's config.toml: CometBFT's light client checks
    the snapshot's app hash through `rpc_servers` (two or more), trusting the block
    `trust_hash` at `trust_height` read from one of them."""
    if len(rpc_servers) < 2:
        raise TestnetError("state sync needs two RPC servers for CometBFT's light client")
    return set_keys(text, "statesync", {
        "enable": True, "rpc_servers": ",".join(rpc_servers), "trust_height": trust_height,
        "trust_hash": trust_hash, "trust_period": "168h0m0s",
        "discovery_time": STATESYNC_DISCOVERY, "chunk_request_timeout": "10s"})


def cometbft_config(text: str, v: Validator, peers: str, *, moniker: str,
                    timeout_commit: str = "300ms", empty_blocks_interval: str = "1s",
                    log_level: str = "error") -> str:
    """Edit the config.toml that `cometbft init` wrote for one validator of the network.

    CometBFT logs at `log_level` (error, the first level above info: v0.38's logger has no
    warn; at info it writes several lines per block and per peer message, CPU the
    validators share with the apps on one machine; a block it refuses, a consensus failure
    or a lost ABCI connection are errors and still logged), and indexes no
    tx (`[tx_index] indexer = "null"`): Planet reads its own store, never /tx_search;
    `psql_index.indexer_config` turns the psql sink on instead."""
    text = set_keys(text, "", {"proxy_app": v.abci_address, "moniker": moniker,
                               "log_level": log_level})
    text = set_keys(text, "rpc", {"laddr": f"tcp://127.0.0.1:{v.rpc_port}",
                                  "max_open_connections": 2000})
    text = set_keys(text, "p2p", {"laddr": f"tcp://127.0.0.1:{v.p2p_port}",
                                  "persistent_peers": peers, "addr_book_strict": False,
                                  "allow_duplicate_ip": True, "pex": False,
                                  "flush_throttle_timeout": "10ms",
                                  "send_rate": 52_428_800, "recv_rate": 52_428_800})
    text = set_keys(text, "mempool", {"size": 50_000, "cache_size": 200_000})
    text = set_keys(text, "tx_index", {"indexer": "null"})
    text = set_keys(text, "consensus", {"timeout_propose": "1s",
                                        "timeout_prevote": "500ms",
                                        "timeout_precommit": "500ms",
                                        "timeout_commit": timeout_commit,
                                        "create_empty_blocks": True,
                                        "create_empty_blocks_interval": empty_blocks_interval})
    return text


# --- processes ------------------------------------------------------------------------------


def free_base_port(validators: int, tries: int = 50) -> int:
    """A base port whose whole block (10 ports per validator) can be bound on loopback.

    Below Linux's ephemeral range (32768+), so no outgoing connection takes one meanwhile."""
    rng = random.Random()
    for _ in range(tries):
        base = rng.randrange(20_000, 32_000 - 10 * validators, 10)
        ports = [p for i in range(validators) for p in ports_for(base, i)]
        try:
            for p in ports:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
        except OSError:
            continue
        return base
    raise TestnetError("no free block of loopback ports found")


def _listening(port: int) -> bool:
    """Whether something listens on 127.0.0.1/0.0.0.0:`port` (read from /proc, so the
    listener never sees a probe connection)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                        return True
        except (OSError, StopIteration):
            continue
    return False


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class Testnet:
    """A network folder and the processes started from it (by this object or by an
    earlier `planet testnet up`, found through the pid files)."""

    __test__ = False  # not a pytest test class

    def __init__(self, folder: Path, chain_id: str, validators: list[Validator],
                 cometbft: str | None = None) -> None:
        self.dir = folder
        self.chain_id = chain_id
        self.validators = validators
        self.nodes: list[Validator] = []
        """Nodes that joined later (`join`): they follow the chain and do not vote."""
        self._cometbft = cometbft
        self._procs: dict[tuple[int, str], subprocess.Popen[bytes]] = {}

    # --- making and loading ---------------------------------------------------------------

    @property
    def manifest_file(self) -> Path:
        return self.dir / "testnet.json"

    @property
    def cometbft(self) -> str:
        if self._cometbft is None:
            self._cometbft = find_cometbft()
        if self._cometbft is None:
            raise TestnetError(f"CometBFT v{COMETBFT_VERSION} not found; run "
                               "scripts/install-cometbft (or set PLANET_COMETBFT)")
        return self._cometbft

    @classmethod
    def load(cls, folder: Path) -> Testnet:
        folder = folder.resolve()  # pid files are matched to processes by absolute paths
        manifest = folder / "testnet.json"
        if not manifest.exists():
            raise TestnetError(f"{folder} holds no testnet (no testnet.json); "
                               "run `planet testnet up` first")
        data = json.loads(manifest.read_text())
        vals = [Validator(index=v["index"], home=folder / v["home"], p2p_port=v["p2p_port"],
                          rpc_port=v["rpc_port"], abci_port=v["abci_port"],
                          api_port=v["api_port"], node_id=v["node_id"])
                for v in data["validators"]]
        net = cls(folder, data["chain_id"], vals)
        net.nodes = [Validator(index=v["index"], home=folder / v["home"],
                               p2p_port=v["p2p_port"], rpc_port=v["rpc_port"],
                               abci_port=v["abci_port"], api_port=v["api_port"],
                               node_id=v["node_id"], validator=False)
                     for v in data.get("nodes", [])]
        return net

    @classmethod
    def create(cls, folder: Path, validators: int = 4, base_port: int = DEFAULT_BASE_PORT,
               chain_id: str = DEFAULT_CHAIN_ID, preset: str = "production",
               cometbft: str | None = None, timeout_commit: str = "300ms",
               empty_blocks_interval: str = "1s", drill_operator: bool = True,
               psql_url: str | None = None, snapshot_interval: int | None = None) -> Testnet:
        """Make the network's files (not its processes). Existing files are an error.
        With `psql_url`, the indexer's tables are created in that database first and every
        validator's CometBFT indexes into it. `snapshot_interval` overrides the node
        config's (a state-sync snapshot every so many blocks)."""
        if validators < 1:
            raise TestnetError("a network needs at least one validator")
        folder = folder.resolve()  # pid files are matched to processes by absolute paths
        if (folder / "testnet.json").exists():
            raise TestnetError(f"{folder} already holds a testnet")
        if psql_url:
            try:
                psql_index.install_schema(psql_url)
            except psql_index.PsqlIndexError as err:
                raise TestnetError(str(err)) from err
        folder.mkdir(parents=True, exist_ok=True)
        net = cls(folder, chain_id, [], cometbft)
        binary = net.cometbft
        first = init_home(folder / "v0", chain_id, password=None, preset=preset)
        genesis_doc = json.loads(first.genesis_file.read_text())
        keys: list[dict[str, Any]] = []
        vals: list[Validator] = []
        for i in range(validators):
            home = first if i == 0 else Home(folder / f"v{i}")
            home.path.mkdir(parents=True, exist_ok=True)
            if i:
                shutil.copyfile(first.genesis_file, home.genesis_file)
                home.db_file.parent.mkdir(parents=True, exist_ok=True)
            p2p, rpc, abci, api = ports_for(base_port, i)
            chome = home.path / "cometbft"
            run_tool([binary, "init", "--home", str(chome)])
            node_id = run_tool([binary, "show-node-id", "--home", str(chome)]).strip()
            keys.append(json.loads((chome / "config" / "priv_validator_key.json").read_text()))
            v = Validator(i, home.path, p2p, rpc, abci, api, node_id)
            vals.append(v)
            config = asdict(NodeConfig())
            config.update(engine="cometbft", api_host="127.0.0.1", api_port=api,
                          abci_address=v.abci_address, cometbft_rpc=v.rpc_url,
                          drill_operator=drill_operator and i == 0,
                          psql_url=psql_url or "")
            if snapshot_interval is not None:
                config.update(snapshot_interval=snapshot_interval)
            home.config_file.write_text(json.dumps(config, indent=2) + "\n")
        template = json.loads((vals[0].cometbft_home / "config" / "genesis.json").read_text())
        shared = cometbft_genesis(template, chain_id, genesis_doc["genesis_time"], keys)
        for v in vals:
            (v.cometbft_home / "config" / "genesis.json").write_text(
                json.dumps(shared, indent=2) + "\n")
            peers = ",".join(f"{o.node_id}@127.0.0.1:{o.p2p_port}" for o in vals
                             if o.index != v.index)
            cfg = v.cometbft_home / "config" / "config.toml"
            text = cometbft_config(cfg.read_text(), v, peers, moniker=v.name,
                                   timeout_commit=timeout_commit,
                                   empty_blocks_interval=empty_blocks_interval)
            if psql_url:
                text = psql_index.indexer_config(text, psql_url)
            cfg.write_text(text)
        net.validators = vals
        net.manifest_file.write_text(json.dumps({
            "chain_id": chain_id, "cometbft_version": COMETBFT_VERSION,
            "base_port": base_port, "indexer": "psql" if psql_url else "kv",
            "validators": [{**{k: getattr(v, k) for k in ("index", "p2p_port", "rpc_port",
                                                          "abci_port", "api_port", "node_id")},
                            "home": v.home.name} for v in vals]}, indent=2) + "\n")
        return net

    # --- a node joining later -------------------------------------------------------------

    def _manifest_node(self, v: Validator) -> dict[str, Any]:
        return {**{k: getattr(v, k) for k in ("index", "p2p_port", "rpc_port", "abci_port",
                                              "api_port", "node_id")}, "home": v.home.name}

    def running_validators(self) -> list[Validator]:
        return [v for v in self.validators if self.rpc_status(v) is not None]

    def trusted_block(self, v: Validator) -> tuple[int, str]:
        """(height, hash) of validator v's latest block, from its RPC: what a joining
        node's light client starts from."""
        info = self.rpc_status(v)
        if info is None:
            raise TestnetError(f"{v.name}'s CometBFT RPC does not answer")
        height = int(info["latest_block_height"])
        try:
            r = httpx.get(f"{v.rpc_url}/block", params={"height": height}, timeout=5)
            block_hash = str(r.json()["result"]["block_id"]["hash"])
        except (httpx.HTTPError, KeyError, ValueError, TypeError) as err:
            raise TestnetError(f"{v.name}'s RPC did not give block {height}: {err}") from None
        return height, block_hash

    def join(self, *, statesync: bool = True, timeout: float = 60.0) -> Validator:
        """Make and start one more node (not a validator) that follows the network: with
        `statesync`, from a snapshot of the validators' state (at least two must be
        running: CometBFT's light client checks the snapshot through two RPCs); else by
        replaying every block. Returns once its processes listen."""
        index = len(self.validators) + len(self.nodes)
        base = self.validators[0].p2p_port
        p2p, rpc, abci, api = ports_for(base, index)
        for port in (p2p, rpc, abci, api):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    raise TestnetError(f"port {port} (node {index}) is taken") from None
        trust: tuple[int, str] | None = None
        rpcs: list[str] = []
        if statesync:
            running = self.running_validators()
            if len(running) < 2:
                raise TestnetError("state sync needs two running validators (their RPCs "
                                   "serve the light client)")
            trust = self.trusted_block(running[0])
            rpcs = [v.rpc_url for v in running[:2]]
        home = Home(self.dir / f"n{index}")
        if home.path.exists():
            raise TestnetError(f"{home.path} exists")
        first = self.validators[0]
        home.path.mkdir(parents=True)
        shutil.copyfile(Home(first.home).genesis_file, home.genesis_file)
        home.db_file.parent.mkdir(parents=True, exist_ok=True)
        chome = home.path / "cometbft"
        run_tool([self.cometbft, "init", "--home", str(chome)])
        node_id = run_tool([self.cometbft, "show-node-id", "--home", str(chome)]).strip()
        node = Validator(index, home.path, p2p, rpc, abci, api, node_id, validator=False)
        config = asdict(Home(first.home).load_config())
        config.update(api_port=api, abci_address=node.abci_address, cometbft_rpc=node.rpc_url,
                      drill_operator=False)
        home.config_file.write_text(json.dumps(config, indent=2) + "\n")
        shutil.copyfile(first.cometbft_home / "config" / "genesis.json",
                        chome / "config" / "genesis.json")
        peers = ",".join(f"{o.node_id}@127.0.0.1:{o.p2p_port}" for o in self.validators)
        cfg = chome / "config" / "config.toml"
        text = cometbft_config(cfg.read_text(), node, peers, moniker=node.name)
        if trust is not None:
            text = statesync_config(text, rpcs, *trust)
        cfg.write_text(text)
        self.nodes.append(node)
        data = json.loads(self.manifest_file.read_text())
        data["nodes"] = [self._manifest_node(n) for n in self.nodes]
        self.manifest_file.write_text(json.dumps(data, indent=2) + "\n")
        self.start_node(node, timeout)
        return node

    def synced_from(self, v: Validator) -> int | None:
        """The snapshot height a node's state was restored from (None: it has every block),
        read from its database."""
        try:
            with contextlib.closing(sqlite3.connect(f"file:{v.db_file}?mode=ro",
                                                    uri=True, timeout=5)) as db:
                row = db.execute("SELECT value FROM meta WHERE key = 'state_synced_from'"
                                 ).fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else int(row[0])

    # --- processes -----------------------------------------------------------------------

    def _pid_file(self, v: Validator, kind: str) -> Path:
        return self.dir / "run" / f"{v.name}-{kind}.pid"

    def log_file(self, v: Validator, kind: str) -> Path:
        return self.dir / "logs" / f"{v.name}-{kind}.log"

    def pid(self, v: Validator, kind: str) -> int | None:
        """The live process of `kind` ("app" or "cometbft") of validator v, if any."""
        path = self._pid_file(v, kind)
        try:
            pid = int(path.read_text().strip())
        except (OSError, ValueError):
            return None
        # A pid file outlives its process; the pid may since name another program.
        if not _alive(pid) or str(v.home) not in _cmdline(pid):
            return None
        return pid

    def _spawn(self, v: Validator, kind: str, argv: list[str]) -> None:
        self.dir.joinpath("logs").mkdir(exist_ok=True)
        self.dir.joinpath("run").mkdir(exist_ok=True)
        env = {**os.environ, "PLANET_HOME": str(v.home)}
        env.pop("PLANET_PASSWORD", None)
        with open(self.log_file(v, kind), "ab") as log:
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        self._procs[(v.index, kind)] = proc
        self._pid_file(v, kind).write_text(f"{proc.pid}\n")

    def app_argv(self, v: Validator) -> list[str]:
        return [sys.executable, "-m", "planet.cli.main", "node", "--engine", "cometbft",
                "--home", str(v.home)]

    def start_app(self, v: Validator) -> None:
        if self.pid(v, "app") is None:
            self._spawn(v, "app", self.app_argv(v))

    def start_cometbft(self, v: Validator) -> None:
        if self.pid(v, "cometbft") is None:
            self._spawn(v, "cometbft", [self.cometbft, "start", "--home", str(v.cometbft_home)])

    def _wait_listening(self, v: Validator, port: int, kind: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not _listening(port):
            if self.pid(v, kind) is None:
                raise TestnetError(f"{v.name}'s {kind} process exited; see "
                                   f"{self.log_file(v, kind)}:\n{self.tail(v, kind)}")
            if time.monotonic() > deadline:
                raise TestnetError(f"{v.name}'s {kind} is not listening on port {port} "
                                   f"after {timeout:.0f} s; see {self.log_file(v, kind)}")
            time.sleep(0.1)

    def start_validator(self, index: int, timeout: float = 60.0) -> None:
        """Start validator `index`: its app (until its ABCI port listens), then CometBFT."""
        v = self.validators[index]
        self.start_app(v)
        self._wait_listening(v, v.abci_port, "app", timeout)
        self.start_cometbft(v)

    def start_node(self, v: Validator, timeout: float = 60.0) -> None:
        """Start a joined node (or a validator): its app (until its ABCI port listens),
        then CometBFT (until its RPC listens)."""
        self.start_app(v)
        self._wait_listening(v, v.abci_port, "app", timeout)
        self.start_cometbft(v)
        self._wait_listening(v, v.rpc_port, "cometbft", timeout)

    def start(self, indices: Sequence[int] | None = None, timeout: float = 60.0) -> None:
        chosen = [self.validators[i] for i in (indices if indices is not None
                                                else range(len(self.validators)))]
        for v in chosen:  # the apps start together (the slow part: Python imports)
            self.start_app(v)
        for v in chosen:
            self._wait_listening(v, v.abci_port, "app", timeout)
        for v in chosen:
            self.start_cometbft(v)
        for v in chosen:
            self._wait_listening(v, v.rpc_port, "cometbft", timeout)

    def start_and_wait(self, timeout: float = 60.0, api_timeout: float | None = None) -> None:
        """Start every validator and return once each has made height 2 and serves its API:
        the network is usable from here."""
        self.start(timeout=timeout)
        self.wait_height(2, timeout=timeout)
        self.wait_api(timeout=timeout if api_timeout is None else api_timeout)

    def signal_validator(self, index: int, sig: int) -> None:
        """Send `sig` to both processes of validator `index` (CometBFT first)."""
        v = self.validators[index]
        for kind in ("cometbft", "app"):
            pid = self.pid(v, kind)
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)

    def stop_validator(self, index: int, grace: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after `grace` seconds: CometBFT first, then the app."""
        self.stop_node(self.validators[index], grace)

    def stop_node(self, v: Validator, grace: float = 10.0) -> None:
        """Stop a validator's or a joined node's processes, as `stop_validator`."""
        for kind in ("cometbft", "app"):
            pid = self.pid(v, kind)
            if pid is not None:
                self._terminate(v, kind, pid, grace)
            self._pid_file(v, kind).unlink(missing_ok=True)

    def kill_validator(self, index: int) -> None:
        """kill -9 both processes of validator `index`."""
        v = self.validators[index]
        for kind in ("cometbft", "app"):
            pid = self.pid(v, kind)
            if pid is not None:
                self._terminate(v, kind, pid, 0.0)
            self._pid_file(v, kind).unlink(missing_ok=True)

    def _terminate(self, v: Validator, kind: str, pid: int, grace: float) -> None:
        proc = self._procs.pop((v.index, kind), None)
        try:
            os.kill(pid, signal.SIGTERM if grace > 0 else signal.SIGKILL)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                return
            if proc is None and not _alive(pid):
                return
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        if proc is not None:
            proc.wait()
        else:
            end = time.monotonic() + 5
            while _alive(pid) and time.monotonic() < end:
                time.sleep(0.05)

    def stop(self, grace: float = 10.0) -> None:
        for v in [*self.nodes, *self.validators]:
            self.stop_node(v, grace)

    def tail(self, v: Validator, kind: str, lines: int = 20) -> str:
        try:
            text = self.log_file(v, kind).read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # --- observing -----------------------------------------------------------------------

    def rpc_status(self, v: Validator, timeout: float = 2.0) -> dict[str, Any] | None:
        try:
            r = httpx.get(f"{v.rpc_url}/status", timeout=timeout)
            result: dict[str, Any] = r.json()["result"]["sync_info"]
            return result
        except (httpx.HTTPError, KeyError, ValueError):
            return None

    def height(self, v: Validator) -> int:
        info = self.rpc_status(v)
        return int(info["latest_block_height"]) if info else 0

    def wait_height(self, height: int, indices: Sequence[int] | None = None,
                    timeout: float = 60.0, *, apps: bool = False) -> None:
        """Wait until the chosen validators (all by default) have committed `height`: their
        CometBFT's height, or with `apps` their app's (its API). CometBFT's own height runs
        ahead of its app's, so a tx committed on one validator may still be unknown to
        another's CheckTx (a registration whose invitation it has not yet seen is 302):
        wait for the apps before posting to them."""
        chosen = [self.validators[i] for i in (indices if indices is not None
                                                else range(len(self.validators)))]
        height_of = self.app_height if apps else self.height
        deadline = time.monotonic() + timeout
        while True:
            behind = [v for v in chosen if height_of(v) < height]
            if not behind:
                return
            for v in behind:
                for kind in ("app", "cometbft"):
                    if self.pid(v, kind) is None:
                        raise TestnetError(f"{v.name}'s {kind} process is not running; see "
                                           f"{self.log_file(v, kind)}:\n{self.tail(v, kind)}")
            if time.monotonic() > deadline:
                names = ", ".join(f"{v.name} at {height_of(v)}" for v in behind)
                raise TestnetError(f"{'apps ' if apps else ''}not at height {height} after "
                                   f"{timeout:.0f} s: {names}")
            time.sleep(0.1 if apps else 0.2)

    def wait_api(self, indices: Sequence[int] | None = None, timeout: float = 60.0) -> None:
        chosen = [self.validators[i] for i in (indices if indices is not None
                                                else range(len(self.validators)))]
        deadline = time.monotonic() + timeout
        for v in chosen:
            while True:
                try:
                    if httpx.get(f"{v.api_url}/v1/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if self.pid(v, "app") is None:
                    raise TestnetError(f"{v.name}'s app exited:\n{self.tail(v, 'app')}")
                if time.monotonic() > deadline:
                    raise TestnetError(f"{v.name}'s API did not answer in {timeout:.0f} s")
                time.sleep(0.2)

    def app_block(self, v: Validator, height: int) -> dict[str, Any] | None:
        """Block `height` as v's app stored it (its API), None if it has none there."""
        try:
            r = httpx.get(f"{v.api_url}/v1/blocks/{height}", timeout=5)
        except httpx.HTTPError:
            return None
        if r.status_code != 200:
            return None
        block: dict[str, Any] = r.json()
        return block

    def app_height(self, v: Validator) -> int:
        try:
            return int(httpx.get(f"{v.api_url}/v1/health", timeout=2).json()["height"])
        except (httpx.HTTPError, KeyError, ValueError, TypeError):
            return 0

    def wait_agree(self, node: Validator, ref: Validator, timeout: float = 120.0,
                   above: int = 0) -> int:
        """The first height above `above` at which `node`'s app holds a block with the same
        app hash as `ref`'s, waiting for it (a joining node: until it has caught up)."""
        deadline = time.monotonic() + timeout
        while True:
            height = self.app_height(node)
            if height > above:
                mine, theirs = self.app_block(node, height), self.app_block(ref, height)
                if mine is not None and theirs is not None:
                    if mine["app_hash"] != theirs["app_hash"]:
                        raise TestnetError(f"{node.name} and {ref.name} differ at height "
                                           f"{height}: app hash {mine['app_hash'][:16]}… vs "
                                           f"{theirs['app_hash'][:16]}…")
                    return height
            for kind in ("app", "cometbft"):
                if self.pid(node, kind) is None:
                    raise TestnetError(f"{node.name}'s {kind} process is not running; see "
                                       f"{self.log_file(node, kind)}:\n{self.tail(node, kind)}")
            if time.monotonic() > deadline:
                raise TestnetError(f"{node.name} did not reach {ref.name}'s app hash in "
                                   f"{timeout:.0f} s (its app is at height {height}); see "
                                   f"{self.log_file(node, 'cometbft')}")
            time.sleep(0.2)

    def status(self) -> list[dict[str, Any]]:
        rows = []
        for v in [*self.validators, *self.nodes]:
            info = self.rpc_status(v)
            api: dict[str, Any] | None
            try:
                api = httpx.get(f"{v.api_url}/v1/status", timeout=2).json()
            except (httpx.HTTPError, ValueError):
                api = None
            rows.append({
                "validator": v.name, "node_id": v.node_id,
                "app_pid": self.pid(v, "app"), "cometbft_pid": self.pid(v, "cometbft"),
                # CometBFT's last block; its header carries the app hash after the block
                # before it (the app's hash of a block goes into the next header).
                "height": int(info["latest_block_height"]) if info else None,
                "header_app_hash": info["latest_app_hash"].lower() if info else None,
                "catching_up": info.get("catching_up") if info else None,
                # The app's last committed block and its state's hash after it.
                "app_height": api.get("height") if api else None,
                "app_hash": api.get("app_hash") if api else None,
                "role": "validator" if v.validator else "node",
                "api_url": v.api_url, "rpc_url": v.rpc_url})
        return rows


def run_tool(argv: list[str]) -> str:
    out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise TestnetError(f"{' '.join(argv)} failed:\n{out.stderr or out.stdout}")
    return out.stdout


def up(folder: Path, validators: int = 4, base_port: int = DEFAULT_BASE_PORT,
       chain_id: str = DEFAULT_CHAIN_ID, preset: str = "production",
       say: Callable[[str], None] = lambda _m: None, timeout: float = 120.0,
       psql_url: str | None = None) -> Testnet:
    """Create the network if `folder` holds none, start what is not running, and wait until
    every validator is at height 2 or more. On failure, stops what it started. `psql_url`
    (new networks only) turns on CometBFT's PostgreSQL event indexer for every validator."""
    if (folder / "testnet.json").exists():
        net = Testnet.load(folder)
        if len(net.validators) != validators:
            say(f"{folder} holds a {len(net.validators)}-validator network; using it")
        if psql_url:
            say(f"{folder} exists: --psql applies to new networks only; its config.toml "
                "files are left as they are")
    else:
        say(f"creating a {validators}-validator network in {folder}"
            + (" indexing into PostgreSQL" if psql_url else ""))
        net = Testnet.create(folder, validators, base_port, chain_id, preset,
                             psql_url=psql_url)
    say("starting the app and CometBFT processes; waiting for height 2 on every validator")
    try:
        net.start_and_wait(timeout)
        for node in net.nodes:  # joined later: they follow the validators
            net.start_node(node, timeout)
    except BaseException:
        net.stop(grace=5)
        raise
    return net
