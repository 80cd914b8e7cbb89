"""Read-only views for the operator's dashboard: the schedule as a chart and a census.

Both are pure functions of the committed state, and both read a fixed number of records:
the census is kept by the rules as holders open, sleep, wake and change Force
(`emission.rules.count_holder`), with the number of residents kept by accounts;
`compute_census_by_scan` is the same census by walking every resident, which the property
tests hold it to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planet.core.accounts.rules import get_kind_count
from planet.core.accounts.state import PREFIX as ACCOUNTS_PREFIX
from planet.core.accounts.state import RESIDENT
from planet.core.chain import get_meta
from planet.core.emission.rules import get_census, get_clock, get_holder, get_pool
from planet.core.emission.schedule import (
    compute_cap,
    compute_emitted,
    compute_end_ms,
    compute_era,
    compute_rate,
)
from planet.core.emission.state import FORCE_EDGES, compute_force_bucket
from planet.core.errors import InvalidField
from planet.core.force.grants import get_force
from planet.core.params import Params
from planet.core.queries import int_arg
from planet.core.state import View

MAX_POINTS = 2_000


def query_schedule(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """The schedule sampled from genesis to the end of emission (`points` samples, plus each
    halving instant so the chart's corners are exact), and where supply stands now."""
    n = int_arg(args, "points", 200)
    if not 2 <= n <= MAX_POINTS:
        raise InvalidField(f"points: 2 to {MAX_POINTS}")
    meta, clock, pool = get_meta(view), get_clock(view), get_pool(view)
    end = compute_end_ms(params)
    marks = {end * i // (n - 1) for i in range(n)}
    if params.halving_interval_ms:
        marks.update(range(0, end + 1, params.halving_interval_ms))
    points = [{"time": meta.genesis_time + t, "emitted_cap": compute_emitted(params, t)}
              for t in sorted(marks)]
    elapsed = meta.time - meta.genesis_time
    return {"genesis_time": meta.genesis_time, "end_time": meta.genesis_time + end,
            "time": meta.time, "height": meta.height, "cap_micro": compute_cap(params),
            "halving_interval_ms": params.halving_interval_ms,
            "era": compute_era(params, elapsed),
            "rate_micro_per_second": compute_rate(params, elapsed),
            "emitted_micro": compute_emitted(params, elapsed),
            "distributed_micro": pool.distributed, "collected_micro": clock.collected,
            "jackpot_filled_micro": clock.jackpot_filled, "points": points}


def query_census(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """Residents by activity (active, dormant, never had Force) and a Force histogram."""
    census = get_census(view)
    residents = get_kind_count(view, RESIDENT)
    inactive = residents - census.active - census.dormant
    buckets = list(census.buckets)
    buckets[0] += inactive  # no holder: never had Force or diamonds, so 0 Force
    return _census(view, residents, {"active": census.active, "dormant": census.dormant,
                                     "inactive": inactive},
                   census.total_force, get_pool(view).total_force, buckets)


def compute_census_by_scan(view: View) -> dict[str, Any]:
    """The census by walking every resident: O(residents), for tests and audits."""
    counts = {"active": 0, "dormant": 0, "inactive": 0}
    buckets = [0] * len(FORCE_EDGES)
    total_force = 0
    residents = 0
    for key in view.iter_keys(f"{ACCOUNTS_PREFIX}by_kind/{RESIDENT}/"):
        address = key.rsplit("/", 1)[1]
        residents += 1
        holder = get_holder(view, address)
        if holder is None:
            counts["inactive"] += 1
        else:
            counts["dormant" if holder.dormant else "active"] += 1
        force = get_force(view, address)
        total_force += force
        buckets[compute_force_bucket(force)] += 1
    return _census(view, residents, counts, total_force, get_pool(view).total_force, buckets)


def _census(view: View, residents: int, counts: dict[str, int], total_force: int,
            active_force: int, buckets: list[int]) -> dict[str, Any]:
    histogram = [{"min": edge,
                  "max": FORCE_EDGES[i + 1] - 1 if i + 1 < len(FORCE_EDGES) else None,
                  "count": buckets[i]} for i, edge in enumerate(FORCE_EDGES)]
    meta = get_meta(view)
    return {"height": meta.height, "time": meta.time, "residents": residents, **counts,
            "total_force": total_force, "active_force": active_force,
            "force_histogram": histogram}
