"""Known answers for Original Force: local days, grants, limits, expiry and consumption."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from planet.core.force.catalog import DEFAULT_CATALOG, Task, parse_task
from planet.core.force.days import compute_day, compute_day_start_ms
from planet.core.force.grants import (
    EXPIRY_PREFIX,
    Grant,
    NotEnoughForce,
    ResidentForce,
    TaskDisabled,
    TaskLimitReached,
    check_task_limit,
    consume_force,
    expire_grants,
    expiry_key,
    force_key,
    get_force,
    get_grant,
    get_grants,
    get_usage,
    grant_force,
    grant_key,
    next_expiry,
)
from planet.core.params import Params
from planet.core.state import CommittedState, Layer
from planet.core.types import MILLIS_PER_DAY

PARAMS = Params()  # UTC+8
CATALOG = {entry["id"]: parse_task(entry) for entry in DEFAULT_CATALOG}
CHECKIN = CATALOG["daily_checkin"]  # 2 Force, 7 days, daily:1
IDENTITY = CATALOG["identity_verification"]  # 20 Force, permanent, once
SESAME = CATALOG["sesame_credit"]  # disabled
SHOPPING = CATALOG["shopping"]  # 3 Force, 30 days, daily:3
ALICE, BOB, CAROL = "planet1alice", "planet1bob", "planet1carol"


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp() * 1000)


def _day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _task(**changes: object) -> Task:
    return dataclasses.replace(CHECKIN, **changes)  # type: ignore[arg-type]


@pytest.fixture
def state() -> Layer:
    return Layer(CommittedState())


T0 = _ms("2026-01-01T02:00:00")  # 10:00 local, 2026-01-01


# --- local days ---------------------------------------------------------------------------------


def test_utc8_day_starts_at_16_utc() -> None:
    midnight = _ms("2025-12-31T16:00:00")
    assert compute_day(midnight - 1, 480) == _day(date(2025, 12, 31))
    assert compute_day(midnight, 480) == _day(date(2026, 1, 1))
    assert compute_day_start_ms(_day(date(2026, 1, 1)), 480) == midnight


def test_utc_and_negative_offsets() -> None:
    assert compute_day(0, 0) == 0
    assert compute_day(-1, 0) == -1
    # UTC-5: local 2026-01-01 starts at 05:00Z
    start = _ms("2026-01-01T05:00:00")
    assert compute_day(start - 1, -300) == _day(date(2025, 12, 31))
    assert compute_day(start, -300) == _day(date(2026, 1, 1))
    assert compute_day_start_ms(_day(date(2026, 1, 1)), -300) == start


@pytest.mark.parametrize("offset", [-720, -300, 0, 330, 480, 840])
def test_day_start_is_the_inverse_of_compute_day(offset: int) -> None:
    for day in (-3, 0, 1, 20_454):
        start = compute_day_start_ms(day, offset)
        assert compute_day(start, offset) == day
        assert compute_day(start - 1, offset) == day - 1
        assert compute_day(start + MILLIS_PER_DAY - 1, offset) == day


# --- grants -------------------------------------------------------------------------------------


def test_permanent_grant(state: Layer) -> None:
    grant = grant_force(state, IDENTITY, ALICE, T0, PARAMS)
    assert grant == Grant(resident=ALICE, grant_id=0, task_id="identity_verification", force=20,
                          granted_at=T0, expires_at=0, remaining=20)
    assert grant.is_permanent
    assert get_force(state, ALICE) == 20
    assert get_grant(state, ALICE, 0) == grant
    assert next_expiry(state) is None
    assert expire_grants(state, 10**15) == []
    assert get_force(state, ALICE) == 20


def test_temporary_grant_expires_exactly_n_days_later(state: Layer) -> None:
    grant = grant_force(state, CHECKIN, ALICE, T0, PARAMS)
    expires_at = T0 + 7 * MILLIS_PER_DAY
    assert grant.expires_at == expires_at
    assert next_expiry(state) == expires_at
    assert expire_grants(state, expires_at - 1) == []
    assert get_force(state, ALICE) == 2
    assert expire_grants(state, expires_at) == [grant]
    assert get_force(state, ALICE) == 0
    assert get_grant(state, ALICE, 0) is None
    assert next_expiry(state) is None
    assert expire_grants(state, expires_at + 1) == []  # nothing expires twice


def test_grant_ids_count_per_resident(state: Layer) -> None:
    assert grant_force(state, SHOPPING, ALICE, T0, PARAMS).grant_id == 0
    assert grant_force(state, SHOPPING, ALICE, T0, PARAMS).grant_id == 1
    assert grant_force(state, SHOPPING, BOB, T0, PARAMS).grant_id == 0
    assert state.get(force_key(ALICE), ResidentForce) == ResidentForce(ALICE, total=6,
                                                                       next_grant_id=2)


def test_keys_sort_numerically() -> None:
    assert grant_key(ALICE, 9) < grant_key(ALICE, 10)
    assert expiry_key(999, BOB, 0) < expiry_key(1000, ALICE, 0)
    assert expiry_key(5, ALICE, 9) < expiry_key(5, ALICE, 10) < expiry_key(5, BOB, 0)
    with pytest.raises(ValueError):
        expiry_key(10**16, ALICE, 0)


def test_records_survive_a_commit(state: Layer) -> None:
    grant_force(state, CHECKIN, ALICE, T0, PARAMS)
    committed = CommittedState()
    committed.apply(state.writes)
    reloaded = CommittedState(committed.items())
    assert get_force(reloaded, ALICE) == 2
    assert get_grants(reloaded, ALICE) == get_grants(state, ALICE)
    assert get_usage(reloaded, ALICE, CHECKIN.id) == get_usage(state, ALICE, CHECKIN.id)
    assert next_expiry(reloaded) == T0 + 7 * MILLIS_PER_DAY


# --- limits -------------------------------------------------------------------------------------


def test_daily_checkin_once_per_local_day(state: Layer) -> None:
    evening = _ms("2026-01-01T15:59:59.999")  # 23:59:59.999 local, 2026-01-01
    grant_force(state, CHECKIN, ALICE, T0, PARAMS)
    before = dict(state.writes)
    with pytest.raises(TaskLimitReached, match="daily limit of 1 reached for task daily_checkin today"):
        grant_force(state, CHECKIN, ALICE, evening, PARAMS)
    assert state.writes == before  # a refused completion writes nothing
    check_task_limit(state, CHECKIN, BOB, evening, PARAMS)  # other residents unaffected
    grant_force(state, CHECKIN, ALICE, evening + 1, PARAMS)  # 00:00 local, 2026-01-02
    assert get_force(state, ALICE) == 4
    usage = get_usage(state, ALICE, CHECKIN.id)
    assert usage is not None
    assert (usage.day, usage.count, usage.lifetime) == (_day(date(2026, 1, 2)), 1, 2)


def test_daily_limit_counts_n(state: Layer) -> None:
    for _ in range(3):
        grant_force(state, SHOPPING, ALICE, T0, PARAMS)
    with pytest.raises(TaskLimitReached, match="daily limit of 3"):
        grant_force(state, SHOPPING, ALICE, T0 + 1, PARAMS)
    grant_force(state, SHOPPING, ALICE, T0 + MILLIS_PER_DAY, PARAMS)
    assert get_force(state, ALICE) == 12


def test_daily_limit_follows_the_timezone_param(state: Layer) -> None:
    utc = Params(timezone_offset_minutes=0)
    late = _ms("2026-01-01T16:30:00")  # next day in UTC+8, same day in UTC
    grant_force(state, CHECKIN, ALICE, T0, utc)
    with pytest.raises(TaskLimitReached):
        grant_force(state, CHECKIN, ALICE, late, utc)
    grant_force(state, CHECKIN, ALICE, late, PARAMS)


def test_once_task_refused_the_second_time(state: Layer) -> None:
    grant_force(state, IDENTITY, ALICE, T0, PARAMS)
    with pytest.raises(TaskLimitReached, match="task identity_verification can be completed once"):
        grant_force(state, IDENTITY, ALICE, T0 + 400 * MILLIS_PER_DAY, PARAMS)
    grant_force(state, IDENTITY, BOB, T0, PARAMS)
    assert (get_force(state, ALICE), get_force(state, BOB)) == (20, 20)


def test_unlimited_task(state: Layer) -> None:
    task = _task(id="anything", limit="unlimited")
    for _ in range(10):
        grant_force(state, task, ALICE, T0, PARAMS)
    assert get_force(state, ALICE) == 20


def test_disabled_task_refused(state: Layer) -> None:
    with pytest.raises(TaskDisabled, match="sesame_credit"):
        grant_force(state, SESAME, ALICE, T0, PARAMS)
    assert state.writes == {}
    assert get_force(state, ALICE) == 0


def test_error_codes() -> None:
    assert (TaskLimitReached.code, NotEnoughForce.code, TaskDisabled.code) == (410, 411, 412)
    assert TaskLimitReached("x").to_dict()["codespace"] == "force"


# --- expiry -------------------------------------------------------------------------------------


def test_expiry_order_is_time_then_resident_then_grant_id(state: Layer) -> None:
    one_day = _task(id="one_day", duration_days=1, limit="unlimited")
    two_days = _task(id="two_days", duration_days=2, limit="unlimited")
    grant_force(state, two_days, ALICE, T0, PARAMS)  # alice 0 @ T0+2d
    grant_force(state, one_day, CAROL, T0, PARAMS)  # carol 0 @ T0+1d
    grant_force(state, one_day, BOB, T0, PARAMS)  # bob 0 @ T0+1d
    grant_force(state, one_day, BOB, T0, PARAMS)  # bob 1 @ T0+1d
    grant_force(state, one_day, ALICE, T0 + 1, PARAMS)  # alice 1 @ T0+1d+1
    grant_force(state, one_day, ALICE, T0, PARAMS)  # alice 2 @ T0+1d
    expired = expire_grants(state, T0 + 3 * MILLIS_PER_DAY)
    assert [(g.expires_at - T0, g.resident, g.grant_id) for g in expired] == [
        (MILLIS_PER_DAY, ALICE, 2),
        (MILLIS_PER_DAY, BOB, 0),
        (MILLIS_PER_DAY, BOB, 1),
        (MILLIS_PER_DAY, CAROL, 0),
        (MILLIS_PER_DAY + 1, ALICE, 1),
        (2 * MILLIS_PER_DAY, ALICE, 0),
    ]
    assert list(state.iter_keys(EXPIRY_PREFIX)) == []
    assert all(get_force(state, r) == 0 for r in (ALICE, BOB, CAROL))


def test_stepping_through_expiries(state: Layer) -> None:
    grant_force(state, CHECKIN, ALICE, T0, PARAMS)
    grant_force(state, SHOPPING, ALICE, T0, PARAMS)
    grant_force(state, IDENTITY, ALICE, T0, PARAMS)
    seen = []
    while (t := next_expiry(state)) is not None:
        seen.append((t, [g.task_id for g in expire_grants(state, t)], get_force(state, ALICE)))
    assert seen == [(T0 + 7 * MILLIS_PER_DAY, ["daily_checkin"], 23),
                    (T0 + 30 * MILLIS_PER_DAY, ["shopping"], 20)]


# --- consumption --------------------------------------------------------------------------------


def test_consume_takes_the_soonest_expiring_force_first(state: Layer) -> None:
    grant_force(state, IDENTITY, ALICE, T0, PARAMS)  # 0: 20 permanent
    grant_force(state, SHOPPING, ALICE, T0, PARAMS)  # 1: 3 until T0+30d
    grant_force(state, CHECKIN, ALICE, T0, PARAMS)  # 2: 2 until T0+7d
    assert consume_force(state, ALICE, 4) == 21
    assert [(g.grant_id, g.remaining) for g in get_grants(state, ALICE)] == [(0, 20), (1, 1)]
    assert next_expiry(state) == T0 + 30 * MILLIS_PER_DAY  # the spent check-in left the index
    assert consume_force(state, ALICE, 5) == 16
    assert [(g.grant_id, g.remaining, g.force) for g in get_grants(state, ALICE)] == [(0, 16, 20)]
    assert expire_grants(state, T0 + 365 * MILLIS_PER_DAY) == []
    assert get_force(state, ALICE) == 16


def test_consume_then_expiry_never_negative(state: Layer) -> None:
    grant_force(state, CHECKIN, ALICE, T0, PARAMS)  # 2 until T0+7d
    grant_force(state, SHOPPING, ALICE, T0, PARAMS)  # 3 until T0+30d
    assert consume_force(state, ALICE, 4) == 1
    assert get_grant(state, ALICE, 0) is None  # the check-in was spent whole
    expired = expire_grants(state, T0 + 7 * MILLIS_PER_DAY)
    assert expired == []  # the check-in was spent, so nothing of it is left to expire
    assert get_force(state, ALICE) == 1
    [shopping] = expire_grants(state, T0 + 30 * MILLIS_PER_DAY)
    assert (shopping.force, shopping.remaining) == (3, 1)
    assert get_force(state, ALICE) == 0


def test_not_enough_force(state: Layer) -> None:
    grant_force(state, CHECKIN, ALICE, T0, PARAMS)
    before = dict(state.writes)
    with pytest.raises(NotEnoughForce, match="needs 5 Force, planet1alice has 2"):
        consume_force(state, ALICE, 5)
    assert state.writes == before
    with pytest.raises(NotEnoughForce):
        consume_force(state, BOB, 1)
    assert consume_force(state, BOB, 0) == 0
    with pytest.raises(ValueError):
        consume_force(state, ALICE, -1)
    assert consume_force(state, ALICE, 2) == 0
    assert get_grants(state, ALICE) == []
