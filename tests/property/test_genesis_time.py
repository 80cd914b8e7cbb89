"""Genesis times are read in integers: every millisecond instant round-trips exactly.

`timestamp() * 1000` went through a float and read about 1% of instants 1 ms early
(2004-03-15T07:55:47.472Z as …471), so two nodes could disagree with a third about when a
chain began if one of them parsed differently.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planet.core.errors import GenesisError
from planet.core.genesis import format_time, parse_time

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MS_0001 = -62_135_596_800_000  # 0001-01-01T00:00:00Z
MS_9999 = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
instants = st.integers(min_value=MS_0001, max_value=MS_9999)


def text_at(ms: int, offset_minutes: int) -> str:
    """The instant `ms` written in local time at a UTC offset, e.g. …T15:55:47.472+08:00:
    the wall-clock fields come from whole milliseconds, never a float."""
    local = (EPOCH + timedelta(milliseconds=ms + offset_minutes * 60_000)).replace(tzinfo=None)
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{local.isoformat(timespec='milliseconds')}{sign}{hours:02d}:{minutes:02d}"


@settings(max_examples=2_000)
@given(instants)
def test_every_millisecond_round_trips_through_its_rfc3339_text(ms: int) -> None:
    assert parse_time(format_time(ms), field="t") == ms


@settings(max_examples=1_000)
@given(st.integers(min_value=0, max_value=4_102_444_800_000),  # 1970 to 2100
       st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59))
def test_an_instant_written_at_any_utc_offset_reads_the_same(ms: int, offset: int) -> None:
    assert parse_time(text_at(ms, offset), field="t") == ms


@pytest.mark.parametrize(("text", "ms"), [
    ("2004-03-15T07:55:47.472Z", 1_079_337_347_472),  # the float read …471
    ("2038-08-15T15:00:50.430Z", 2_165_497_250_430),
    ("2039-03-08T19:46:13.411Z", 2_183_226_373_411),
    ("1970-01-01T00:00:00Z", 0),
    ("1970-01-01T08:00:00.001+08:00", 1),
    ("1969-12-31T23:59:59.999Z", -1),
    ("2026-01-01T00:00:00.0009Z", 1_767_225_600_000),  # finer than a millisecond: floored
])
def test_known_instants(text: str, ms: int) -> None:
    assert parse_time(text, field="t") == ms


def test_the_formatted_text_is_utc_with_milliseconds() -> None:
    assert format_time(1_079_337_347_472) == "2004-03-15T07:55:47.472Z"


@pytest.mark.parametrize("text", ["2026-01-01T00:00:00", "yesterday", "", 1_700_000_000])
def test_a_time_without_a_zone_or_not_a_time_is_refused(text: object) -> None:
    with pytest.raises(GenesisError):
        parse_time(text, field="genesis_time")
