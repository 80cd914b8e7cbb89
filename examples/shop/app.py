"""A shop's website that signs residents in with Planet and attests their purchases.

Run it against a local planet (see README.md):
    PLANET_NODE=http://127.0.0.1:7070 SHOP_KEY=$PLANET_HOME/keys/shop.json python examples/shop/app.py
"""

from __future__ import annotations

import html
import os
import secrets
import time
from collections.abc import Callable
from urllib.parse import quote, urlsplit

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from planet.core.force.messages import AttestTasks
from planet.sdk.client import NodeError, PlanetClient
from planet.sdk.keys import load_keystore
from planet.sdk.signin import SigninError, SigninVerifier, new_message, residents_on
from planet.sdk.wallet import Wallet


def create_app(node: str, wallet: Wallet, site: str, web: str | None = None,
               clock: Callable[[], float] = time.time) -> FastAPI:
    """The shop at `site` (its public base URL), signing in through the wallet app at `web`
    (the node's own by default) and attesting "shopping" with the business key `wallet`."""
    client = PlanetClient(node)
    domain = urlsplit(site).netloc
    verifier = SigninVerifier(domain=domain, chain_id=client.chain_id,
                              is_resident=residents_on(client), clock=clock)
    sessions: dict[str, dict[str, str]] = {}  # cookie → {"nonce"} or {"address"}
    app = FastAPI(title="Harbour Coffee")

    def page(body: str) -> HTMLResponse:
        return HTMLResponse(f"<!doctype html><title>Harbour Coffee</title><h1>Harbour Coffee</h1>{body}")

    def new_session(response: Response, **values: str) -> Response:
        sid = secrets.token_urlsafe(24)
        sessions[sid] = values
        response.set_cookie("sid", sid, httponly=True, samesite="lax")
        return response

    def session_of(request: Request) -> dict[str, str]:
        return sessions.get(request.cookies.get("sid", ""), {})

    @app.get("/")
    def home(request: Request) -> Response:
        address = session_of(request).get("address")
        if not address:
            return page('<a id="signin" href="/login">Sign in with Planet</a>')
        return page(f'<p id="who">Signed in as {html.escape(address)}</p>'
                    '<form method="post" action="/buy"><button id="buy">Buy a flat white</button></form>')

    @app.get("/login")
    def login() -> Response:
        message = new_message(domain=domain, uri=f"{site}/callback", chain_id=client.chain_id,
                              statement="Sign in to Harbour Coffee and earn Force for your purchases.",
                              now=clock())
        target = f"{web or node}/#/signin?message={quote(message.text(), safe='')}"
        # The nonce is this browser's: a callback that brings another one is refused.
        return new_session(RedirectResponse(target, status_code=303), nonce=message.nonce)

    @app.get("/callback")
    def callback(request: Request, message: str = "", signature: str = "", public_key: str = "",
                 error: str = "") -> Response:
        if error:
            return page(f'<p id="refused">Sign-in declined ({html.escape(error)}).</p>')
        nonce = session_of(request).get("nonce", "-")
        try:
            signed_in = verifier.verify(message, signature, public_key, nonce=nonce)
        except SigninError as err:
            return page(f'<p id="refused" data-reason="{err.reason}">Sign-in refused: '
                        f'{html.escape(str(err))}</p>')
        return new_session(RedirectResponse("/", status_code=303), address=str(signed_in.address),
                           nonce=nonce)

    @app.post("/buy")
    def buy(request: Request) -> Response:
        address = session_of(request).get("address")
        if not address:
            return RedirectResponse("/", status_code=303)
        try:
            outcome = client.send(wallet, AttestTasks(task_id="shopping", residents=(address,)))
            result = f"committed in block {outcome.height}" if outcome.ok else f"refused: {outcome.log}"
        except NodeError as err:
            result = f"refused: {err.message}"
        return page(f'<p id="bought">Thank you! Your purchase was attested: {html.escape(result)}.</p>'
                    '<a href="/">Back</a>')

    return app


if __name__ == "__main__":
    shop = load_keystore(os.environ["SHOP_KEY"], os.environ.get("SHOP_KEY_PASSWORD"))
    site_url = os.environ.get("SHOP_URL", "http://127.0.0.1:8000")
    uvicorn.run(create_app(os.environ.get("PLANET_NODE", "http://127.0.0.1:7070"), shop, site_url,
                           os.environ.get("PLANET_WEB")),
                host="127.0.0.1", port=urlsplit(site_url).port or 8000)
