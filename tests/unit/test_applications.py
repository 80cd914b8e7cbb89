"""Business applications on the core alone (issue 17, item 1): a new key applies without an
account, the operator approves (registering the business by the one registration rule) or
declines with a reason, the applicant may withdraw; each refusal has its own code."""

from __future__ import annotations

from typing import Any

from planet.core.accounts.messages import RegisterBusiness
from planet.core.applications.messages import (
    ApplyBusiness,
    ApproveApplication,
    DeclineApplication,
    WithdrawApplication,
)
from planet.core.exchange.messages import CreateOffer
from planet.core.force.messages import SetBusinessQuota
from planet.sdk.wallet import Wallet
from tests.chain import Chain, b64, make_chain, now, ok, q, run, wallet

DAY = 24 * 3_600_000


def apply_msg(w: Wallet, **over: Any) -> ApplyBusiness:
    fields: dict[str, Any] = dict(name="Noodle House", contact="+86 21 5555 0101",
                                  offers="Hand-pulled noodles; 10% off for verified residents",
                                  encryption_key=b64(w.encryption_public_key))
    fields.update(over)
    return ApplyBusiness(**fields)


def applied(chain: Chain, w: Wallet, **over: Any) -> int:
    ok(chain, w, apply_msg(w, **over))
    return int(q(chain, "applications/of", address=w.address)["application"]["id"])


def test_a_new_key_applies_and_the_operator_approves_with_a_quota_in_the_same_tx() -> None:
    chain = make_chain(label="apps-approve")
    shop = wallet("apps-approve/shop")
    assert chain.account(shop.address) is None
    app_id = applied(chain, shop)
    status = q(chain, "applications/application", id=app_id)
    assert status["status"] == "pending" and status["applicant"] == shop.address
    assert status["public_key"] == b64(shop.public_key) and status["name"] == "Noodle House"
    queue = q(chain, "applications/pending")
    assert queue["pending"] == 1 and [a["id"] for a in queue["items"]] == [app_id]
    assert q(chain, "accounts/sequence", address=shop.address)["sequence"] == 1

    ok(chain, chain.operator, ApproveApplication(application=app_id),
       SetBusinessQuota(business=shop.address, daily_force=50))
    account = chain.account(shop.address)
    assert account is not None and account["kind"] == "business"
    assert account["name"] == "Noodle House" and account["sequence"] == 1  # the count goes on
    assert account["encryption_key"] == b64(shop.encryption_public_key)
    assert q(chain, "force/quota", address=shop.address)["daily_force"] == 50
    assert q(chain, "applications/application", id=app_id)["status"] == "approved"
    assert q(chain, "applications/pending") == {"pending": 0, "items": [], "next_after": None}
    events = [e.type for e in chain.results[-1].tx_results[0].events]
    assert events[:2] == ["accounts/business_registered", "applications/approved"]
    # the business trades at once, at the sequence its applicant's key reached
    ok(chain, shop, CreateOffer(item="Noodles", price=1_000_000, stock=5, starts_at=0,
                                ends_at=now(chain) + DAY, min_force=0, daily_limit=0))


def test_the_applicants_signed_txs_never_apply_twice() -> None:
    chain = make_chain(label="apps-replay")
    shop = wallet("apps-replay/shop")
    first = chain.sign(shop, [apply_msg(shop)])
    assert chain.block([first]).tx_results[0].ok
    again = chain.block([first]).tx_results[0]
    assert again.code == 107 and "already used" in again.log  # SequenceReused
    app_id = q(chain, "applications/of", address=shop.address)["application"]["id"]
    ok(chain, shop, WithdrawApplication(application=app_id))
    ok(chain, chain.operator, RegisterBusiness(
        business=shop.address, public_key=b64(shop.public_key),
        encryption_key=b64(shop.encryption_public_key), name="Direct"))
    assert chain.account(shop.address)["sequence"] == 2  # type: ignore[index]
    assert chain.block([first]).tx_results[0].code == 107


def test_decline_with_a_reason_then_apply_again_after_the_wait() -> None:
    chain = make_chain(label="apps-decline")
    shop = wallet("apps-decline/shop")
    app_id = applied(chain, shop)
    code, log = run(chain, chain.operator, DeclineApplication(application=app_id, reason="  "))
    assert code == 111 and "printable" in log
    ok(chain, chain.operator, DeclineApplication(application=app_id,
                                                 reason="No business licence attached"))
    status = q(chain, "applications/of", address=shop.address)
    assert status["application"]["status"] == "declined"
    assert status["application"]["reason"] == "No business licence attached"
    assert chain.account(shop.address) is None
    code, log = run(chain, chain.operator, ApproveApplication(application=app_id))
    assert code == 363 and "was declined" in log
    code, log = run(chain, shop, apply_msg(shop))
    assert code == 367 and "less than 24 h ago" in log
    chain.block([], dt=DAY)
    second = applied(chain, shop, name="Noodle House Ltd")
    assert second == app_id + 1
    assert q(chain, "applications/application", id=second)["name"] == "Noodle House Ltd"


def test_each_refusal_has_its_own_code() -> None:
    chain = make_chain(label="apps-refusals", params={"max_pending_applications": 2})
    (alice,) = chain.register_residents(1)
    shop, other, third = (wallet(f"apps-refusals/{n}") for n in ("shop", "other", "third"))
    app_id = applied(chain, shop)
    code, log = run(chain, shop, apply_msg(shop))
    assert code == 361 and "waiting for the operator" in log
    code, log = run(chain, alice, apply_msg(alice))
    assert code == 301 and "already has an account" in log
    code, log = run(chain, alice, ApproveApplication(application=app_id))
    assert code == 201 and "only the operator" in log
    code, log = run(chain, other, ApproveApplication(application=app_id))
    assert code == 110 and "applications/apply" in log  # a key without an account
    code, log = run(chain, chain.operator, ApproveApplication(application=999))
    assert code == 362 and "no application 999" in log
    code, log = run(chain, alice, WithdrawApplication(application=app_id))
    assert code == 364
    applied(chain, other)
    code, log = run(chain, third, apply_msg(third))
    assert code == 366 and "2 applications are waiting" in log
    code, log = run(chain, third, apply_msg(third, offers="x" * 241))
    assert code == 365 and "at most 240 bytes" in log
    code, log = run(chain, third, apply_msg(third, contact="电话" * 21))
    assert code == 365 and "contact" in log
    code, log = run(chain, third, apply_msg(third, name="N" * 81))
    assert code == 365 and "at most 80 characters" in log
    code, _ = run(chain, third, apply_msg(third, offers="x" * 300))
    assert code == 111  # over the ledger's 256 bytes: the parser's refusal, as everywhere
    ok(chain, shop, WithdrawApplication(application=app_id))
    code, log = run(chain, shop, WithdrawApplication(application=app_id))
    assert code == 363 and "was withdrawn" in log
    assert q(chain, "applications/pending")["pending"] == 1
    assert q(chain, "applications/of", address=third.address) == {
        "address": third.address, "sequence": 0, "application": None}


def test_the_queue_pages_oldest_first() -> None:
    chain = make_chain(label="apps-pages")
    keys = [wallet(f"apps-pages/{i}") for i in range(5)]
    chain.block([chain.sign(w, [apply_msg(w, name=f"Shop {i}")]) for i, w in enumerate(keys)])
    first = q(chain, "applications/pending", limit=2)
    assert [a["name"] for a in first["items"]] == ["Shop 0", "Shop 1"]
    assert first["pending"] == 5 and first["next_after"] == first["items"][-1]["id"]
    rest = q(chain, "applications/pending", limit=3, after=first["next_after"])
    assert [a["name"] for a in rest["items"]] == ["Shop 2", "Shop 3", "Shop 4"]
    assert rest["next_after"] is None


def test_the_mempool_recheck_follows_an_applicants_count() -> None:
    """CometBFT's recheck runs only the sequence rule: a key without an account whose count
    is past 0 keeps its queued transactions in order."""
    chain = make_chain(label="apps-recheck", params={"application_retry_ms": 0})
    shop = wallet("apps-recheck/shop")
    app_id = applied(chain, shop)
    withdraw = chain.sign(shop, [WithdrawApplication(application=app_id)], sequence=1)
    again = chain.sign(shop, [apply_msg(shop)], sequence=2)
    assert chain.app.check_tx(withdraw)[0].ok and chain.app.check_tx(again)[0].ok
    chain.block([])  # a block without them; the mempool is rechecked against it
    assert chain.app.recheck_tx(withdraw).ok and chain.app.recheck_tx(again).ok
    result = chain.block([withdraw, again])
    assert all(r.ok for r in result.tx_results), result.tx_results
    assert q(chain, "applications/of", address=shop.address)["application"]["id"] == app_id + 1
