"""`planet simulate`: the real core under a simulated population keeps its books exact."""

from __future__ import annotations

from pathlib import Path

from planet.sim.report import compute_gini, run_simulation
from planet.sim.world import SimConfig

KEYS = {"emitted_micro", "minted_micro", "pending_micro", "jackpot_micro", "carried_micro",
        "residents", "active_residents"}


def test_small_world_is_conserved_deterministic_and_plotted(tmp_path: Path) -> None:
    config = SimConfig(residents=40, days=6, void_every=3)
    first = run_simulation(config, tmp_path / "plots")
    assert set(first) >= KEYS
    assert first["residents"] == 40 and 0 < first["active_residents"] <= 40
    total = (first["minted_micro"] + first["pending_micro"] + first["jackpot_micro"]
             + first["carried_micro"])
    assert 0 <= first["emitted_micro"] - total <= first["residents"] + 1
    assert first["emitted_micro"] == 6 * 86_400 * 3_125_000  # whole days of era 0
    assert first["drill_rounds_drawn"] >= 2 and first["drill_rounds_void"] >= 1
    for png in first["plots"]:
        assert Path(png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    second = run_simulation(config)
    for key in KEYS | {"txs", "blocks", "force_gini"}:
        assert first[key] == second[key], key


def test_gini() -> None:
    assert compute_gini([5, 5, 5, 5]) == 0.0
    assert abs(compute_gini([0, 0, 0, 10]) - 0.75) < 1e-9
    assert compute_gini([]) == 0.0
