"""The browser's identity check through a real node: a one-time code to the phone (the
development sender writes it to the node's log, where the test reads it), sealed details,
resident-signed requests, attestation on the ledger, and no trace of the details, the phone
or the code anywhere afterwards but the code in the development sender's log line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from stdnum.cn import ric

from planet.sdk.client import NodeError, PlanetClient
from planet.sdk.wallet import Wallet
from tests.integration.nodeproc import CODE_LINE, NodeProcess, planet, sent_code

NAME = "李四光"
ID_BODY = "44030819990101001"
ID_NUMBER = ID_BODY + ric.calc_check_digit(ID_BODY + "0")


def make_id(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")

PHONE = "13912345678"
OTHER_PHONE = "13912345679"
CHECKSUM_ONLY = "checksum only — not for production"


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
    assert info["authority"] == CHECKSUM_ONLY and info["code_sender_kind"] == "console"


def test_the_development_authority_is_reported_as_such(node: NodeProcess) -> None:
    status = PlanetClient(node.url).status()
    assert status["identity_authority"] == CHECKSUM_ONLY
    assert status["identity_authority_kind"] == "checksum"
    assert status["identity_code_sender_kind"] == "console"
    shown = planet("status", "--node", node.url).stdout
    assert "checksum only — not for production" in shown
    assert "identity authority: checksum only — not for production" in node.log.read_text()


def test_resident_verifies_and_nothing_is_kept(node: NodeProcess) -> None:
    client = PlanetClient(node.url)
    alice, bob, carol = (resident(client, node.home) for _ in range(3))

    done = node.verify_identity(client, alice, NAME, ID_NUMBER, PHONE)
    assert done["height"] >= 1 and len(done["hash"]) == 64
    assert client.account(alice.address)["verified"] is True  # type: ignore[index]

    with pytest.raises(NodeError) as bad:  # the form is checked before the code
        client.verify_identity(bob, NAME, ID_NUMBER[:-1] + ("1" if ID_NUMBER[-1] != "1"
                                                            else "2"), PHONE, "000000")
    assert bad.value.status == 422 and bad.value.code == 350
    assert "check digit" in bad.value.message and ID_BODY not in bad.value.message

    with pytest.raises(NodeError) as landline:
        client.send_identity_code(bob, "01012345678")
    assert landline.value.status == 422 and "phone" in landline.value.message

    with pytest.raises(NodeError) as reused:  # the same person, a second account
        node.verify_identity(client, bob, NAME, ID_NUMBER, OTHER_PHONE)
    assert reused.value.status == 409 and reused.value.code == 306

    with pytest.raises(NodeError) as same_phone:  # another person, the same phone
        node.verify_identity(client, bob, "王五", make_id("31010419800101123"), PHONE)
    assert same_phone.value.status == 409 and same_phone.value.code == 309
    assert client.account(bob.address)["verified"] is False  # type: ignore[index]

    # A wrong code: the same answer for a registered ID number and for a fresh one.
    after = node.log.stat().st_size
    client.send_identity_code(carol, "13712345670")
    wrong = f"{(int(sent_code(node.log, '13712345670', after)) + 1) % 10**6:06d}"
    answers = []
    for id_number in (ID_NUMBER, make_id("51010719900101001")):
        with pytest.raises(NodeError) as refused:
            client.verify_identity(carol, NAME, id_number, "13712345670", wrong)
        answers.append((refused.value.status, refused.value.code, refused.value.message))
    assert answers[0] == answers[1] and answers[0][:2] == (422, 351)

    node.stop()  # flush the log and checkpoint the database before looking
    phones = [PHONE, OTHER_PHONE, "13712345670"]
    details = [NAME, ID_NUMBER, ID_BODY, *phones,
               *(f"+86{p}" for p in phones), *(f"{p[:3]} {p[3:7]} {p[7:]}" for p in phones)]
    log = node.log.read_bytes()
    codes = [m.group(2) for m in CODE_LINE.finditer(log)]
    assert len(codes) == 4  # alice, bob twice, carol: each in the development sender's line
    for path in node.home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found = [s for s in details if s.encode() in data]
            assert not found, f"{path} holds submitted details: {found}"
            if path != node.log:  # a code as a whole token, not digits inside a hash
                assert not any(re.search(rb"(?<![0-9a-fA-F])" + c + rb"(?![0-9a-fA-F])", data)
                               for c in codes), f"{path} holds a one-time code"
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
