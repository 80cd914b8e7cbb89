"""Local calendar days: task limits such as `daily:N` count on the deployment's clock.

A resident in UTC+8 who checks in at 07:00 local time has started a new day even though
it is still yesterday in UTC, so days are counted from the local midnight. The offset is a
genesis parameter (`Params.timezone_offset_minutes`, default +480). Block time is integer
milliseconds since the epoch; floor division keeps the day correct before 1970 and for
negative (west of Greenwich) offsets alike.
"""

from __future__ import annotations

from planet.core.types import MILLIS_PER_DAY

MILLIS_PER_MINUTE = 60_000


def compute_day(time_ms: int, timezone_offset_minutes: int) -> int:
    """The local calendar day of `time_ms`: whole local days since 1970-01-01 local."""
    return (time_ms + timezone_offset_minutes * MILLIS_PER_MINUTE) // MILLIS_PER_DAY


def compute_day_start_ms(day: int, timezone_offset_minutes: int) -> int:
    """The first millisecond (UTC epoch ms) of local day `day`; inverse of `compute_day`."""
    return day * MILLIS_PER_DAY - timezone_offset_minutes * MILLIS_PER_MINUTE
