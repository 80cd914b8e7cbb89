"""Operator governance of the task catalog; nobody can touch emission through it."""

from __future__ import annotations

import dataclasses

from planet.core.force.catalog import DEFAULT_CATALOG
from planet.core.force.messages import SetTaskEnabled, UpsertTask
from planet.core.transition import ROUTER
from tests.chain import make_chain


def tasks(chain) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {t["id"]: t for t in chain.app.query("force/tasks")}


def test_genesis_catalog_ships_sesame_credit_disabled() -> None:
    chain = make_chain(label="gov-genesis")
    catalog = tasks(chain)
    assert set(catalog) == {t["id"] for t in DEFAULT_CATALOG}
    assert catalog["sesame_credit"]["enabled"] is False
    assert catalog["sesame_credit"]["force"] == 30


def test_operator_enables_disables_and_adds_tasks() -> None:
    chain = make_chain(label="gov-op")
    enable = chain.sign(chain.operator, [SetTaskEnabled(task_id="sesame_credit", enabled=True)])
    assert chain.block([enable]).tx_results[0].ok
    assert tasks(chain)["sesame_credit"]["enabled"] is True
    new = UpsertTask(id="museum_visit", title="Visit a museum", category="travel", force=4,
                     duration_days=14, limit="daily:1", attester="business", enabled=True)
    assert chain.block([chain.sign(chain.operator, [new])]).tx_results[0].ok
    assert tasks(chain)["museum_visit"]["force"] == 4
    changed = dataclasses.replace(new, force=6)
    assert chain.block([chain.sign(chain.operator, [changed])]).tx_results[0].ok
    assert tasks(chain)["museum_visit"]["force"] == 6


def test_non_operator_and_unknown_tasks_are_refused_without_effect() -> None:
    chain = make_chain(label="gov-refuse")
    before = tasks(chain)
    by_verifier = chain.sign(chain.verifier, [SetTaskEnabled(task_id="checkin", enabled=False)])
    result, _ = chain.app.check_tx(by_verifier)
    assert result.code == 201 and "operator" in result.log
    unknown = chain.sign(chain.operator, [SetTaskEnabled(task_id="no_such_task", enabled=True)])
    result, _ = chain.app.check_tx(unknown)
    assert result.code == 401 and "no_such_task" in result.log
    assert tasks(chain) == before


def test_bad_task_definitions_are_refused_with_the_field_named() -> None:
    chain = make_chain(label="gov-bad")
    base = {"type": "force/upsert_task", "id": "x_task", "title": "X", "category": "c",
            "force": 1, "duration_days": 0, "limit": "once", "attester": "resident",
            "enabled": True}
    for field, bad, needle in [("attester", "anyone", "attester"), ("limit", "weekly", "limit"),
                               ("id", "Bad Id", ".id"), ("force", -1, "force")]:
        raw = chain.sign(chain.operator, [{**base, field: bad}])
        result, _ = chain.app.check_tx(raw)
        assert result.code == 111 and needle in result.log, (field, result.log)


def test_no_message_can_change_emission() -> None:
    """Emission is fixed at genesis: the only emission message is collect, and no message
    carries a parameter's name."""
    import dataclasses as dc

    from planet.core.params import Params

    assert [t for t in ROUTER.routes if t.startswith("emission/")] == ["emission/collect"]
    param_names = {f.name for f in dc.fields(Params)}
    for cls, _handler in ROUTER.routes.values():
        assert not {f.name for f in dc.fields(cls)} & param_names, cls.TYPE
