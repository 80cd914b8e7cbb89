"""Vouchers at scale and granted data a business can use (issue 17, items 4 and 5), against
a real node: `planet shop vouchers load/status/run` fulfil pending redemptions with a CSV's
codes, one each, sealed to the resident who redeemed, never the same code twice, even
across a crash between choosing a code and sending it; and `planet requests export` writes
a request's granted records, decrypted, as CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from planet.core.exchange.messages import CreateOffer, CreateRequest, RedeemOffer, StopOffer
from planet.sdk import vault as sdk_vault
from planet.sdk import vouchers as sdk_vouchers
from planet.sdk.client import PlanetClient
from planet.sdk.keys import load_keystore, save_keystore
from planet.sdk.vouchers import VoucherError, VoucherFulfiller, parse_codes
from planet.sdk.wallet import Wallet
from tests.integration.nodeproc import NodeProcess, planet, wait_until

pytestmark = pytest.mark.slow

DAY = 86_400_000


class Node:
    """A node whose genesis names one business, `shop` in the home's keyring, and takes
    cohorts of one."""

    def __init__(self, tmp: Path) -> None:
        home = tmp / "home"
        planet("init", "--home", str(home), "--chain-id", "planet-vouchers")
        self.business = Wallet.generate()
        save_keystore(home / "keys" / "shop.json", self.business, None, "shop")
        doc = json.loads((home / "genesis.json").read_text())
        doc["businesses"] = [self.business.genesis_key("Tea House")]
        doc["params"] = {**doc.get("params", {}), "min_cohort": 1}
        (home / "genesis.json").write_text(json.dumps(doc))
        self.home = home
        self.process = NodeProcess(home).start(timeout=120)  # a busy machine starts slowly
        self.client = PlanetClient(self.process.url)
        self.operator = load_keystore(home / "keys" / "operator.json", None)

    def residents(self, n: int) -> list[Wallet]:
        codes = self.client.create_invites(self.operator, n)
        wallets = [Wallet.generate() for _ in range(n)]
        for w, code in zip(wallets, codes, strict=True):
            self.client.register_resident(w, code)
        return wallets

    def cli(self, *args: str, ok: bool = True) -> Any:
        out = planet(*args, check=False, env={"PLANET_HOME": str(self.home),
                                              "PLANET_NODE": self.process.url})
        assert (out.returncode == 0) == ok, out.stdout + out.stderr
        return json.loads(out.stdout) if "--json" in args and out.stdout else out

    def offer(self, price: int = 0, stock: int = 10) -> int:
        t = int(self.client.status()["time"])
        outcome = self.client.send(self.business, CreateOffer(
            item="Tea", price=price, stock=stock, starts_at=0, ends_at=t + DAY, min_force=0,
            daily_limit=0))
        return int(next(e["attributes"]["offer"] for e in outcome.events
                        if e["type"] == "exchange/offer_created"))

    def redeem(self, w: Wallet, offer: int) -> int:
        outcome = self.client.send(w, RedeemOffer(offer=offer))
        return int(next(e["attributes"]["redemption"] for e in outcome.events
                        if e["type"] == "exchange/redeemed"))

    def voucher(self, w: Wallet, redemption: int) -> str:
        return sdk_vault.read_voucher(w, self.client.query("exchange/redemption", id=redemption))

    def stop(self) -> None:
        self.client.close()
        self.process.stop()


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    n = Node(tmp_path)
    yield n
    n.stop()


def test_parse_codes_refuses_blank_rows_and_duplicates_by_row() -> None:
    assert parse_codes("code\nA-1\nB-2\n") == ["A-1", "B-2"]
    assert parse_codes("A-1\r\nB-2") == ["A-1", "B-2"]
    for text, where in [("A\n\nB\n", "row 2: blank"), ("A\nB\nA\n", "row 3: duplicate of row 1"),
                        ("A,B\n", "row 1: 2 columns"), ("code\n", "no codes")]:
        with pytest.raises(VoucherError, match=where):
            parse_codes(text)


def test_cli_loads_codes_and_fulfils_each_redemption_with_the_next_one(node: Node,
                                                                       tmp_path: Path) -> None:
    alice, bob, carol = node.residents(3)
    offer = node.offer()
    codes = tmp_path / "codes.csv"
    codes.write_text("code\nTEA-0001\nTEA-0002\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("TEA-0003\nTEA-0004\nTEA-0003\n")
    out = node.cli("shop", "vouchers", "load", str(offer), str(bad), "--key", "shop", "--json",
                   ok=False)
    assert "row 3: duplicate of row 1" in out["message"]
    loaded = node.cli("shop", "vouchers", "load", str(offer), str(codes), "--key", "shop",
                      "--json")
    assert (loaded["loaded"], loaded["left"]) == (2, 2)
    state_file = node.home / "vouchers" / f"{node.business.address}.json"
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
    assert "TEA-0001" not in json.dumps(node.client.query("exchange/redemptions",
                                                           address=node.business.address))
    # The offer's business edits, pauses and resumes it from the CLI.
    assert node.cli("shop", "update", str(offer), "--stock", "20", "--key", "shop",
                    "--json")["changed"] == "stock"
    assert node.cli("shop", "pause", str(offer), "--key", "shop", "--json")["status"] == "paused"
    assert node.cli("shop", "resume", str(offer), "--key", "shop", "--json")["status"] == "on_sale"
    assert node.client.query("exchange/offer", id=offer)["stock"] == 20
    redemptions = [node.redeem(w, offer) for w in (alice, bob, carol)]
    ran = node.cli("shop", "vouchers", "run", "--once", "--key", "shop", "--json")
    assert ran["fulfilled"] == [{"redemption": r, "offer": offer} for r in redemptions[:2]]
    assert ran["out_of_codes"] == [{"offer": offer, "pending": 1}]
    assert [node.voucher(w, r) for w, r in zip((alice, bob), redemptions, strict=False)] == \
        ["TEA-0001", "TEA-0002"]
    third = node.client.query("exchange/redemption", id=redemptions[2])
    assert third["status"] == "pending"
    status = node.cli("shop", "vouchers", "status", str(offer), "--key", "shop", "--json")
    assert (status["codes"], status["used"], status["left"], status["fulfilled"]) == (2, 2, 0, 2)
    # Nothing on the ledger or in the node's answers carries a code in clear.
    blocks = json.dumps([node.client.block(h) for h in range(1, node.client.status()["height"] + 1)])
    assert "TEA-000" not in blocks
    # More codes: the waiting redemption gets the next one; a second pass does nothing.
    more = tmp_path / "more.csv"
    more.write_text("TEA-0003\n")
    node.cli("shop", "vouchers", "load", str(offer), str(more), "--key", "shop", "--json")
    ran = node.cli("shop", "vouchers", "run", "--once", "--key", "shop", "--json")
    assert ran["fulfilled"] == [{"redemption": redemptions[2], "offer": offer}]
    assert node.voucher(carol, redemptions[2]) == "TEA-0003"
    again = node.cli("shop", "vouchers", "run", "--once", "--key", "shop", "--json")
    assert again == {"fulfilled": [], "out_of_codes": [], "settled_elsewhere": []}
    # A stopped offer's pending redemptions are still fulfilled.
    dave = node.residents(1)[0]
    late = node.redeem(dave, offer)
    node.client.send(node.business, StopOffer(offer=offer))
    assert node.client.query("exchange/offer", id=offer)["status"] == "stopped"
    assert "stopped" in node.cli("shop", "list", "--all").stdout
    out = node.cli("shop", "vouchers", "run", "--once", "--key", "shop")
    assert "out of codes" in out.stderr
    extra = tmp_path / "extra.csv"
    extra.write_text("TEA-0004\n")
    node.cli("shop", "vouchers", "load", str(offer), str(extra), "--key", "shop", "--json")
    node.cli("shop", "vouchers", "run", "--once", "--key", "shop", "--json")
    assert node.voucher(dave, late) == "TEA-0004"


def test_a_crash_after_choosing_a_code_sends_that_code_to_that_redemption(
        node: Node, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alice, bob = node.residents(2)
    offer = node.offer()
    codes = tmp_path / "codes.csv"
    codes.write_text("X1\nX2\nX3\n")
    state = tmp_path / "state" / "shop.json"
    fulfiller = VoucherFulfiller(node.client, node.business, state)
    assert fulfiller.load(offer, codes) == 3
    first, second = node.redeem(alice, offer), node.redeem(bob, offer)
    real = sdk_vouchers.fulfil

    def crash(*_args: Any) -> Any:
        raise KeyboardInterrupt  # the process dies once the code is chosen, before sending

    monkeypatch.setattr(sdk_vouchers, "fulfil", crash)
    with pytest.raises(KeyboardInterrupt):
        fulfiller.run_once()
    assert json.loads(state.read_text())["offers"][str(offer)]["given"] == {str(first): 0}
    monkeypatch.setattr(sdk_vouchers, "fulfil", real)
    report = VoucherFulfiller(node.client, node.business, state).run_once()
    assert report.fulfilled == [(first, offer), (second, offer)]
    assert (node.voucher(alice, first), node.voucher(bob, second)) == ("X1", "X2")
    assert fulfiller.status(offer) == {"offer": offer, "codes": 3, "used": 2, "left": 1,
                                       "fulfilled": 2, "assigned_unconfirmed": 0}
    with pytest.raises(VoucherError, match="holds the codes of"):
        VoucherFulfiller(node.client, alice, state).status(offer)


def test_requests_export_writes_the_granted_records_decrypted(node: Node, tmp_path: Path) -> None:
    alice, bob = node.residents(2)
    node.client.complete_task(alice, "daily_checkin")
    wait_until("2 µBD pending", lambda: node.client.holder(alice.address)["pending_micro"] >= 2,
               timeout=120)
    node.client.collect(alice)
    node.redeem(alice, node.offer(price=2))  # the business's purse: 2 µBD
    t = int(node.client.status()["time"])
    texts = {alice.address: ["=SUM(A1:A2) tea, 2 cups", "train to Hangzhou"],
             bob.address: ["noodles, 1 bowl"]}
    categories = ["shopping", "travel"]
    for w in (alice, bob):
        for i, text in enumerate(texts[w.address]):
            sdk_vault.add_record(node.client, w, text.encode(), categories[i], t - 60_000)
    node.client.send(node.business, CreateRequest(
        categories=("shopping", "travel"), period_start=0, period_end=t, purpose="Menu study",
        reward=1, residents=2, cohort=2, expires_at=t + DAY, access_ms=DAY))
    for w in (alice, bob):
        digests = [r["digest"] for r in node.client.query("exchange/eligible", request=1,
                                                          owner=w.address)["records"]]
        sdk_vault.accept_request(node.client, w, 1, digests)
    out_csv, out_json = tmp_path / "granted.csv", tmp_path / "granted.json"
    node.cli("requests", "export", "1", "--format", "csv", "--out", str(out_csv), "--key", "shop")
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text())))
    assert sorted((r["resident"], r["category"], r["text"]) for r in rows) == sorted(
        [(alice.address, "shopping", "'=SUM(A1:A2) tea, 2 cups"),
         (alice.address, "travel", "train to Hangzhou"), (bob.address, "shopping", "noodles, 1 bowl")])
    assert {r["request"] for r in rows} == {"1"}
    node.cli("requests", "export", "1", "--format", "json", "--out", str(out_json), "--key", "shop")
    data = json.loads(out_json.read_text())
    assert len(data["records"]) == 3
    assert data["summary"] == [{"category": "shopping", "records": 2, "residents": 2},
                               {"category": "travel", "records": 1, "residents": 1}]
    out = node.cli("requests", "export", "1", "--format", "xml", "--key", "shop", ok=False)
    assert "csv or json" in out.stderr
