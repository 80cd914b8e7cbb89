"""Offers edited, paused, resumed and stopped by their business (issue 17, item 4), on the
core alone: only the fields given change, a redemption already made keeps its terms, and
each refusal has its own code."""

from __future__ import annotations

import os
from typing import Any

import pytest

from planet.core.emission.messages import Collect
from planet.core.exchange.messages import (
    CreateOffer,
    FulfilRedemption,
    PauseOffer,
    RedeemOffer,
    RefundRedemption,
    ResumeOffer,
    StopOffer,
    SuspendBusiness,
    UpdateOffer,
)
from planet.core.force.messages import CompleteTask
from planet.core.params import Params
from planet.sdk.wallet import Wallet
from tests.chain import Chain, b64, balance, make_chain, now, ok, purse, q, run

HOUR = 3_600_000
DAY = 24 * HOUR
BD = 1_000_000


@pytest.fixture
def shop_world() -> tuple[Chain, list[Wallet], Wallet, Wallet]:
    """Two residents with diamonds, two businesses; the first lists offer 1 (10 coffees at
    1 BD, a day long) and alice redeemed one."""
    chain = make_chain(label="offer-updates", businesses=2)
    residents = chain.register_residents(2)
    for r in residents:
        ok(chain, r, CompleteTask(task_id="daily_checkin"))
    for r in residents:
        ok(chain, r, Collect(), dt=HOUR)
    shop, other = chain.businesses
    ok(chain, shop, CreateOffer(item="Coffee", price=BD, stock=10, starts_at=0,
                                ends_at=now(chain) + DAY, min_force=0, daily_limit=0))
    ok(chain, residents[0], RedeemOffer(offer=1))
    return chain, residents, shop, other


def offer(chain: Chain, offer_id: int = 1) -> dict[str, Any]:
    return q(chain, "exchange/offer", id=offer_id)  # type: ignore[no-any-return]


def test_only_the_fields_given_change_and_a_made_redemption_keeps_its_price(
        shop_world: Any) -> None:
    chain, (alice, bob), shop, _other = shop_world
    before = offer(chain)
    ok(chain, shop, UpdateOffer(offer=1, price=2 * BD))
    after = offer(chain)
    assert after["price"] == 2 * BD and after["changed_at"] == now(chain)
    assert {k: v for k, v in after.items() if k not in ("price", "changed_at")} == \
        {k: v for k, v in before.items() if k not in ("price", "changed_at")}
    ok(chain, shop, UpdateOffer(offer=1, stock=4, min_force=0, daily_limit=1,
                                ends_at=now(chain) + 2 * DAY))
    after = offer(chain)
    assert (after["stock"], after["daily_limit"], after["price"], after["left"]) == (4, 1, 2 * BD, 3)
    assert after["ends_at"] == now(chain) - 1_000 + 2 * DAY
    # Alice's redemption was made at 1 BD: refunding it returns 1 BD, not the new price.
    paid = balance(chain, alice)
    ok(chain, shop, RefundRedemption(redemption=1))
    assert balance(chain, alice) == paid + BD
    spent = balance(chain, bob)
    ok(chain, bob, RedeemOffer(offer=1))
    assert balance(chain, bob) == spent - 2 * BD
    assert q(chain, "exchange/redemption", id=2)["price"] == 2 * BD
    code, log = run(chain, bob, RedeemOffer(offer=1))
    assert code == 712 and "a day" in log  # the daily limit given above


def test_update_refusals_each_have_their_own_code(shop_world: Any) -> None:
    chain, (alice, bob), shop, other = shop_world
    ok(chain, bob, RedeemOffer(offer=1))
    t = now(chain)
    max_open = chain.params.exchange_max_open_ms
    cases: list[tuple[Wallet, Any, int, str]] = [
        (other, UpdateOffer(offer=1, price=1), 721, "belongs to"),
        (alice, UpdateOffer(offer=1, price=1), 204, ""),  # not a business
        (shop, UpdateOffer(offer=99, price=1), 708, "no offer 99"),
        (shop, UpdateOffer(offer=1, stock=1), 725, "has 2 redeemed"),
        (shop, UpdateOffer(offer=1, starts_at=t + 2 * DAY), 726, "not after it starts"),
        (shop, UpdateOffer(offer=1, ends_at=t - HOUR), 726, "after the block time"),
        (shop, UpdateOffer(offer=1, ends_at=t + max_open + DAY), 726, "within"),
        (shop, UpdateOffer(offer=1, starts_at=t, ends_at=t), 726, "after starts_at"),
        (shop, UpdateOffer(offer=1), 727, "at least one field"),
        (shop, UpdateOffer(offer=1, stock=0), 111, "at least 1"),
    ]
    for who, msg, code, text in cases:
        got, log = run(chain, who, msg)
        assert got == code and text in log, (msg, got, log)
    ok(chain, shop, UpdateOffer(offer=1, stock=2))  # exactly what is redeemed: sold out
    assert offer(chain)["status"] == "sold_out"
    code, log = run(chain, alice, RedeemOffer(offer=1))
    assert code == 710


def test_the_wire_form_of_an_update_names_only_its_changes() -> None:
    msg = UpdateOffer(offer=3, stock=7, daily_limit=0)
    assert msg.to_json() == {"type": "exchange/update_offer", "offer": 3, "stock": 7,
                             "daily_limit": 0}
    assert UpdateOffer.parse(msg.to_json(), Params()) == msg
    with pytest.raises(Exception, match="between 0 and"):
        UpdateOffer.parse({"type": "exchange/update_offer", "offer": 3, "price": -1}, Params())


def test_pause_resume_and_stop(shop_world: Any) -> None:
    chain, (_alice, bob), shop, other = shop_world
    assert offer(chain)["status"] == "on_sale"
    code, log = run(chain, shop, ResumeOffer(offer=1))
    assert code == 724
    code, log = run(chain, other, PauseOffer(offer=1))
    assert code == 721
    ok(chain, shop, PauseOffer(offer=1))
    assert (offer(chain)["status"], offer(chain)["on_sale"]) == ("paused", False)
    assert [o["id"] for o in q(chain, "exchange/offers", on_sale="true")["items"]] == []
    code, log = run(chain, bob, RedeemOffer(offer=1))
    assert code == 722 and "paused" in log
    code, log = run(chain, shop, PauseOffer(offer=1))
    assert code == 722 and "already paused" in log
    ok(chain, shop, UpdateOffer(offer=1, price=3 * BD))  # a paused offer may be edited
    ok(chain, shop, ResumeOffer(offer=1))
    assert offer(chain)["status"] == "on_sale"
    ok(chain, bob, RedeemOffer(offer=1))
    # Stopped: final. The two pending redemptions are still settled, one each way.
    ok(chain, shop, StopOffer(offer=1))
    assert offer(chain)["status"] == "stopped"
    for who, msg in [(bob, RedeemOffer(offer=1)), (shop, PauseOffer(offer=1)),
                     (shop, ResumeOffer(offer=1)), (shop, StopOffer(offer=1)),
                     (shop, UpdateOffer(offer=1, price=1))]:
        code, log = run(chain, who, msg)
        assert code == 723 and "stopped" in log, (msg, log)
    held = purse(chain, shop)
    ok(chain, shop, FulfilRedemption(redemption=1, voucher=b64(os.urandom(60))))
    ok(chain, shop, RefundRedemption(redemption=2))
    assert purse(chain, shop) == held - 3 * BD
    assert offer(chain)["sold"] == 1
    events = [e.type for r in chain.results[-12:] for t in r.tx_results for e in t.events]
    assert "exchange/offer_stopped" in events


def test_a_suspended_business_cannot_change_its_offers(shop_world: Any) -> None:
    chain, _residents, shop, _other = shop_world
    ok(chain, chain.operator, SuspendBusiness(business=shop.address, reason="relay report"))
    assert offer(chain)["status"] == "suspended"
    for msg in (UpdateOffer(offer=1, price=1), PauseOffer(offer=1), StopOffer(offer=1)):
        code, log = run(chain, shop, msg)
        assert code == 718 and "suspended" in log, (msg, log)


def test_a_free_offer_is_redeemed_by_a_resident_who_never_held_a_diamond() -> None:
    """A price of 0 moves nothing: it used to trip an assertion (code 199) for a resident
    with no balance yet."""
    chain = make_chain(label="free-offer", businesses=1)
    (newcomer,) = chain.register_residents(1)
    ok(chain, chain.businesses[0], CreateOffer(item="Sample", price=0, stock=1, starts_at=0,
                                               ends_at=now(chain) + DAY, min_force=0,
                                               daily_limit=0))
    ok(chain, newcomer, RedeemOffer(offer=1))
    assert balance(chain, newcomer) == 0 and offer(chain)["sold"] == 1
