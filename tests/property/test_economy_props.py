"""Random lives of residents: emission is conserved exactly and dormancy pays nothing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from planet.core.emission.messages import Collect
from planet.core.force.messages import CompleteTask, UpsertTask
from tests.chain import make_chain

HOUR = 3_600_000
N = 3

action = st.tuples(
    st.sampled_from(["checkin", "unit", "collect", "idle"]),
    st.integers(min_value=0, max_value=N - 1),
    st.sampled_from([1_000, 59_000, HOUR, 13 * HOUR, 47 * HOUR, 49 * HOUR, 8 * 24 * HOUR]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(action, min_size=1, max_size=25))
def test_emission_is_conserved_and_dormancy_pays_nothing(actions: list) -> None:
    chain = make_chain(label="eco-props")
    residents = chain.register_residents(N)
    chain.block([chain.sign(chain.operator, [UpsertTask(
        id="unit", title="One", category="t", force=1, duration_days=3, limit="unlimited",
        attester="resident", enabled=True)])])
    for kind, who, dt in actions:
        w = residents[who]
        msgs = {"checkin": [CompleteTask(task_id="daily_checkin")],
                "unit": [CompleteTask(task_id="unit")], "collect": [Collect()]}.get(kind)
        before = {r.address: _holder(chain, r.address) for r in residents}
        chain.block([chain.sign(w, msgs)] if msgs else [], dt=dt)
        supply = chain.app.query("emission/supply")
        holders = [_holder(chain, r.address) for r in residents]
        held = sum(h["balance_micro"] + h["pending_micro"] for h in holders if h)
        assert supply["emitted_micro"] <= supply["cap_micro"]
        gap = supply["emitted_micro"] - held - supply["carried_micro"] - supply["jackpot_micro"]
        assert 0 <= gap <= N, (gap, supply)  # only sub-µBD fractions are not yet claimable
        assert supply["collected_micro"] + supply["jackpot_paid_micro"] == \
            sum(h["balance_micro"] for h in holders if h)
        for r, h in zip(residents, holders, strict=True):
            old = before[r.address]
            if h is None:
                continue
            assert h["force"] >= 0 and h["force_in_pool"] in (0, h["force"])
            if old and old["dormant"] and h["dormant"]:  # stayed dormant through the block
                assert h["pending_micro"] == old["pending_micro"]
                assert h["force_in_pool"] == 0


def _holder(chain, address: str) -> dict | None:  # type: ignore[no-untyped-def]
    from planet.core.errors import NotFound

    try:
        return chain.app.query("emission/holder", {"address": address})  # type: ignore[no-any-return]
    except NotFound:
        return None
