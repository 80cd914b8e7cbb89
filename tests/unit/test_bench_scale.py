"""`planet bench scale` at toy sizes, through the CLI: the JSON shape, the state checks of
each build, and the cache (no timing assertions: those belong to the real run)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planet.bench import economy, scale
from planet.cli.main import app
from planet.core.address import compute_address

SIZES = (200, 1000)
TOY = ["--batch", "300", "--empty-blocks", "3", "--tx-blocks", "2", "--txs-per-block", "10",
       "--queries", "4"]
SIZE_KEYS = {"residents", "rss_mb", "restart_s", "empty_block_ms", "block_200_ms", "proof_bytes",
             "db_bytes", "restart_cold_s", "holder_query_cold_ms", "holder_query_warm_ms",
             "proof_nodes", "verify_proof_us", "rss_after_blocks_mb", "build"}


def run(cache: Path, *extra: str) -> dict:
    result = CliRunner().invoke(app, ["bench", "scale", "--json", "--sizes", "1000,200",
                                      "--cache-dir", str(cache), *TOY, *extra])
    assert result.exit_code == 0, result.output
    out: dict = json.loads(result.stdout)
    return out


def test_scale_bench_json_shape_checks_and_cache(tmp_path: Path) -> None:
    out = run(tmp_path)
    assert out["benchmark"] == "scale"
    assert {"cores", "cpu", "python"} <= set(out["machine"])
    assert [s["residents"] for s in out["sizes"]] == list(SIZES)
    assert {"rss", "restart", "block_200"} <= set(out["ratios"])
    assert out["ratio_of"] == [1000, 200]
    assert {"rss_ratio", "restart_ratio", "block_200_ratio"} <= set(out["targets"])
    for n, size in zip(SIZES, out["sizes"], strict=True):
        assert set(size) >= SIZE_KEYS
        assert size["residents"] == n
        assert size["txs_per_block"] == 10
        assert size["proof_nodes"] >= 2 and size["proof_bytes"] > 0
        assert size["rss_mb"] > 0 and size["db_bytes"] > 0
        assert size["final_height"] > n // 300  # the build's blocks, then the measured ones
        check = size["build"]["check"]
        assert check["ok"] is True
        assert check["residents"] == check["holders"] == n
        assert check["dormant"] == 0
        assert check["active_force"] == check["force_sum"] > 0
        assert check["records"] > 10 * n and check["tree_nodes"] > 0
        assert size["build"]["cached"] is False
    # The measured copies are gone, the built databases stay; a second run reuses them.
    assert sorted(p.name.split("-")[1] for p in tmp_path.glob("scale-*.db")) == ["1000", "200"]
    assert not list(tmp_path.glob("run-*"))
    again = run(tmp_path)
    assert [s["build"]["cached"] for s in again["sizes"]] == [True, True]
    # --in-place measures the cached database itself and drops it from the cache.
    once = run(tmp_path, "--in-place")
    assert [s["build"]["cached"] for s in once["sizes"]] == [True, True]
    assert not list(tmp_path.glob("scale-*"))


def test_a_stale_or_altered_database_is_caught(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    scale.build(path, 200, 4, 120, progress=False)
    assert scale.check_built(path, 200, 4)["ok"] is True
    with pytest.raises(RuntimeError, match="fails its checks"):
        scale.check_built(path, 201, 4)  # not the residents it should hold
    conn = sqlite3.connect(path)
    key, value = conn.execute("SELECT key, value FROM state WHERE key LIKE 'emission/holder/%' "
                              "LIMIT 1").fetchone()
    conn.execute("UPDATE state SET value = ? WHERE key = ?", (value.replace(b"0", b"1", 1), key))
    conn.commit()
    conn.close()
    with pytest.raises(RuntimeError, match="not the tree's leaves"):
        scale.check_built(path, 200, 4)


def test_cache_key_follows_the_build_parameters() -> None:
    key = scale.cache_key(1000, 10, 300)
    assert key == scale.cache_key(1000, 10, 300)
    assert len({key, scale.cache_key(1001, 10, 300), scale.cache_key(1000, 11, 300),
                scale.cache_key(1000, 10, 301)}) == 4


def test_the_build_order_is_the_address_order() -> None:
    keys = [hashlib.sha256(b"k%d" % i).digest() for i in range(3000)]
    assert sorted(keys, key=scale.address_sort_key) == sorted(keys, key=compute_address)
    actors = economy.make_actors(4)
    order = scale.address_order(500, actors)
    assert sorted(order) == list(range(500))
    addresses = [economy.resident_address(i, 500, actors) for i in order]
    assert addresses == sorted(addresses)
