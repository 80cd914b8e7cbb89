"""The vault's commitments and the exchange: offers, escrowed requests, grants, revocation,
erasure, and the refusals each rule gives, on the core alone."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planet.core.emission.messages import Collect
from planet.core.exchange.messages import (
    AcceptRequest,
    CloseRequest,
    CreateOffer,
    CreateRequest,
    FulfilRedemption,
    RedeemOffer,
    RefundRedemption,
    RevokeGrant,
    largest_cohort,
)
from planet.core.force.messages import CompleteTask
from planet.core.vault.messages import AddRecord, AllowDepositor, DepositRecord, EraseRecord
from planet.sdk.wallet import Wallet
from tests.chain import Chain, b64, balance, make_chain, now, ok, purse, q, random_digest, run

HOUR = 3_600_000
DAY = 24 * HOUR


def sealed_key() -> str:
    return b64(os.urandom(80))


def books(chain: Chain) -> int:
    """Every collected or won diamond is in a balance, a purse or an escrow."""
    supply = q(chain, "emission/supply")
    held = q(chain, "exchange/books")
    balances = sum(balance(chain, a["address"])
                   for a in q(chain, "accounts/accounts", kind="resident"))
    return balances + held["purses_micro"] + held["escrow_micro"] - (
        supply["collected_micro"] + supply["jackpot_paid_micro"])


@pytest.fixture
def world() -> tuple[Chain, list[Wallet], Wallet]:
    """Three residents with diamonds, and a business that sold one of them an item."""
    chain = make_chain(label="exchange", businesses=2, params={"min_cohort": 1})
    residents = chain.register_residents(3)
    for r in residents:
        ok(chain, r, CompleteTask(task_id="daily_checkin"))
    for r in residents:
        ok(chain, r, Collect(), dt=HOUR)
    shop = chain.businesses[0]
    ok(chain, shop, CreateOffer(item="Coffee", price=1_000_000, stock=10, starts_at=0,
                                ends_at=now(chain) + DAY, min_force=0, daily_limit=0))
    ok(chain, residents[0], RedeemOffer(offer=1))
    return chain, residents, shop


def request_msg(chain: Chain, **over: Any) -> CreateRequest:
    fields: dict[str, Any] = dict(categories=("travel", "shopping"), period_start=0,
                                  period_end=now(chain) + DAY, purpose="Plan new routes",
                                  reward=100_000, residents=2, cohort=1,
                                  expires_at=now(chain) + DAY, access_ms=DAY)
    fields.update(over)
    return CreateRequest(**fields)


def test_redeem_moves_diamonds_resident_to_business_and_books_balance(world: Any) -> None:
    chain, (alice, bob, _carol), shop = world
    assert purse(chain, shop) == 1_000_000
    assert books(chain) == 0
    redemptions = q(chain, "exchange/redemptions", address=shop.address, pending="true")
    assert [r["resident"] for r in redemptions["items"]] == [alice.address]
    before = balance(chain, bob)
    ok(chain, bob, RedeemOffer(offer=1))
    assert balance(chain, bob) == before - 1_000_000 and purse(chain, shop) == 2_000_000
    voucher = b64(os.urandom(60))
    ok(chain, shop, FulfilRedemption(redemption=1, voucher=voucher))
    ok(chain, shop, RefundRedemption(redemption=2))
    assert balance(chain, bob) == before and purse(chain, shop) == 1_000_000
    assert q(chain, "exchange/offer", id=1)["sold"] == 1
    code, log = run(chain, shop, FulfilRedemption(redemption=1, voucher=voucher))
    assert code == 714 and "already fulfilled" in log
    assert books(chain) == 0


def test_offer_refusals_say_why(world: Any) -> None:
    chain, (alice, bob, carol), shop = world
    t = now(chain)
    ok(chain, shop, CreateOffer(item="Later", price=1, stock=5, starts_at=t + HOUR,
                                ends_at=t + DAY, min_force=0, daily_limit=0))
    ok(chain, shop, CreateOffer(item="One", price=1, stock=1, starts_at=0, ends_at=t + DAY,
                                min_force=0, daily_limit=0))
    ok(chain, shop, CreateOffer(item="Gated", price=1, stock=9, starts_at=0, ends_at=t + DAY,
                                min_force=1_000, daily_limit=0))
    ok(chain, shop, CreateOffer(item="Daily", price=1, stock=9, starts_at=0, ends_at=t + 3 * DAY,
                                min_force=0, daily_limit=1))
    ok(chain, shop, CreateOffer(item="Dear", price=10**12, stock=9, starts_at=0,
                                ends_at=t + DAY, min_force=0, daily_limit=0))
    ok(chain, alice, RedeemOffer(offer=3))
    ok(chain, alice, RedeemOffer(offer=5))
    cases = [(bob, 2, 709, "has not started"), (bob, 3, 710, "sold out"),
             (bob, 4, 711, "needs 1000 Force"), (alice, 5, 712, "a day"),
             (bob, 6, 701, "costs 1000000000000"), (bob, 99, 708, "no offer 99")]
    for who, offer, code, text in cases:
        got, log = run(chain, who, RedeemOffer(offer=offer))
        assert (got, text in log) == (code, True), log
    ok(chain, alice, RedeemOffer(offer=5), dt=DAY)  # a new local day: the limit resets
    got, log = run(chain, carol, RedeemOffer(offer=2), dt=DAY)
    assert got == 709 and "ended" in log
    code, log = run(chain, alice, CreateOffer(item="x", price=1, stock=1, starts_at=0,
                                              ends_at=now(chain) + DAY, min_force=0,
                                              daily_limit=0))
    assert code == 204


def test_request_escrow_grant_read_revoke_erase_and_expiry(world: Any) -> None:
    chain, (alice, bob, carol), shop = world
    escrow_before = purse(chain, shop)
    ok(chain, shop, request_msg(chain))
    assert purse(chain, shop) == escrow_before - 200_000
    assert books(chain) == 0
    trip, shoes, diary = random_digest(), random_digest(), random_digest()
    ok(chain, alice, AddRecord(digest=trip, category="travel", time=now(chain) - HOUR, size=100),
       AddRecord(digest=diary, category="health", time=now(chain), size=100),
       AllowDepositor(business=shop.address))
    ok(chain, shop, DepositRecord(owner=alice.address, digest=shoes, category="shopping",
                                  time=now(chain), size=50, task="shopping"))
    eligible = q(chain, "exchange/eligible", request=1, owner=alice.address)
    assert {r["digest"] for r in eligible["records"]} == {trip, shoes}

    code, log = run(chain, alice, AcceptRequest(request=1, records=(trip, diary),
                                                keys=(sealed_key(), sealed_key())))
    assert code == 705 and "records[1]" in log and "health" in log
    before = balance(chain, alice)
    ok(chain, alice, AcceptRequest(request=1, records=(trip, shoes),
                                   keys=(sealed_key(), sealed_key())))
    assert balance(chain, alice) == before + 100_000
    assert q(chain, "exchange/request", id=1)["escrow"] == 100_000
    assert q(chain, "exchange/read_check", address=shop.address, digest=trip)["owner"] == \
        alice.address
    with pytest.raises(Exception, match="no active grant"):
        q(chain, "exchange/read_check", address=chain.businesses[1].address, digest=trip)
    code, _ = run(chain, alice, AcceptRequest(request=1, records=(trip,), keys=(sealed_key(),)))
    assert code == 704

    ok(chain, alice, EraseRecord(digest=shoes))
    grant = q(chain, "exchange/grant", request=1, resident=alice.address)
    assert [r["live"] for r in grant["records"]] == [True, False]
    with pytest.raises(Exception, match="erased"):
        q(chain, "exchange/read_check", address=shop.address, digest=shoes)
    code, log = run(chain, bob, EraseRecord(digest=trip))
    assert code == 604
    ok(chain, alice, RevokeGrant(request=1))
    with pytest.raises(Exception, match="was revoked at"):
        q(chain, "exchange/read_check", address=shop.address, digest=trip)
    assert q(chain, "exchange/read_check", address=alice.address, digest=trip)

    bob_trip = random_digest()
    ok(chain, bob, AddRecord(digest=bob_trip, category="travel", time=0, size=10))
    ok(chain, bob, AcceptRequest(request=1, records=(bob_trip,), keys=(sealed_key(),)))
    code, log = run(chain, carol, AcceptRequest(request=1, records=(random_digest(),),
                                                keys=(sealed_key(),)))
    assert code == 703 and "all 2 residents" in log
    before_expiry = purse(chain, shop)
    ok(chain, shop, request_msg(chain, residents=5))
    chain.block([], dt=DAY)
    assert purse(chain, shop) == before_expiry  # the second request's whole budget came back
    assert q(chain, "exchange/request", id=2)["status"] == "expired"
    assert books(chain) == 0


def test_business_closes_a_request_and_gets_the_rest_back(world: Any) -> None:
    chain, (alice, *_), shop = world
    start = purse(chain, shop)
    ok(chain, shop, request_msg(chain, reward=50_000, residents=10))
    record = random_digest()
    ok(chain, alice, AddRecord(digest=record, category="travel", time=0, size=1))
    ok(chain, alice, AcceptRequest(request=1, records=(record,), keys=(sealed_key(),)))
    ok(chain, shop, CloseRequest(request=1))
    assert purse(chain, shop) == start - 50_000
    code, log = run(chain, chain.businesses[1], CloseRequest(request=1))
    assert code == 200
    code, log = run(chain, shop, CloseRequest(request=1))
    assert code == 703 and "closed" in log


def test_budget_beyond_the_purse_is_refused_and_nothing_moves(world: Any) -> None:
    chain, _residents, shop = world
    snapshot = chain.items_without_meta()
    code, log = run(chain, shop, request_msg(chain, reward=2_000_000, residents=1_000))
    assert code == 701 and "needs 2000000000" in log
    after = dict(chain.items_without_meta())
    changed = {k for k, v in after.items() if dict(snapshot).get(k) != v}
    assert all(k.startswith(("accounts/acct/", "emission/")) for k in changed), changed


def test_vault_records_are_unique_owned_and_erased_once() -> None:
    chain = make_chain(label="vault", businesses=1)
    (alice, bob) = chain.register_residents(2)
    d = random_digest()
    ok(chain, alice, AddRecord(digest=d, category="travel", time=1, size=10))
    code, _ = run(chain, bob, AddRecord(digest=d, category="travel", time=1, size=10))
    assert code == 601
    code, _ = run(chain, chain.businesses[0], AddRecord(digest=random_digest(), category="travel",
                                                          time=1, size=10))
    assert code == 203
    code, _ = run(chain, alice, DepositRecord(owner=bob.address, digest=random_digest(),
                                                category="travel", time=1, size=10))
    assert code == 204
    code, log = run(chain, chain.businesses[0], DepositRecord(owner=bob.address, digest=random_digest(),
                                                              category="travel", time=1, size=10))
    assert code == 607 and "has not allowed" in log
    ok(chain, alice, EraseRecord(digest=d))
    code, _ = run(chain, alice, EraseRecord(digest=d))
    assert code == 603
    code, _ = run(chain, alice, AddRecord(digest=d, category="travel", time=1, size=10))
    assert code == 601  # the tombstone keeps the digest
    records = q(chain, "vault/records", owner=alice.address, erased="true")["records"]
    assert records[0]["erased_at"] > 0
    assert q(chain, "vault/records", owner=alice.address)["total"] == 0
    with pytest.raises(Exception, match="erased"):
        q(chain, "vault/upload_check", address=alice.address, digest=d, size=10)


def test_deposit_with_a_task_earns_force_within_the_quota() -> None:
    chain = make_chain(label="deposit", businesses=1, params={"business_daily_force_quota": 3})
    (alice,) = chain.register_residents(1)
    shop = chain.businesses[0]
    ok(chain, alice, AllowDepositor(business=shop.address))
    ok(chain, shop, DepositRecord(owner=alice.address, digest=random_digest(), category="shopping",
                                  time=1, size=10, task="shopping"))
    assert q(chain, "force/force", address=alice.address)["force"] == 3
    code, log = run(chain, shop, DepositRecord(owner=alice.address, digest=random_digest(),
                                               category="shopping", time=1, size=10,
                                               task="shopping"))
    assert code == 413 and "daily quota" in log
    assert q(chain, "vault/records", owner=alice.address)["total"] == 1  # all or nothing


def test_message_formats_are_checked() -> None:
    chain = make_chain(label="formats", businesses=1)
    shop = chain.businesses[0]
    bad = [
        ({"type": "exchange/accept_request", "request": 1, "records": [random_digest()],
          "keys": ["AAAA"]}, "keys[0]: expected 80 bytes"),
        ({"type": "exchange/accept_request", "request": 1, "records": [random_digest()], "keys": []},
         "one sealed key per record"),
        ({"type": "vault/add_record", "digest": "AB" * 32, "category": "travel", "time": 1,
          "size": 1}, "digest: expected 64 lower-case hex"),
        ({"type": "vault/add_record", "digest": random_digest(), "category": "gossip", "time": 1,
          "size": 1}, "'gossip' is not a category"),
        ({"type": "vault/add_record", "digest": random_digest(), "category": "travel", "time": 1,
          "size": 10**9}, "size: 1 to"),
        ({"type": "exchange/create_request", "categories": [], "period_start": 0,
          "period_end": 1, "purpose": "x", "reward": 1, "residents": 1, "cohort": 1,
          "expires_at": 1, "access_ms": 1}, "categories: at least one"),
        ({"type": "exchange/create_offer", "item": "x", "price": 1, "stock": 1,
          "starts_at": 5, "ends_at": 5, "min_force": 0, "daily_limit": 0},
         "ends_at: must be after starts_at"),
        ({"type": "exchange/fulfil", "redemption": 1, "voucher": b64(b"short")},
         "not an HPKE-sealed voucher"),
        ({"type": "exchange/redeem", "offer": 0}, "ids start at 1"),
    ]
    for msg, text in bad:
        result = chain.block([chain.sign(shop, [msg])]).tx_results[0]
        assert result.code == 111 and text in result.log, (msg, result.log)


@given(st.integers(1, 5_000), st.integers(0, 50), st.integers(1, 1_000))
def test_the_default_cohort_is_the_largest_whole_cohort_within_the_bounds(
        residents: int, low: int, high: int) -> None:
    cohort = largest_cohort(residents, low, high)
    fits = [c for c in range(max(1, low), min(residents, high) + 1) if residents % c == 0]
    assert cohort == (max(fits) if fits else None)
