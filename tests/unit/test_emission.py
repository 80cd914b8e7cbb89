"""Known answers for Black Diamond emission: the schedule and the sharing by Force."""

from __future__ import annotations

import pytest

from planet.core.emission.accumulator import (
    ACC_SCALE,
    Pool,
    Share,
    collect,
    compute_claimable,
    distribute,
    set_force,
    settle,
)
from planet.core.emission.schedule import (
    compute_cap,
    compute_emitted,
    compute_end_ms,
    compute_era,
    compute_paying_eras,
    compute_rate,
    compute_released,
)
from planet.core.params import Params

DEFAULT = Params()
HOUR_MS = 3_600_000
INTERVAL_MS = 730 * 86_400_000
RATE = 3_125_000
SMALL = Params(emission_rate_micro_per_second=8, halving_interval_ms=1_000)


# --- schedule -----------------------------------------------------------------------------------


def test_default_cap_is_the_design_figure() -> None:
    assert compute_cap(DEFAULT) == 394_199_243_136_000  # 394,199,243.136 BD


def test_default_schedule_has_22_paying_eras() -> None:
    assert compute_paying_eras(DEFAULT) == 22
    assert compute_end_ms(DEFAULT) == 22 * INTERVAL_MS
    assert compute_rate(DEFAULT, compute_end_ms(DEFAULT) - 1) == 1
    assert compute_rate(DEFAULT, compute_end_ms(DEFAULT)) == 0
    assert compute_emitted(DEFAULT, 10 * compute_end_ms(DEFAULT)) == compute_cap(DEFAULT)


def test_one_hour_and_one_era() -> None:
    assert compute_emitted(DEFAULT, 0) == 0
    assert compute_emitted(DEFAULT, HOUR_MS) == RATE * 3_600
    assert compute_emitted(DEFAULT, INTERVAL_MS) == RATE * 63_072_000
    assert compute_emitted(DEFAULT, INTERVAL_MS - 1) == RATE * 63_072_000 - RATE // 1_000
    assert compute_emitted(DEFAULT, INTERVAL_MS + 1_000) == RATE * 63_072_000 + RATE // 2


def test_rate_at_the_halving_instant() -> None:
    assert compute_era(DEFAULT, INTERVAL_MS - 1) == 0
    assert compute_rate(DEFAULT, INTERVAL_MS - 1) == 3_125_000
    assert compute_era(DEFAULT, INTERVAL_MS) == 1
    assert compute_rate(DEFAULT, INTERVAL_MS) == 1_562_500
    assert compute_rate(DEFAULT, 5 * INTERVAL_MS) == 97_656  # floor(3,125,000 / 32)


def test_floor_dust_is_paid_by_a_later_block() -> None:
    # 1 ms releases 3,125 µBD exactly; with rate 1 µBD/s a block of 999 ms releases 0,
    # and the next 1 ms block releases the whole µBD.
    slow = Params(emission_rate_micro_per_second=1, halving_interval_ms=10_000)
    assert compute_released(slow, 0, 999) == 0
    assert compute_released(slow, 999, 1_000) == 1
    assert compute_released(DEFAULT, 5, 6) == 3_125


def test_small_schedule_ends() -> None:
    assert [compute_rate(SMALL, t) for t in (0, 999, 1_000, 2_000, 3_000, 3_999, 4_000, 99_000)] == [
        8, 8, 4, 2, 1, 1, 0, 0]
    assert compute_cap(SMALL) == (8 + 4 + 2 + 1) * 1
    assert compute_end_ms(SMALL) == 4_000
    assert compute_emitted(SMALL, 500) == 4
    assert compute_emitted(SMALL, 1_500) == 8 + 2
    assert compute_emitted(SMALL, 4_000) == compute_emitted(SMALL, 50_000) == 15


def test_interval_not_a_whole_second_floors_once() -> None:
    # 3 µBD/s for 1.5 s, then 1 µBD/s for 1.5 s: 4.5 + 1.5 = 6 µBD, not 4 + 1.
    odd = Params(emission_rate_micro_per_second=3, halving_interval_ms=1_500)
    assert compute_emitted(odd, 1_500) == 4
    assert compute_cap(odd) == 6


def test_degenerate_schedules_emit_nothing() -> None:
    none = Params(emission_rate_micro_per_second=0)
    assert compute_cap(none) == 0
    assert compute_end_ms(none) == 0
    assert compute_rate(none, 0) == 0
    instant = Params(halving_interval_ms=0)
    assert compute_cap(instant) == 0
    assert compute_rate(instant, 0) == 0
    assert compute_emitted(instant, HOUR_MS) == 0


def test_time_before_genesis_or_backwards_is_refused() -> None:
    with pytest.raises(ValueError):
        compute_emitted(DEFAULT, -1)
    with pytest.raises(ValueError):
        compute_released(DEFAULT, 2, 1)


# --- accumulator --------------------------------------------------------------------------------


def test_alone_for_an_hour_gets_the_whole_hour() -> None:
    share, pool = set_force(Share(), Pool(), 1)
    pool = distribute(pool, compute_released(DEFAULT, 0, HOUR_MS))
    share, amount = collect(share, pool)
    assert amount == 3_125_000 * 3_600
    assert (pool.carried, pool.carried_fraction, share.remainder) == (0, 0, 0)


def test_force_one_and_three_share_a_quarter_and_three_quarters() -> None:
    a, pool = set_force(Share(), Pool(), 1)
    b, pool = set_force(Share(), pool, 3)
    pool = distribute(pool, RATE * 3_600)
    assert compute_claimable(a, pool) == 2_812_500_000
    assert compute_claimable(b, pool) == 8_437_500_000
    assert (pool.carried, pool.carried_fraction) == (0, 0)


def test_uneven_split_keeps_every_fraction() -> None:
    a, pool = set_force(Share(), Pool(), 1)
    b, pool = set_force(Share(), pool, 2)
    pool = distribute(pool, 10)  # 10 / 3 per unit of Force
    a, b = settle(a, pool), settle(b, pool)
    assert (a.pending, b.pending) == (3, 6)
    # 1/3 µBD each side of the floor: 10 × S = 3S + (S/3) + 6S + (2S/3) + carried fraction
    assert a.remainder == ACC_SCALE // 3
    assert b.remainder == 2 * (ACC_SCALE // 3)
    assert pool.carried_fraction == 1
    assert (a.pending + b.pending) * ACC_SCALE + a.remainder + b.remainder + pool.carried_fraction == (
        10 * ACC_SCALE)


def test_time_with_no_active_force_is_carried_to_the_next_distribution() -> None:
    pool = distribute(Pool(), RATE * 3_600)
    assert (pool.carried, pool.acc) == (RATE * 3_600, 0)
    share, pool = set_force(Share(), pool, 4)
    pool = distribute(pool, RATE * 3_600)
    assert compute_claimable(share, pool) == 2 * RATE * 3_600
    assert pool.carried == 0
    assert pool.distributed == 2 * RATE * 3_600


def test_a_fraction_short_never_grows() -> None:
    # Alone with Force 7, a resident is one µBD short: 10⁻¹⁸ µBD waits in the pool's carried
    # fraction and the rest in the resident's remainder. More distributions do not widen the
    # gap: whatever was distributed minus what is claimable stays below one µBD.
    share, pool = set_force(Share(), Pool(), 7)
    pool = distribute(pool, RATE * 3_600)
    share = settle(share, pool)
    assert share.pending == RATE * 3_600 - 1
    assert (share.remainder, pool.carried_fraction) == (ACC_SCALE - 1, 1)
    for _ in range(100):
        pool = distribute(pool, RATE * 3_600)
    assert compute_claimable(share, pool) == 101 * RATE * 3_600 - 1
    pool = distribute(pool, 1)
    assert compute_claimable(share, pool) == 101 * RATE * 3_600
    assert settle(share, pool).remainder + pool.carried_fraction == ACC_SCALE


def test_a_change_of_force_settles_first() -> None:
    a, pool = set_force(Share(), Pool(), 1)
    pool = distribute(pool, 100)  # a alone
    b, pool = set_force(Share(acc_snapshot=0), pool, 1)  # b joins: must not get the first 100
    pool = distribute(pool, 100)
    assert (compute_claimable(a, pool), compute_claimable(b, pool)) == (150, 50)
    a, pool = set_force(a, pool, 0)  # a goes dormant: keeps what it earned, earns nothing more
    pool = distribute(pool, 100)
    assert (compute_claimable(a, pool), compute_claimable(b, pool)) == (150, 150)
    assert pool.total_force == 1


def test_settling_twice_adds_nothing_and_collect_empties_pending() -> None:
    share, pool = set_force(Share(), Pool(), 3)
    pool = distribute(pool, 1_000)
    once = settle(share, pool)
    assert settle(once, pool) == once
    share, amount = collect(once, pool)
    assert amount == 999  # 1,000 / 3 per unit of Force: the last third of a µBD is a fraction
    assert share.remainder + pool.carried_fraction == ACC_SCALE
    assert collect(share, pool) == (share, 0)


def test_force_never_goes_negative() -> None:
    share, pool = set_force(Share(), Pool(), 2)
    with pytest.raises(ValueError):
        set_force(share, pool, -1)
    with pytest.raises(ValueError):
        set_force(Share(force=5), pool, 0)  # a share the pool does not count
    with pytest.raises(ValueError):
        distribute(pool, -1)


def test_records_round_trip_with_huge_accumulator() -> None:
    share, pool = set_force(Share(), Pool(), 1)
    pool = distribute(pool, compute_cap(DEFAULT))
    share = settle(share, pool)
    assert pool.acc > 2**64
    assert pool.to_json()["acc"] == str(pool.acc)
    assert Pool.decode(pool.encode()) == pool
    assert Share.decode(share.encode()) == share
