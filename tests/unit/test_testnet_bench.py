"""`planet bench cluster` runs end to end on a tiny load (both engines, real processes)."""

from __future__ import annotations

import pytest

from planet.bench.cluster import run_cluster_bench
from planet.testnet.network import free_base_port, ports_for


def test_free_base_port_leaves_room_for_every_validator() -> None:
    base = free_base_port(4)
    # below the ephemeral range, so no outgoing connection can take one of them meanwhile
    assert base >= 20_000 and ports_for(base, 3)[3] < 32_768


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.usefixtures("cometbft")  # the bench finds the binary itself; this only gates
def test_bench_cluster_runs() -> None:
    result = run_cluster_bench(txs=60, clients=8, base_port=free_base_port(4))
    assert result["benchmark"] == "cluster"
    assert result["machine"]["cores"]
    for side in ("embedded", "cluster"):
        assert result[side]["committed_ok"] == 60, result[side]
        assert result[side]["committed_per_s"] > 0
        assert result[side]["latency_ms_p50"] <= result[side]["latency_ms_p99"]
        assert result[side]["cores_busy"] > 0
    assert result["cluster"]["validators_agree"] is True
    assert result["settings"]["cluster_clients"] == 32  # 4 × the embedded side's by default
    assert result["target"]["cluster_tx_per_s"] == 3_000
