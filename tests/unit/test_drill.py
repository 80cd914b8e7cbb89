"""Lucky Drill known answers: entry rules, a drawn round, a void round, and re-checking."""

from __future__ import annotations

import hashlib

import pytest

from planet.core.drill.draw import compute_commitment, compute_seed, draw_winners
from planet.core.drill.messages import CommitRound, EnterRound, RevealRound
from planet.core.emission.messages import Collect
from planet.core.force.messages import AttestTasks, CompleteTask
from planet.sdk.wallet import Wallet
from tests.chain import Chain, force, make_chain

HOUR = 3_600_000
DAY = 24 * HOUR


def secret_for(round_: int) -> bytes:
    return hashlib.sha256(f"drill-secret-{round_}".encode()).digest()


def run(chain: Chain, signer: Wallet, msgs: list, dt: int = 1_000) -> tuple[int, str]:
    result = chain.block([chain.sign(signer, msgs)], dt=dt).tx_results[0]
    return result.code, result.log


def strong_residents(chain: Chain, n: int) -> list[Wallet]:
    """n residents with 40 Force each (face verification 10 + Sesame Credit 30)."""
    from planet.core.force.messages import SetTaskEnabled
    residents = chain.register_residents(n)
    addrs = tuple(w.address for w in residents)
    assert run(chain, chain.operator, [SetTaskEnabled(task_id="sesame_credit", enabled=True)])[0] == 0
    for task in ("face_verification", "sesame_credit"):
        assert run(chain, chain.verifier, [AttestTasks(task_id=task, residents=addrs)])[0] == 0
    return residents


@pytest.fixture
def chain() -> Chain:
    c = make_chain(label="drill")
    # Round 1 opens one day after genesis: commit to it now.
    code, log = run(c, c.operator, [CommitRound(round=1, commitment=compute_commitment(
        1, secret_for(1)).hex())])
    assert code == 0, log
    return c


def to_round_open(chain: Chain, round_: int = 1) -> None:
    meta = chain.app.meta()
    opens = meta.genesis_time + round_ * DAY
    chain.block([], dt=opens - meta.time)


def test_entry_rules(chain: Chain) -> None:
    rich, = strong_residents(chain, 1)
    poor, = chain.register_residents(1)
    assert run(chain, poor, [CompleteTask(task_id="daily_checkin")])[0] == 0
    assert run(chain, rich, [EnterRound(round=1)])[0] == 501  # not open yet
    to_round_open(chain)
    assert run(chain, rich, [EnterRound(round=0)])[0] == 501  # never committed
    code, log = run(chain, poor, [EnterRound(round=1)])
    assert code == 411 and "more than 35" in log
    assert run(chain, rich, [EnterRound(round=1)])[0] == 0
    assert force(chain, rich) == 35
    assert run(chain, rich, [EnterRound(round=1)])[0] == 502  # once per round
    assert run(chain, poor, [CommitRound(round=5, commitment="00" * 32)])[0] == 201
    assert run(chain, chain.operator, [CommitRound(round=1, commitment="00" * 32)])[0] == 503
    assert run(chain, chain.operator, [CommitRound(round=0, commitment="00" * 32)])[0] == 504


def test_a_drawn_round_pays_the_jackpot_to_a_verifiable_winner(chain: Chain) -> None:
    residents = strong_residents(chain, 3)
    to_round_open(chain)
    for w in residents:
        assert run(chain, w, [EnterRound(round=1)])[0] == 0
    header = chain.next_header(DAY)  # past the close: this block seals the round
    chain.block([], dt=DAY)
    sealed = chain.app.query("drill/round", {"round": 1})
    assert sealed["status"] == "sealed" and sealed["entries"] == 3
    assert sealed["seal_block_hash"] == header.hash.hex()
    assert sealed["seal_height"] == header.height
    jackpot_before = chain.app.query("emission/supply")["jackpot_micro"]
    assert run(chain, chain.operator, [RevealRound(round=1, secret="11" * 32)])[0] == 505
    code, log = run(chain, chain.operator, [RevealRound(round=1, secret=secret_for(1).hex())])
    assert code == 0, log
    drawn = chain.app.query("drill/round", {"round": 1})
    assert drawn["status"] == "drawn" and len(drawn["winners"]) == 1
    # Anyone can redo the draw from public data.
    seed = compute_seed(1, bytes.fromhex(drawn["secret"]), bytes.fromhex(drawn["seal_block_hash"]))
    entrants = chain.app.query("drill/entries", {"round": 1})["entrants"]
    assert [entrants[i] for i in draw_winners(seed, 3, 1)] == drawn["winners"]
    supply = chain.app.query("emission/supply")
    assert drawn["prize_each"] >= jackpot_before > 0
    assert supply["jackpot_micro"] < drawn["prize_each"]  # paid out; refilling since
    assert supply["jackpot_paid_micro"] == drawn["prize_each"]
    winner = drawn["winners"][0]
    holder = chain.app.query("emission/holder", {"address": winner})
    assert holder["balance_micro"] == drawn["prize_each"]
    assert run(chain, chain.operator, [RevealRound(round=1, secret=secret_for(1).hex())])[0] == 505


def test_void_round_refunds_force_and_carries_the_jackpot(chain: Chain) -> None:
    a, b = strong_residents(chain, 2)
    to_round_open(chain)
    assert run(chain, a, [EnterRound(round=1)])[0] == 0
    assert run(chain, b, [EnterRound(round=1)])[0] == 0
    assert force(chain, a) == force(chain, b) == 35
    chain.block([], dt=DAY)  # seal
    seal = chain.app.query("drill/round", {"round": 1})
    # No reveal before the deadline; both stay active meanwhile.
    assert run(chain, a, [Collect()], dt=HOUR - 1_000)[0] == 0
    assert chain.app.query("drill/round", {"round": 1})["status"] == "sealed"
    jackpot = chain.app.query("emission/supply")["jackpot_micro"]
    result = chain.block([], dt=1_000)  # reaches seal + 1 h exactly: void
    assert chain.app.meta().time == seal["reveal_deadline"]
    void = chain.app.query("drill/round", {"round": 1})
    assert void["status"] == "void" and void["winners"] == []
    assert force(chain, a) == force(chain, b) == 40
    assert {e.type for e in result.events} >= {"drill/void", "drill/refunded"}
    supply = chain.app.query("emission/supply")
    assert supply["jackpot_paid_micro"] == 0 and supply["jackpot_micro"] > jackpot
    # The Force came back with its original expiry: permanent here, so still 40 later.
    refunds = chain.app.query("force/force", {"address": a.address})["grants"]
    assert sum(g["remaining"] for g in refunds if g["task_id"] == "refund") == 5
    assert run(chain, chain.operator, [RevealRound(round=1, secret=secret_for(1).hex())])[0] == 505


def test_round_without_entries_is_drawn_with_no_winner(chain: Chain) -> None:
    to_round_open(chain)
    chain.block([], dt=DAY)
    assert run(chain, chain.operator, [RevealRound(round=1, secret=secret_for(1).hex())])[0] == 0
    drawn = chain.app.query("drill/round", {"round": 1})
    assert drawn["winners"] == [] and drawn["prize_each"] == 0


def test_draw_winners_without_replacement() -> None:
    seed = b"\x01" * 32
    picked = draw_winners(seed, 10, 10)
    assert sorted(picked) == list(range(10))
    assert draw_winners(seed, 3, 5) == draw_winners(seed, 3, 3)
    assert draw_winners(seed, 0, 1) == []
