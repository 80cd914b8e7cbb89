"""The drill module's records, under `drill/`. Only this module writes them.

    drill/round/<round:10>                 Round
    drill/entry/<round:10>/<index:10>      Entry (index = order of entry, from 0)
    drill/entrant/<round:10>/<resident>    Marker (one entry per resident per round)
    drill/closing/<closes_at:16>/<round:10>  Marker (committed rounds not yet sealed)
    drill/deadline/<deadline:16>/<round:10>  Marker (sealed rounds waiting for the reveal)

Zero-padded numbers keep key order numeric, so the indexes are read front to back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self

from planet.core.force.grants import Spent
from planet.core.records import Record

PREFIX = "drill/"
CLOSING_PREFIX = f"{PREFIX}closing/"
DEADLINE_PREFIX = f"{PREFIX}deadline/"

COMMITTED = "committed"  # commitment on the ledger; open between opens_at and closes_at
SEALED = "sealed"  # closed, seal block hash fixed; waiting for the operator's reveal
DRAWN = "drawn"
VOID = "void"  # no reveal in time: entrants refunded, jackpot carried


@dataclass(frozen=True, slots=True)
class Round(Record):
    round: int
    commitment: str  # hex, see draw.compute_commitment
    committed_at: int  # block time of the commitment, always < opens_at
    opens_at: int
    closes_at: int
    status: str = COMMITTED
    entries: int = 0
    seal_height: int = 0  # the first block with time >= closes_at
    seal_time: int = 0
    seal_block_hash: str = ""  # hex
    reveal_deadline: int = 0  # seal_time + drill_reveal_ms
    secret: str = ""  # hex, once revealed
    winners: tuple[str, ...] = ()
    prize_each: int = 0  # µBD paid to each winner
    settled_at: int = 0  # block time of the draw or of the voiding


@dataclass(frozen=True, slots=True)
class Entry(Record):
    resident: str
    spent: tuple[Spent, ...]  # the Force the entry fee took, to give back if the round is void

    def to_json(self) -> dict[str, Any]:
        return {"resident": self.resident, "spent": [s.to_json() for s in self.spent]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls(resident=data["resident"],
                   spent=tuple(Spent.from_json(s) for s in data["spent"]))


def _n(value: int, digits: int = 10) -> str:
    return f"{value:0{digits}d}"


def round_key(round_: int) -> str:
    return f"{PREFIX}round/{_n(round_)}"


def entry_key(round_: int, index: int) -> str:
    return f"{PREFIX}entry/{_n(round_)}/{_n(index)}"


def entrant_key(round_: int, resident: str) -> str:
    return f"{PREFIX}entrant/{_n(round_)}/{resident}"


def closing_key(closes_at: int, round_: int) -> str:
    return f"{CLOSING_PREFIX}{_n(closes_at, 16)}/{_n(round_)}"


def deadline_key(deadline: int, round_: int) -> str:
    return f"{DEADLINE_PREFIX}{_n(deadline, 16)}/{_n(round_)}"


def parse_index_key(prefix: str, key: str) -> tuple[int, int]:
    """(time, round) of a closing or deadline index entry."""
    time_, round_ = key.removeprefix(prefix).split("/")
    return int(time_), int(round_)
