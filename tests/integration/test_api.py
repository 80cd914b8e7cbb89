"""HTTP API over an in-process node: bad input is a clear 4xx, never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planet.api.app import create_app
from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites
from planet.core.genesis import parse_genesis
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.node.home import make_genesis_document
from planet.sdk.client import new_invite_codes
from planet.sdk.wallet import Wallet

CHAIN = "planet-api"
OPERATOR = Wallet.generate()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, EmbeddedNode]]:
    genesis = parse_genesis(make_genesis_document(CHAIN, OPERATOR, []))
    node = EmbeddedNode(tmp_path_factory.mktemp("api") / "node.db", genesis,
                        EngineConfig(block_interval_ms=20))
    node.start()
    with TestClient(create_app(node)) as client:
        yield client, node
    node.close()


def test_submit_waits_for_commit_and_tx_is_queryable(api: tuple) -> None:
    client, node = api
    seq = node.query("accounts/account", {"address": OPERATOR.address})["sequence"]
    raw = OPERATOR.sign_tx(chain_id=CHAIN, sequence=seq, messages=[
        CreateInvites(code_hashes=(compute_invite_hash(new_invite_codes(1)[0]),))])
    r = client.post("/v1/txs", content=raw)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["committed"]["code"] == 0
    assert client.get(f"/v1/txs/{body['hash']}").json()["height"] == body["committed"]["height"]
    block = client.get(f"/v1/blocks/{body['committed']['height']}").json()
    assert [t["hash"] for t in block["txs"]] == [body["hash"]]
    again = client.post("/v1/txs", content=raw)
    assert again.status_code == 400 and again.json()["check"]["code"] == 107


@pytest.mark.parametrize(("path", "status", "code"), [
    ("/v1/txs/zz", 400, 111),
    ("/v1/txs/" + "00" * 32, 404, 911),
    ("/v1/blocks/999999", 404, 911),
    ("/v1/query/accounts/account?address=planet1nope", 400, 111),
    ("/v1/query/accounts/account", 400, 111),
    ("/v1/query/nope/nothing", 404, 911),
    ("/v1/requests/12345", 404, 702),  # RequestUnknown: a 404 by its type, code kept
    ("/v1/query/exchange/request?id=12345", 404, 702),
    ("/v1/offers/12345", 404, 911),
    ("/v1/no/such/route", 404, 911),
])
def test_bad_reads_get_clear_errors(api: tuple, path: str, status: int, code: int) -> None:
    client, _ = api
    r = client.get(path)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code and r.json()["message"]


def test_a_wrong_method_is_405_with_its_own_code(api: tuple) -> None:
    client, _ = api
    r = client.delete("/v1/status")
    assert r.status_code == 405
    assert r.json() | {"message": ""} == {"code": 912, "codespace": "http",
                                          "error": "MethodNotAllowed", "message": ""}


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode),
                 st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                              lambda c: st.lists(c, max_size=4)
                              | st.dictionaries(st.text(max_size=8), c, max_size=4),
                              max_leaves=12).map(lambda v: json.dumps(v).encode())))
def test_garbage_transactions_are_4xx_with_a_message(api: tuple, body: bytes) -> None:
    client, node = api
    height, root, pending = node.height, node.app.state.root(), node.mempool_size()
    r = client.post("/v1/txs", content=body, params={"wait": "false"})
    assert r.status_code == 400, r.text
    check = r.json()["check"]
    assert check["code"] != 0 and check["log"]
    assert node.mempool_size() == pending
    if node.height == height:  # an empty block may land meanwhile and move chain/meta
        assert node.app.state.root() == root


@pytest.mark.parametrize("limit", ["abc", "0", "-1", "100000", ""])
def test_bad_page_limits_are_4xx(api: tuple, limit: str) -> None:
    client, _ = api
    r = client.get("/v1/query/accounts/accounts", params={"kind": "resident", "limit": limit})
    assert r.status_code == 400 and r.json()["code"] == 111
