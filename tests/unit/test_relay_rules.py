"""Diamonds stay where they were earned (issue 15, items 1-4), on the core alone: deposits
need the owner's consent, requests pay and open nothing before a whole cohort accepted,
what a resident receives from businesses is capped per local day, and the operator
suspends a business. Each refusal is checked by its code and its words."""

from __future__ import annotations

import os
from typing import Any

import pytest

from planet.core.emission.messages import Collect
from planet.core.errors import GenesisError
from planet.core.exchange.messages import (
    AcceptRequest,
    CreateOffer,
    CreateRequest,
    LiftSuspension,
    RedeemOffer,
    RevokeGrant,
    SuspendBusiness,
)
from planet.core.force.messages import AttestTasks, CompleteTask
from planet.core.params import Params
from planet.core.vault.messages import AddRecord, AllowDepositor, DepositRecord, RevokeDepositor
from planet.sdk.wallet import Wallet
from tests.chain import Chain, b64, balance, make_chain, now, ok, purse, q, random_digest, run

HOUR = 3_600_000
DAY = 24 * HOUR


def readable(chain: Chain, business: Wallet, digest: str) -> bool:
    try:
        q(chain, "exchange/read_check", address=business.address, digest=digest)
    except Exception:
        return False
    return True


def request(chain: Chain, **over: Any) -> CreateRequest:
    fields: dict[str, Any] = dict(categories=("travel",), period_start=0,
                                  period_end=now(chain) + DAY, purpose="Plan new routes",
                                  reward=100_000, residents=3, cohort=3,
                                  expires_at=now(chain) + DAY, access_ms=DAY)
    fields.update(over)
    return CreateRequest(**fields)


def accept(chain: Chain, w: Wallet, request_id: int, record: str) -> tuple[int, str]:
    return run(chain, w, AcceptRequest(request=request_id, records=(record,),
                                       keys=(b64(os.urandom(80)),)))


def world(params: dict[str, int], n: int = 4) -> tuple[Chain, list[Wallet], Wallet, list[str]]:
    """Residents with a travel record each, and a business with diamonds in its purse."""
    chain = make_chain(label="relay-rules", businesses=2, params=params)
    residents = chain.register_residents(n)
    shop = chain.businesses[0]
    for r in residents:
        ok(chain, r, CompleteTask(task_id="daily_checkin"))
    for r in residents:
        ok(chain, r, Collect(), dt=HOUR)
    ok(chain, shop, CreateOffer(item="Coffee", price=2_000_000, stock=50, starts_at=0,
                                ends_at=now(chain) + 30 * DAY, min_force=0, daily_limit=0))
    ok(chain, residents[0], RedeemOffer(offer=1))
    records = []
    for r in residents:
        records.append(random_digest())
        ok(chain, r, AddRecord(digest=records[-1], category="travel", time=0, size=10))
    return chain, residents, shop, records


def test_the_default_cap_is_a_day_of_emission_per_resident_at_the_reference_count() -> None:
    params = Params.production()
    assert params.compute_daily_cap() == params.resident_daily_cap_micro == 2_700_000
    assert params.min_cohort == 10


def test_a_deposit_needs_the_owners_live_consent_and_a_refusal_changes_nothing() -> None:
    chain = make_chain(label="consent", businesses=2)
    (alice,) = chain.register_residents(1)
    shop, rival = chain.businesses
    deposit = DepositRecord(owner=alice.address, digest=random_digest(), category="shopping", time=1,
                            size=10, task="shopping")
    before = dict(chain.items_without_meta())
    code, log = run(chain, shop, deposit)
    assert code == 607 and "has not allowed" in log and "vault/allow_depositor" in log
    changed = {k for k, v in chain.items_without_meta() if before.get(k) != v}
    assert all(k.startswith(("accounts/acct/", "emission/")) for k in changed), changed
    assert q(chain, "force/force", address=alice.address)["force"] == 0

    ok(chain, alice, AllowDepositor(business=shop.address))
    assert [a["business"] for a in q(chain, "vault/depositors", owner=alice.address)["items"]] \
        == [shop.address]
    code, log = run(chain, alice, AllowDepositor(business=shop.address))
    assert code == 608 and "already allow" in log
    code, log = run(chain, alice, AllowDepositor(business=alice.address))
    assert code == 204 and "not an approved business" in log
    ok(chain, shop, deposit)
    assert q(chain, "force/force", address=alice.address)["force"] == 3
    code, _ = run(chain, rival, DepositRecord(owner=alice.address, digest=random_digest(),
                                              category="shopping", time=1, size=10))
    assert code == 607  # consent names one business
    ok(chain, alice, RevokeDepositor(business=shop.address))
    code, _ = run(chain, shop, DepositRecord(owner=alice.address, digest=random_digest(),
                                             category="shopping", time=1, size=10))
    assert code == 607
    assert q(chain, "vault/depositors", owner=alice.address)["items"] == []
    code, log = run(chain, alice, RevokeDepositor(business=shop.address))
    assert code == 609 and "nothing to revoke" in log
    assert q(chain, "vault/records", owner=alice.address)["total"] == 1  # the first deposit stays


def test_nothing_is_paid_or_readable_before_the_cohort_completes_then_all_at_once() -> None:
    chain, (a, b, c, d), shop, records = world({"min_cohort": 3})
    code, log = run(chain, shop, request(chain, cohort=2, residents=2))
    assert code == 717 and "below the minimum cohort of 3" in log
    code, log = run(chain, shop, request(chain, residents=4))
    assert code == 717 and "not whole cohorts of 3" in log
    ok(chain, shop, request(chain))
    balances = [balance(chain, w) for w in (a, b, c)]
    for w, record in ((a, records[0]), (b, records[1])):
        assert accept(chain, w, 1, record)[0] == 0
    assert [balance(chain, w) for w in (a, b, c)] == balances
    assert not readable(chain, shop, records[0])
    with pytest.raises(Exception, match=r"waits for its cohort \(2 of 3"):
        q(chain, "exchange/read_check", address=shop.address, digest=records[0])
    described = q(chain, "exchange/request", id=1)
    assert (described["waiting"], described["accepted"], described["paid"]) == (2, 0, 0)
    assert q(chain, "exchange/grant", request=1, resident=a.address)["state"] == "waiting"

    ok(chain, b, RevokeGrant(request=1))  # withdrawn before it opened: the place is free again
    assert q(chain, "exchange/request", id=1)["places_left"] == 2
    assert accept(chain, c, 1, records[2])[0] == 0
    assert balance(chain, c) == balances[2]  # still 2 of 3
    assert accept(chain, d, 1, records[3])[0] == 0  # the third: all open and are paid at once
    assert balance(chain, a) == balances[0] + 100_000 and balance(chain, c) == balances[2] + 100_000
    assert balance(chain, b) == balances[1]
    assert readable(chain, shop, records[0]) and readable(chain, shop, records[3])
    assert not readable(chain, shop, records[1])
    assert q(chain, "exchange/request", id=1)["accepted"] == 3


def test_below_the_cohort_at_expiry_everything_is_refunded_and_nothing_opens() -> None:
    chain, (a, b, *_), shop, records = world({"min_cohort": 3})
    start = purse(chain, shop)
    ok(chain, shop, request(chain, residents=6, reward=50_000))
    assert purse(chain, shop) == start - 300_000
    before = balance(chain, a)
    accept(chain, a, 1, records[0])
    accept(chain, b, 1, records[1])
    chain.block([], dt=DAY)
    assert purse(chain, shop) == start
    assert q(chain, "exchange/request", id=1)["status"] == "expired"
    grant = q(chain, "exchange/grant", request=1, resident=a.address)
    assert grant["state"] == "lapsed" and not any(r["live"] for r in grant["records"])
    assert balance(chain, a) == before and not readable(chain, shop, records[0])


def test_the_daily_cap_refuses_in_local_days_and_a_cohort_drops_who_no_longer_fits() -> None:
    chain, (a, b, c, _d), shop, records = world({"min_cohort": 1,
                                                 "resident_daily_cap_micro": 250_000})
    code, log = run(chain, shop, request(chain, reward=250_001, cohort=1, residents=1))
    assert code == 716 and "more than a resident may receive" in log
    ok(chain, shop, request(chain, reward=200_000, cohort=2, residents=2),
       request(chain, reward=100_000, cohort=1, residents=3))
    assert accept(chain, a, 1, records[0])[0] == 0  # waits for b
    assert accept(chain, a, 2, records[0])[0] == 0  # paid at once: 150,000 left today
    assert q(chain, "exchange/received", resident=a.address)["left_micro"] == 150_000
    code, log = run(chain, c, AcceptRequest(request=2, records=(records[2],),
                                            keys=(b64(os.urandom(80)),)))
    assert code == 0
    before = balance(chain, a)
    result = chain.block([chain.sign(b, [AcceptRequest(request=1, records=(records[1],),
                                                        keys=(b64(os.urandom(80)),))])])
    assert result.tx_results[0].code == 0
    dropped = [e for e in result.tx_results[0].events if e.type == "exchange/acceptance_dropped"]
    assert [e.attributes["resident"] for e in dropped] == [a.address]
    assert "daily cap" in dropped[0].attributes["reason"]
    assert balance(chain, a) == before and balance(chain, b) > 0
    assert q(chain, "exchange/request", id=1)["waiting"] == 1  # b waits, a may come back
    assert not readable(chain, shop, records[1])
    code, log = accept(chain, a, 1, records[0])
    assert code == 715 and "150000 µBD more from businesses today" in log
    t = now(chain)
    day_ms = DAY - (t + 8 * HOUR) % DAY  # the next local midnight (UTC+8), not UTC's
    chain.block([], dt=day_ms)
    assert q(chain, "exchange/received", resident=a.address)["left_micro"] == 250_000
    assert accept(chain, a, 1, records[0])[0] == 0
    assert balance(chain, a) == before + 200_000 and readable(chain, shop, records[1])


def test_the_operator_suspends_a_business_and_lifts_it() -> None:
    chain, (a, b, *_), shop, records = world({"min_cohort": 1})
    ok(chain, a, AllowDepositor(business=shop.address))
    start = purse(chain, shop)
    ok(chain, shop, request(chain, reward=100_000, cohort=1, residents=3))
    assert accept(chain, a, 1, records[0])[0] == 0
    code, log = run(chain, a, SuspendBusiness(business=shop.address, reason="relaying"))
    assert code == 201 and "only the operator" in log
    ok(chain, chain.operator, SuspendBusiness(business=shop.address, reason="relaying diamonds"))
    assert purse(chain, shop) == start - 100_000  # the rest of the escrow came back
    assert q(chain, "exchange/request", id=1)["status"] == "closed"
    assert q(chain, "exchange/suspension", business=shop.address)["reason"] == "relaying diamonds"
    assert q(chain, "exchange/offer", id=1)["on_sale"] is False
    code, log = run(chain, chain.operator, SuspendBusiness(business=shop.address, reason="x"))
    assert code == 719
    t = now(chain)
    refused = [
        (shop, CreateOffer(item="Tea", price=1, stock=1, starts_at=0, ends_at=t + DAY,
                           min_force=0, daily_limit=0)),
        (shop, request(chain, cohort=1, residents=1)),
        (b, RedeemOffer(offer=1)),
        (shop, DepositRecord(owner=a.address, digest=random_digest(), category="travel", time=1,
                             size=1)),
        (shop, AttestTasks(task_id="shopping", residents=(a.address,))),
    ]
    for signer, msg in refused:
        code, log = run(chain, signer, msg)
        assert code == 718 and "suspended" in log, (msg, log)
    assert accept(chain, b, 1, records[1])[0] == 703
    ok(chain, chain.operator, LiftSuspension(business=shop.address))
    assert q(chain, "exchange/suspension", business=shop.address)["suspended"] is False
    code, _ = run(chain, chain.operator, LiftSuspension(business=shop.address))
    assert code == 720
    ok(chain, b, RedeemOffer(offer=1))
    ok(chain, shop, request(chain, cohort=1, residents=1))


@pytest.mark.parametrize("overrides", [{"min_cohort": 0}, {"min_cohort": 20, "max_cohort": 10},
                                       {"resident_daily_cap_micro": 0}])
def test_a_genesis_that_would_turn_the_cohort_or_the_cap_off_is_refused(
        overrides: dict[str, int]) -> None:
    with pytest.raises(GenesisError, match=r"min_cohort|resident_daily_cap_micro"):
        Params.production().with_overrides(overrides)
