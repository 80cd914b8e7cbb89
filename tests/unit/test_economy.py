"""Known answers for emission in blocks: Force shares, the 48-hour rule, carried time."""

from __future__ import annotations

from planet.core.emission.messages import Collect
from planet.core.emission.schedule import compute_emitted
from planet.core.force.messages import CompleteTask, UpsertTask
from planet.sdk.wallet import Wallet
from tests.chain import Chain, make_chain

HOUR = 3_600_000


def residents_share(emitted: int) -> int:
    """What the pool gets of `emitted`: all but the jackpot's 5%."""
    return emitted - emitted * 500 // 10_000


def elapsed(chain: Chain) -> int:
    meta = chain.app.meta()
    return meta.time - meta.genesis_time


def holder(chain: Chain, w: Wallet) -> dict:
    return chain.app.query("emission/holder", {"address": w.address})  # type: ignore[no-any-return]


def ok(chain: Chain, txs: list[bytes], dt: int) -> None:
    result = chain.block(txs, dt=dt)
    assert all(r.ok for r in result.tx_results), result.tx_results


def add_unit_task(chain: Chain) -> None:
    ok(chain, [chain.sign(chain.operator, [UpsertTask(
        id="unit", title="One Force", category="test", force=1, duration_days=0,
        limit="unlimited", attester="resident", enabled=True)])], dt=1_000)


def test_one_resident_alone_for_an_hour_gets_all_emission() -> None:
    chain = make_chain(label="eco-alone")
    (alice,) = chain.register_residents(1)
    ok(chain, [chain.sign(alice, [CompleteTask(task_id="daily_checkin")])], dt=1_000)
    ok(chain, [chain.sign(alice, [Collect()])], dt=HOUR)
    # Alone, she receives the hour and what was carried from genesis, less the jackpot's
    # 5% and < 1 µBD of fraction that stays with the pool for the next distribution.
    emitted = compute_emitted(chain.params, elapsed(chain))
    expected = emitted - emitted * 500 // 10_000
    got = holder(chain, alice)["balance_micro"]
    assert expected - 1 <= got <= expected
    assert compute_emitted(chain.params, HOUR) == 3_125_000 * 3_600
    assert chain.app.query("emission/supply")["jackpot_micro"] == emitted * 500 // 10_000


def test_force_1_and_3_share_one_to_three() -> None:
    chain = make_chain(label="eco-1-3")
    a, b = chain.register_residents(2)
    add_unit_task(chain)
    ok(chain, [chain.sign(a, [CompleteTask(task_id="unit")]),
               chain.sign(b, [CompleteTask(task_id="unit")] * 3)], dt=1_000)
    before = compute_emitted(chain.params, elapsed(chain))
    ok(chain, [chain.sign(a, [Collect()]), chain.sign(b, [Collect()])], dt=HOUR)
    emitted = compute_emitted(chain.params, elapsed(chain))
    total = emitted - emitted * 500 // 10_000  # the residents' 95%
    got_a, got_b = holder(chain, a)["balance_micro"], holder(chain, b)["balance_micro"]
    assert abs(got_a - total // 4) <= 1 and abs(got_b - 3 * total // 4) <= 1
    hour = emitted - before
    assert hour == 3_125_000 * 3_600  # what the hour itself released, split 1:3 above


def test_dormant_at_exactly_48_hours_then_collect_reactivates() -> None:
    chain = make_chain(label="eco-dormant")
    (alice,) = chain.register_residents(1)
    ok(chain, [chain.sign(alice, [CompleteTask(task_id="daily_checkin")])], dt=1_000)
    start = chain.app.meta().time
    ok(chain, [], dt=49 * HOUR)  # the block crosses the 48-hour instant
    state = holder(chain, alice)
    assert state["dormant"] is True and state["force_in_pool"] == 0
    dormant_at = start + 48 * HOUR
    genesis = chain.app.meta().genesis_time
    pending = state["pending_micro"]
    accrued_until_dormant = residents_share(compute_emitted(chain.params, dormant_at - genesis))
    assert accrued_until_dormant - 1 <= pending <= accrued_until_dormant
    supply = chain.app.query("emission/supply")
    # The hour after she went dormant had no active Force: carried, not lost.
    assert supply["carried_micro"] >= residents_share(compute_emitted(chain.params, elapsed(chain))) \
        - accrued_until_dormant - 1
    assert supply["active_force"] == 0
    ok(chain, [chain.sign(alice, [Collect()])], dt=1_000)
    state = holder(chain, alice)
    assert state["dormant"] is False and state["force_in_pool"] == 2
    assert state["balance_micro"] == pending


def test_temporary_force_leaves_the_pool_when_it_expires() -> None:
    chain = make_chain(label="eco-expiry")
    (alice,) = chain.register_residents(1)
    ok(chain, [chain.sign(alice, [CompleteTask(task_id="daily_checkin")])], dt=1_000)
    for _ in range(5):  # collect every 40 h (200 h in all) to stay active past 7 days
        ok(chain, [chain.sign(alice, [Collect()])], dt=40 * HOUR)
    force = chain.app.query("force/force", {"address": alice.address})
    assert force["force"] == 0 and force["grants"] == []
    assert chain.app.query("emission/supply")["active_force"] == 0


def test_supply_never_exceeds_the_schedule() -> None:
    chain = make_chain(label="eco-supply")
    residents = chain.register_residents(3)
    ok(chain, [chain.sign(w, [CompleteTask(task_id="daily_checkin")]) for w in residents], 1_000)
    for step in range(5):
        ok(chain, [chain.sign(w, [Collect()]) for w in residents[: step % 3 + 1]], dt=7 * HOUR)
        supply = chain.app.query("emission/supply")
        held = sum(holder(chain, w)["balance_micro"] + holder(chain, w)["pending_micro"]
                   for w in residents)
        assert supply["collected_micro"] <= supply["emitted_micro"] <= supply["cap_micro"]
        unclaimed = supply["emitted_micro"] - held - supply["carried_micro"] - supply["jackpot_micro"]
        assert 0 <= unclaimed <= len(residents)


def _attest(chain: Chain, resident: Wallet, label: str) -> None:
    from planet.core.accounts.messages import AttestIdentity
    from planet.core.encoding import sha256

    nullifier = sha256(label.encode()).hex()
    ok(chain, [chain.sign(chain.verifier, [AttestIdentity(resident=resident.address,
                                                           nullifier=nullifier)])], dt=1_000)


def force_of(chain: Chain, w: Wallet) -> int:
    return int(chain.app.query("force/force", {"address": w.address})["force"])


def test_identity_pays_resident_and_one_level_of_inviter_capped_per_day() -> None:
    chain = make_chain(label="eco-invite")
    (grandparent,) = chain.register_residents(1)
    (parent,) = chain.register_residents(1, inviter=grandparent)
    children = chain.register_residents(2, inviter=parent)
    _attest(chain, parent, "parent")
    assert force_of(chain, parent) == 20  # identity verification
    assert force_of(chain, grandparent) == 10  # invite reward for parent
    for i, child in enumerate(children):
        _attest(chain, child, f"child-{i}")
        assert force_of(chain, child) == 20
    assert force_of(chain, parent) == 20 + 2 * 10
    assert force_of(chain, grandparent) == 10  # one level only: no pyramid


def test_invite_reward_stops_at_the_daily_cap() -> None:
    chain = make_chain(label="eco-cap", params={"invites_per_resident": 8})
    (parent,) = chain.register_residents(1)
    kids = chain.register_residents(7, inviter=parent)
    for i, kid in enumerate(kids[:6]):
        _attest(chain, kid, f"kid-{i}")
        assert force_of(chain, kid) == 20  # the invitee is always paid
    assert force_of(chain, parent) == 5 * 10  # invite_friend is daily:5
    ok(chain, [], dt=24 * HOUR)  # the next local day
    _attest(chain, kids[6], "kid-6")
    assert force_of(chain, parent) == 6 * 10


GENESIS_MS = 1_767_225_600_000  # tests.chain.GENESIS_TIME, on the hour


def bubbles(chain: Chain, w: Wallet) -> dict:
    return chain.app.query("emission/bubbles", {"address": w.address})  # type: ignore[no-any-return]


def test_bubbles_are_hourly_add_up_to_pending_and_can_be_recomputed() -> None:
    chain = make_chain(label="eco-bubbles")
    a, b = chain.register_residents(2)
    ok(chain, [chain.sign(a, [CompleteTask(task_id="daily_checkin")])], dt=1_000)
    ok(chain, [], dt=HOUR + 30 * 60_000)
    ok(chain, [chain.sign(b, [CompleteTask(task_id="daily_checkin")])], dt=20 * 60_000)  # a's share halves
    ok(chain, [], dt=2 * HOUR)
    view = bubbles(chain, a)
    amounts = [x["amount_micro"] for x in view["bubbles"]]
    assert sum(amounts) == view["pending_micro"] == holder(chain, a)["pending_micro"] > 0
    starts = [x["hour_start"] for x in view["bubbles"]]
    assert all(s % HOUR == 0 for s in starts) and starts == sorted(set(starts))
    assert len(starts) == 4  # the hours touched by 3 h 51 min of accrual
    # Each bubble recomputes from its parts: Σ force × acc_delta / 10^18, within rounding.
    for bubble in view["bubbles"]:
        exact = sum(p["force"] * int(p["acc_delta"]) for p in bubble["parts"]) / 10**18
        assert abs(bubble["amount_micro"] - exact) <= 1
    # From 02:00 to 03:00 a and b had Force 2 each all hour: a's bubble is half of the
    # residents' share of that hour.
    third = next(x for x in view["bubbles"] if x["hour_start"] - GENESIS_MS == 2 * HOUR)
    assert abs(third["amount_micro"] - residents_share(3_125_000 * 3_600) // 2) <= 1
    ok(chain, [chain.sign(a, [Collect()])], dt=1_000)
    after = bubbles(chain, a)
    assert after["pending_micro"] == 0 and sum(x["amount_micro"] for x in after["bubbles"]) == 0


def test_dormancy_countdown() -> None:
    chain = make_chain(label="eco-countdown")
    (a,) = chain.register_residents(1)
    ok(chain, [chain.sign(a, [CompleteTask(task_id="daily_checkin")])], dt=1_000)
    ok(chain, [], dt=HOUR)
    assert holder(chain, a)["dormant_in_ms"] == 47 * HOUR
    ok(chain, [], dt=47 * HOUR)
    assert holder(chain, a)["dormant_in_ms"] == 0 and holder(chain, a)["dormant"] is True


def test_halving_instant_at_day_730_in_blocks() -> None:
    chain = make_chain(label="eco-halving", params={"dormancy_ms": 10_000 * 24 * HOUR})
    (a,) = chain.register_residents(1)
    ok(chain, [chain.sign(a, [CompleteTask(task_id="daily_checkin")])], dt=1_000)
    halving = 730 * 24 * HOUR
    ok(chain, [], dt=halving - HOUR - elapsed(chain))  # one hour before the halving
    supply = chain.app.query("emission/supply")
    assert supply["era"] == 0 and supply["rate_micro_per_second"] == 3_125_000
    before = supply["distributed_micro"] + supply["jackpot_filled_micro"]
    assert before == supply["emitted_micro"] == (halving - HOUR) // 1_000 * 3_125_000
    ok(chain, [], dt=HOUR)  # exactly the halving instant: it belongs to the new era
    supply = chain.app.query("emission/supply")
    assert supply["era"] == 1 and supply["rate_micro_per_second"] == 1_562_500
    assert supply["emitted_micro"] - before == 3_600 * 3_125_000
    ok(chain, [], dt=2 * HOUR)  # a block wholly in era 1 releases at half the rate
    released = chain.app.query("emission/supply")["emitted_micro"] - before
    assert released == 3_600 * 3_125_000 + 7_200 * 1_562_500
    assert chain.app.query("emission/supply")["distributed_micro"] + \
        chain.app.query("emission/supply")["jackpot_filled_micro"] == before + released
