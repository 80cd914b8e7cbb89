"""The browser's identity check through a real node: sealed details, resident-signed
request, attestation on the ledger, and no trace of the details anywhere afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from stdnum.cn import ric

from planet.sdk.client import NodeError, PlanetClient
from planet.sdk.wallet import Wallet
from tests.integration.nodeproc import NodeProcess, planet

NAME = "李四光"
ID_BODY = "44030819990101001"
ID_NUMBER = ID_BODY + ric.calc_check_digit(ID_BODY + "0")
PHONE = "13912345678"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    home = tmp_path_factory.mktemp("identity") / "home"
    planet("init", "--home", str(home), "--chain-id", "planet-identity")
    n = NodeProcess(home).start()
    yield n
    n.stop()


def resident(client: PlanetClient, home: Path) -> Wallet:
    from planet.sdk.keys import load_keystore

    operator = load_keystore(home / "keys" / "operator.json", None)
    wallet = Wallet.generate()
    client.register_resident(wallet, client.create_invites(operator, 1)[0])
    return wallet


def test_verifier_is_published(node: NodeProcess) -> None:
    client = PlanetClient(node.url)
    info = client.identity_verifier()
    account = client.account(info["address"])
    assert account is not None and account["kind"] == "verifier"
    assert account["encryption_key"] == info["encryption_key"]


def test_resident_verifies_and_nothing_is_kept(node: NodeProcess) -> None:
    client = PlanetClient(node.url)
    alice, bob = resident(client, node.home), resident(client, node.home)

    done = client.verify_identity(alice, NAME, ID_NUMBER, PHONE)
    assert done["height"] >= 1 and len(done["hash"]) == 64
    assert client.account(alice.address)["verified"] is True  # type: ignore[index]

    with pytest.raises(NodeError) as bad:
        client.verify_identity(bob, NAME, ID_NUMBER[:-1] + ("1" if ID_NUMBER[-1] != "1"
                                                             else "2"), PHONE)
    assert bad.value.status == 422 and bad.value.code == 350
    assert "check digit" in bad.value.message and ID_BODY not in bad.value.message

    with pytest.raises(NodeError) as landline:
        client.verify_identity(bob, NAME, ID_NUMBER, "01012345678")
    assert landline.value.status == 422 and "phone" in landline.value.message

    with pytest.raises(NodeError) as reused:  # the same person, a second account
        client.verify_identity(bob, NAME, ID_NUMBER, PHONE)
    assert reused.value.status == 409 and reused.value.code == 306
    assert client.account(bob.address)["verified"] is False  # type: ignore[index]

    node.stop()  # flush the log and checkpoint the database before looking
    secrets = [s.encode() for s in (NAME, ID_NUMBER, ID_BODY, PHONE)]
    for path in node.home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(s in data for s in secrets), f"{path} holds submitted details"
    node.start()


def test_unsigned_or_unopenable_requests_are_refused(node: NodeProcess) -> None:
    r = httpx.post(f"{node.url}/v1/identity/verify", content=b"x" * 100)
    assert r.status_code == 401 and r.json()["code"] == 205
    client = PlanetClient(node.url)
    carol = resident(client, node.home)
    from planet.sdk.blobauth import sign_blob_request

    body = b"not sealed" * 10
    import hashlib

    headers = sign_blob_request(carol, chain_id=client.chain_id,
                                digest=hashlib.sha256(body).hexdigest(), method="POST")
    r = httpx.post(f"{node.url}/v1/identity/verify", content=body, headers=headers)
    assert r.status_code == 400 and "cannot open" in r.json()["message"]
    headers = sign_blob_request(carol, chain_id=client.chain_id, digest="00" * 32,
                                method="POST")
    r = httpx.post(f"{node.url}/v1/identity/verify", content=body, headers=headers)
    assert r.status_code == 401
