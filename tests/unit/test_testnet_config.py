"""The testnet's files: config.toml edits, the shared CometBFT genesis, ports, pid files."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from planet.engines.config_toml import set_keys
from planet.testnet.network import (
    Testnet,
    TestnetError,
    Validator,
    _alive,
    _listening,
    cometbft_config,
    cometbft_genesis,
    ports_for,
)

# A config.toml of the shape `cometbft init` writes (sections, comments, the same key in two
# sections), written here for the test.
SAMPLE = """# top comment
proxy_app = "tcp://127.0.0.1:26658"
moniker = "host"
log_level = "info"

[rpc]
# the RPC listener
laddr = "tcp://127.0.0.1:26657"
max_open_connections = 900

[p2p]
laddr = "tcp://0.0.0.0:26656"
persistent_peers = ""
addr_book_strict = true
flush_throttle_timeout = "100ms"
send_rate = 5120000
recv_rate = 5120000
pex = true
allow_duplicate_ip = false

[mempool]
size = 5000
cache_size = 10000

[tx_index]
indexer = "kv"

[consensus]
timeout_propose = "3s"
timeout_prevote = "1s"
timeout_precommit = "1s"
timeout_commit = "1s"
create_empty_blocks = true
create_empty_blocks_interval = "0s"

[instrumentation]
max_open_connections = 3
"""


def test_set_keys_edits_only_the_named_section() -> None:
    out = set_keys(SAMPLE, "rpc", {"max_open_connections": 2000, "laddr": "tcp://x:1"})
    data = tomllib.loads(out)
    assert data["rpc"]["max_open_connections"] == 2000
    assert data["rpc"]["laddr"] == "tcp://x:1"
    assert data["instrumentation"]["max_open_connections"] == 3
    assert "# the RPC listener" in out  # comments stay


def test_set_keys_refuses_an_unknown_key() -> None:
    with pytest.raises(KeyError, match="no_such_key"):
        set_keys(SAMPLE, "p2p", {"no_such_key": 1})
    with pytest.raises(KeyError):
        set_keys(SAMPLE, "", {"laddr": "x"})  # laddr is not at the top level


def test_cometbft_config_for_one_validator(tmp_path: Path) -> None:
    p2p, rpc, abci, api = ports_for(27000, 2)
    assert (p2p, rpc, abci, api) == (27020, 27021, 27022, 27023)
    v = Validator(2, tmp_path, p2p, rpc, abci, api, "ab" * 20)
    data = tomllib.loads(cometbft_config(SAMPLE, v, "cd@127.0.0.1:27000", moniker="v2"))
    assert data["proxy_app"] == "tcp://127.0.0.1:27022"
    assert data["moniker"] == "v2"
    assert data["rpc"]["laddr"] == "tcp://127.0.0.1:27021"
    assert data["p2p"]["laddr"] == "tcp://127.0.0.1:27020"
    assert data["p2p"]["persistent_peers"] == "cd@127.0.0.1:27000"
    assert data["p2p"]["addr_book_strict"] is False
    assert data["p2p"]["allow_duplicate_ip"] is True
    assert data["consensus"]["timeout_commit"] == "300ms"
    assert data["consensus"]["create_empty_blocks"] is True
    assert data["consensus"]["create_empty_blocks_interval"] == "1s"
    assert data["mempool"]["size"] >= 5000
    assert data["log_level"] == "error"  # info costs the shared machine's CPU per block
    assert data["tx_index"]["indexer"] == "null"  # Planet never reads CometBFT's index


def test_shared_genesis_lists_every_validator_with_equal_power() -> None:
    template = {"genesis_time": "x", "chain_id": "test-chain-1", "initial_height": "0",
                "consensus_params": {"block": {"max_bytes": "22020096"}},
                "validators": [{"address": "00"}], "app_hash": ""}
    keys = [{"address": f"{i:040X}", "pub_key": {"type": "tendermint/PubKeyEd25519",
                                                 "value": f"key{i}"}} for i in range(4)]
    doc = cometbft_genesis(template, "planet-x", "2026-01-01T00:00:00Z", keys)
    assert doc["chain_id"] == "planet-x"
    assert doc["genesis_time"] == "2026-01-01T00:00:00Z"
    assert doc["consensus_params"] == template["consensus_params"]
    assert [v["name"] for v in doc["validators"]] == ["v0", "v1", "v2", "v3"]
    assert {v["power"] for v in doc["validators"]} == {"10"}
    assert [v["pub_key"]["value"] for v in doc["validators"]] == [f"key{i}" for i in range(4)]


def test_load_without_a_network_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TestnetError, match="testnet up"):
        Testnet.load(tmp_path)


def test_pid_files_name_only_live_processes_of_this_network(tmp_path: Path) -> None:
    v = Validator(0, tmp_path / "v0", 1, 2, 3, 4)
    net = Testnet(tmp_path, "c", [v], cometbft="/bin/true")
    (tmp_path / "run").mkdir()
    pid_file = tmp_path / "run" / "v0-app.pid"
    pid_file.write_text(f"{os.getpid()}\n")  # alive, but not this validator's program
    assert net.pid(v, "app") is None
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)",
                             str(v.home)])
    try:
        pid_file.write_text(f"{proc.pid}\n")
        assert net.pid(v, "app") == proc.pid
        net.kill_validator(0)
        proc.wait(timeout=5)
        assert not _alive(proc.pid)
        assert not pid_file.exists()
    finally:
        proc.kill()
        proc.wait()


def test_listening_reads_proc(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        assert not _listening(port)
        s.listen()
        assert _listening(port)


def test_cli_status_and_down_without_a_network_say_so(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from planet.cli.main import app

    for command in ("status", "down"):
        result = CliRunner().invoke(app, ["testnet", command, "--dir", str(tmp_path),
                                          "--json"])
        assert result.exit_code == 1, result.output
        assert "testnet up" in result.output
