"""Business applications through a real node (issue 17, item 1): the CLI as an applicant
and the operator use it, the API's routes, the Python SDK, and the OpenAPI page's examples
of the business flows."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from planet.cli.common import load_wallet
from planet.sdk.client import NodeError, PlanetClient
from planet.sdk.wallet import Wallet
from tests.integration.nodeproc import NodeProcess, planet

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    home = tmp_path_factory.mktemp("apps") / "home"
    planet("init", "--home", str(home), "--chain-id", "planet-apps")
    n = NodeProcess(home).start(timeout=120)  # a busy shared machine starts nodes slowly
    yield n
    n.stop()


def cli(node: NodeProcess, *args: str, as_json: bool = True, check: bool = True
        ) -> tuple[int, str, str]:
    out = planet(*args, *(("--json",) if as_json else ()), check=False,
                 env={"PLANET_HOME": str(node.home), "PLANET_NODE": node.url})
    if check:
        assert out.returncode == 0, out.stderr + out.stdout
    return out.returncode, out.stdout, out.stderr


def js(node: NodeProcess, *args: str) -> dict:  # type: ignore[type-arg]
    return json.loads(cli(node, *args)[1])  # type: ignore[no-any-return]


def test_apply_decline_apply_again_and_approve_from_the_cli(node: NodeProcess) -> None:
    shop = js(node, "keys", "create", "noodles")
    applied = js(node, "business", "apply", "--key", "noodles", "--name", "Noodle House",
                 "--contact", "+86 21 5555 0101", "--offers", "Hand-pulled noodles")
    assert applied["status"] == "pending" and applied["applicant"] == shop["address"]
    app_id = applied["id"]
    queue = js(node, "business", "applications")
    assert queue["pending"] == 1 and [a["id"] for a in queue["items"]] == [app_id]
    _, table, _ = cli(node, "business", "applications", as_json=False)
    assert "Applications waiting (1)" in table and "Noodle House" in table
    code, out, _ = cli(node, "business", "apply", "--key", "noodles", "--name", "Again",
                       "--contact", "x", "--offers", "y", check=False)
    assert code == 1 and json.loads(out)["code"] == 361  # one pending per key

    declined = js(node, "business", "decline", str(app_id), "--reason", "No licence attached")
    assert declined["status"] == "declined"
    mine = js(node, "business", "application", "--key", "noodles")
    assert (mine["status"], mine["reason"]) == ("declined", "No licence attached")
    _, human, _ = cli(node, "business", "application", str(app_id), as_json=False)
    assert "declined" in human and "No licence attached" in human
    code, out, _ = cli(node, "business", "approve", str(app_id), "--yes", check=False)
    assert code == 1 and json.loads(out)["code"] == 363

    js(node, "keys", "create", "teahouse")
    tea = js(node, "business", "apply", "--key", "teahouse", "--name", "Tea House",
             "--contact", "tea@example.com", "--offers", "Tea for Force")
    code, out, _ = cli(node, "business", "approve", str(tea["id"]), check=False,
                       as_json=False)  # asks to confirm; no answer on stdin: nothing sent
    assert code != 0 and js(node, "business", "application", str(tea["id"]))["status"] == "pending"
    approved = js(node, "business", "approve", str(tea["id"]), "--quota", "77")
    assert approved["business"] == tea["applicant"] and approved["daily_force"] == 77
    account = js(node, "query", "account", tea["applicant"])
    assert account["kind"] == "business" and account["name"] == "Tea House"
    assert account["sequence"] == 1  # the application was its key's first transaction
    assert js(node, "business", "applications")["items"] == []
    _, empty, _ = cli(node, "business", "applications", as_json=False)
    assert "no application is waiting" in empty


def test_the_routes_and_the_sdk(node: NodeProcess) -> None:
    api = PlanetClient(node.url)
    operator = load_wallet("operator", None, node.home)
    a, b, c = Wallet.generate(), Wallet.generate(), Wallet.generate()
    assert api.application_of(a.address) == {"address": a.address, "sequence": 0,
                                             "application": None}
    first = api.apply_business(a, "Bakery", "bake@example.com", "Bread")
    second = api.apply_business(b, "Cinema", "+86 10 1234 5678", "Tickets")
    assert api.next_sequence(a.address) == 1
    page = api.applications(limit=1)
    assert page["items"][0]["id"] == first and page["next_after"] == first
    rest = api.applications(limit=1, after=page["next_after"])
    assert [x["id"] for x in rest["items"]] == [second] and rest["next_after"] is None
    assert api.application(second)["name"] == "Cinema"
    api.withdraw_application(b, second)
    assert api.application_of(b.address)["application"]["status"] == "withdrawn"
    with pytest.raises(NodeError) as err:
        api.application(9999)
    assert err.value.status == 404 and err.value.code == 362
    r = httpx.get(f"{node.url}/v1/applications", params={"limit": 0})
    assert r.status_code == 422
    with pytest.raises(NodeError) as err:
        api.withdraw_application(b, first)
    assert err.value.code == 364
    api.approve_application(operator, first, daily_force=12)
    assert api.account(a.address)["kind"] == "business"  # type: ignore[index]
    assert api.query("force/quota", address=a.address)["daily_force"] == 12
    third = api.apply_business(c, "Arcade", "arcade@example.com", "Games")
    api.decline_application(operator, third, "Games are out of scope for now")
    assert api.application(third)["reason"] == "Games are out of scope for now"
    with pytest.raises(NodeError) as err:
        api.apply_business(c, "Arcade", "arcade@example.com", "Games")
    assert err.value.code == 367  # a day's wait after a decision


def test_the_openapi_page_documents_the_business_flows(node: NodeProcess) -> None:
    spec = httpx.get(f"{node.url}/openapi.json").json()
    batch = spec["paths"]["/v1/txs/batch"]["post"]
    examples = batch["requestBody"]["content"]["application/json"]["examples"]
    assert "Idempotency-Key" in examples["attest_purchases"]["description"]
    assert any(p["name"] == "Idempotency-Key" for p in batch["parameters"])
    assert "422" in batch["responses"]
    txs = spec["paths"]["/v1/txs"]["post"]["requestBody"]["content"]["application/json"]
    apply = txs["examples"]["apply"]["value"]["body"]["messages"][0]
    assert apply["type"] == "applications/apply"
    assert {"/v1/applications", "/v1/applications/{application_id}",
            "/v1/applications/of/{address}"} <= set(spec["paths"])
