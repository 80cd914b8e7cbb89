"""State proofs from real node processes: `GET /v1/proofs/{key}` and the holder read with
`prove=true`, checked against the app hash each node's chain records for that height (the
embedded node's block record; CometBFT's next header), and `planet query holder --prove`,
which says so, and refuses an app hash of another height and an answer a man in the middle
altered (exit 1, InvalidProof 933)."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from planet.core.chain import META_KEY, ChainMeta
from planet.core.errors import InvalidField, InvalidProof
from planet.core.genesis import parse_genesis
from planet.sdk.client import PlanetClient
from planet.sdk.keys import load_keystore
from planet.sdk.proofs import verify_proof, verify_query
from planet.sdk.wallet import Wallet
from tests.integration import test_cometbft_single as single
from tests.integration.nodeproc import NodeProcess, planet, wait_until

pytestmark = pytest.mark.slow

validator = single.validator  # the one-validator CometBFT fixture, reused


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    home = tmp_path_factory.mktemp("proofs") / "home"
    planet("init", "--home", str(home), "--chain-id", "planet-proofs")
    n = NodeProcess(home).start()
    yield n
    n.stop()


@pytest.fixture(scope="module")
def alice(node: NodeProcess) -> str:
    """A resident with Force and a collect behind her: a holder record to prove."""
    env = {"PLANET_HOME": str(node.home), "PLANET_NODE": node.url}
    code = json.loads(planet("invites", "create", "--key", "operator", "--count", "1", "--json",
                             env=env).stdout)["codes"][0]
    address = str(json.loads(planet("keys", "create", "alice", "--json", env=env).stdout)["address"])
    for args in (("register", "--key", "alice", "--invite", code), ("checkin", "--key", "alice"),
                 ("collect", "--key", "alice")):
        planet(*args, "--json", env=env)
    return address


def cli(node: NodeProcess, *args: str) -> Any:
    return planet(*args, check=False, env={"PLANET_HOME": str(node.home), "PLANET_NODE": node.url,
                                           "COLUMNS": "80"})


def block_app_hash(url: str, height: int) -> str:
    return str(httpx.get(f"{url}/v1/blocks/{height}", timeout=5).json()["app_hash"])


def check_holder_answer(url: str, address: str, app_hash_of: Any) -> dict[str, Any]:
    """The holder read with prove=true, verified against `app_hash_of(height)` and re-run on
    the proven records alone."""
    data = httpx.get(f"{url}/v1/accounts/{address}/holder", params={"prove": "true"},
                     timeout=10).json()
    proof = data["proof"]
    assert {"height", "app_hash", "reads", "scans"} <= set(proof) and proof["scans"] == []
    keys = [r["key"] for r in proof["reads"]]
    assert keys[0] == META_KEY and f"emission/holder/{address}" in keys
    genesis = parse_genesis(httpx.get(f"{url}/v1/genesis", timeout=5).json())
    answer = {k: v for k, v in data.items() if k != "proof"}
    assert answer == httpx.get(f"{url}/v1/query/emission/holder", params={"address": address},
                               timeout=5).json() or proof["height"] < httpx.get(
        f"{url}/v1/status", timeout=5).json()["height"]  # a block may have come between
    reads = verify_query("emission/holder", {"address": address}, answer, proof,
                         app_hash_of(proof["height"]), genesis)
    assert reads.height == proof["height"] and reads.records == len(keys)
    return data


def test_the_route_proves_present_and_absent_keys_at_a_block(node: NodeProcess, alice: str) -> None:
    for key, present in ((META_KEY, True), (f"emission/holder/{alice}", True),
                         ("emission/holder/planet1nobodyhere", False)):
        proof = httpx.get(f"{node.url}/v1/proofs/{key}", timeout=5).json()
        assert proof["key"] == key and (proof["value"] is not None) == present
        trusted = block_app_hash(node.url, proof["height"])
        assert proof["app_hash"] == trusted
        value = verify_proof(proof, trusted)
        assert (value is not None) == present
        if key == META_KEY:
            assert value is not None and ChainMeta.decode(value).height == proof["height"]
        if proof["height"] > 1:  # the proof of this height against the one before: refused
            with pytest.raises(InvalidProof, match="another app hash"):
                verify_proof(proof, block_app_hash(node.url, proof["height"] - 1))
    client = PlanetClient(node.url)
    try:
        assert client.proof(META_KEY)["key"] == META_KEY
    finally:
        client.close()


@pytest.mark.parametrize(("path", "words"), [
    ("chain/meta%00", "control characters"), ("chain/me%20ta", "visible ASCII"),
    ("Chain/meta", "module/"), ("chain", "module/"), ("a/" + "x" * 300, "at most 256"),
    ("emission/holder/%C3%A9", "visible ASCII")])
def test_a_malformed_key_is_a_400_that_says_why(node: NodeProcess, path: str, words: str) -> None:
    r = httpx.get(f"{node.url}/v1/proofs/{path}", timeout=5)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == InvalidField.code and words in body["message"]


def test_the_holder_read_with_prove_is_verified_against_the_block(node: NodeProcess,
                                                                    alice: str) -> None:
    data = check_holder_answer(node.url, alice, lambda h: block_app_hash(node.url, h))
    assert data["balance_micro"] > 0 and data["force"] > 0
    without = httpx.get(f"{node.url}/v1/accounts/{alice}/holder", timeout=5).json()
    assert "proof" not in without


def test_cli_prove_verifies_and_says_so(node: NodeProcess, alice: str) -> None:
    out = cli(node, "query", "holder", alice, "--prove", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    proof = data["proof"]
    assert proof["verified"] is True and proof["checked_against"] == ["block header"]
    assert proof["app_hash"] == block_app_hash(node.url, proof["height"])
    shown = cli(node, "query", "holder", alice, "--prove")
    assert shown.returncode == 0, shown.stderr
    assert "proof verified: height " in shown.stdout and " records" in shown.stdout
    assert all(len(line) <= 80 for line in shown.stdout.splitlines())


def test_cli_prove_with_a_trusted_app_hash(node: NodeProcess, alice: str) -> None:
    def attempt() -> Any:
        height = httpx.get(f"{node.url}/v1/status", timeout=5).json()["height"]
        out = cli(node, "query", "holder", alice, "--app-hash",
                  block_app_hash(node.url, height), "--json")
        # a block may come between the two reads: then the proof is of a later height
        return out if out.returncode == 0 else None
    out = wait_until("a proof at the height whose app hash was given", attempt, timeout=120)
    assert json.loads(out.stdout)["proof"]["checked_against"] == ["block header", "--app-hash"]
    earlier = block_app_hash(node.url, 1)
    refused = cli(node, "query", "holder", alice, "--app-hash", earlier, "--json")
    assert refused.returncode == 1
    body = json.loads(refused.stdout)
    assert body["code"] == InvalidProof.code == 933 and "another app hash" in body["message"]
    shown = cli(node, "query", "holder", alice, "--app-hash", earlier)
    assert shown.returncode == 1 and "proof refused" in shown.stderr


class Tampering(http.server.ThreadingHTTPServer):
    """A man in the middle: forwards GETs to the node, adding one µBD to a proven holder
    answer (whose proofs stay the node's, honest)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        super().__init__(("127.0.0.1", 0), _Forward)


class _Forward(http.server.BaseHTTPRequestHandler):
    server: Tampering

    def do_GET(self) -> None:
        r = httpx.get(self.server.upstream + self.path, timeout=10)
        body = r.content
        if "prove=true" in self.path and r.status_code == 200:
            data = orjson.loads(body)
            data["balance_micro"] += 1
            body = orjson.dumps(data)
        self.send_response(r.status_code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_cli_prove_refuses_an_answer_altered_on_the_way(node: NodeProcess, alice: str) -> None:
    proxy = Tampering(node.url)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{proxy.server_address[1]}"
        plain = planet("query", "holder", alice, "--node", url, "--json", check=False)
        assert plain.returncode == 0  # unproven, the lie passes...
        out = planet("query", "holder", alice, "--prove", "--node", url, "--json", check=False)
        assert out.returncode == 1  # ...proven, it does not
        body = json.loads(out.stdout)
        assert body["code"] == 933 and "differs from the proven records in balance_micro" \
            in body["message"]
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_cometbft_proofs_lead_to_the_next_headers_app_hash(validator: single.Validator) -> None:
    """On the CometBFT engine the app hash after block h is in CometBFT's header h+1: the
    trust anchor a light client gives. Proofs are taken at the last Commit, never at a block
    only finalized, so they always name a height the node has stored."""
    v = validator
    v.start_app()
    v.start_comet()
    single.wait_until("block 2", lambda: v.app_height() >= 2)
    api = PlanetClient(v.api)
    try:
        operator = load_keystore(v.home / "keys" / "operator.json", None)
        resident = Wallet.generate()
        outcome, _ = api.register_resident(resident, api.create_invites(operator, 1)[0])
        assert outcome.ok
        assert api.complete_task(resident, "daily_checkin").ok
        assert api.collect(resident).ok

        def header_app_hash(height: int) -> str:
            header = single.wait_until(f"CometBFT block {height + 1}",
                                       lambda: v.comet_block(height + 1)["block"]["header"])
            return str(header["app_hash"]).lower()

        for _ in range(20):  # many reads while blocks keep coming: each at a stored height
            proof = api.proof(f"emission/holder/{resident.address}")
            assert proof["app_hash"] == v.app_block(proof["height"])["app_hash"]
            assert verify_proof(proof, header_app_hash(proof["height"])) is not None
        check_holder_answer(v.api, resident.address, header_app_hash)
        out = planet("query", "holder", resident.address, "--prove", "--node", v.api, "--json",
                     check=False)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["proof"]["verified"] is True
    finally:
        api.close()
