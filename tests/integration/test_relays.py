"""Issue 15, "Show it": the 5-transaction relay through a business, replayed through the
HTTP API of a real node as an outsider would, now stops at the first rule it meets (the
deposit without the owner's consent); and a relay with k colluding residents is limited
by the daily cap and listed by `planet audit relays`, after which the operator suspends
the business.

Each node's genesis puts the deployment's local noon at the test's start (the cap counts
in local days), names the business, and in the second test sets k = 3 and a 1 BD cap so
that the run stays small."""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from planet.core.accounts.messages import AttestIdentity
from planet.core.exchange.messages import AcceptRequest, CreateOffer, CreateRequest, RedeemOffer
from planet.core.types import MICRO_PER_BD
from planet.core.vault.messages import AllowDepositor, DepositRecord
from planet.sdk import vault as sdk_vault
from planet.sdk.client import NodeError, PlanetClient
from planet.sdk.keys import load_keystore
from planet.sdk.wallet import Wallet
from tests.chain import b64
from tests.integration.nodeproc import NodeProcess, planet, wait_until

pytestmark = pytest.mark.slow

DAY = 86_400_000
BD = MICRO_PER_BD


def noon_offset() -> str:
    """A UTC offset at which it is about noon now: no local midnight within the test."""
    minutes_now = int(time.time() // 60) % 1440
    offset = (12 * 60 - minutes_now + 720) % 1440 - 720
    sign = "-" if offset < 0 else "+"
    return f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


class Node:
    def __init__(self, tmp: Path, params: dict[str, int]) -> None:
        home = tmp / "home"
        planet("init", "--home", str(home), "--chain-id", "planet-relay")
        self.business = Wallet.generate()
        doc = json.loads((home / "genesis.json").read_text())
        doc["timezone"] = noon_offset()
        doc["businesses"] = [self.business.genesis_key("Money Changer")]
        if params:
            doc["params"] = params
        (home / "genesis.json").write_text(json.dumps(doc))
        self.process = NodeProcess(home).start()
        self.client = PlanetClient(self.process.url)
        self.operator = load_keystore(home / "keys" / "operator.json", None)
        self.verifier = load_keystore(home / "keys" / "verifier.json", None)
        self.home = home

    def residents(self, n: int) -> list[Wallet]:
        codes = self.client.create_invites(self.operator, n)
        wallets = [Wallet.generate() for _ in range(n)]
        for w, code in zip(wallets, codes, strict=True):
            self.client.register_resident(w, code)
        return wallets

    def verify(self, resident: Wallet) -> None:
        """The verifier's attestation, with fresh nullifiers (what the identity service
        submits once the phone's code and the authority agree)."""
        self.client.send(self.verifier, AttestIdentity(resident=resident.address,
                                                       nullifier=os.urandom(32).hex(),
                                                       phone_nullifier=os.urandom(32).hex()))

    def fund(self, resident: Wallet, micro: int) -> None:
        """Check in, wait for emission to bring `micro` pending (a condition), collect."""
        self.client.complete_task(resident, "daily_checkin")
        wait_until(f"{micro} µBD pending", lambda: self.client.holder(resident.address)
                   ["pending_micro"] >= micro, timeout=120)
        self.client.collect(resident)

    def balance(self, w: Wallet) -> int:
        try:
            return int(self.client.holder(w.address)["balance_micro"])
        except NodeError as err:  # never held anything: nothing received
            assert err.status == 404, err
            return 0

    def purse(self) -> int:
        return int(self.client.query("exchange/purse", business=self.business.address)["balance"])

    def refused(self, signer: Wallet, msg: Any) -> NodeError:
        with pytest.raises(NodeError) as caught:
            self.client.send(signer, msg)
        return caught.value

    def cli(self, *args: str) -> Any:
        out = planet(*args, "--json", check=False,
                     env={"PLANET_HOME": str(self.home), "PLANET_NODE": self.process.url})
        assert out.returncode == 0, out.stdout + out.stderr
        return json.loads(out.stdout)

    def stop(self) -> None:
        self.client.close()
        self.process.stop()


@pytest.fixture
def make_node(tmp_path: Path) -> Iterator[Any]:
    nodes: list[Node] = []

    def make(params: dict[str, int]) -> Node:
        nodes.append(Node(tmp_path / str(len(nodes)), params))
        return nodes[-1]

    yield make
    for node in nodes:
        node.stop()


def now_ms(node: Node) -> int:
    return int(node.client.status()["time"])


def test_the_five_transaction_relay_fails_at_the_deposit_without_consent(make_node: Any) -> None:
    node = make_node({})
    r1, r7 = node.residents(2)
    b = node.business
    node.fund(r1, 5 * BD + 100_000)
    t = now_ms(node)
    # 1. B lists an offer at 5 BD; 2. r1 redeems it: a shop sale, allowed as ever.
    node.client.send(b, CreateOffer(item="Voucher", price=5 * BD, stock=1, starts_at=0,
                                    ends_at=t + DAY, min_force=0, daily_limit=0))
    before = node.balance(r1)
    node.client.send(r1, RedeemOffer(offer=1))
    assert node.balance(r1) == before - 5 * BD and node.purse() == 5 * BD
    # 3. B deposits a record into r7's vault: r7 never allowed it. The first rule met.
    digest = os.urandom(32).hex()
    err = node.refused(b, DepositRecord(owner=r7.address, digest=digest, category="shopping",
                                        time=t, size=100))
    assert err.code == 607 and "has not allowed" in err.message, err.message
    assert httpx.get(f"{node.process.url}/v1/records/{digest}").status_code == 404
    # 4. A request for one resident at 5 BD: refused too (a cohort of 1; over the cap).
    err = node.refused(b, CreateRequest(categories=("shopping",), period_start=0,
                                        period_end=t + DAY, purpose="Anything", reward=5 * BD,
                                        residents=1, cohort=1, expires_at=t + DAY,
                                        access_ms=DAY))
    assert err.code == 717 and "minimum cohort of 10" in err.message
    # 5. r7 accepts: there is nothing to accept, and r7 has received nothing.
    err = node.refused(r7, sdk_accept_message(1, digest))
    assert err.code == 702
    assert node.balance(r7) == 0 and node.purse() == 5 * BD


def sdk_accept_message(request_id: int, digest: str) -> AcceptRequest:
    """An acceptance with a dummy resealed key (the issue's relay used one)."""
    return AcceptRequest(request=request_id, records=(digest,), keys=(b64(os.urandom(80)),))


def test_k_colluders_are_capped_the_report_lists_them_and_the_operator_suspends(
        make_node: Any) -> None:
    node = make_node({"min_cohort": 3, "resident_daily_cap_micro": BD})
    payer, *colluders = node.residents(4)
    for c in colluders:  # real people, one account each: the relay needs k of them
        node.verify(c)
        assert node.client.account(c.address)["verified"] is True
    b = node.business
    node.fund(payer, 6 * BD + 100_000)
    t = now_ms(node)
    node.client.send(b, CreateOffer(item="Voucher", price=6 * BD, stock=5, starts_at=0,
                                    ends_at=t + DAY, min_force=0, daily_limit=0))
    node.client.send(payer, RedeemOffer(offer=1))
    # The accomplices consent, B plants one record in each vault and asks for exactly those.
    digests = []
    for c in colluders:
        node.client.send(c, AllowDepositor(business=b.address))
        digests.append(sdk_vault.deposit_record(node.client, b, c.address, b"planted",
                                                "shopping", t))
    request = CreateRequest(categories=("shopping",), period_start=t, period_end=t,
                            purpose="Relay", reward=BD, residents=3, cohort=3,
                            expires_at=t + DAY, access_ms=DAY)
    err = node.refused(b, dataclasses.replace(request, reward=2 * BD))
    assert err.code == 716  # more than a resident may receive in a day
    node.client.send(b, request)
    for c, d in zip(colluders[:2], digests[:2], strict=True):
        sdk_vault.accept_request(node.client, c, 1, [d])
    assert [node.balance(c) for c in colluders] == [0, 0, 0]  # nothing before the cohort
    blob = httpx.get(f"{node.process.url}/v1/query/exchange/read_check",
                     params={"address": b.address, "digest": digests[0]})
    assert blob.status_code == 403 and "waits for its cohort" in blob.json()["message"]
    sdk_vault.accept_request(node.client, colluders[2], 1, [digests[2]])
    assert [node.balance(c) for c in colluders] == [BD, BD, BD]  # all at once
    # The cap: the same accomplices cannot be paid again today, whatever B asks.
    node.client.send(b, request)
    err = node.refused(colluders[0], sdk_accept_message(2, digests[0]))
    assert err.code == 715 and "daily cap" in err.message
    left = node.client._get(f"/residents/{colluders[0].address}/received")
    assert (left["received_micro"], left["left_micro"]) == (BD, 0)

    report = node.cli("audit", "relays")
    (line,) = report["businesses"]
    assert (line["business"], line["received_micro"], line["paid_out_micro"],
            line["payout_bps"], line["payers"], line["payees"]) == (
        b.address, 6 * BD, 3 * BD, 5_000, 1, 3)
    flows = {(f["from"], f["business"], f["to"]): f for f in report["flows"]}
    assert set(flows) == {(payer.address, b.address, c.address) for c in colluders}
    assert all(f["relayed_micro"] == BD and f["first_in"] <= f["last_out"]
               for f in flows.values())
    before = node.cli("audit", "relays", "--until", str(t))
    assert before["businesses"] == [] and before["flows"] == []

    purse = node.purse()
    suspended = node.cli("business", "suspend", b.address, "--reason", "relays diamonds")
    assert suspended["requests_closed"] == [1, 2] and suspended["refunded"] == 3 * BD
    assert node.purse() == purse + 3 * BD
    shown = {x["address"]: x for x in httpx.get(f"{node.process.url}/v1/businesses")
             .json()["items"]}
    assert shown[b.address]["suspended"] and \
        shown[b.address]["suspension"]["reason"] == "relays diamonds"
    err = node.refused(payer, RedeemOffer(offer=1))
    assert err.code == 718
    node.cli("business", "lift", b.address)
    assert node.cli("business", "suspensions")["items"] == []
