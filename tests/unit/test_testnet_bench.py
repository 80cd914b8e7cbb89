"""`planet bench cluster` runs end to end on a tiny load: the kvstore baseline under CometBFT's
loadtime client, the embedded engine and Planet's network (admission-paced, then wait=true),
real processes."""

from __future__ import annotations

import pytest

from planet.bench.cluster import run_cluster_bench
from planet.testnet.kvstore import find_loadtime, loadtime_argv
from planet.testnet.network import free_base_port, ports_for
from tests.require import missing


def test_free_base_port_leaves_room_for_every_validator() -> None:
    base = free_base_port(4)
    # below the ephemeral range, so no outgoing connection can take one of them meanwhile
    assert base >= 20_000 and ports_for(base, 3)[3] < 32_768


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.usefixtures("cometbft")  # the bench finds the binary itself; this only gates
def test_bench_cluster_runs() -> None:
    if find_loadtime() is None:
        missing("COMETBFT", "CometBFT's loadtime client not found (scripts/install-loadtime)")
    result = run_cluster_bench(txs=60, clients=8, base_port=free_base_port(4),
                               kvstore_seconds=3, kvstore_rate=50)
    assert result["benchmark"] == "cluster"
    assert result["machine"]["cores"]
    for side in ("embedded", "cluster", "cluster_wait"):
        assert result[side]["committed_ok"] == 60, result[side]
        assert result[side]["committed_per_s"] > 0
        assert result[side]["latency_ms_p50"] <= result[side]["latency_ms_p99"]
        assert result[side]["cores_busy"] > 0
    assert result["cluster"]["validators_agree"] is True
    assert result["cluster_wait"]["validators_agree"] is True
    admitted = result["cluster"]  # the headline: each client posts on admission, no wait
    assert admitted["admitted"] == 60 and admitted["not_committed"] == 0, admitted
    assert admitted["refused"] == 0 and admitted["connection_errors"] == 0, admitted
    assert admitted["apis"] == 4 and admitted["blocks"] > 0
    assert result["cluster_wait"]["clients"] == 32 and result["cluster_wait"]["apis"] == 4
    for figure in (admitted, result["cluster_wait"], result["kvstore"]):
        # the whole machine's CPU includes the side's own
        assert figure["machine_cores_busy"] >= figure["cores_busy"] * 0.5 > 0, figure
    assert result["settings"]["cluster_clients"] == 32  # 4 × the embedded side's by default
    assert result["target"]["cluster_tx_per_s"] == 3_000
    kv = result["kvstore"]
    assert kv["committed"] > 0 and kv["committed_per_s"] > 0, kv
    assert kv["validators_agree"] is True and kv["validators"] == 4
    assert kv["offered_tx_per_s"] == 4 * 50
    assert kv["tx_bytes"] > 300  # as large as a signed registration
    assert set(kv["cpu_ms_per_tx"]) == {"cometbft", "load_generator"}
    assert kv["cpu_ms_per_tx"]["cometbft"] > 0
    assert result["cluster"]["cpu_ms_per_tx_per_process"]["apps"] > 0
    assert result["cluster_wait"]["cpu_ms_per_tx_per_process"]["apps"] > 0
    assert result["ratio_vs_kvstore"] > 0 and result["ratio_vs_kvstore_wait"] > 0
    assert result["cluster_vs_embedded"] > 0
    assert result["target"]["ratio_vs_kvstore"] == 0.5


def test_loadtime_argv_offers_async_load_to_every_validator() -> None:
    argv = loadtime_argv("/bin/load", [26601, 26611], seconds=5, connections=2, rate=300,
                         size=419)
    assert argv[0] == "/bin/load"
    assert argv[argv.index("--broadcast-tx-method") + 1] == "async"
    assert argv[argv.index("--endpoints") + 1] == ("ws://127.0.0.1:26601/websocket,"
                                                   "ws://127.0.0.1:26611/websocket")
    assert argv[argv.index("-r") + 1] == "300" and argv[argv.index("-c") + 1] == "2"
