"""Black Diamond emission in blocks: release by the schedule, share by active Force,
collect, and the 48-hour rule.

Order inside a block (`process_time_events`, the first step of every block): every
instant at which active Force changes by itself (a temporary grant expiring, a resident
becoming dormant 48 h after their last collect) is handled in time order; before each,
the schedule's release up to that exact instant is distributed to the Force active until
then. Then the release up to the block time is distributed, so a transaction in the
block sees all emission up to its block's time.
"""

from __future__ import annotations

import dataclasses

from planet.core.accounts.rules import require_resident
from planet.core.emission.accumulator import Pool, Share, collect, distribute, set_force
from planet.core.emission.bubbles import (
    HOUR_MS,
    Accrual,
    HourMark,
    add_piece,
    start_accrual,
)
from planet.core.emission.messages import Collect
from planet.core.emission.schedule import compute_emitted, compute_released
from planet.core.emission.state import (
    CENSUS_KEY,
    CLOCK_KEY,
    DORMANCY_PREFIX,
    POOL_KEY,
    Census,
    Clock,
    Holder,
    accrual_key,
    compute_force_bucket,
    dormancy_key,
    holder_key,
    hour_key,
    parse_dormancy_key,
    share_key,
)
from planet.core.errors import NotEnoughDiamonds
from planet.core.force.grants import expire_grants, get_force, next_expiry
from planet.core.messages import Ctx
from planet.core.params import Params
from planet.core.records import Marker
from planet.core.state import Layer, View

# --- reads ------------------------------------------------------------------------------------


def get_pool(view: View) -> Pool:
    return view.get(POOL_KEY, Pool) or Pool()


def get_clock(view: View) -> Clock:
    return view.get(CLOCK_KEY, Clock) or Clock()


def get_share(view: View, resident: str) -> Share:
    return view.get(share_key(resident), Share) or Share()


def get_holder(view: View, resident: str) -> Holder | None:
    return view.get(holder_key(resident), Holder)


def next_dormancy(view: View) -> int | None:
    for key in view.iter_keys(DORMANCY_PREFIX):
        return parse_dormancy_key(key)[0]
    return None


# --- mutations --------------------------------------------------------------------------------


def compute_jackpot_filled(params: Params, emitted: int) -> int:
    """The jackpot's share of everything emitted so far: floor(emitted × bps / 10,000).

    Taken on the cumulative total, not per block, so the jackpot gets its exact share up
    to one µBD however time is cut into blocks.
    """
    return emitted * params.drill_share_bps // 10_000


def release_until(state: Layer, params: Params, genesis_time: int, time_ms: int) -> None:
    """Release what the schedule emits between the last release and `time_ms`: the
    jackpot's share to the jackpot, the rest to active residents by Force."""
    clock = get_clock(state)
    elapsed = time_ms - genesis_time
    if elapsed <= clock.released_to_ms:
        return
    amount = compute_released(params, clock.released_to_ms, elapsed)
    jackpot_filled = compute_jackpot_filled(params, compute_emitted(params, elapsed))
    to_jackpot = jackpot_filled - clock.jackpot_filled
    state.set(POOL_KEY, distribute(get_pool(state), amount - to_jackpot))
    state.set(CLOCK_KEY, dataclasses.replace(clock, released_to_ms=elapsed,
                                             jackpot_filled=jackpot_filled))


def pay_jackpot(state: Layer, resident: str, amount: int) -> None:
    """A drill prize goes from the jackpot straight to the winner's balance."""
    clock = get_clock(state)
    if not 0 <= amount <= clock.jackpot:
        raise ValueError(f"cannot pay {amount} µBD from a jackpot of {clock.jackpot}")
    holder = get_holder(state, resident)
    if holder is None:
        holder = Holder()
        count_holder(state, active=1, bucket=0)
    state.set(holder_key(resident), dataclasses.replace(holder, balance=holder.balance + amount))
    state.set(CLOCK_KEY, dataclasses.replace(clock, jackpot_paid=clock.jackpot_paid + amount))


def get_census(view: View) -> Census:
    return view.get(CENSUS_KEY, Census) or Census()


def count_holder(state: Layer, *, active: int = 0, dormant: int = 0, bucket: int | None = None,
                 moved_from: int | None = None, force_delta: int = 0) -> None:
    """Keep the census in step: a holder opened (`bucket`), woken or gone dormant
    (`active`/`dormant` ±1), or moved between Force buckets (`moved_from` → `bucket`)."""
    census = get_census(state)
    buckets = list(census.buckets)
    if moved_from is not None:
        buckets[moved_from] -= 1
    if bucket is not None:
        buckets[bucket] += 1
    state.set(CENSUS_KEY, Census(active=census.active + active,
                                 dormant=census.dormant + dormant,
                                 total_force=census.total_force + force_delta,
                                 buckets=tuple(buckets)))


def get_accrual(view: View, resident: str) -> Accrual | None:
    return view.get(accrual_key(resident), Accrual)


def get_hour_acc(view: View, boundary_ms: int) -> int | None:
    mark = view.get(hour_key(boundary_ms), HourMark)
    return None if mark is None else mark.acc


def compute_next_hour(genesis_time: int, clock: Clock) -> int:
    """The first hour boundary (epoch ms) after what has been released."""
    released = genesis_time + clock.released_to_ms
    return (released // HOUR_MS + 1) * HOUR_MS


def mark_hour(state: Layer, boundary_ms: int) -> None:
    pool = get_pool(state)
    state.set(hour_key(boundary_ms), HourMark(acc=pool.acc, total_force=pool.total_force,
                                              distributed=pool.distributed))


def put_share_force(state: Layer, resident: str, force: int, time_ms: int) -> None:
    """Change the resident's Force in the pool, and start a new piece of their accrual."""
    share, pool = set_force(get_share(state, resident), get_pool(state), force)
    state.set(share_key(resident), share)
    state.set(POOL_KEY, pool)
    accrual = get_accrual(state, resident)
    if accrual is None:
        state.set(accrual_key(resident), start_accrual(time_ms, pool.acc, force))
    elif accrual.pieces[-1].force != force:
        state.set(accrual_key(resident), add_piece(accrual, time_ms, pool.acc, force))


def sync_force(state: Layer, params: Params, resident: str, time_ms: int) -> None:
    """Bring the resident's Force in the pool in line with their Force score.

    The first Force a resident ever gets opens their holder record and starts their
    48-hour clock. A dormant resident's Force stays out of the pool.
    """
    holder = get_holder(state, resident) or open_holder(state, params, resident, time_ms)
    force = get_force(state, resident)
    put_share_force(state, resident, 0 if holder.dormant else force, time_ms)
    if force != holder.force_score:
        old, new = compute_force_bucket(holder.force_score), compute_force_bucket(force)
        if old != new:
            count_holder(state, moved_from=old, bucket=new,
                         force_delta=force - holder.force_score)
        else:
            count_holder(state, force_delta=force - holder.force_score)
        state.set(holder_key(resident), dataclasses.replace(holder, force_score=force))


def open_holder(state: Layer, params: Params, resident: str, time_ms: int) -> Holder:
    """A resident's first Force or first diamonds open their holder and start their 48 hours."""
    holder = Holder(last_collect_at=time_ms)
    state.set(holder_key(resident), holder)
    state.set(dormancy_key(time_ms + params.dormancy_ms, resident), Marker())
    count_holder(state, active=1, bucket=0)
    return holder


def credit_balance(state: Layer, params: Params, resident: str, amount: int, time_ms: int) -> None:
    """Diamonds from a business (data access, a refund) to a resident's balance."""
    holder = get_holder(state, resident) or open_holder(state, params, resident, time_ms)
    state.set(holder_key(resident), dataclasses.replace(holder, balance=holder.balance + amount))


def debit_balance(state: Layer, resident: str, amount: int) -> None:
    """Diamonds a resident spends, only ever towards a business (a redemption). A free
    redemption moves nothing, even for a resident who never held a diamond."""
    if amount == 0:
        return
    holder = get_holder(state, resident)
    balance = holder.balance if holder else 0
    if balance < amount:
        raise NotEnoughDiamonds(f"costs {amount} µBD; {resident} has {balance} µBD")
    assert holder is not None
    state.set(holder_key(resident), dataclasses.replace(holder, balance=balance - amount))


def make_dormant(state: Layer, resident: str, time_ms: int) -> None:
    """48 hours without collecting: from this instant they accrue nothing."""
    holder = get_holder(state, resident)
    assert holder is not None
    if not holder.dormant:
        count_holder(state, active=-1, dormant=1)
    state.set(holder_key(resident), dataclasses.replace(holder, dormant=True))
    put_share_force(state, resident, 0, time_ms)


def process_time_events(ctx: Ctx, genesis_time: int) -> None:
    """Hour marks, expiries and dormancy up to the block time, each at its exact instant,
    in time order."""
    state, params, t = ctx.state, ctx.params, ctx.time
    while True:
        expiry, dormancy = next_expiry(state), next_dormancy(state)
        hour = compute_next_hour(genesis_time, get_clock(state))
        due = [e for e in (expiry, dormancy, hour) if e is not None and e <= t]
        if not due:
            break
        instant = min(due)
        release_until(state, params, genesis_time, instant)
        if hour == instant:
            mark_hour(state, instant)
        if expiry == instant:
            for grant in expire_grants(state, instant):
                sync_force(state, params, grant.resident, instant)
                ctx.emit("force/grant_expired", resident=grant.resident, task=grant.task_id,
                         force=grant.remaining, at=instant)
        if dormancy == instant:
            for key in list(state.iter_keys(dormancy_key(instant, ""))):
                resident = parse_dormancy_key(key)[1]
                state.delete(key)
                make_dormant(state, resident, instant)
                ctx.emit("emission/dormant", resident=resident, at=instant)
    release_until(state, params, genesis_time, t)


def process_collect(ctx: Ctx, msg: Collect) -> None:
    """Pending → balance; the resident is active again and the 48 hours start over."""
    require_resident(ctx.state, ctx.sender, "collect diamonds")
    state, resident = ctx.state, ctx.sender
    holder = get_holder(state, resident)
    if holder is None:  # never had Force: nothing to collect, but the clock starts now
        sync_force(state, ctx.params, resident, ctx.time)
        holder = get_holder(state, resident)
        assert holder is not None
    share, amount = collect(get_share(state, resident), get_pool(state))
    state.set(share_key(resident), share)
    state.set(accrual_key(resident), start_accrual(ctx.time, get_pool(state).acc, share.force,
                                                   share.remainder))
    state.delete(dormancy_key(holder.last_collect_at + ctx.params.dormancy_ms, resident))
    state.set(dormancy_key(ctx.time + ctx.params.dormancy_ms, resident), Marker())
    state.set(holder_key(resident), dataclasses.replace(
        holder, balance=holder.balance + amount, last_collect_at=ctx.time, dormant=False))
    if holder.dormant:
        count_holder(state, active=1, dormant=-1)
    clock = get_clock(state)
    state.set(CLOCK_KEY, dataclasses.replace(clock, collected=clock.collected + amount))
    if holder.dormant:
        sync_force(state, ctx.params, resident, ctx.time)
    ctx.emit("emission/collected", resident=resident, amount=amount)
