"""Sign in with Planet, end to end: the example shop (examples/shop/app.py) on its own port
beside a real node, and a resident in Chromium whose wallet lives in the node's web app.

She joins, clicks "Sign in with Planet" on the shop, reads the request in her wallet,
approves, lands back signed in, buys, and the shop's attestation is on the ledger. Then
the refusals: the same answer replayed (its nonce is spent), a request whose URI is not on
its domain and an expired one (the wallet will not answer either), a sign-in made for
another site (the shop refuses its domain), one that reaches the shop after it expired,
a declined one, and the pop-up flow, whose answer goes by postMessage to the site's
origin only.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import uvicorn
from playwright.sync_api import expect

from planet.sdk.signin import SigninMessage, SigninVerifier, new_message
from planet.sdk.wallet import Wallet
from tests.e2e.conftest import E2ENode
from tests.e2e.wallets import create_wallet
from tests.integration.nodeproc import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "shop" / "app.py"


class Clock:
    """The shop's clock: the real one, moved forward when a test wants it late."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return datetime.now(UTC).timestamp() + self.offset


class ReadyServer(uvicorn.Server):
    """uvicorn in a thread that says when it listens (no polling, no sleeps)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


@dataclass
class Shop:
    url: str
    domain: str
    wallet: Wallet
    clock: Clock


@pytest.fixture(scope="module")
def shop(node: E2ENode) -> Iterator[Shop]:
    """The example shop, registered as a business, serving on a free port."""
    wallet = Wallet.generate()
    assert node.client.register_business(node.operator, wallet, "Harbour Coffee").ok
    spec = importlib.util.spec_from_file_location("shop_example", EXAMPLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    clock = Clock()
    server = ReadyServer(uvicorn.Config(module.create_app(node.url, wallet, url, clock=clock),
                                        host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert server.ready.wait(30), "the example shop did not start"
    try:
        yield Shop(url, f"127.0.0.1:{port}", wallet, clock)
    finally:
        server.should_exit = True
        thread.join(30)


def wallet_page(node: E2ENode, message: SigninMessage | str, **query: str) -> str:
    text = message if isinstance(message, str) else message.text()
    extra = "".join(f"&{k}={quote(v, safe='')}" for k, v in query.items())
    return f"{node.url}/#/signin?message={quote(text, safe='')}{extra}"


def test_a_resident_signs_in_to_the_shop_and_buys(
        node: E2ENode, shop: Shop, new_page: Callable[[str], Any],
        shot: Callable[[Any, str], Path]) -> None:
    page = new_page("resident")
    create_wallet(page, "Chen", "resident")
    page.get_by_test_id("invite-code").fill(node.invite_codes(1)[0])
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("verify-card")).to_be_visible()
    address = page.evaluate("localStorage.getItem('planet.current')")
    callbacks: list[str] = []
    page.on("request", lambda r: callbacks.append(r.url) if "/callback?" in r.url else None)

    # The shop sends her to her wallet, which says who asks, what for and until when.
    page.goto(f"{shop.url}/")
    page.locator("#signin").click()
    expect(page.get_by_test_id("signin-page")).to_be_visible()
    expect(page.get_by_test_id("signin-asks")).to_contain_text(shop.domain)
    expect(page.get_by_test_id("signin-statement")).to_contain_text("earn Force for your purchases")
    expect(page.get_by_test_id("signin-uri")).to_have_text(f"{shop.url}/callback")
    expect(page.get_by_test_id("signin-as")).to_contain_text("Chen")
    expect(page.get_by_test_id("signin-expiry")).not_to_be_empty()
    expect(page.get_by_test_id("signin-not-resident")).to_have_count(0)
    shot(page, "wallet-signin")
    page.get_by_test_id("signin-approve").click()

    # Back on the shop, signed in; Buy attests "shopping" for her, on the ledger.
    expect(page.locator("#who")).to_have_text(f"Signed in as {address}")
    force_before = node.query("force/force", address=address)["force"]
    page.locator("#buy").click()
    expect(page.locator("#bought")).to_contain_text("committed in block")
    shot(page, "shop-bought")
    height = int(page.locator("#bought").inner_text().split("committed in block ")[1].rstrip("."))
    assert node.query("force/force", address=address)["force"] == force_before + 3
    [attested] = node.client.history(shop.wallet.address, limit=1)
    assert attested["height"] == height and attested["code"] == 0
    assert "force/attest_tasks" in json.dumps(attested)

    # The same answer again: its nonce is spent.
    [answered] = callbacks
    page.goto(answered)
    expect(page.locator("#refused")).to_have_attribute("data-reason", "nonce_used")

    # A sign-in made for another site: the wallet answers that site (caught here), and the
    # shop refuses it for its domain.
    other = f"127.0.0.1:{free_port()}"
    answers: list[str] = []
    page.route(f"http://{other}/**", lambda route: (answers.append(route.request.url),
                                                    route.fulfill(body="other site")))
    elsewhere = new_message(domain=other, uri=f"http://{other}/callback", chain_id=node.chain_id)
    page.goto(wallet_page(node, elsewhere))
    page.get_by_test_id("signin-approve").click()
    expect(page.locator("body")).to_have_text("other site")
    page.goto(f"{shop.url}/callback?{urlsplit(answers[0]).query}")
    expect(page.locator("#refused")).to_have_attribute("data-reason", "domain")

    # A sign-in that reaches the shop after it expired.
    page.goto(f"{shop.url}/login")
    expect(page.get_by_test_id("signin-approve")).to_be_enabled()
    shop.clock.offset = 3600
    try:
        page.get_by_test_id("signin-approve").click()
        expect(page.locator("#refused")).to_have_attribute("data-reason", "expired")
    finally:
        shop.clock.offset = 0
    # Declined: the shop hears so, and nothing is signed.
    page.goto(f"{shop.url}/login")
    page.get_by_test_id("signin-decline").click()
    expect(page.locator("#refused")).to_contain_text("declined (access_denied)")
    assert "error=access_denied" in callbacks[-1] and "signature=" not in callbacks[-1]
    assert not [e for e in page.planet_errors if "Failed to load resource" not in e]


def test_the_wallet_refuses_what_it_must_not_answer(
        node: E2ENode, shop: Shop, new_page: Callable[[str], Any],
        shot: Callable[[Any, str], Path]) -> None:
    page = new_page("resident")
    create_wallet(page, "Lin", "resident")
    good = new_message(domain=shop.domain, uri=f"{shop.url}/callback", chain_id=node.chain_id)
    cases = {
        "uri": new_message(domain="shop.example", uri=f"{shop.url}/callback", chain_id=node.chain_id),
        "insecure_uri": new_message(domain="shop.example", uri="http://shop.example/cb",
                                    chain_id=node.chain_id),
        "chain_id": new_message(domain=shop.domain, uri=f"{shop.url}/callback", chain_id="planet-other"),
        "expired": new_message(domain=shop.domain, uri=f"{shop.url}/callback", chain_id=node.chain_id,
                               now=(datetime.now(UTC) - timedelta(minutes=20)).timestamp()),
    }
    for reason, message in cases.items():
        page.goto(wallet_page(node, message))
        expect(page.get_by_test_id("signin-error")).to_have_attribute("data-reason", reason)
        expect(page.get_by_test_id("signin-approve")).to_have_count(0)
        if reason == "uri":
            shot(page, "wallet-refuses")
    page.get_by_test_id("lang-zh-CN").click()  # the page speaks the visitor's language
    expect(page.get_by_test_id("signin-error")).to_have_text("请求已过期：请回到网站重新开始。")
    expect(page.get_by_test_id("signin-refused")).to_contain_text("无法同意这个登录请求")
    page.get_by_test_id("lang-en").click()
    page.goto(wallet_page(node, "not a sign-in message"))
    expect(page.get_by_test_id("signin-error")).to_have_attribute("data-reason", "malformed")
    page.goto(wallet_page(node, good, redirect_uri=f"{shop.url}/elsewhere"))
    expect(page.get_by_test_id("signin-error")).to_have_attribute("data-reason", "redirect")


def test_the_pop_up_flow_answers_the_sites_origin_by_post_message(
        node: E2ENode, new_page: Callable[[str], Any]) -> None:
    page = new_page("resident")
    create_wallet(page, "Wang", "resident")
    address = page.evaluate("localStorage.getItem('planet.current')")
    site = "https://popup.test"
    message = new_message(domain="popup.test", uri=f"{site}/", chain_id=node.chain_id)
    opener = f"""<!doctype html><body>popup site<script>
      window.addEventListener('message', (e) => {{
        if (e.origin !== '{node.url}') return;  // only the wallet's answer
        document.body.dataset.from = e.origin;
        document.body.dataset.answer = JSON.stringify(e.data);
      }});
      document.body.onclick = () => window.open({json.dumps(wallet_page(node, message))}, 'planet');
    </script></body>"""
    page.route(f"{site}/**", lambda route: route.fulfill(body=opener, content_type="text/html"))
    page.goto(f"{site}/")
    with page.context.expect_page() as popup_info:
        page.locator("body").click()
    popup = popup_info.value
    expect(popup.get_by_test_id("signin-asks")).to_contain_text("popup.test")
    with popup.expect_event("close"):
        popup.get_by_test_id("signin-approve").click()
    expect(page.locator("body")).to_have_attribute("data-from", node.url)
    answer = json.loads(page.locator("body").get_attribute("data-answer") or "{}")
    assert answer["type"] == "planet:signin"
    verifier = SigninVerifier(domain="popup.test", chain_id=node.chain_id, is_resident=None)
    signed_in = verifier.verify(answer["message"], answer["signature"], answer["public_key"],
                                nonce=message.nonce)
    assert signed_in.address == address
