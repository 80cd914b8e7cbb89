"""The vault and the exchange end to end, through the `planet` command against a real node,
with the blob store on files and on a real PostgreSQL server; then every byte the server
side wrote is searched for the plaintext, names, ID numbers and phone numbers used.

    resident registers and verifies · business deposits shopping records · resident adds
    travel and identity records · business posts a request · resident accepts, is paid ·
    business decrypts · resident revokes · resident erases one record · refusals
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from stdnum.cn import ric

from planet.sdk.blobauth import sign_blob_request
from planet.sdk.keys import load_keystore
from tests.integration.nodeproc import NodeProcess, planet, sent_code, wait_until
from tests.pg import PostgresServer

pytestmark = pytest.mark.slow

NAME = "李白云"
ID_BODY = "44030419880612001"
ID_NUMBER = ID_BODY + ric.calc_check_digit(ID_BODY + "0")
PHONE = "13912345678"
SHOPPING = "Bought 2 pairs of running shoes at Lanzhou Road store, order 77812"
TRAVEL = "Train G1234 Beijing South to Shanghai Hongqiao, seat 05F"
TRAVEL_2 = "Flight MU5101 PEK-SHA, 2026-03-02, frequent flyer 88213"
IDENTITY = json.dumps({"name": NAME, "id_number": ID_NUMBER, "phone": PHONE}, ensure_ascii=False)
SECRETS = [SHOPPING, TRAVEL, TRAVEL_2, NAME, ID_NUMBER, PHONE, "Lanzhou Road", "Hongqiao",
           "frequent flyer"]


def forms(secret: str) -> list[bytes]:
    """The ways a leaked string could sit in a file: raw, JSON-escaped, base64, hex."""
    raw = secret.encode()
    out = [raw, json.dumps(secret).encode()[1:-1], secret.encode("utf-16-le"), raw.hex().encode()]
    if len(raw) >= 6:
        out.append(base64.b64encode(raw)[:-4] if len(raw) % 3 else base64.b64encode(raw))
    return out


def scan(blobs: dict[str, bytes]) -> list[str]:
    found = []
    for where, data in blobs.items():
        for secret in SECRETS:
            if any(form in data for form in forms(secret)):
                found.append(f"{secret!r} in {where}")
    return found


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file()}


class Cli:
    def __init__(self, node: NodeProcess) -> None:
        self.node = node
        self.env = {"PLANET_HOME": str(node.home), "PLANET_NODE": node.url}

    def __call__(self, *args: str) -> Any:
        out = planet(*args, "--json", check=False, env=self.env)
        assert out.returncode == 0, out.stderr + out.stdout
        return json.loads(out.stdout)

    def refused(self, *args: str) -> dict[str, Any]:
        out = planet(*args, "--json", check=False, env=self.env)
        assert out.returncode == 1, out.stdout + out.stderr
        return json.loads(out.stdout)  # type: ignore[no-any-return]


@pytest.fixture(params=["files", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[NodeProcess,
                                                                           PostgresServer | None]]:
    home = tmp_path / "home"
    planet("init", "--home", str(home), "--chain-id", "planet-vault")
    genesis = json.loads((home / "genesis.json").read_text())
    genesis["params"] = {"min_cohort": 1}  # one resident here: a cohort of one
    (home / "genesis.json").write_text(json.dumps(genesis))
    server: PostgresServer | None = None
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres")
        config = json.loads((home / "config.json").read_text())
        config["blob_store"] = server.url
        (home / "config.json").write_text(json.dumps(config))
    node = NodeProcess(home).start()
    yield node, server
    node.stop()


def blob_status(node: NodeProcess, keyfile: Path, digest: str) -> int:
    wallet = load_keystore(keyfile, None)
    headers = sign_blob_request(wallet, chain_id="planet-vault", digest=digest, method="GET")
    return httpx.get(f"{node.url}/v1/blobs/{digest}", headers=headers).status_code


def test_scenario_then_no_personal_data_server_side(backend: Any, tmp_path: Path) -> None:
    node, server = backend
    cli = Cli(node)
    keys = node.home / "keys"
    # a resident registers and a verifier checks their identity; the details go to the vault
    code = cli("invites", "create", "--key", "operator", "--count", "2")["codes"]
    resident = cli("keys", "create", "li")["address"]
    cli("register", "--key", "li", "--invite", code[0])
    after = node.log.stat().st_size  # the development sender writes the code to the log
    cli("identity", "code", "--key", "li", "--phone", PHONE)
    cli("identity", "verify", "--key", "li", "--name", NAME, "--id-number", ID_NUMBER,
        "--phone", PHONE, "--code", sent_code(node.log, PHONE, after))
    identity = cli("vault", "add", "--key", "li", "--category", "identity", "--text", IDENTITY)
    # two businesses; the shop earns diamonds by selling the resident an item
    shop = cli("keys", "create", "shop")["address"]
    cli("keys", "create", "rival")
    cli("business", "register", "--key", "operator", "--business-key", "shop", "--name", "Shop")
    cli("business", "register", "--key", "operator", "--business-key", "rival", "--name", "Rival")
    cli("checkin", "--key", "li")
    # wait for blocks to release enough for the 2 BD coffee below (a condition, not a sleep)
    wait_until("2 BD pending", lambda: httpx.get(f"{node.url}/v1/accounts/{resident}/holder")
               .json()["pending_micro"] >= 2_100_000, timeout=60)
    cli("collect", "--key", "li")
    offer = cli("shop", "offer", "--key", "shop", "--item", "Coffee voucher", "--price", "2",
                "--stock", "5")["offer"]
    redeemed = cli("shop", "redeem", str(offer), "--key", "li")
    cli("shop", "fulfil", str(redeemed["redemption"]), "--key", "shop", "--voucher", "COFFEE-9")
    assert cli("shop", "voucher", str(redeemed["redemption"]), "--key", "li")["voucher"] == \
        "COFFEE-9"
    assert cli("business", "purse", shop)["balance"] == 2_000_000

    refused = cli.refused("vault", "deposit", "--key", "shop", "--owner", resident,
                          "--category", "shopping", "--text", SHOPPING)
    assert refused["code"] == 607  # the resident has not allowed the shop yet
    cli("vault", "allow", "--key", "li", "--business", shop)
    assert [d["business"] for d in cli("vault", "depositors", "--key", "li")["items"]] == [shop]
    deposit = cli("vault", "deposit", "--key", "shop", "--owner", resident, "--category",
                  "shopping", "--text", SHOPPING, "--task", "shopping")
    trip = cli("vault", "add", "--key", "li", "--category", "travel", "--text", TRAVEL)
    trip2 = cli("vault", "add", "--key", "li", "--category", "travel", "--text", TRAVEL_2)
    listed = cli("vault", "list", "--key", "li")
    assert listed["total"] == 4
    assert cli("vault", "show", trip["digest"], "--key", "li")["plaintext"] == TRAVEL
    assert cli("query", "force", resident)["force"] >= 5  # check-in 2 + the deposit's task 3

    request = cli("requests", "create", "--key", "shop", "--categories", "travel,shopping",
                  "--purpose", "Route planning", "--reward", "0.5", "--residents", "2",
                  "--cohort", "1",
                  "--period-end", str(int(time.time() * 1000) + 60_000))["request"]
    shown = cli("requests", "show", str(request), "--key", "li")
    assert {r["digest"] for r in shown["records"]} == {deposit["digest"], trip["digest"],
                                                        trip2["digest"]}
    before = cli("query", "holder", resident)["balance_micro"]
    cli("requests", "accept", str(request), "--key", "li", "--record", trip["digest"],
        "--record", trip2["digest"], "--record", deposit["digest"])
    assert cli("query", "holder", resident)["balance_micro"] == before + 500_000

    fetched = cli("requests", "fetch", str(request), "--key", "shop")["records"]
    assert sorted(r["plaintext"] for r in fetched) == sorted([TRAVEL, TRAVEL_2, SHOPPING])
    assert blob_status(node, keys / "rival.json", trip["digest"]) == 403  # no grant
    assert blob_status(node, keys / "shop.json", identity["digest"]) == 403  # not granted

    cli("vault", "erase", trip2["digest"], "--key", "li")
    assert blob_status(node, keys / "shop.json", trip2["digest"]) == 403  # erased
    assert blob_status(node, keys / "li.json", trip2["digest"]) == 403
    fetched = cli("requests", "fetch", str(request), "--key", "shop")["records"]
    assert sorted(r["plaintext"] for r in fetched) == sorted([TRAVEL, SHOPPING])

    cli("requests", "revoke", str(request), "--key", "li")
    assert blob_status(node, keys / "shop.json", trip["digest"]) == 403  # revoked
    assert cli("requests", "fetch", str(request), "--key", "shop")["records"] == []
    refused = cli.refused("requests", "revoke", str(request), "--key", "li")
    assert "revoked" in refused["message"]
    assert cli("vault", "show", trip["digest"], "--key", "li")["plaintext"] == TRAVEL

    # the erased record's ciphertext is gone from the store
    assert wait_for_erasure(node, server, trip2["digest"])
    node.stop()
    written = files_under(node.home / "data")
    written[str(node.log)] = node.log.read_bytes()
    if server is not None:
        written["pg_dump"] = server.dump()
        written.update(files_under(Path(server.data_dir)))
    assert len(written) >= 3
    assert scan(written) == []


def wait_for_erasure(node: NodeProcess, server: PostgresServer | None, digest: str) -> bool:
    """The node deletes an erased record's ciphertext on commit; wait until it is gone."""
    def gone() -> bool:
        if server is None:
            return not any(p.name == digest for p in (node.home / "data" / "blobs").rglob("*"))
        return digest not in server.dump().decode(errors="replace")
    return bool(wait_until(f"blob {digest} deleted", gone, timeout=30, every=0.2))


def test_scan_finds_a_planted_leak(tmp_path: Path) -> None:
    """The scan itself can fail: each secret, planted in any of its forms, is found."""
    for secret in SECRETS:
        for form in forms(secret):
            assert scan({"planted": b"xx" + form + b"yy"}) != [], (secret, form)
