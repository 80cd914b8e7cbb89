"""`planet bench economy` at toy sizes: the JSON shape, and a state that really holds the
residents (no timing assertions: those belong to the real run)."""

from __future__ import annotations

from planet.bench import economy
from planet.core.accounts.rules import get_account
from planet.core.accounts.state import RESIDENT, kind_index_key
from planet.core.app import Application
from planet.core.emission.rules import get_holder, get_pool
from planet.core.force.grants import get_force
from planet.core.state import CommittedState

RESULT_KEYS = {"residents", "setup_s", "state_keys", "empty_block_ms_median",
               "block_200tx_ms_median", "collect_us_median", "check"}


def test_run_economy_bench_json_shape() -> None:
    out = economy.run_economy_bench([200, 50], progress=False, warmup_blocks=1,
                                    empty_blocks=3, tx_blocks=2, txs_per_block=10)
    assert out["benchmark"] == "economy"
    assert out["sizes"] == [50, 200]
    assert {"cores", "cpu", "python"} <= set(out["machine"])
    assert out["target_ratio"] == 1.5
    assert set(out["ratio_largest_smallest"]) >= {"empty_block", "block_200tx", "collect"}
    assert out["baseline"]["empty_block_ms_median_at_smallest"] > 0
    assert out["peak_rss_mb"] > 0
    for n, result in zip((50, 200), out["results"], strict=True):
        assert set(result) >= RESULT_KEYS
        assert result["residents"] == n
        assert result["state_keys"] > 10 * n
        check = result["check"]
        assert check["residents"] == check["holders"] == n
        assert check["dormant"] == 0
        assert check["active_force"] == check["force_sum"] > 0
        assert check["verified_root"] is True
        assert result["first_time_event_after_last_block_s"] > 0


def test_populated_state_holds_residents_with_force_in_the_pool() -> None:
    n = 120
    actors = economy.make_actors(10)
    genesis = economy.make_genesis(actors)
    app = Application(genesis, CommittedState())
    app.init_chain()
    app.commit()
    layer = economy.populate(app.state, genesis, actors, n)
    applied = CommittedState(app.state.items())
    applied.apply(dict(layer.writes))
    state = economy.load_committed(app.state, layer)
    assert state.root() == applied.root()
    assert list(state.items()) == list(applied.items())

    residents = [k.rsplit("/", 1)[1] for k in state.iter_keys(kind_index_key(RESIDENT, ""))]
    assert len(residents) == n
    verified = sum(1 for i in range(n) if i % economy.VERIFIED_EVERY == 1)
    forces = [get_force(state, r) for r in residents]
    assert sum(forces) == 2 * n + 20 * verified  # a check-in each, identity for some
    assert get_pool(state).total_force == sum(forces)
    for r in residents:
        holder = get_holder(state, r)
        assert holder is not None and not holder.dormant
    for w in actors.residents:
        account = get_account(state, w.address)
        assert account is not None and account.sequence == 2

    # The pre-signed transactions apply on this state, block after block.
    app = Application(genesis, state)
    plan = economy.make_plan(actors, 2, 10)
    for txs in plan.mixed + plan.collects:
        economy.run_block(app, list(txs))
    assert app.state.root() == CommittedState(app.state.items()).root()
