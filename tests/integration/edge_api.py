"""An API over an embedded node for the tests of POST /v1/txs and /v1/txs/batch (the ASGI
edge, test_txs_edge; idempotency keys, test_idempotency_api): the app, what its edge
answered itself, and a node whose sequencer runs or never does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from planet.api.app import create_app
from planet.api.limits import HttpLimits
from planet.api.txs_edge import TxIngress
from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites
from planet.core.genesis import parse_genesis
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.node.home import make_genesis_document
from planet.sdk.client import new_invite_codes
from planet.sdk.wallet import Wallet

CHAIN = "planet-edge"
MAX_BODY = 256 * 1024  # the edge's overall limit here; the chain's max_tx_bytes is below


class Api:
    """An app over a node, recording what the edge answered (route, status) itself."""

    def __init__(self, node: EmbeddedNode) -> None:
        self.node = node
        self.app = create_app(node, web_dir=None, limits=HttpLimits(max_body_bytes=MAX_BODY))
        self.ingress: TxIngress = self.app.state.tx_ingress
        self.answered: list[tuple[str, int] | None] = []
        handle = self.ingress.handle

        async def recording(*args: Any) -> tuple[str, int] | None:
            answer = await handle(*args)
            self.answered.append(answer)
            return answer

        self.ingress.handle = recording  # type: ignore[method-assign]
        self.client = TestClient(self.app)

    def invite_tx(self, wallet: Wallet, sequence: int, chain: str = CHAIN) -> bytes:
        return wallet.sign_tx(chain_id=chain, sequence=sequence, messages=[
            CreateInvites(code_hashes=(compute_invite_hash(new_invite_codes(1)[0]),))])

    def sequence(self, wallet: Wallet) -> int:
        return int(self.node.query("accounts/account", {"address": wallet.address})["sequence"])


def embedded_node(folder: Path, operator: Wallet, start: bool) -> EmbeddedNode:
    genesis = parse_genesis(make_genesis_document(CHAIN, operator, []))
    node = EmbeddedNode(folder / "node.db", genesis, EngineConfig(block_interval_ms=20))
    if start:
        node.start()
    return node


@contextmanager
def serving(folder: Path, operator: Wallet, *, start: bool) -> Iterator[Api]:
    """An Api over a fresh node; with start=False its sequencer never runs, so txs are
    admitted and never committed."""
    node = embedded_node(folder, operator, start)
    api = Api(node)
    try:
        with api.client:
            yield api
    finally:
        node.close()


def error_message(r: Any, status: int, error: str, code: int) -> str:
    """The message of a JSON error answer, after checking its status, shape and code."""
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"code", "codespace", "error", "message"}, body
    assert (body["error"], body["code"]) == (error, code), body
    assert r.headers["content-type"] == "application/json"
    return str(body["message"])
