"""Attested tasks: businesses in batches within a daily quota, verifiers for face and
Sesame Credit, and who may attest what."""

from __future__ import annotations

import pytest

from planet.core.force.messages import AttestTasks, SetBusinessQuota, SetTaskEnabled
from planet.core.force.rules import INVITE_TASK
from tests.chain import Chain, force, make_chain, run

DAY = 86_400_000


@pytest.fixture
def chain() -> Chain:
    return make_chain(label="attest", businesses=2)


def test_business_batch_grants_each_resident(chain: Chain) -> None:
    a, b = chain.register_residents(2)
    shop = chain.businesses[0]
    code, log = run(chain, shop, AttestTasks(task_id="shopping", residents=(a.address, b.address,
                                                                             a.address)))
    assert code == 0, log
    assert force(chain, a) == 6 and force(chain, b) == 3
    quota = chain.app.query("force/quota", {"address": shop.address})
    assert quota["left_today"] == chain.params.business_daily_force_quota - 9


def test_batch_past_the_daily_quota_is_refused_whole_and_resets_next_day(chain: Chain) -> None:
    a, b = chain.register_residents(2)
    shop = chain.businesses[0]
    assert run(chain, chain.operator, SetBusinessQuota(business=shop.address, daily_force=5))[0] == 0
    before = chain.snapshot()[1]
    code, log = run(chain, shop, AttestTasks(task_id="shopping", residents=(a.address, b.address)))
    assert code == 413 and "6 Force" in log and "5" in log
    assert force(chain, a) == 0 and force(chain, b) == 0
    assert [kv for kv in chain.snapshot()[1] if kv[0].startswith("force/")] == \
        [kv for kv in before if kv[0].startswith("force/")]
    assert run(chain, shop, AttestTasks(task_id="shopping", residents=(a.address,)))[0] == 0
    assert run(chain, shop, AttestTasks(task_id="browsing", residents=(b.address,) * 2))[0] == 0
    assert run(chain, shop, AttestTasks(task_id="browsing", residents=(b.address,)))[0] == 413
    assert run(chain, shop, AttestTasks(task_id="browsing", residents=(b.address,)), dt=DAY)[0] == 0


def test_one_bad_entry_refuses_the_batch_and_names_it(chain: Chain) -> None:
    (a,) = chain.register_residents(1)
    shop = chain.businesses[0]
    code, log = run(chain, shop, AttestTasks(task_id="shopping",
                                             residents=(a.address, shop.address)))
    assert code == 203 and log.startswith("residents[1]")
    assert force(chain, a) == 0
    code, log = run(chain, shop, AttestTasks(task_id="shopping", residents=(a.address,) * 4))
    assert code == 410 and log.startswith("residents[3]")  # shopping is daily:3
    assert force(chain, a) == 0


def test_who_may_attest(chain: Chain) -> None:
    (a,) = chain.register_residents(1)
    shop = chain.businesses[0]
    assert run(chain, a, AttestTasks(task_id="shopping", residents=(a.address,)))[0] == 204
    assert run(chain, shop, AttestTasks(task_id="face_verification", residents=(a.address,)))[0] == 202
    assert run(chain, chain.verifier, AttestTasks(task_id="daily_checkin",
                                                  residents=(a.address,)))[0] == 200
    assert run(chain, chain.verifier, AttestTasks(task_id=INVITE_TASK,
                                                  residents=(a.address,)))[0] == 414
    assert run(chain, chain.verifier, AttestTasks(task_id="nope", residents=(a.address,)))[0] == 401
    assert force(chain, a) == 0


def test_face_verification_once_and_sesame_credit_disabled_until_enabled(chain: Chain) -> None:
    (a,) = chain.register_residents(1)
    v = chain.verifier
    assert run(chain, v, AttestTasks(task_id="face_verification", residents=(a.address,)))[0] == 0
    assert run(chain, v, AttestTasks(task_id="face_verification", residents=(a.address,)))[0] == 410
    assert run(chain, v, AttestTasks(task_id="sesame_credit", residents=(a.address,)))[0] == 412
    assert run(chain, chain.operator, SetTaskEnabled(task_id="sesame_credit", enabled=True))[0] == 0
    assert run(chain, v, AttestTasks(task_id="sesame_credit", residents=(a.address,)))[0] == 0
    assert force(chain, a) == 10 + 30


def test_named_business_task_only_by_that_business(chain: Chain) -> None:
    from planet.core.force.messages import UpsertTask
    (a,) = chain.register_residents(1)
    one, two = chain.businesses
    assert run(chain, chain.operator, UpsertTask(
        id="one_only", title="Only business one", category="shopping", force=2, duration_days=0,
        limit="unlimited", attester=f"business:{one.address}", enabled=True))[0] == 0
    assert run(chain, two, AttestTasks(task_id="one_only", residents=(a.address,)))[0] == 204
    assert run(chain, one, AttestTasks(task_id="one_only", residents=(a.address,)))[0] == 0


def test_quota_only_for_businesses_set_by_the_operator(chain: Chain) -> None:
    shop = chain.businesses[0]
    (a,) = chain.register_residents(1)
    assert run(chain, shop, SetBusinessQuota(business=shop.address, daily_force=10**6))[0] == 201
    assert run(chain, chain.operator, SetBusinessQuota(business=a.address, daily_force=1))[0] == 204
