"""Typed REST reads over an in-process node: shapes, paging, the census and schedule,
error shapes for every kind of bad input, and that the per-block cache never hides a
commit from the client that made it."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

import pytest
from fastapi.testclient import TestClient

from planet.api.app import create_app
from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites, RegisterResident
from planet.core.encoding import b64encode
from planet.core.force.messages import CompleteTask
from planet.core.genesis import parse_genesis
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.node.home import make_genesis_document
from planet.sdk.client import new_invite_codes
from planet.sdk.wallet import Wallet

CHAIN = "planet-reads"
OPERATOR = Wallet.generate()
RESIDENTS = [Wallet.generate() for _ in range(3)]


def send(client: TestClient, wallet: Wallet, seq: int, *msgs: object) -> dict:
    r = client.post("/v1/txs", content=wallet.sign_tx(chain_id=CHAIN, sequence=seq,
                                                      messages=list(msgs)))  # type: ignore[arg-type]
    assert r.status_code == 200 and r.json()["committed"]["code"] == 0, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    genesis = parse_genesis(make_genesis_document(CHAIN, OPERATOR, []))
    node = EmbeddedNode(tmp_path_factory.mktemp("reads") / "node.db", genesis,
                        EngineConfig(block_interval_ms=20))
    node.start()
    with TestClient(create_app(node, web_dir=None)) as client:
        codes = new_invite_codes(len(RESIDENTS))
        send(client, OPERATOR, 0, CreateInvites(code_hashes=tuple(map(compute_invite_hash,
                                                                      codes))))
        for wallet, code in zip(RESIDENTS, codes, strict=True):
            send(client, wallet, 0, RegisterResident(
                invite_code=code, encryption_key=b64encode(wallet.encryption_public_key)))
        send(client, RESIDENTS[0], 1, CompleteTask(task_id="daily_checkin"))
        yield client
    node.close()


def test_read_after_commit_sees_the_commit(api: TestClient) -> None:
    path = f"/v1/accounts/{OPERATOR.address}"
    for _ in range(5):
        seq = api.get(path).json()["sequence"]
        api.get(path)  # now cached at this height
        send(api, OPERATOR, seq, CreateInvites(code_hashes=(
            compute_invite_hash(new_invite_codes(1)[0]),)))
        assert api.get(path).json()["sequence"] == seq + 1


def test_accounts_and_history(api: TestClient) -> None:
    listed = api.get("/v1/accounts", params={"kind": "resident"}).json()["items"]
    assert {a["address"] for a in listed} == {w.address for w in RESIDENTS}
    page = api.get("/v1/accounts", params={"kind": "resident", "offset": 1, "limit": 1}).json()
    assert page["items"] == listed[1:2]
    history = api.get(f"/v1/accounts/{RESIDENTS[0].address}/txs").json()["items"]
    assert [t["tx"]["body"]["sequence"] for t in history] == [1, 0]  # newest first
    second = api.get(f"/v1/accounts/{RESIDENTS[0].address}/txs",
                     params={"offset": 1, "limit": 1}).json()["items"]
    assert second == history[1:]
    force = api.get(f"/v1/accounts/{RESIDENTS[0].address}/force").json()
    assert force["force"] == 2 and len(force["grants"]) == 1
    holder = api.get(f"/v1/accounts/{RESIDENTS[0].address}/holder").json()
    assert 0 < holder["dormant_in_ms"] <= 48 * 3_600_000
    assert "bubbles" in api.get(f"/v1/accounts/{RESIDENTS[0].address}/bubbles").json()


def test_census_and_schedule(api: TestClient) -> None:
    census = api.get("/v1/census").json()
    assert census["residents"] == 3 and census["active"] == 1 and census["inactive"] == 2
    assert census["total_force"] == 2
    assert sum(b["count"] for b in census["force_histogram"]) == 3
    schedule = api.get("/v1/supply/schedule", params={"points": 10}).json()
    points = schedule["points"]
    assert len(points) >= 10 and points[0]["emitted_cap"] == 0
    assert points[-1]["emitted_cap"] == schedule["cap_micro"]
    assert all(a["emitted_cap"] <= b["emitted_cap"] for a, b in pairwise(points))
    assert schedule["emitted_micro"] >= schedule["collected_micro"]


def test_catalog_exchange_and_drill_reads(api: TestClient) -> None:
    assert any(t["id"] == "daily_checkin" for t in api.get("/v1/tasks").json())
    assert api.get("/v1/tasks/daily_checkin").json()["force"] == 2
    for path in ("/v1/businesses", "/v1/offers", "/v1/requests", "/v1/drill/current",
                 "/v1/drill/rounds", f"/v1/grants?resident={RESIDENTS[0].address}",
                 f"/v1/records?owner={RESIDENTS[0].address}", "/v1/supply"):
        assert api.get(path).status_code == 200, path


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/v1/accounts/planet1nope", 400),
    ("GET", "/v1/accounts/" + "x" * 500, 422),
    ("GET", "/v1/accounts?kind=alien", 422),
    ("GET", "/v1/accounts?limit=abc", 422),
    ("GET", "/v1/blocks/-1", 422),
    ("GET", "/v1/blocks/99999999999999999999999", 422),
    ("GET", "/v1/txs/xyz", 400),
    ("GET", "/v1/records/abc", 400),
    ("GET", "/v1/requests/1/eligible", 422),
    ("GET", "/v1/grants", 400),
    ("GET", "/v1/tasks/nope", 404),
    ("GET", "/v1/requests/12345", 404),
    ("GET", "/v1/no/such/route", 404),
    ("DELETE", "/v1/status", 405),
    ("POST", "/v1/accounts", 405),
    ("GET", "/v1/query/accounts/account?args=[1]", 400),
    ("GET", "/v1/supply/schedule?points=1", 422),
])
def test_bad_input_is_4xx_in_the_core_shape(api: TestClient, method: str, path: str,
                                            status: int) -> None:
    r = api.request(method, path)
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) >= {"code", "codespace", "error", "message"} and body["message"]


def test_huge_and_non_json_bodies(api: TestClient) -> None:
    r = api.post("/v1/txs", content=b"{" * (2 << 20))
    assert r.status_code == 413 and r.json()["error"] == "BodyTooLarge"
    r = api.post("/v1/txs", content="ünïcode but not JSON".encode())
    assert r.status_code == 400
    chunked = api.post("/v1/txs", content=(b"[" * 65536 for _ in range(40)))  # no length
    assert chunked.status_code == 413 and chunked.json()["code"] == 913


def test_metrics_and_docs(api: TestClient) -> None:
    api.get("/v1/supply")
    text = api.get("/metrics").text
    for name in ("planet_height", "planet_mempool_txs", "planet_txs_committed_total",
                 "planet_block_interval_seconds", "planet_http_requests_total",
                 "planet_http_request_duration_seconds", "planet_sse_subscribers"):
        assert name in text
    assert 'route="/v1/supply"' in text
    spec = api.get("/openapi.json").json()
    tags = {t for op in spec["paths"].values() for o in op.values() for t in o.get("tags", [])}
    assert {"accounts", "supply", "tasks", "exchange", "vault", "drill", "events",
            "identity", "blocks", "txs"} <= tags


def test_answers_match_their_documented_shapes(api: TestClient) -> None:
    import jsonschema_rs  # installed with schemathesis (dev extras)

    spec = api.get("/openapi.json").json()
    a = RESIDENTS[0].address
    height = api.get("/v1/status").json()["height"]
    checked = 0
    for path, template in [
        ("/v1/health", "/v1/health"), ("/v1/status", "/v1/status"),
        ("/v1/blocks", "/v1/blocks"), ("/v1/blocks/latest", "/v1/blocks/latest"),
        ("/v1/accounts", "/v1/accounts"), (f"/v1/accounts/{a}", "/v1/accounts/{address}"),
        (f"/v1/accounts/{a}/force", "/v1/accounts/{address}/force"),
        (f"/v1/accounts/{a}/holder", "/v1/accounts/{address}/holder"),
        (f"/v1/accounts/{a}/bubbles", "/v1/accounts/{address}/bubbles"),
        (f"/v1/accounts/{a}/txs", "/v1/accounts/{address}/txs"),
        ("/v1/supply", "/v1/supply"), ("/v1/supply/schedule", "/v1/supply/schedule"),
        ("/v1/census", "/v1/census"), ("/v1/tasks", "/v1/tasks"),
        ("/v1/tasks/daily_checkin", "/v1/tasks/{task_id}"), ("/v1/offers", "/v1/offers"),
        ("/v1/requests", "/v1/requests"), (f"/v1/grants?resident={a}", "/v1/grants"),
    ]:
        schema = spec["paths"][template]["get"]["responses"]["200"]["content"][
            "application/json"]["schema"]
        jsonschema_rs.validate(schema, api.get(path).json())
        checked += 1
    assert checked == 18 and height > 0


def test_status_names_the_deployments_timezone(api: TestClient) -> None:
    """Days (check-in limits, daily quotas) run on it, so the web app shows times in it."""
    assert api.get("/v1/status").json()["timezone"] == "+08:00"


@pytest.mark.parametrize(("minutes", "text"), [(480, "+08:00"), (0, "+00:00"), (-330, "-05:30")])
def test_format_offset(minutes: int, text: str) -> None:
    from planet.api.routes.chain import format_offset

    assert format_offset(minutes) == text
