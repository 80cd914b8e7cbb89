"""Vouchers at scale and granted data in the browser (issue 17, items 4 and 5): the business
uploads a CSV of codes in its console, a resident redeems in the shop, the open console
fulfils the redemption by itself with the first code, and the resident opens the voucher
and sees the code and its QR code; the codes never sit in the browser's storage in clear.
Then a resident grants a record on the business's data request, and the console decrypts
it into a table with a summary per category and a CSV download made in the browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from planet.core.exchange.messages import CreateRequest
from planet.sdk import vault as sdk_vault
from planet.sdk.keys import export_keystore_json
from tests.e2e.conftest import E2ENode
from tests.e2e.shop import open_tea_house
from tests.e2e.wallets import dump_storage, import_clear_keystore

HOUR_MS = 3_600_000
PRICE = 2  # µBD: the purse then pays a data reward of 1 µBD


def test_console_fulfils_with_uploaded_codes_and_exports_granted_records(
        node: E2ENode, new_page: Any, shot: Any, tmp_path: Path) -> None:
    business, resident, offer = open_tea_house(node, PRICE)

    # The business uploads its codes; a bad file is refused with the row.
    shop = new_page("business")
    import_clear_keystore(shop, export_keystore_json(business, None, "Tea House"), "business")
    expect(shop.get_by_test_id("business-tabs")).to_be_visible()  # the import has landed
    shop.goto("/#/business/offers")
    expect(shop.get_by_test_id("voucher-codes")).to_be_visible()
    bad = tmp_path / "bad.csv"
    bad.write_text("TEA-0001\n\nTEA-0002\n")
    shop.get_by_test_id("voucher-offer").select_option(str(offer))
    shop.get_by_test_id("voucher-file").set_input_files(str(bad))
    shop.get_by_test_id("voucher-upload").click()
    expect(shop.get_by_test_id("voucher-upload-error")).to_contain_text("Row 2 is blank")
    codes = tmp_path / "codes.csv"
    codes.write_text("code\nTEA-0001\nTEA-0002\nTEA-0003\n")
    shop.get_by_test_id("voucher-file").set_input_files(str(codes))
    shop.get_by_test_id("voucher-upload").click()
    expect(shop.get_by_test_id("voucher-left")).to_have_text("3")
    stored = dump_storage(shop)
    assert "TEA-000" not in str(stored)
    assert any(k.startswith("planet.vouchers.v1.") for k in stored["local"])
    shot(shop, "voucher-codes")

    # A resident redeems; the open console sends the first code, sealed to her.
    mei = new_page("resident")
    import_clear_keystore(mei, export_keystore_json(resident, None, "Mei"), "resident")
    mei.get_by_test_id("tab-shop").click()
    tin = mei.locator(f"[data-testid=offer][data-offer='{offer}']")
    tin.get_by_test_id("offer-redeem").click()
    tin.get_by_test_id("offer-redeem-confirm").click()  # Redeem asks first
    expect(shop.get_by_test_id("voucher-fulfilled")).to_have_text("1", timeout=30_000)
    expect(shop.get_by_test_id("voucher-left")).to_have_text("2")
    redemption = node.query("exchange/redemptions", address=resident.address)["items"][0]
    assert redemption["status"] == "fulfilled" and "TEA" not in redemption["voucher"]
    mei.get_by_test_id("voucher-open").click()
    expect(mei.get_by_test_id("voucher-text")).to_have_text("TEA-0001")
    qr = mei.get_by_test_id("voucher-qr")
    expect(qr).to_be_visible()
    expect(qr).to_have_attribute("aria-label", "QR code of the voucher TEA-0001")
    assert len(qr.locator("path").get_attribute("d") or "") > 200
    shot(mei, "voucher-qr")

    # Granted records: the resident shares one record; the console decrypts and exports it.
    sdk_vault.add_record(node.client, resident, b"Oolong, 2 tins; =1+1", "shopping",
                         int(node.client.status()["time"]) - 60_000)
    t = int(node.client.status()["time"])
    node.client.send(business, CreateRequest(
        categories=("shopping",), period_start=0, period_end=t, purpose="Tea tastes",
        reward=1, residents=1, cohort=1, expires_at=t + HOUR_MS, access_ms=HOUR_MS))
    request = int(node.query("exchange/requests", business=business.address)["items"][0]["id"])
    digests = [r["digest"] for r in node.query("exchange/eligible", request=request,
                                                 owner=resident.address)["records"]]
    sdk_vault.accept_request(node.client, resident, request, digests)
    shop.goto(f"/#/business/requests/{request}")
    shop.get_by_test_id("granted-decrypt").click()
    expect(shop.get_by_test_id("granted-record-row")).to_have_count(1)
    expect(shop.get_by_test_id("granted-text")).to_have_text("Oolong, 2 tins; =1+1")
    expect(shop.get_by_test_id("granted-summary-row")).to_contain_text("1")
    with shop.expect_download() as caught:
        shop.get_by_test_id("granted-csv").click()
    download = caught.value
    assert download.suggested_filename == f"request-{request}-granted.csv"
    text = Path(download.path()).read_text()
    assert text.splitlines()[0] == "request,resident,category,time,digest,text"
    assert f"{request},{resident.address},shopping," in text
    assert text.rstrip().endswith('"Oolong, 2 tins; =1+1"')
    shot(shop, "granted-records")
    # No uncaught error on either page (console errors are the node's refusals, shown).
    assert not [e for e in shop.planet_errors + mei.planet_errors if " console: " not in e]
