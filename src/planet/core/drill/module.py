"""The drill module as the transition sees it: messages, the per-block step, queries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planet.core.chain import get_meta
from planet.core.drill.messages import CommitRound, EnterRound, RevealRound
from planet.core.drill.rules import (
    compute_current_round,
    compute_round_opens_at,
    describe_state,
    get_entry,
    get_round,
    has_entered,
    process_commit_round,
    process_enter_round,
    process_reveal_round,
    process_round_events,
)
from planet.core.drill.state import PREFIX, Round
from planet.core.emission.rules import get_clock
from planet.core.errors import NotFound
from planet.core.messages import Module
from planet.core.params import Params
from planet.core.queries import address_arg, int_arg
from planet.core.state import View

MAX_PAGE = 1_000


def describe_round(round_: Round, time_ms: int) -> dict[str, Any]:
    return {**round_.to_json(), "state": describe_state(round_, time_ms)}


def query_current(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """The round open now (if committed), the jackpot, and whether the caller entered."""
    meta = get_meta(view)
    number = compute_current_round(params, meta.genesis_time, meta.time)
    round_ = get_round(view, number)
    opens_at = compute_round_opens_at(params, meta.genesis_time, number)
    out: dict[str, Any] = {
        "round": number, "opens_at": opens_at, "closes_at": opens_at + params.drill_round_ms,
        "committed": round_ is not None, "entries": round_.entries if round_ else 0,
        "jackpot_micro": get_clock(view).jackpot, "min_force": params.drill_min_force,
        "entry_force": params.drill_entry_force, "winners": params.drill_winners}
    if "address" in args:
        out["entered"] = has_entered(view, number, address_arg(args))
    return out


def query_round(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    number = int_arg(args, "round")
    round_ = get_round(view, number)
    if round_ is None:
        raise NotFound(f"round {number} has no commitment")
    return describe_round(round_, get_meta(view).time)


def query_rounds(view: View, args: Mapping[str, Any], params: Params) -> list[dict[str, Any]]:
    """The latest rounds, newest first."""
    limit = min(int_arg(args, "limit", 20), 100)
    time_ms = get_meta(view).time
    rounds = [r for _k, r in view.iter_prefix(f"{PREFIX}round/", Round)]
    return [describe_round(r, time_ms) for r in reversed(rounds[-limit:] if limit else [])]


def query_entries(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """A round's entrants in entry order (what `planet drill verify` redraws from)."""
    number = int_arg(args, "round")
    offset = int_arg(args, "offset", 0)
    limit = min(int_arg(args, "limit", MAX_PAGE), MAX_PAGE)
    round_ = get_round(view, number)
    if round_ is None:
        raise NotFound(f"round {number} has no commitment")
    entrants = []
    for index in range(offset, min(round_.entries, offset + limit)):
        entry = get_entry(view, number, index)
        assert entry is not None
        entrants.append(entry.resident)
    return {"round": number, "total": round_.entries, "offset": offset, "entrants": entrants}


MODULE = Module(
    name="drill",
    messages=((CommitRound, process_commit_round), (EnterRound, process_enter_round),
              (RevealRound, process_reveal_round)),
    begin_block=process_round_events,
    queries={"current": query_current, "round": query_round, "rounds": query_rounds,
             "entries": query_entries},
)
