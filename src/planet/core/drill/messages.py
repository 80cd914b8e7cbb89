"""Messages of the Lucky Drill: the operator commits and reveals, residents enter."""

from __future__ import annotations

from dataclasses import dataclass

from planet.core.accounts.messages import check_hex32
from planet.core.errors import InvalidField
from planet.core.messages import Msg
from planet.core.params import Params

MAX_ROUND = 10**10 - 1


def check_round(type_: str, round_: int) -> None:
    if round_ > MAX_ROUND:
        raise InvalidField(f"{type_}.round: at most {MAX_ROUND}")


@dataclass(frozen=True, slots=True)
class CommitRound(Msg):
    """The operator fixes a round's randomness before it opens (hash of a secret)."""

    TYPE = "drill/commit"
    round: int
    commitment: str

    def validate(self, params: Params) -> None:
        check_round(self.TYPE, self.round)
        check_hex32(self.commitment, f"{self.TYPE}.commitment")


@dataclass(frozen=True, slots=True)
class EnterRound(Msg):
    """A resident with enough Force pays the entry fee in Force to join the open round.

    The round is named so that a transaction delayed past the close cannot fall into the
    next round unnoticed.
    """

    TYPE = "drill/enter"
    round: int

    def validate(self, params: Params) -> None:
        check_round(self.TYPE, self.round)


@dataclass(frozen=True, slots=True)
class RevealRound(Msg):
    """The operator reveals the round's secret after the seal block; the draw happens."""

    TYPE = "drill/reveal"
    round: int
    secret: str

    def validate(self, params: Params) -> None:
        check_round(self.TYPE, self.round)
        check_hex32(self.secret, f"{self.TYPE}.secret")
