"""The emission schedule: µBD released from genesis up to a time, in integers only.

Era k (k = 0, 1, ...) lasts `halving_interval_ms` and pays `rate_k = rate_0 // 2**k` µBD a
second; emission ends at the first era whose rate is 0, which is era `rate_0.bit_length()`
(halving with a floor always reaches 0), so the supply has a finite cap.

Everything derives from `compute_emitted`, the floor of the exact integral of the rate up
to a time. A block from t1 to t2 releases `compute_emitted(t2) - compute_emitted(t1)`:
the sub-µBD part a block cannot pay stays inside the next difference, so it is neither
lost nor paid twice, and any partition of time into blocks releases the same total.
Times are integer milliseconds since genesis (block time minus genesis time).
"""

from __future__ import annotations

from planet.core.params import Params
from planet.core.types import MILLIS_PER_SECOND


def compute_era_rate(params: Params, era: int) -> int:
    """µBD per second paid during `era`: floor(rate_0 / 2**era), exactly a right shift."""
    if era < 0:
        raise ValueError(f"an era is never negative (got {era})")
    return params.emission_rate_micro_per_second >> era


def compute_paying_eras(params: Params) -> int:
    """How many eras pay anything: rate_0 >> k > 0 exactly for k < bit_length(rate_0)."""
    return params.emission_rate_micro_per_second.bit_length()


def compute_era(params: Params, elapsed_ms: int) -> int:
    """The era at `elapsed_ms` since genesis; a halving instant already belongs to the new era.

    With a zero halving interval every paying era has zero length, so we are at once in the
    first era that pays nothing.
    """
    _check_elapsed(elapsed_ms)
    if params.halving_interval_ms == 0:
        return compute_paying_eras(params)
    return elapsed_ms // params.halving_interval_ms


def compute_rate(params: Params, elapsed_ms: int) -> int:
    """µBD per second being released at `elapsed_ms`; 0 once emission has ended."""
    return compute_era_rate(params, compute_era(params, elapsed_ms))


def compute_end_ms(params: Params) -> int:
    """The first instant (ms since genesis) at which the rate is 0; emission always ends.

    Floor-halving reaches 0 after `bit_length(rate_0)` eras, so there is always an end and
    the function never needs to say "never".
    """
    return compute_paying_eras(params) * params.halving_interval_ms


def compute_emitted(params: Params, elapsed_ms: int) -> int:
    """Total µBD released from genesis up to `elapsed_ms`: floor of the exact integral.

    For an interval that is a whole number of seconds this is Σ complete eras
    rate_k × era_seconds + floor(rate_current × ms_into_era / 1000). O(eras) ≤ 64 steps.
    Monotonic non-decreasing in `elapsed_ms`, and never above `compute_cap`.
    """
    _check_elapsed(elapsed_ms)
    return _compute_integral_milli(params, elapsed_ms) // MILLIS_PER_SECOND


def compute_released(params: Params, start_ms: int, end_ms: int) -> int:
    """µBD a block spanning [start_ms, end_ms] releases: the difference of the cumulative sums."""
    if end_ms < start_ms:
        raise ValueError(f"time never runs backwards ({start_ms} > {end_ms})")
    return compute_emitted(params, end_ms) - compute_emitted(params, start_ms)


def compute_cap(params: Params) -> int:
    """The supply limit: everything the schedule ever releases (its value at the end)."""
    return compute_emitted(params, compute_end_ms(params))


def _compute_integral_milli(params: Params, elapsed_ms: int) -> int:
    """∫ rate dt from genesis to `elapsed_ms` in µBD·ms/s (thousandths of a µBD), exact."""
    interval = params.halving_interval_ms
    paying = compute_paying_eras(params)
    if interval == 0:
        return 0
    complete = min(elapsed_ms // interval, paying)
    total = sum(compute_era_rate(params, era) for era in range(complete)) * interval
    if complete < paying:
        total += compute_era_rate(params, complete) * (elapsed_ms - complete * interval)
    return total


def _check_elapsed(elapsed_ms: int) -> None:
    if elapsed_ms < 0:
        raise ValueError(f"no emission before genesis (elapsed {elapsed_ms} ms)")
