"""What a simulation shows: one JSON summary and four PNG plots."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from planet.sim.world import SimConfig, World


def compute_gini(values: list[int]) -> float:
    """Gini coefficient of non-negative values (0: equal, → 1: one holds everything)."""
    ordered = sorted(values)
    n, total = len(ordered), sum(ordered)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * v for i, v in enumerate(ordered))
    return (2 * weighted) / (n * total) - (n + 1) / n


def compute_lorenz(values: list[int]) -> tuple[list[float], list[float]]:
    ordered = sorted(values)
    total = sum(ordered) or 1
    xs, ys, running = [0.0], [0.0], 0
    for i, v in enumerate(ordered):
        running += v
        xs.append((i + 1) / len(ordered))
        ys.append(running / total)
    return xs, ys


def summarize(world: World, wall_s: float) -> dict[str, Any]:
    last = world.stats[-1]
    forces = world.forces()
    unclaimable = (last.emitted_micro - last.minted_micro - last.pending_micro
                   - last.jackpot_micro - last.carried_micro)
    rounds = world.jackpots
    return {
        "residents": last.residents, "days": world.config.days, "seed": world.config.seed,
        "active_residents": last.active_residents, "dormant_residents": last.dormant_residents,
        "emitted_micro": last.emitted_micro, "minted_micro": last.minted_micro,
        "pending_micro": last.pending_micro, "jackpot_micro": last.jackpot_micro,
        "carried_micro": last.carried_micro, "unclaimable_fraction_micro": unclaimable,
        "conserved": 0 <= unclaimable <= last.residents + 1,
        "blocks": world.app.meta().height, "txs": world.txs, "refused_txs": sum(world.refusals.values()),
        "refusals": world.refusals,
        "drill_rounds_drawn": sum(1 for r in rounds if not r["void"]),
        "drill_rounds_void": sum(1 for r in rounds if r["void"]),
        "force_total": sum(forces), "force_gini": round(compute_gini(forces), 4),
        "wall_seconds": round(wall_s, 2),
    }


def write_plots(world: World, folder: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    days = [s.day for s in world.stats]
    bd = 1e6
    written = []

    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(days, [s.emitted_micro / bd for s in world.stats], label="schedule (emitted)", lw=2)
    ax.plot(days, [(s.minted_micro + s.pending_micro + s.jackpot_micro) / bd
                   for s in world.stats], "--", label="balances + pending + jackpot")
    ax.plot(days, [s.minted_micro / bd for s in world.stats], label="in balances")
    ax.set(xlabel="day", ylabel="Black Diamonds", title="Supply against the schedule")
    ax.legend()
    written.append(_save(fig, folder / "supply.png"))

    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(days, [s.residents for s in world.stats], label="residents")
    ax.plot(days, [s.active_residents for s in world.stats], label="active")
    ax.plot(days, [s.dormant_residents for s in world.stats], label="dormant (48-hour rule)")
    ax.set(xlabel="day", ylabel="residents", title="Active residents")
    ax.legend()
    written.append(_save(fig, folder / "active.png"))

    forces = world.forces()
    xs, ys = compute_lorenz(forces)
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    ax.plot(xs, ys, label=f"Lorenz curve (Gini {compute_gini(forces):.3f})")
    ax.plot([0, 1], [0, 1], ":", label="equality")
    ax.set(xlabel="share of residents", ylabel="share of Force", title="Force distribution")
    ax.legend()
    written.append(_save(fig, folder / "force.png"))

    fig, ax = plt.subplots(figsize=(8, 4.5))
    drawn = [r for r in world.jackpots if not r["void"]]
    void = [r for r in world.jackpots if r["void"]]
    ax.bar([r["round"] for r in drawn], [r["prize_each_micro"] / bd for r in drawn],
           label="prize paid")
    ax.scatter([r["round"] for r in void], [0] * len(void), marker="x", color="red",
               label="void round (jackpot carried)")
    ax.set(xlabel="round", ylabel="Black Diamonds", title="Lucky Drill jackpots")
    ax.legend()
    written.append(_save(fig, folder / "jackpots.png"))
    return written


def _save(fig: Any, path: Path) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return str(path)


def run_simulation(config: SimConfig, plots: Path | None = None,
                   progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    start = time.perf_counter()
    world = World(config)
    world.run(progress)
    summary = summarize(world, time.perf_counter() - start)
    summary["config"] = dataclasses.asdict(config)
    if plots is not None:
        summary["plots"] = write_plots(world, plots)
    return summary
