"""The emission module as the transition sees it: the per-block release, collect, queries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planet.core.chain import get_meta
from planet.core.emission.accumulator import compute_claimable
from planet.core.emission.bubbles import HourMark, split_into_hours
from planet.core.emission.messages import Collect
from planet.core.emission.queries import query_census, query_schedule
from planet.core.emission.rules import (
    get_accrual,
    get_clock,
    get_holder,
    get_hour_acc,
    get_pool,
    get_share,
    process_collect,
    process_time_events,
)
from planet.core.emission.schedule import (
    compute_cap,
    compute_emitted,
    compute_era,
    compute_rate,
)
from planet.core.emission.state import hour_key
from planet.core.errors import NotFound
from planet.core.force.grants import get_force
from planet.core.messages import Ctx, Module
from planet.core.params import Params
from planet.core.queries import address_arg
from planet.core.state import View


def begin_block(ctx: Ctx) -> None:
    process_time_events(ctx, get_meta(ctx.state).genesis_time)


def query_supply(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """The schedule against what exists: anyone can check supply never exceeds it."""
    meta = get_meta(view)
    clock, pool = get_clock(view), get_pool(view)
    elapsed = meta.time - meta.genesis_time
    return {
        "time": meta.time, "height": meta.height,
        "emitted_micro": compute_emitted(params, elapsed),
        "cap_micro": compute_cap(params),
        "era": compute_era(params, elapsed), "rate_micro_per_second": compute_rate(params, elapsed),
        "distributed_micro": pool.distributed, "carried_micro": pool.carried,
        "collected_micro": clock.collected, "active_force": pool.total_force,
        "jackpot_micro": clock.jackpot, "jackpot_filled_micro": clock.jackpot_filled,
        "jackpot_paid_micro": clock.jackpot_paid,
    }


def query_holder(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    resident = address_arg(args)
    holder = get_holder(view, resident)
    if holder is None:
        raise NotFound(f"{resident} has never had Force or diamonds")
    share = get_share(view, resident)
    return {"address": resident, "balance_micro": holder.balance,
            "pending_micro": compute_claimable(share, get_pool(view)),
            "force": get_force(view, resident), "force_in_pool": share.force,
            "dormant": holder.dormant, "last_collect_at": holder.last_collect_at,
            "dormant_at": holder.last_collect_at + params.dormancy_ms,
            "dormant_in_ms": 0 if holder.dormant else max(
                0, holder.last_collect_at + params.dormancy_ms - get_meta(view).time)}


def query_bubbles(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """Pending diamonds as hourly bubbles, each with how it was computed (see bubbles.py)."""
    resident = address_arg(args)
    accrual = get_accrual(view, resident)
    if accrual is None:
        raise NotFound(f"{resident} has never had Force")
    meta, pool = get_meta(view), get_pool(view)
    bubbles = split_into_hours(accrual, meta.time, pool.acc, lambda b: get_hour_acc(view, b))
    for bubble in bubbles:
        start = bubble["hour_start"]
        bubble["rate_micro_per_second"] = compute_rate(params, max(0, start - meta.genesis_time))
        mark = view.get(hour_key(start), HourMark) if start else None
        if mark is not None:
            bubble["active_force_at_start"] = mark.total_force
    return {"address": resident, "time": meta.time,
            "pending_micro": compute_claimable(get_share(view, resident), pool),
            "formula": "amount = Σ force × acc_delta / 10^18, acc_delta being the µBD one unit "
                       "of Force earned (× 10^18): the residents' share of rate × seconds "
                       "divided by the active Force",
            "residents_share_bps": 10_000 - params.drill_share_bps,
            "bubbles": [b for b in bubbles if b["amount_micro"] or b["parts"]]}


MODULE = Module(
    name="emission",
    messages=((Collect, process_collect),),
    begin_block=begin_block,
    queries={"supply": query_supply, "holder": query_holder, "bubbles": query_bubbles,
             "schedule": query_schedule, "census": query_census},
)
