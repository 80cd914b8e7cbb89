"""A small ledger story on a real embedded node with the API in front, shared by the
activity and webhook-expiry tests: a resident checks in, collects and redeems at a shop; the
shop posts a data request that expires in a later block's begin step."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from planet.api.app import create_app
from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites, RegisterResident
from planet.core.emission.messages import Collect
from planet.core.encoding import b64encode
from planet.core.errors import NotFound
from planet.core.exchange.messages import CreateOffer, CreateRequest, RedeemOffer
from planet.core.force.messages import CompleteTask
from planet.core.genesis import parse_genesis
from planet.core.messages import Msg
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.node.home import make_genesis_document
from planet.sdk.client import new_invite_codes
from planet.sdk.wallet import Wallet
from planet.webhooks.service import WebhookConfig, WebhookService
from tests.chain import Clock

CHAIN = "planet-activity"
HOUR = 3_600_000
DAY = 24 * HOUR


@dataclass
class World:
    path: Path
    node: EmbeddedNode
    clock: Clock
    operator: Wallet
    shop: Wallet
    alice: Wallet
    api: TestClient
    webhooks: WebhookService | None = None

    def send(self, wallet: Wallet, *messages: Msg) -> dict[str, Any]:
        try:
            sequence = int(self.node.query("accounts/account",
                                           {"address": wallet.address})["sequence"])
        except NotFound:  # a resident's registration is their first transaction
            sequence = 0
        res = self.node.submit(wallet.sign_tx(chain_id=CHAIN, sequence=sequence,
                                              messages=list(messages)))
        assert res.accepted, res.result.log
        self.node.produce_block()
        rec = self.node.store.get_tx(res.hash)
        assert rec is not None and rec.code == 0, rec
        return rec.result

    def activity(self, wallet: Wallet, **params: Any) -> dict[str, Any]:
        r = self.api.get(f"/v1/accounts/{wallet.address}/activity", params=params)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]


@contextmanager
def open_world(tmp_path: Path, webhooks: WebhookConfig | None = None) -> Iterator[World]:
    """With `webhooks`, a webhook service on its own database hears the node's blocks."""
    operator, shop, alice = Wallet.generate(), Wallet.generate(), Wallet.generate()
    doc = make_genesis_document(CHAIN, operator, [], genesis_time="2027-01-15T00:00:00Z",
                                preset="test")
    doc["businesses"] = [shop.genesis_key("Shop")]
    doc["params"] = {"min_cohort": 1}
    clock = Clock()
    node = EmbeddedNode(tmp_path / "node.db", parse_genesis(doc), EngineConfig(verify_threads=1),
                        clock=clock)
    service = None
    if webhooks is not None:
        service = WebhookService(node, tmp_path / "webhooks.db", CHAIN, webhooks)
        node.add_listener(service.on_block)
        service.start()
    w = World(tmp_path / "node.db", node, clock, operator, shop, alice,
              TestClient(create_app(node, webhooks=service, web_dir=None)), service)
    (code,) = new_invite_codes(1)
    w.send(operator, CreateInvites(code_hashes=(compute_invite_hash(code),)))
    w.send(alice, RegisterResident(invite_code=code,
                                   encryption_key=b64encode(alice.encryption_public_key)))
    try:
        with w.api:
            yield w
    finally:
        if w.webhooks is not None:
            w.webhooks.close()
        node.close()


def story(w: World) -> int:
    """Check in, collect, redeem 1 µBD at the shop; the shop asks for data with it and the
    request expires. Returns the height of the block whose begin step expired it."""
    expires_at = post_request(w)
    block = w.node.produce_block(time_ms=expires_at + HOUR)  # an empty block past the expiry
    return block.height


def post_request(w: World) -> int:
    """The story up to the shop's data request (1 µBD escrowed); returns its expiry."""
    w.send(w.alice, CompleteTask(task_id="daily_checkin"))
    w.clock.now += 2 * HOUR  # diamonds accrue to Force holders
    w.send(w.alice, Collect())
    t = w.clock.now
    w.send(w.shop, CreateOffer(item="Tea", price=1, stock=5, starts_at=0, ends_at=t + DAY,
                               min_force=0, daily_limit=0))
    w.send(w.alice, RedeemOffer(offer=1))
    t = w.clock.now
    w.send(w.shop, CreateRequest(categories=("shopping",), period_start=0, period_end=t,
                                 purpose="Menu study", reward=1, residents=1, cohort=1,
                                 expires_at=t + HOUR, access_ms=DAY))
    return t + HOUR
