"""`planet bench api` at toy size: the JSON shape and positive figures (no timing
assertions: those belong to the real run)."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from planet.bench import api as bench_api
from planet.cli.main import app
from tests.require import missing

READ_KEYS = {"requests", "requests_per_s", "latency_ms_p50", "latency_ms_p99", "non_2xx",
             "generator"}


def check(out: dict) -> None:
    assert out["benchmark"] == "api" and out["machine"]["cores"]
    for name in ("baseline_health", "mix", "mix_uncached"):
        figure = out["reads"][name]
        assert set(figure) >= READ_KEYS, name
        assert figure["requests"] > 0 and figure["requests_per_s"] > 0
        assert figure["non_2xx"] == 0
        assert 0 < figure["latency_ms_p50"] <= figure["latency_ms_p99"]
    tx = out["txs"]  # posted on admission, confirmed from the blocks
    assert tx["committed_ok"] == tx["admitted"] == tx["txs"] and tx["committed_per_s"] > 0
    assert tx["refused"] == tx["not_committed"] == 0 and tx["mempool_full_retries"] >= 0
    assert out["tx_committed_per_s"] == tx["committed_per_s"]
    waited = out["txs_wait"]
    assert waited["committed_ok"] == waited["txs"] == tx["txs"]
    assert out["tx_committed_per_s_wait"] == waited["committed_per_s"] > 0
    batch = out["batch_txs"]
    assert batch["committed_ok"] == batch["txs"] == tx["txs"] and batch["failures"] == []
    for figure in (tx, waited, batch):
        assert 0 <= figure["node_main_cpu_ms_per_tx"] <= figure["node_cpu_ms_per_tx"]
    assert batch["batches"] == -(-batch["txs"] // batch["batch_size"])
    assert out["batch_tx_committed_per_s"] == batch["committed_per_s"] > 0
    assert out["final_height"] > 0


def test_bench_api_cli_json() -> None:
    if shutil.which(bench_api.WRK) is None:
        missing("WRK", f"wrk is not installed at {bench_api.WRK} (scripts/install-wrk)")
    result = CliRunner().invoke(app, ["bench", "api", "--json", "--seconds", "1",
                                      "--residents", "5", "--txs", "20", "--tx-clients", "4",
                                      "--connections", "4"])  # a free port by default
    assert result.exit_code == 0, result.output
    check(json.loads(result.stdout))


def test_bench_api_python_generator() -> None:
    check(bench_api.run_api_bench(seconds=1, residents=5, txs=10, tx_clients=2,
                                  batch_size=4, batch_clients=2, connections=4,
                                  generator="python"))


def test_parse_wrk() -> None:
    out = """Running 1s test @ http://127.0.0.1:1
  Latency Distribution
     50%  812.00us
     75%    1.20ms
     90%    2.00ms
     99%    1.50s
  9000 requests in 1.00s, 2.00MB read
Requests/sec:   8999.50
"""
    parsed = bench_api.parse_wrk(out)
    assert parsed["latency_ms_p50"] == 0.812 and parsed["latency_ms_p99"] == 1500.0
    assert parsed["requests"] == 9000 and parsed["requests_per_s"] == 8999.5
