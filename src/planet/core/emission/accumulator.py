"""Sharing each release among active residents by Force: the reward-per-unit accumulator.

The pool keeps `acc`, the µBD one unit of Force has earned since genesis, scaled by
`ACC_SCALE`. A distribution only raises `acc` (O(1), whatever the number of residents);
a resident's share is `force × (acc − acc_snapshot)`, taken when they *settle*. That is
exact as long as a resident's Force never changes between two settles, which is why
`set_force` settles first (grants, expiry, going dormant, waking up).

Exact accounting, in units of 1/ACC_SCALE µBD ("scaled"), where `credited` is the sum
over distributions of `step × total_force` (what `acc` promised to the Force present):

    pool:      distributed × S == credited + carried × S + carried_fraction
    residents: credited == Σ_i (pending_i × S + remainder_i + force_i × (acc − acc_snapshot_i))

Both hold exactly after any sequence of operations (the property tests check them), so
no µBD is minted twice and none is lost: what `acc` cannot express (the division by
`total_force`) and every µBD released while no Force is active wait in `carried` /
`carried_fraction` for the next distribution; what a resident's floor cannot pay waits in
their `remainder` for their next settle. Only those sub-µBD fractions are ever not yet
collectable: distributed − carried − Σ collectable < number of residents + 1 µBD, a
bound that does not grow with the number of distributions.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from planet.core.records import Record

ACC_SCALE = 10**18
"""Fixed-point scale of `acc`: one unit is 10⁻¹⁸ µBD per unit of Force."""


class BigIntRecord(Record):
    """A record whose unbounded integer fields are stored as decimal strings.

    `acc` passes 2⁶⁴ after a few µBD per unit of Force; the state encoder (orjson) refuses
    such integers and a JSON reader could turn them into floats, so they travel as text.
    """

    _big_fields: ClassVar[tuple[str, ...]] = ()

    def to_json(self) -> dict[str, Any]:
        out = Record.to_json(self)
        for name in self._big_fields:
            out[name] = str(out[name])
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        values = dict(data)
        for name in cls._big_fields:
            if name in values:
                values[name] = int(values[name])
        return super().from_json(values)


@dataclass(frozen=True, slots=True)
class Pool(BigIntRecord):
    """The global side: one record, touched once per distribution and per Force change."""

    _big_fields: ClassVar[tuple[str, ...]] = ("acc",)

    acc: int = 0  # Σ µBD per unit of Force × ACC_SCALE
    total_force: int = 0  # the Force of active residents, Σ Share.force
    carried: int = 0  # whole µBD waiting for the next distribution
    carried_fraction: int = 0  # and its sub-µBD part, in 1/ACC_SCALE µBD (< ACC_SCALE)
    distributed: int = 0  # every µBD ever handed to `distribute`, carried ones included


@dataclass(frozen=True, slots=True)
class Share(BigIntRecord):
    """One resident's side. A fresh `Share()` has no Force, so its snapshot is harmless."""

    _big_fields: ClassVar[tuple[str, ...]] = ("acc_snapshot",)

    force: int = 0  # the Force this resident has in the pool (0 while dormant)
    acc_snapshot: int = 0  # Pool.acc when last settled
    pending: int = 0  # settled µBD, not yet collected
    remainder: int = 0  # settled sub-µBD part, in 1/ACC_SCALE µBD (< ACC_SCALE)


def distribute(pool: Pool, amount: int) -> Pool:
    """Share `amount` µBD (plus whatever was carried) among the Force active now.

    With no active Force nobody can receive it, so it is carried whole. Otherwise the pot
    (scaled) is divided by `total_force`; `acc` takes the quotient and the remainder,
    always below `total_force` scaled units, is carried to the next distribution.
    """
    if amount < 0:
        raise ValueError(f"a distribution is never negative (got {amount})")
    distributed = pool.distributed + amount
    if pool.total_force == 0:
        return dataclasses.replace(pool, carried=pool.carried + amount, distributed=distributed)
    pot = (pool.carried + amount) * ACC_SCALE + pool.carried_fraction
    step, rest = divmod(pot, pool.total_force)
    carried, carried_fraction = divmod(rest, ACC_SCALE)
    return dataclasses.replace(pool, acc=pool.acc + step, carried=carried,
                               carried_fraction=carried_fraction, distributed=distributed)


def settle(share: Share, pool: Pool) -> Share:
    """Move what the resident's Force earned since the last settle into `pending`.

    Idempotent: settling again before the next distribution adds nothing, because the
    snapshot now equals `acc` and the remainder is already below one µBD.
    """
    owed = share.force * (pool.acc - share.acc_snapshot) + share.remainder
    whole, remainder = divmod(owed, ACC_SCALE)
    return dataclasses.replace(share, acc_snapshot=pool.acc, pending=share.pending + whole,
                               remainder=remainder)


def set_force(share: Share, pool: Pool, force: int) -> tuple[Share, Pool]:
    """Change a resident's Force in the pool: settle at the old Force, then update the total.

    A grant, an expiry, going dormant (force → 0) and waking up all come through here. The
    caller distributes the emission up to the instant of the change first, so the time
    before it is shared with the old Force.
    """
    if force < 0:
        raise ValueError(f"Force never goes negative (got {force})")
    settled = settle(share, pool)
    total_force = pool.total_force - share.force + force
    if total_force < 0:
        raise ValueError("the pool's total Force would go negative: a share is not in it")
    return (dataclasses.replace(settled, force=force),
            dataclasses.replace(pool, total_force=total_force))


def collect(share: Share, pool: Pool) -> tuple[Share, int]:
    """Settle, then hand over every whole µBD pending; the sub-µBD remainder stays."""
    settled = settle(share, pool)
    return dataclasses.replace(settled, pending=0), settled.pending


def compute_claimable(share: Share, pool: Pool) -> int:
    """µBD the resident could collect now, without changing anything."""
    return settle(share, pool).pending
