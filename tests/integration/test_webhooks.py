"""Signed webhooks in-process: a real embedded node whose blocks the test produces (block
time is the test's), the webhook service on its own database, the API in front, and a real
HTTP receiver on loopback that fails each event's first two attempts, checks signatures and
deduplicates by id."""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from planet.api.app import create_app
from planet.core.errors import TooManyWebhooks
from planet.core.exchange.messages import LiftSuspension, SuspendBusiness
from planet.core.genesis import parse_genesis
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.node.home import make_genesis_document
from planet.sdk.clock import wall_clock_ms
from planet.sdk.wallet import Wallet
from planet.sdk.webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookVerificationError,
    sign_webhooks_request,
    verify_webhook,
)
from planet.webhooks.service import VettedTransport, WebhookConfig, WebhookService
from tests.chain import Clock
from tests.integration.nodeproc import wait_until
from tests.integration.webhook_receiver import DripServer, Receiver

CHAIN = "planet-webhooks"
FAST = WebhookConfig(allow_private_urls=True, backoff_base_s=0.02, backoff_cap_s=0.2)


@dataclass
class World:
    db: Path
    node: EmbeddedNode
    operator: Wallet
    shop: Wallet
    other: Wallet
    service: WebhookService
    api: TestClient
    receiver: Receiver

    def send(self, *messages: Any) -> None:
        seq = int(self.node.query("accounts/account", {"address": self.operator.address})
                  ["sequence"])
        res = self.node.submit(self.operator.sign_tx(chain_id=CHAIN, sequence=seq,
                                                     messages=list(messages)))
        assert res.accepted, res.result.log
        self.node.produce_block()

    def signed(self, wallet: Wallet, method: str, path: str, body: bytes = b""
               ) -> dict[str, str]:
        return sign_webhooks_request(wallet, chain_id=CHAIN, method=method, path=path,
                                     body=body)

    def add(self, events: list[str], url: str | None = None, business: Wallet | None = None
            ) -> dict[str, Any]:
        wallet = business or self.shop
        path = f"/v1/businesses/{wallet.address}/webhooks"
        body = json.dumps({"url": url or self.receiver.url, "events": events}).encode()
        r = self.api.post(path, content=body, headers=self.signed(wallet, "POST", path, body))
        assert r.status_code == 201, r.text
        made: dict[str, Any] = r.json()
        self.receiver.secrets.append(made["secret"])
        return made

    def log(self) -> list[dict[str, Any]]:
        path = f"/v1/businesses/{self.shop.address}/webhooks/deliveries"
        r = self.api.get(path, headers=self.signed(self.shop, "GET", path))
        assert r.status_code == 200, r.text
        return r.json()["deliveries"]  # type: ignore[no-any-return]


def open_world(tmp_path: Path, receiver: Receiver, genesis_doc: dict[str, Any] | None = None,
               config: WebhookConfig = FAST, clock: Callable[[], int] = wall_clock_ms
               ) -> tuple[EmbeddedNode, WebhookService]:
    node = EmbeddedNode(tmp_path / "node.db",
                        None if genesis_doc is None else parse_genesis(genesis_doc),
                        EngineConfig(verify_threads=1), clock=Clock())
    service = WebhookService(node, tmp_path / "webhooks.db", CHAIN, config, clock=clock)
    node.add_listener(service.on_block)
    service.start()
    return node, service


@pytest.fixture
def make_world(tmp_path: Path) -> Iterator[Callable[..., World]]:
    """A world with the webhook config (and the service's clock) given, one per test."""
    with ExitStack() as stack:
        def make(config: WebhookConfig, clock: Callable[[], int] = wall_clock_ms) -> World:
            operator, shop, other = Wallet.generate(), Wallet.generate(), Wallet.generate()
            doc = make_genesis_document(CHAIN, operator, [], genesis_time="2027-01-15T00:00:00Z",
                                        preset="test")
            doc["businesses"] = [shop.genesis_key("Shop"), other.genesis_key("Other")]
            receiver = Receiver(fail_first=2)
            stack.callback(receiver.close)
            node, service = open_world(tmp_path, receiver, doc, config, clock)
            stack.callback(node.close)
            w = World(tmp_path / "webhooks.db", node, operator, shop, other, service,
                      TestClient(create_app(node, webhooks=service, web_dir=None)), receiver)
            stack.callback(lambda: w.service.close())  # the one running at the end
            stack.enter_context(w.api)
            return w

        yield make


@pytest.fixture
def world(make_world: Callable[..., World]) -> World:
    return make_world(FAST)


def test_delivered_once_after_two_failures_signed_and_logged(world: World) -> None:
    made = world.add(["business.suspended", "business.suspension_lifted"])
    assert made["secret"].startswith("whsec_") and made["from_height"] == world.node.height
    world.send(SuspendBusiness(business=world.shop.address, reason="audit"),
               SuspendBusiness(business=world.other.address, reason="audit"))  # not the shop's
    (event,) = world.receiver.wait_events(1)
    height = world.node.height
    assert event["id"] == f"evt_{height}_0_0"
    assert event["type"] == "business.suspended" and event["height"] == height
    assert event["data"]["business"] == world.shop.address and event["data"]["reason"] == "audit"
    assert event["time"] == world.node.last_block.time  # type: ignore[union-attr]
    assert world.receiver.tries(event["id"]) == [500, 500, 200]
    (delivery,) = wait_until("the log to say delivered", lambda: [
        d for d in world.log() if d["status"] == "delivered"])
    assert delivery["attempts"] == 3 and delivery["response_code"] == 200
    assert delivery["response_body"] == "ok" and delivery["event_id"] == event["id"]
    # redeliver: the same id and body again; after dedupe, still once
    path = f"/v1/businesses/{world.shop.address}/webhooks/deliveries/{delivery['id']}/redeliver"
    r = world.api.post(path, content=b"{}", headers=world.signed(world.shop, "POST", path, b"{}"))
    assert r.status_code == 200, r.text
    wait_until("the redelivery", lambda: len(world.receiver.tries(event["id"])) == 4)
    first, again = [a.body for a in world.receiver.attempts if a.status == 200]
    assert first == again and len(world.receiver.events) == 1
    # the next event goes the same way, in its own block
    world.send(LiftSuspension(business=world.shop.address))
    events = sorted(world.receiver.wait_events(2), key=lambda e: e["height"])
    assert [e["type"] for e in events] == ["business.suspended", "business.suspension_lifted"]


def test_a_tampered_body_or_wrong_secret_or_stale_delivery_is_refused(world: World) -> None:
    made = world.add(["business.suspended"])
    world.receiver.fail_first = 0
    world.send(SuspendBusiness(business=world.shop.address, reason="audit"))
    world.receiver.wait_events(1)
    got = world.receiver.attempts[-1]
    assert verify_webhook(made["secret"], got.headers, got.body)["id"] == got.event_id
    tampered = got.body.replace(b"audit", b"audiT")
    with pytest.raises(WebhookVerificationError, match="bad signature"):
        verify_webhook(made["secret"], got.headers, tampered)
    with pytest.raises(WebhookVerificationError, match="bad signature"):
        verify_webhook(made["secret"] + "x", got.headers, got.body)
    ts = int(got.headers[TIMESTAMP_HEADER])
    with pytest.raises(WebhookVerificationError, match="s from now"):
        verify_webhook(made["secret"], got.headers, got.body, tolerance_s=300, now=ts + 301)
    no_sig = {k: v for k, v in got.headers.items() if k != SIGNATURE_HEADER}
    with pytest.raises(WebhookVerificationError, match="missing"):
        verify_webhook(made["secret"], no_sig, got.body)
    # the receiver itself refuses a forged delivery with 401
    assert world.receiver.handle(got.headers, tampered) == 401


def test_registration_needs_the_business_signature(world: World) -> None:
    path = f"/v1/businesses/{world.shop.address}/webhooks"
    body = json.dumps({"url": world.receiver.url, "events": ["redemption.made"]}).encode()
    assert world.api.post(path, content=body).status_code == 401  # unsigned
    # signed by another business, for the shop's path: refused, whoever signs
    r = world.api.post(path, content=body, headers=world.signed(world.other, "POST", path, body))
    assert r.status_code == 400 and r.json()["error"] == "Unauthorized"
    # the shop's signature over another body, or another path, does not carry over
    headers = world.signed(world.shop, "POST", path, body)
    other_body = body.replace(b"redemption.made", b"grant.revoked")
    assert world.api.post(path, content=other_body, headers=headers).status_code == 401
    other_path = f"/v1/businesses/{world.other.address}/webhooks"
    assert world.api.post(other_path, content=body, headers={
        **world.signed(world.shop, "POST", path, body),
        "X-Planet-Address": world.other.address}).status_code == 401
    # an account that is not a business
    op_path = f"/v1/businesses/{world.operator.address}/webhooks"
    r = world.api.post(op_path, content=body,
                       headers=world.signed(world.operator, "POST", op_path, body))
    assert r.status_code == 400 and r.json()["error"] == "NotBusiness"
    # the right signature works once; the same signed request again is refused
    assert world.api.post(path, content=body, headers=headers).status_code == 201
    assert world.api.post(path, content=body, headers=headers).status_code == 401
    # reads are signed too, and never served from the API's read cache to someone else
    assert world.api.get(path, headers=world.signed(world.shop, "GET", path)).status_code == 200
    assert world.api.get(path).status_code == 401
    assert world.api.get(path, headers=world.signed(world.other, "GET", path)).status_code == 400
    # bad input
    for bad, error in ((b'{"url": "ftp://x", "events": ["redemption.made"]}', "WebhookUrlRefused"),
                       (b'{"url": "http://x", "events": ["nope"]}', "InvalidField"),
                       (b'{"url": "http://x", "events": [], "more": 1}', "InvalidField")):
        r = world.api.post(path, content=bad, headers=world.signed(world.shop, "POST", path, bad))
        assert r.status_code == 400 and r.json()["error"] == error, r.text
    # removal, signed; then the endpoint is gone
    (endpoint,) = world.api.get(path, headers=world.signed(world.shop, "GET", path)
                                ).json()["webhooks"]
    gone = f"{path}/{endpoint['id']}"
    assert world.api.delete(gone).status_code == 401
    assert world.api.delete(gone, headers=world.signed(world.shop, "DELETE", gone)
                            ).status_code == 200
    assert world.api.delete(gone, headers=world.signed(world.shop, "DELETE", gone)
                            ).status_code == 404


def test_private_urls_are_refused_unless_allowed(world: World) -> None:
    from planet.core.errors import WebhookUrlRefused
    from planet.webhooks.service import check_endpoint_url

    for url in ("http://127.0.0.1:9/x", "http://10.0.0.1/x", "http://169.254.169.254/",
                "http://[::1]/x", "http://localhost/x"):
        with pytest.raises(WebhookUrlRefused):
            check_endpoint_url(url, allow_private=False)
        check_endpoint_url(url, allow_private=True)
    with pytest.raises(WebhookUrlRefused):
        check_endpoint_url("http://user:pw@example.com/", allow_private=True)


def test_blocks_committed_while_the_service_was_down_are_delivered(world: World) -> None:
    world.add(["business.suspended", "business.suspension_lifted"])
    world.receiver.fail_first = 0
    world.service.close()  # the reader stops; the node goes on
    world.send(SuspendBusiness(business=world.shop.address, reason="while down"))
    world.send(LiftSuspension(business=world.shop.address))
    service = WebhookService(world.node, world.db, CHAIN, FAST)
    world.node.add_listener(service.on_block)
    service.start()  # from its cursor: both blocks
    world.service = service
    events = sorted(world.receiver.wait_events(2), key=lambda e: e["height"])  # not in order
    assert [e["type"] for e in events] == ["business.suspended", "business.suspension_lifted"]
    assert all(len(world.receiver.tries(e["id"])) == 1 for e in events)


def test_each_event_is_attempted_once_when_the_receiver_answers_200(world: World) -> None:
    """An attempt whose outcome is not yet written back is not picked again."""
    world.add(["business.suspended", "business.suspension_lifted"])
    world.receiver.fail_first = 0
    pairs = [SuspendBusiness(business=world.shop.address, reason="r"),
             LiftSuspension(business=world.shop.address)] * 4
    for _ in range(5):
        world.send(*pairs)
    events = world.receiver.wait_events(40)
    assert len(world.receiver.attempts) == 40 == len({e["id"] for e in events})


# --- the review's findings ------------------------------------------------------------------

REBIND_HOST = "hooks.rebind.test"
PUBLIC = "93.184.215.14"  # a global address; never connected to by these tests


def rebinding_resolver(loopback: str) -> Callable[..., Any]:
    """socket.getaddrinfo for a zero-TTL name at its worst: REBIND_HOST answers a public
    address to every lookup but those made to open a connection (socket.create_connection,
    httpcore's connect_tcp), which get `loopback`. Every other name resolves as usual."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != REBIND_HOST:
            return real(host, port, *args, **kwargs)
        connecting = any(f.name in ("create_connection", "connect_tcp")
                         for f in traceback.extract_stack())
        address = loopback if connecting else PUBLIC
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    return getaddrinfo


def test_dns_rebinding_never_reaches_the_nodes_network(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    """The name is public when checked and 127.0.0.1 when connected to: the loopback
    receiver must hear nothing, and the log keeps no answer."""
    world = make_world(dataclasses.replace(FAST, allow_private_urls=False))
    monkeypatch.setattr(socket, "getaddrinfo", rebinding_resolver("127.0.0.1"))
    port = world.receiver.server.server_address[1]
    world.add(["business.suspended"], url=f"http://{REBIND_HOST}:{port}/hooks")  # public: ok
    world.send(SuspendBusiness(business=world.shop.address, reason="audit"))
    (delivery,) = wait_until("two attempts", lambda: [d for d in world.log()
                                                       if d["attempts"] >= 2])
    assert world.receiver.attempts == []
    assert "127.0.0.1, not a public address" in delivery["last_error"]
    assert delivery["response_code"] is None and delivery["response_body"] is None


def test_a_connection_goes_to_the_address_resolved_once(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """With private addresses allowed, the name answers 127.0.0.2 to its first lookup and
    127.0.0.1 to any later one; two servers on one port: only 127.0.0.2's is reached, and
    the name is looked up once."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != REBIND_HOST:
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        address = "127.0.0.2" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    hits: list[str] = []

    def server(address: str, port: int) -> ThreadingHTTPServer:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: the client's pool reuses it

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                hits.append(address)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        made = ThreadingHTTPServer((address, port), Handler)
        made.daemon_threads = True
        threading.Thread(target=made.serve_forever, daemon=True).start()
        return made

    first = server("127.0.0.2", 0)
    port = first.server_address[1]
    other = server("127.0.0.1", port)
    try:
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        with httpx.Client(transport=VettedTransport(FAST), trust_env=False) as client:
            for _ in range(3):  # the pooled connection: no second lookup either
                r = client.post(f"http://{REBIND_HOST}:{port}/hooks", content=b"{}")
                assert r.status_code == 200
        assert hits == ["127.0.0.2"] * 3 and lookups == [REBIND_HOST]
    finally:
        for made in (first, other):
            made.shutdown()
            made.server_close()


def test_a_dripping_receiver_is_cut_at_the_attempt_deadline(
        make_world: Callable[..., World]) -> None:
    """Each byte comes well within the per-read timeout; the attempt still ends, by its
    deadline, and is retried like any failure."""
    world = make_world(dataclasses.replace(FAST, read_timeout_s=30.0, attempt_timeout_s=1.0))
    drip = DripServer(every=0.2)
    try:
        world.add(["business.suspended"], url=f"{drip.url}/hooks")
        world.send(SuspendBusiness(business=world.shop.address, reason="audit"))
        (delivery,) = wait_until("an attempt cut at its deadline", lambda: [
            d for d in world.log() if (d["last_error"] or "").startswith("deadline")], timeout=60)
        assert delivery["status"] == "pending" and delivery["response_body"] is None
        assert drip.requests >= 1
    finally:
        drip.close()


def test_one_business_cannot_take_every_worker(
        make_world: Callable[..., World]) -> None:
    """The shop's three endpoints all hang (6 deliveries, 2 per endpoint allowed, 4
    workers): it holds at most its 2 per business, and the other business is served."""
    world = make_world(dataclasses.replace(FAST, workers=4, per_endpoint=2, per_business=2,
                                           attempt_timeout_s=120.0, read_timeout_s=120.0))
    world.receiver.fail_first = 0
    drip = DripServer(every=0.2)
    try:
        for n in range(3):
            world.add(["business.suspended", "business.suspension_lifted"],
                      url=f"{drip.url}/hooks/{n}")
        world.send(SuspendBusiness(business=world.shop.address, reason="audit"),
                   LiftSuspension(business=world.shop.address))
        wait_until("the shop's attempts to hang", lambda: drip.open >= 2)
        world.add(["business.suspended"], business=world.other)
        world.send(SuspendBusiness(business=world.other.address, reason="audit"))
        (event,) = world.receiver.wait_events(1)
        assert event["data"]["business"] == world.other.address
        assert drip.peak == 2 and drip.open == 2
    finally:
        drip.close()


def slow_clock() -> int:
    """The wall clock, read slowly: a registration built between counting a business's
    endpoints and adding one (as it was) then leaves every other thread time to count too."""
    time.sleep(0.02)
    return wall_clock_ms()


def test_concurrent_registrations_never_pass_the_limit(
        make_world: Callable[..., World]) -> None:
    world = make_world(dataclasses.replace(FAST, max_endpoints=3), clock=slow_clock)
    path = f"/v1/businesses/{world.shop.address}/webhooks"
    bodies = [json.dumps({"url": f"{world.receiver.url}/{n}",
                          "events": ["redemption.made"]}).encode() for n in range(16)]
    requests = [(world.signed(world.shop, "POST", path, b), b) for b in bodies]
    barrier = threading.Barrier(len(requests))
    outcomes: list[str] = []

    def register(headers: dict[str, str], body: bytes) -> None:
        barrier.wait()
        try:
            world.service.register(headers, world.shop.address, path, body)
            outcomes.append("added")
        except TooManyWebhooks:
            outcomes.append("full")

    threads = [threading.Thread(target=register, args=r) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["added"] * 3 + ["full"] * 13
    assert len(world.service.store.endpoints(world.shop.address)) == 3
