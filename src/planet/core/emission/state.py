"""The emission module's records, under `emission/`. Only this module writes them."""

from __future__ import annotations

from dataclasses import dataclass

from planet.core.records import Record

PREFIX = "emission/"
POOL_KEY = f"{PREFIX}pool"
CLOCK_KEY = f"{PREFIX}clock"
DORMANCY_PREFIX = f"{PREFIX}dormancy/"
_DIGITS = 16


@dataclass(frozen=True, slots=True)
class Clock(Record):
    """How far emission has been released, and where it went.

    Every µBD the schedule released is in exactly one place: the residents' pool (then
    pending, then collected into balances) or the Lucky Drill jackpot (then paid to
    winners' balances): released = pool.distributed + jackpot_filled.
    """

    released_to_ms: int = 0  # ms since genesis up to which the schedule was distributed
    collected: int = 0  # µBD moved from pending to balances, ever
    jackpot_filled: int = 0  # µBD of emission routed to the jackpot, ever
    jackpot_paid: int = 0  # µBD paid from the jackpot to drill winners, ever

    @property
    def jackpot(self) -> int:
        """µBD in the jackpot now, waiting for a draw."""
        return self.jackpot_filled - self.jackpot_paid


@dataclass(frozen=True, slots=True)
class Holder(Record):
    """A resident's diamonds and activity. Created at their first Force."""

    balance: int = 0  # µBD collected and not spent
    last_collect_at: int = 0  # block time (ms) of the last collect, or of the first Force
    dormant: bool = False
    force_score: int = 0  # their Force as the census last counted it (see Census)


FORCE_EDGES = (0, 1, 5, 10, 20, 50, 100, 200, 500, 1_000)
"""Lower edges of the census histogram's Force buckets; fixed, so charts compare over time."""
CENSUS_KEY = f"{PREFIX}census"


def compute_force_bucket(force: int) -> int:
    """The histogram bucket of a Force score: the last edge at or below it."""
    index = 0
    for i, edge in enumerate(FORCE_EDGES):
        if force >= edge:
            index = i
    return index


@dataclass(frozen=True, slots=True)
class Census(Record):
    """The holders by activity and by Force, kept as they change, so the operator's census
    is one read whatever the number of residents (it was a walk over all of them).

    `buckets[i]` counts holders whose `force_score` is in bucket i; residents who never had
    Force or diamonds have no holder and 0 Force (the query adds them to bucket 0).
    """

    active: int = 0
    dormant: int = 0
    total_force: int = 0
    buckets: tuple[int, ...] = (0,) * len(FORCE_EDGES)



HOUR_PREFIX = f"{PREFIX}hour/"


def hour_key(boundary_ms: int) -> str:
    """The mark at an hour boundary (epoch ms, a multiple of an hour), by hour number."""
    return f"{HOUR_PREFIX}{boundary_ms // 3_600_000:010d}"


def accrual_key(resident: str) -> str:
    return f"{PREFIX}accrual/{resident}"


def share_key(resident: str) -> str:
    return f"{PREFIX}share/{resident}"


def holder_key(resident: str) -> str:
    return f"{PREFIX}holder/{resident}"


def dormancy_key(deadline_ms: int, resident: str) -> str:
    return f"{DORMANCY_PREFIX}{deadline_ms:0{_DIGITS}d}/{resident}"


def parse_dormancy_key(key: str) -> tuple[int, str]:
    deadline, resident = key.removeprefix(DORMANCY_PREFIX).split("/", 1)
    return int(deadline), resident
