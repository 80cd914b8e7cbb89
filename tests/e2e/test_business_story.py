"""Issue 17's story in one run, as a business lives it: Tea House applies from the web app's
apply screen, the operator approves it from the dashboard's queue, and its console adds a
webhook endpoint (a real HTTP server that fails the first two attempts of every event and
checks every signature) and uploads a CSV of voucher codes. Its website (examples/shop, a
real process) signs a resident in with Sign in with Planet and attests her purchase through
the API. She redeems the tea house's offer in the web app, the open console fulfils it by
itself with the first code, and she sees the code and its QR code. The receiver gets the
`redemption.made` event once, on the third attempt, and a redelivery of it is deduplicated
by id. Last, a data request's cohort of two fills and the console downloads the granted
records as CSV, one row per resident who shared."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from planet.core.exchange.messages import CreateOffer, CreateRequest
from planet.sdk import vault as sdk_vault
from planet.sdk.keys import export_keystore_json
from planet.sdk.wallet import Wallet
from tests.e2e.conftest import E2ENode, running_node
from tests.e2e.wallets import import_clear_keystore
from tests.integration.nodeproc import free_port, wait_until
from tests.integration.webhook_receiver import Receiver

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "shop" / "app.py"
HOUR_MS = 3_600_000
PRICE = 2  # µBD: the redemption fills the purse that pays the data request's 2 × 1 µBD
SHOP = "Tea House"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory, web_dist: Path) -> Iterator[E2ENode]:
    """conftest's e2e node, with webhooks allowed to loopback and retried within seconds."""
    with running_node(tmp_path_factory.mktemp("e2e-story-home"), params={"min_cohort": 1},
                      config={"webhooks": {"allow_private_urls": True, "backoff_base_s": 0.5,
                                           "backoff_cap_s": 2.0}}) as started:
        yield started


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail_first=2)
    try:
        yield r
    finally:
        r.close()


def start_shop(node: E2ENode, business: Wallet, tmp_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """examples/shop/app.py as its own process, as its README runs it, with the business's key."""
    key = tmp_path / "shop.json"
    key.write_text(export_keystore_json(business, None, SHOP))
    url = f"http://127.0.0.1:{free_port()}"
    env = {**os.environ, "PLANET_NODE": node.url, "SHOP_KEY": str(key), "SHOP_URL": url,
           "PYTHONPATH": str(ROOT / "src")}
    log = (tmp_path / "shop.log").open("wb")
    proc = subprocess.Popen([sys.executable, str(EXAMPLE)], env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()

    def up() -> bool:
        assert proc.poll() is None, (tmp_path / "shop.log").read_text()
        return httpx.get(f"{url}/", timeout=5).status_code == 200

    wait_until("the example shop listening", up, timeout=90, ignore=(httpx.HTTPError,))
    return proc, url


def test_a_business_applies_signs_residents_in_fulfils_vouchers_and_exports_granted_data(
        node: E2ENode, new_page: Any, shot: Any, receiver: Receiver, tmp_path: Path) -> None:
    client = node.client
    business, mei, lan = Wallet.generate(), Wallet.generate(), Wallet.generate()

    # 1. Tea House applies from the web app's apply screen, with its own key.
    console = new_page("business")
    import_clear_keystore(console, export_keystore_json(business, None, SHOP), "business")
    expect(console.get_by_test_id("business-name")).to_have_value(SHOP)
    console.get_by_test_id("business-contact").fill("tea@example.com")
    console.get_by_test_id("business-offers").fill("Oolong tins; a voucher for each redemption")
    console.get_by_test_id("business-apply-submit").click()
    expect(console.get_by_test_id("business-application-state")).to_have_text("Waiting")

    # 2. The operator approves it from the dashboard's queue.
    operator = new_page("operator")
    import_clear_keystore(operator, node.operator_keystore.read_text(), "operator")
    expect(operator.get_by_test_id("operator-role")).to_contain_text("Signed in as the operator")
    operator.get_by_test_id("tab-businesses").click()
    row = operator.get_by_test_id("op-application-row").filter(has_text=SHOP)
    row.get_by_test_id("op-application-approve").click()
    row.get_by_test_id("op-application-quota").fill("40")
    row.get_by_test_id("op-application-approve-confirm").click()
    expect(operator.get_by_test_id("op-business-row").filter(has_text=SHOP)).to_have_count(1)
    expect(console.get_by_test_id("business-tabs")).to_be_visible(timeout=30_000)
    assert SHOP in str(client.account(business.address))
    shot(operator, "operator-approved")

    # 3. The console adds the receiver as a webhook endpoint for redemptions.
    console.get_by_test_id("tab-webhooks").click()
    console.get_by_test_id("webhook-url").fill(receiver.url)
    expect(console.get_by_test_id("webhook-event-redemption.made")).to_be_checked()
    console.get_by_test_id("webhook-add").click()
    secret = console.get_by_test_id("webhook-secret").inner_text().strip()
    assert secret.startswith("whsec_")
    receiver.secrets.append(secret)
    expect(console.get_by_test_id("webhook-row")).to_have_count(1)

    # 4. An hour-long offer in block time, and its voucher codes uploaded as CSV.
    now = int(client.status()["time"])
    outcome = client.send(business, CreateOffer(
        item="Oolong tin", price=PRICE, stock=10, starts_at=now - 1000, ends_at=now + HOUR_MS,
        min_force=0, daily_limit=0))
    offer = int(next(e["attributes"]["offer"] for e in outcome.events
                     if e["type"] == "exchange/offer_created"))
    codes = tmp_path / "codes.csv"
    codes.write_text("code\nTEA-0001\nTEA-0002\nTEA-0003\n")
    console.get_by_test_id("tab-offers").click()
    console.get_by_test_id("voucher-offer").select_option(str(offer))
    console.get_by_test_id("voucher-file").set_input_files(str(codes))
    console.get_by_test_id("voucher-upload").click()
    expect(console.get_by_test_id("voucher-left")).to_have_text("3")

    # 5. Mei joins and has the diamonds for a tin; her wallet lives in the web app.
    client.register_resident(mei, node.invite_codes(1)[0])
    client.complete_task(mei, "daily_checkin")
    wait_until("diamonds to collect", lambda: client.holder(mei.address)["pending_micro"] >= PRICE,
               timeout=120)
    client.collect(mei)
    page = new_page("resident")
    import_clear_keystore(page, export_keystore_json(mei, None, "Mei"), "resident")
    expect(page.get_by_test_id("wallet-switcher")).to_be_visible()

    # 6. The tea house's own website signs her in with Planet and attests her purchase.
    shop, shop_url = start_shop(node, business, tmp_path)
    try:
        page.goto(f"{shop_url}/")
        page.locator("#signin").click()
        expect(page.get_by_test_id("signin-asks")).to_contain_text(shop_url.removeprefix("http://"))
        expect(page.get_by_test_id("signin-as")).to_contain_text("Mei")
        page.get_by_test_id("signin-approve").click()
        expect(page.locator("#who")).to_have_text(f"Signed in as {mei.address}")
        force = client.query("force/force", address=mei.address)["force"]
        page.locator("#buy").click()
        expect(page.locator("#bought")).to_contain_text("committed in block")
        shot(page, "shop-bought")
    finally:
        shop.terminate()
        shop.wait(30)
    assert client.query("force/force", address=mei.address)["force"] == force + 3
    [attested] = client.history(business.address, limit=1)
    assert attested["code"] == 0 and "force/attest_tasks" in str(attested)

    # 7. She redeems in the web app; the open console sends her the first code by itself.
    page.goto("/#/resident/shop")
    card = page.locator(f"[data-testid=offer][data-offer='{offer}']")
    card.get_by_test_id("offer-redeem").click()
    card.get_by_test_id("offer-redeem-confirm").click()  # Redeem asks first
    expect(console.get_by_test_id("voucher-fulfilled")).to_have_text("1", timeout=30_000)
    expect(console.get_by_test_id("voucher-left")).to_have_text("2")
    page.get_by_test_id("voucher-open").click()
    expect(page.get_by_test_id("voucher-text")).to_have_text("TEA-0001")
    qr = page.get_by_test_id("voucher-qr")
    expect(qr).to_have_attribute("aria-label", "QR code of the voucher TEA-0001")
    assert len(qr.locator("path").get_attribute("d") or "") > 200
    shot(page, "voucher-qr")

    # 8. The receiver has the redemption once, signed, after two failed attempts ...
    (event,) = receiver.wait_events(1, timeout=60)
    assert event["type"] == "redemption.made"
    assert int(event["data"]["offer"]) == offer and event["data"]["resident"] == mei.address
    assert receiver.tries(event["id"]) == [500, 500, 200]
    assert all(a.status != 401 for a in receiver.attempts)  # every signature checked out
    console.get_by_test_id("tab-webhooks").click()
    delivery = console.get_by_test_id("webhook-delivery-row")
    expect(delivery.get_by_test_id("webhook-delivery-status")).to_have_text("delivered", timeout=30_000)
    expect(delivery.get_by_test_id("webhook-delivery-attempts")).to_have_text("3")
    # ... and a redelivery of the same event is recognised by its id.
    delivery.get_by_test_id("webhook-redeliver").click()
    wait_until("the event redelivered", lambda: receiver.tries(event["id"]) == [500, 500, 200, 200],
               timeout=60)
    assert list(receiver.events) == [event["id"]]

    # 9. A data request for a cohort of two fills, and the console exports the granted rows.
    client.register_resident(lan, node.invite_codes(1)[0])
    t = int(client.status()["time"])
    texts = {mei.address: b"Oolong, 2 tins; =1+1", lan.address: b"Jasmine, 1 tin"}
    for resident in (mei, lan):
        sdk_vault.add_record(client, resident, texts[resident.address], "shopping", t - 60_000)
    t = int(client.status()["time"])
    client.send(business, CreateRequest(
        categories=("shopping",), period_start=0, period_end=t, purpose="Tea tastes", reward=1,
        residents=2, cohort=2, expires_at=t + HOUR_MS, access_ms=HOUR_MS))
    (request,) = [int(r["id"]) for r in client.query("exchange/requests", business=business.address)["items"]]
    for resident in (mei, lan):
        digests = [r["digest"] for r in client.query("exchange/eligible", request=request,
                                                     owner=resident.address)["records"]]
        sdk_vault.accept_request(client, resident, request, digests)
    console.goto(f"/#/business/requests/{request}")
    expect(console.get_by_test_id("request-accepted")).to_contain_text("2")
    console.get_by_test_id("granted-decrypt").click()
    expect(console.get_by_test_id("granted-record-row")).to_have_count(2)
    with console.expect_download() as caught:
        console.get_by_test_id("granted-csv").click()
    rows = list(csv.DictReader(io.StringIO(Path(caught.value.path()).read_text())))
    assert sorted((r["request"], r["resident"], r["category"], r["text"]) for r in rows) == sorted(
        (str(request), address, "shopping", text.decode()) for address, text in texts.items())
    shot(console, "granted-export")
    # No uncaught error on any page (console errors are the node's refusals, shown).
    assert not [e for e in console.planet_errors + operator.planet_errors + page.planet_errors
                if " console: " not in e]
