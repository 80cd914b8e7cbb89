"""Pending diamonds as hourly bubbles, each one auditable.

The accumulator knows only a resident's total pending, so two small records let anyone
split it by hour and recompute each part:

- an `HourMark` for every hour boundary (epoch hours) that emission crossed: the pool's
  `acc` at that exact instant (the release is cut at each boundary, so it is exact);
- an `Accrual` per resident: the pieces of constant Force since their last collect, each
  with the instant and the pool's `acc` at which it began.

The µBD a resident earned between two instants with constant Force F is
F × (acc(t2) − acc(t1)) / 10¹⁸, and `acc` is known at every piece start and every hour
boundary, so each hour's bubble is a sum of such terms. Bubbles are rounded down on the
running total, so they add up to exactly what `collect` would pay. At most `MAX_PIECES`
pieces are kept; older ones fold into one "earlier" bubble (still exact in total).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from planet.core.emission.accumulator import ACC_SCALE, BigIntRecord
from planet.core.records import Record

HOUR_MS = 3_600_000
MAX_PIECES = 48


@dataclass(frozen=True, slots=True)
class HourMark(BigIntRecord):
    """The pool at an hour boundary."""

    _big_fields: ClassVar[tuple[str, ...]] = ("acc",)

    acc: int
    total_force: int  # active Force at the boundary
    distributed: int  # pool.distributed at the boundary (µBD handed to residents so far)


@dataclass(frozen=True, slots=True)
class Piece:
    start: int  # block time (ms)
    acc: int  # Pool.acc at `start`
    force: int  # the resident's Force in the pool from `start` on


@dataclass(frozen=True, slots=True)
class Accrual(Record):
    """A resident's pieces of constant Force since the last collect."""

    pieces: tuple[Piece, ...]
    remainder: int = 0  # sub-µBD (scaled) left over by the last collect
    earlier: int = 0  # scaled µBD of pieces folded away (beyond MAX_PIECES)
    earlier_until: int = 0  # when the folded pieces ended

    def to_json(self) -> dict[str, Any]:
        return {"pieces": [[p.start, str(p.acc), p.force] for p in self.pieces],
                "remainder": str(self.remainder), "earlier": str(self.earlier),
                "earlier_until": self.earlier_until}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls(pieces=tuple(Piece(int(s), int(a), int(f)) for s, a, f in data["pieces"]),
                   remainder=int(data["remainder"]), earlier=int(data["earlier"]),
                   earlier_until=int(data["earlier_until"]))


def start_accrual(time_ms: int, acc: int, force: int, remainder: int = 0) -> Accrual:
    return Accrual(pieces=(Piece(time_ms, acc, force),), remainder=remainder)


def add_piece(accrual: Accrual, time_ms: int, acc: int, force: int) -> Accrual:
    """A Force change at `time_ms`; nothing to record if the Force in the pool is the same."""
    last = accrual.pieces[-1]
    if last.force == force:
        return accrual
    pieces = (*accrual.pieces, Piece(time_ms, acc, force))
    earlier, until = accrual.earlier, accrual.earlier_until
    while len(pieces) > MAX_PIECES:
        first, second = pieces[0], pieces[1]
        earlier += first.force * (second.acc - first.acc)
        until = second.start
        pieces = pieces[1:]
    return dataclasses.replace(accrual, pieces=pieces, earlier=earlier, earlier_until=until)


def split_into_hours(accrual: Accrual, now: int, acc_now: int,
                     acc_at_hour: Callable[[int], int | None]) -> list[dict[str, Any]]:
    """The bubbles, oldest first: one per hour (epoch hours) in which the resident accrued,
    plus one for folded pieces. Each says how it was computed."""
    scaled: list[tuple[int, int, int, list[dict[str, Any]]]] = []  # (start, end, amount, parts)
    if accrual.earlier:
        scaled.append((0, accrual.earlier_until, accrual.earlier, []))
    bounds = [p.start for p in accrual.pieces[1:]] + [now]
    acc_ends = [p.acc for p in accrual.pieces[1:]] + [acc_now]
    by_hour: dict[int, tuple[int, list[dict[str, Any]]]] = {}
    for piece, end, acc_end in zip(accrual.pieces, bounds, acc_ends, strict=True):
        if piece.force == 0 or end <= piece.start:
            continue
        t, acc_t = piece.start, piece.acc
        while t < end:
            hour = t // HOUR_MS
            boundary = (hour + 1) * HOUR_MS
            if boundary < end:
                mark = acc_at_hour(boundary)
                if mark is None:  # not crossed yet by a release: cannot happen before `now`
                    raise ValueError(f"no hour mark at {boundary}")
                t_next, acc_next = boundary, mark
            else:
                t_next, acc_next = end, acc_end
            amount = piece.force * (acc_next - acc_t)
            total, parts = by_hour.get(hour, (0, []))
            parts.append({"from": t, "to": t_next, "force": piece.force,
                          "acc_delta": str(acc_next - acc_t)})
            by_hour[hour] = (total + amount, parts)
            t, acc_t = t_next, acc_next
    for hour in sorted(by_hour):
        total, parts = by_hour[hour]
        scaled.append((hour * HOUR_MS, (hour + 1) * HOUR_MS, total, parts))
    bubbles: list[dict[str, Any]] = []
    running = accrual.remainder
    for start, end, amount, parts in scaled:
        before = running // ACC_SCALE
        running += amount
        bubbles.append({"hour_start": start, "hour_end": end,
                        "amount_micro": running // ACC_SCALE - before, "parts": parts})
    return bubbles
