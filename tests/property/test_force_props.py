"""Original Force properties over random grants, consumptions, expiries and commits.

A plain-Python model replays the same operations by the rules of `force.grants`'s
docstring (limits on local days, spend soonest-expiring Force first, expiry removes only
what is left of a grant). After every step the state must agree with the model and:

- Force is never negative, and each total == Σ remaining of the resident's live grants
  == Σ granted − Σ consumed − Σ remaining of expired grants;
- after `expire_grants(t)` no live grant has `expires_at <= t`, the expired grants came
  out in (expires_at, resident, grant_id) order, and no grant ever expires twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from planet.core.force.catalog import Task
from planet.core.force.days import compute_day
from planet.core.force.grants import (
    EXPIRY_PREFIX,
    GRANT_PREFIX,
    Grant,
    NotEnoughForce,
    TaskLimitReached,
    consume_force,
    expire_grants,
    get_force,
    get_grants,
    grant_force,
    next_expiry,
)
from planet.core.params import Params
from planet.core.state import CommittedState, Layer
from planet.core.types import MILLIS_PER_DAY

SETTINGS = settings(max_examples=150, deadline=None)
RESIDENTS = ("planet1a", "planet1b", "planet1c")
TASKS = (
    Task("perm", "Permanent", "t", 7, 0, "unlimited", "resident", True),
    Task("once", "Once", "t", 20, 0, "once", "resident", True),
    Task("day1", "One day", "t", 3, 1, "daily:2", "resident", True),
    Task("day2", "Two days", "t", 5, 2, "daily:1", "resident", True),
    Task("zero", "Nothing", "t", 0, 1, "unlimited", "resident", True),
)

advance = st.one_of(st.sampled_from([0, 1, MILLIS_PER_DAY - 1, MILLIS_PER_DAY]),
                    st.integers(0, 3 * MILLIS_PER_DAY))
grant_op = st.tuples(st.just("grant"), st.integers(0, len(RESIDENTS) - 1),
                     st.integers(0, len(TASKS) - 1))
op = st.one_of(
    grant_op,
    grant_op,
    st.tuples(st.just("consume"), st.integers(0, len(RESIDENTS) - 1), st.integers(0, 30)),
    st.tuples(st.just("tick"), advance),
    st.tuples(st.just("expire"), st.integers(-2, 1)),
    st.tuples(st.just("commit")),
)


@dataclass
class Model:
    live: dict[tuple[str, int], Grant] = field(default_factory=dict)
    next_id: dict[str, int] = field(default_factory=dict)
    days: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    granted: dict[str, int] = field(default_factory=dict)
    consumed: dict[str, int] = field(default_factory=dict)
    lost: dict[str, int] = field(default_factory=dict)  # remaining of expired grants
    expired: set[tuple[str, int]] = field(default_factory=set)

    def total(self, resident: str) -> int:
        return sum(g.remaining for (r, _), g in self.live.items() if r == resident)

    def allowed(self, task: Task, resident: str, day: int) -> bool:
        days = self.days.get((resident, task.id), [])
        if task.limit == "once":
            return not days
        if task.daily_limit is not None:
            return days.count(day) < task.daily_limit
        return True


def _grants_in_state(state: Layer) -> list[Grant]:
    return [g for _key, g in state.iter_prefix(GRANT_PREFIX, Grant)]


def _check(state: Layer, model: Model) -> None:
    for resident in RESIDENTS:
        total = get_force(state, resident)
        assert total >= 0
        assert total == model.total(resident)
        assert total == sum(g.remaining for g in get_grants(state, resident))
        assert total == (model.granted.get(resident, 0) - model.consumed.get(resident, 0)
                         - model.lost.get(resident, 0))
    assert sorted(_grants_in_state(state), key=lambda g: (g.resident, g.grant_id)) == \
        sorted(model.live.values(), key=lambda g: (g.resident, g.grant_id))
    temporary = [g for g in model.live.values() if not g.is_permanent]
    assert len(list(state.iter_keys(EXPIRY_PREFIX))) == len(temporary)
    assert next_expiry(state) == min((g.expires_at for g in temporary), default=None)


@SETTINGS
@given(ops=st.lists(op, min_size=5, max_size=80), start=st.integers(0, 2 * 10**12))
def test_force_follows_the_model(ops: list[tuple[Any, ...]], start: int) -> None:
    params = Params()
    committed = CommittedState()
    state = Layer(committed)
    model = Model()
    now = start
    for step in ops:
        kind = step[0]
        if kind == "grant":
            resident, task = RESIDENTS[int(step[1])], TASKS[int(step[2])]
            day = compute_day(now, params.timezone_offset_minutes)
            if model.allowed(task, resident, day):
                grant = grant_force(state, task, resident, now, params)
                gid = model.next_id.get(resident, 0)
                assert grant == Grant(resident, gid, task.id, task.force, now,
                                      0 if task.is_permanent else now + task.duration_days
                                      * MILLIS_PER_DAY, task.force)
                model.next_id[resident] = gid + 1
                model.live[(resident, gid)] = grant
                model.days.setdefault((resident, task.id), []).append(day)
                model.granted[resident] = model.granted.get(resident, 0) + task.force
            else:
                try:
                    grant_force(state, task, resident, now, params)
                except TaskLimitReached:
                    pass
                else:
                    raise AssertionError("a completion beyond the limit was granted")
        elif kind == "consume":
            resident, amount = RESIDENTS[int(step[1])], int(step[2])
            if amount > model.total(resident):
                try:
                    consume_force(state, resident, amount)
                except NotEnoughForce:
                    pass
                else:
                    raise AssertionError("consumed more Force than the resident holds")
            else:
                assert consume_force(state, resident, amount) == model.total(resident) - amount
                left = amount
                mine = [g for (r, _), g in model.live.items() if r == resident and g.remaining]
                for g in sorted(mine, key=lambda g: (g.is_permanent, g.expires_at, g.grant_id)):
                    take = min(left, g.remaining)
                    left -= take
                    key = (resident, g.grant_id)
                    if take == g.remaining:
                        del model.live[key]
                    else:
                        model.live[key] = Grant(**{**g.to_json(), "remaining": g.remaining - take})
                    if left == 0:
                        break
                model.consumed[resident] = model.consumed.get(resident, 0) + amount
        elif kind == "tick":
            now += int(step[1])
        elif kind == "expire":
            until = now + int(step[1])
            expired = expire_grants(state, until)
            order = [(g.expires_at, g.resident, g.grant_id) for g in expired]
            assert order == sorted(order)
            due = sorted((g.expires_at, g.resident, g.grant_id) for g in model.live.values()
                         if not g.is_permanent and g.expires_at <= until)
            assert order == due
            for g in expired:
                key = (g.resident, g.grant_id)
                assert key not in model.expired
                assert model.live.pop(key) == g
                model.expired.add(key)
                model.lost[g.resident] = model.lost.get(g.resident, 0) + g.remaining
            assert all(g.is_permanent or g.expires_at > until for g in _grants_in_state(state))
        else:
            committed.apply(state.writes)
            state = Layer(committed)
        _check(state, model)
