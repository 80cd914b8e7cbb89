"""Emission properties: the schedule is exact and monotonic, and sharing conserves every µBD.

The schedule is checked against a per-millisecond brute force on small parameters, and
against any partition of time into blocks. The accumulator runs random sequences of
distributions, block releases, Force changes, settles and collects over a few residents,
and after every step checks the exact conservation identities of `accumulator`'s
docstring and the collectable bound: distributed − carried − Σ collectable ∈ [0, n + 1).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    compute_rate,
    compute_released,
)
from planet.core.params import Params

SETTINGS = settings(max_examples=200, deadline=None)

small_params = st.builds(
    Params,
    emission_rate_micro_per_second=st.integers(0, 5_000),
    halving_interval_ms=st.integers(0, 3_000),
)
any_params = st.one_of(
    st.just(Params()),
    small_params,
    st.builds(Params, emission_rate_micro_per_second=st.integers(0, 10**9),
              halving_interval_ms=st.integers(0, 10**12)),
)


def _time(params: Params) -> st.SearchStrategy[int]:
    end = compute_end_ms(params)
    return st.one_of(st.integers(0, end + 10), st.integers(0, 2 * end + 10**6))


# --- schedule -----------------------------------------------------------------------------------


@SETTINGS
@given(data=st.data(), params=any_params)
def test_emitted_is_monotonic_and_capped(data: st.DataObject, params: Params) -> None:
    t1, t2 = sorted((data.draw(_time(params)), data.draw(_time(params))))
    cap = compute_cap(params)
    assert 0 <= compute_emitted(params, t1) <= compute_emitted(params, t2) <= cap
    assert compute_emitted(params, t2 + 1) >= compute_emitted(params, t2)
    assert compute_emitted(params, compute_end_ms(params) + t1) == cap


@SETTINGS
@given(params=small_params, t=st.integers(0, 4_000))
def test_emitted_matches_a_per_millisecond_sum(params: Params, t: int) -> None:
    milli = sum(compute_rate(params, ms) for ms in range(t))  # µBD·ms/s, one ms at a time
    assert compute_emitted(params, t) == milli // 1_000


@SETTINGS
@given(data=st.data(), params=any_params)
def test_blocks_release_exactly_the_cumulative_total(data: st.DataObject, params: Params) -> None:
    end = data.draw(_time(params))
    cuts = sorted(data.draw(st.lists(st.integers(0, end), max_size=30)))
    bounds = [0, *cuts, end]
    released = [compute_released(params, a, b) for a, b in itertools.pairwise(bounds)]
    assert all(r >= 0 for r in released)
    assert sum(released) == compute_emitted(params, end)


# --- accumulator --------------------------------------------------------------------------------


@dataclass
class World:
    """The pool, the residents' shares and what each has collected so far."""

    n: int
    pool: Pool = field(default_factory=Pool)
    shares: list[Share] = field(default_factory=list)
    collected: list[int] = field(default_factory=list)
    now_ms: int = 0

    def __post_init__(self) -> None:
        self.shares = [Share() for _ in range(self.n)]
        self.collected = [0] * self.n

    def check(self) -> None:
        pool, shares = self.pool, self.shares
        assert all(s.force >= 0 for s in shares)
        assert pool.total_force == sum(s.force for s in shares)
        assert 0 <= pool.carried_fraction < ACC_SCALE
        assert all(0 <= s.remainder < ACC_SCALE for s in shares)
        # exact identities, in 1/ACC_SCALE µBD
        credited = pool.distributed * ACC_SCALE - pool.carried * ACC_SCALE - pool.carried_fraction
        owed = sum((s.pending + c) * ACC_SCALE + s.remainder + s.force * (pool.acc - s.acc_snapshot)
                   for s, c in zip(shares, self.collected, strict=True))
        assert owed == credited
        # what residents can ever take never exceeds what was distributed, and the gap is
        # sub-µBD fractions only: below one µBD per resident plus one for the pool
        collectable = sum(c + compute_claimable(s, pool) for s, c in zip(shares, self.collected,
                                                                            strict=True))
        gap = pool.distributed - pool.carried - collectable
        assert 0 <= gap < self.n + 1


Step = tuple[str, int, int]  # (kind, resident or amount, value)
steps_strategy = st.lists(
    st.one_of(
        st.tuples(st.just("distribute"), st.integers(0, 10**10), st.just(0)),
        st.tuples(st.just("advance"), st.integers(0, 10 * 86_400_000), st.just(0)),
        st.tuples(st.just("force"), st.integers(0, 4), st.integers(0, 1_000)),
        st.tuples(st.just("grant"), st.integers(0, 4), st.integers(-50, 50)),
        st.tuples(st.just("settle"), st.integers(0, 4), st.just(0)),
        st.tuples(st.just("collect"), st.integers(0, 4), st.just(0)),
    ),
    max_size=60,
)


@SETTINGS
@given(n=st.integers(1, 5), steps=steps_strategy)
def test_sharing_conserves_every_micro(n: int, steps: list[Step]) -> None:
    world = World(n)
    params = Params()
    for kind, arg, value in steps:
        pool = world.pool
        if kind == "distribute":
            world.pool = distribute(pool, arg)
        elif kind == "advance":  # a block: the schedule's release between two block times
            world.pool = distribute(pool, compute_released(params, world.now_ms, world.now_ms + arg))
            world.now_ms += arg
        else:
            i = arg % n
            share = world.shares[i]
            if kind == "force":
                world.shares[i], world.pool = set_force(share, pool, value)
            elif kind == "grant":  # a grant or an expiry; going below zero is refused
                target = share.force + value
                if target >= 0:
                    world.shares[i], world.pool = set_force(share, pool, target)
                else:
                    with pytest.raises(ValueError):
                        set_force(share, pool, target)
            elif kind == "settle":
                once = settle(share, pool)
                assert settle(once, pool) == once  # settling again mints nothing
                assert once.pending == compute_claimable(share, pool)
                world.shares[i] = once
            else:
                world.shares[i], amount = collect(share, pool)
                assert collect(world.shares[i], pool)[1] == 0
                world.collected[i] += amount
        world.check()


@SETTINGS
@given(forces=st.lists(st.integers(1, 10**6), min_size=1, max_size=8),
       amount=st.integers(0, 10**12))
def test_one_distribution_is_split_in_proportion(forces: list[int], amount: int) -> None:
    pool = Pool()
    shares = []
    for f in forces:
        share, pool = set_force(Share(), pool, f)
        shares.append(share)
    pool = distribute(pool, amount)
    total = sum(forces)
    for share, f in zip(shares, forces, strict=True):
        exact_floor = amount * f // total
        assert exact_floor - 1 <= compute_claimable(share, pool) <= exact_floor
