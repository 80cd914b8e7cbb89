"""The rules of the Lucky Drill.

Round r opens at genesis + r × `drill_round_ms` and closes one round length later, if the
operator committed to it before it opened (so round 0, which opens at genesis, never runs:
the first drill is round 1). While open, a resident with more than
`drill_min_force` Force may enter once, paying `drill_entry_force` Force. The jackpot is
filled by the emission module (`drill_share_bps` of everything emitted).

At the close, the first block at or after it *seals* the round: its hash is recorded
(`process_round_events`, in each block's begin step, so before any transaction of that
block). From the next block until `drill_reveal_ms` after the seal, the operator reveals
its secret; the winners are drawn (`draw.py`) and share the jackpot as it stands at the
reveal. A round with no entries is drawn with no winner and the jackpot carries over.
If the deadline passes without a reveal, the round is void in the first block at or after
the deadline: every entrant gets the Force they paid back (`restore_force`, each piece
with its original expiry) at that block's time, and the jackpot carries over.
"""

from __future__ import annotations

import dataclasses

from planet.core import hooks
from planet.core.accounts.rules import require_operator, require_resident
from planet.core.chain import get_meta
from planet.core.drill.draw import compute_commitment, compute_prize_each, compute_seed, draw_winners
from planet.core.drill.messages import CommitRound, EnterRound, RevealRound
from planet.core.drill.state import (
    CLOSING_PREFIX,
    COMMITTED,
    DEADLINE_PREFIX,
    DRAWN,
    SEALED,
    VOID,
    Entry,
    Round,
    closing_key,
    deadline_key,
    entrant_key,
    entry_key,
    parse_index_key,
    round_key,
)
from planet.core.emission.rules import get_clock, pay_jackpot
from planet.core.errors import (
    AlreadyEntered,
    CommitmentExists,
    NotEnoughForce,
    RevealRejected,
    RoundNotOpen,
    RoundTooLate,
)
from planet.core.force.grants import compute_spending, consume_force, get_force, restore_force
from planet.core.messages import Ctx
from planet.core.params import Params
from planet.core.records import Marker
from planet.core.state import Layer, View

# --- time ---------------------------------------------------------------------------------------


def compute_round_opens_at(params: Params, genesis_time: int, round_: int) -> int:
    return genesis_time + round_ * params.drill_round_ms


def compute_current_round(params: Params, genesis_time: int, time_ms: int) -> int:
    """The round whose opening hours contain `time_ms` (round 0 opens at genesis)."""
    if params.drill_round_ms == 0:
        return 0
    return max(0, time_ms - genesis_time) // params.drill_round_ms


# --- reads --------------------------------------------------------------------------------------


def get_round(view: View, round_: int) -> Round | None:
    return view.get(round_key(round_), Round)


def get_entry(view: View, round_: int, index: int) -> Entry | None:
    return view.get(entry_key(round_, index), Entry)


def get_entries(view: View, round_: int) -> list[Entry]:
    prefix = entry_key(round_, 0)[: -10]
    return [entry for _key, entry in view.iter_prefix(prefix, Entry)]


def has_entered(view: View, round_: int, resident: str) -> bool:
    return view.has(entrant_key(round_, resident))


def check_round_open(round_: Round | None, number: int, time_ms: int) -> Round:
    if round_ is None:
        raise RoundNotOpen(f"round {number} is not open: the operator has not committed to it")
    if time_ms < round_.opens_at:
        raise RoundNotOpen(f"round {number} opens at {round_.opens_at}")
    if time_ms >= round_.closes_at or round_.status != COMMITTED:
        raise RoundNotOpen(f"round {number} closed at {round_.closes_at}")
    return round_


def check_entry_force(force: int, params: Params) -> None:
    """More than `drill_min_force` (strictly), and enough to pay the fee."""
    if force <= params.drill_min_force:
        raise NotEnoughForce(f"entering needs more than {params.drill_min_force} Force; "
                             f"you have {force}")


# --- messages -----------------------------------------------------------------------------------


def process_commit_round(ctx: Ctx, msg: CommitRound) -> None:
    """The commitment must be on the ledger before its round opens, and only once."""
    require_operator(ctx, "commits drill rounds")
    if get_round(ctx.state, msg.round) is not None:
        raise CommitmentExists(f"round {msg.round} already has a commitment")
    genesis_time = get_meta(ctx.state).genesis_time
    opens_at = compute_round_opens_at(ctx.params, genesis_time, msg.round)
    if ctx.time >= opens_at:
        raise RoundTooLate(f"round {msg.round} opened at {opens_at}; a commitment must come "
                           "before its round opens")
    closes_at = opens_at + ctx.params.drill_round_ms
    ctx.state.set(round_key(msg.round), Round(
        round=msg.round, commitment=msg.commitment, committed_at=ctx.time, opens_at=opens_at,
        closes_at=closes_at))
    ctx.state.set(closing_key(closes_at, msg.round), Marker())
    ctx.emit("drill/committed", round=msg.round, opens_at=opens_at, closes_at=closes_at)


def process_enter_round(ctx: Ctx, msg: EnterRound) -> None:
    require_resident(ctx.state, ctx.sender, "enter the Lucky Drill")
    round_ = check_round_open(get_round(ctx.state, msg.round), msg.round, ctx.time)
    if has_entered(ctx.state, msg.round, ctx.sender):
        raise AlreadyEntered(f"you already entered round {msg.round}")
    check_entry_force(get_force(ctx.state, ctx.sender), ctx.params)
    fee = ctx.params.drill_entry_force
    spent = tuple(compute_spending(ctx.state, ctx.sender, fee))
    consume_force(ctx.state, ctx.sender, fee)
    hooks.force_changed(ctx.state, ctx.params, ctx.sender, ctx.time)
    ctx.state.set(entry_key(msg.round, round_.entries), Entry(resident=ctx.sender, spent=spent))
    ctx.state.set(entrant_key(msg.round, ctx.sender), Marker())
    ctx.state.set(round_key(msg.round), dataclasses.replace(round_, entries=round_.entries + 1))
    ctx.emit("drill/entered", round=msg.round, resident=ctx.sender, index=round_.entries,
             force_paid=fee)


def process_reveal_round(ctx: Ctx, msg: RevealRound) -> None:
    """The secret must match the commitment; then the draw is fixed and paid at once."""
    require_operator(ctx, "reveals drill rounds")
    round_ = get_round(ctx.state, msg.round)
    if round_ is None:
        raise RevealRejected(f"round {msg.round} has no commitment")
    if round_.status != SEALED:
        raise RevealRejected(f"round {msg.round} is {describe_state(round_, ctx.time)}, not waiting "
                             "for a reveal")
    if ctx.height <= round_.seal_height:
        raise RevealRejected(f"round {msg.round} can be revealed from block "
                             f"{round_.seal_height + 1}, after its seal block")
    secret = bytes.fromhex(msg.secret)
    if compute_commitment(msg.round, secret).hex() != round_.commitment:
        raise RevealRejected(f"the secret does not match round {msg.round}'s commitment")
    draw_round(ctx, round_, secret)


def describe_state(round_: Round, time_ms: int) -> str:
    if round_.status == COMMITTED:
        return "still open" if time_ms >= round_.opens_at else "not open yet"
    return round_.status


# --- the draw and the block step ------------------------------------------------------------------


def draw_round(ctx: Ctx, round_: Round, secret: bytes) -> None:
    seed = compute_seed(round_.round, secret, bytes.fromhex(round_.seal_block_hash))
    indices = draw_winners(seed, round_.entries, ctx.params.drill_winners)
    winners = []
    for index in indices:
        entry = get_entry(ctx.state, round_.round, index)
        assert entry is not None
        winners.append(entry.resident)
    prize = compute_prize_each(get_clock(ctx.state).jackpot, len(winners))
    for winner in winners:
        pay_jackpot(ctx.state, winner, prize)
    ctx.state.delete(deadline_key(round_.reveal_deadline, round_.round))
    ctx.state.set(round_key(round_.round), dataclasses.replace(
        round_, status=DRAWN, secret=secret.hex(), winners=tuple(winners), prize_each=prize,
        settled_at=ctx.time))
    ctx.emit("drill/drawn", round=round_.round, winners=winners, prize_each=prize,
             entries=round_.entries)


def seal_round(ctx: Ctx, round_: Round) -> None:
    """The first block at or after the close fixes the block hash the draw mixes in."""
    if len(ctx.block_hash) != 32:
        raise ValueError("the engine must give each block's 32-byte hash to seal drill rounds")
    deadline = ctx.time + ctx.params.drill_reveal_ms
    ctx.state.delete(closing_key(round_.closes_at, round_.round))
    ctx.state.set(deadline_key(deadline, round_.round), Marker())
    ctx.state.set(round_key(round_.round), dataclasses.replace(
        round_, status=SEALED, seal_height=ctx.height, seal_time=ctx.time,
        seal_block_hash=ctx.block_hash.hex(), reveal_deadline=deadline))
    ctx.emit("drill/sealed", round=round_.round, entries=round_.entries,
             reveal_deadline=deadline)


def void_round(ctx: Ctx, round_: Round) -> None:
    """No reveal in time: every entrant's Force comes back; the jackpot stays for later."""
    for entry in get_entries(ctx.state, round_.round):
        restored = restore_force(ctx.state, entry.resident, list(entry.spent), ctx.time)
        hooks.force_changed(ctx.state, ctx.params, entry.resident, ctx.time)
        ctx.emit("drill/refunded", round=round_.round, resident=entry.resident, force=restored)
    ctx.state.delete(deadline_key(round_.reveal_deadline, round_.round))
    ctx.state.set(round_key(round_.round), dataclasses.replace(round_, status=VOID,
                                                               settled_at=ctx.time))
    ctx.emit("drill/void", round=round_.round, entries=round_.entries)


def _due(state: Layer, prefix: str, time_ms: int) -> list[int]:
    rounds = []
    for key in state.iter_keys(prefix):
        at, round_ = parse_index_key(prefix, key)
        if at > time_ms:
            break
        rounds.append(round_)
    return rounds


def process_round_events(ctx: Ctx) -> None:
    """Seal rounds that closed, void rounds whose reveal deadline passed (in that order, so
    a seal never meets its own deadline in the same block)."""
    for number in _due(ctx.state, DEADLINE_PREFIX, ctx.time):
        round_ = get_round(ctx.state, number)
        assert round_ is not None
        void_round(ctx, round_)
    for number in _due(ctx.state, CLOSING_PREFIX, ctx.time):
        round_ = get_round(ctx.state, number)
        assert round_ is not None
        seal_round(ctx, round_)
