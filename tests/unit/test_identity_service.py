"""The verifier's code step, identity authority and limits through the HTTP API, with the
HTTP authority and SMS gateway adapters talking to stub servers this test starts.

One node in this process (embedded engine, real SQLite) serves the API; the stubs record
every request they receive, so the test can say what each provider was told, and that
nothing else was.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from stdnum.cn import ric

from planet.api.app import create_app
from planet.core.errors import (
    AuthorityRefused,
    CodeRefused,
    IdentityUnavailable,
    PhoneNullifierUsed,
    TooManyAttempts,
)
from planet.core.genesis import parse_genesis
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.identity.codes import DailyLimits, OneTimeCodes, PhoneTags
from planet.identity.config import AUTHORITY_KEY_ENV, SMS_KEY_ENV, IdentityConfig
from planet.identity.providers import (
    ChecksumAuthority,
    ConsoleSender,
    HttpAuthority,
    HttpSender,
    check_url,
)
from planet.identity.service import IdentityService
from planet.node.home import make_genesis_document
from planet.sdk.client import NodeError, PlanetClient
from planet.sdk.wallet import Wallet
from tests.integration.nodeproc import free_port, wait_until

OPERATOR, VERIFIER = Wallet.generate(), Wallet.generate()
NULLIFIER_KEY = bytes(range(32))
AUTHORITY_KEY, SMS_KEY = "authority-secret-key", "sms-secret-key"


def make_id(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


NAME = "王小明"
ID_A, ID_B, ID_C = make_id("11010519491231002"), make_id("44030819990101001"), \
    make_id("31010419800101123")
PHONE_A, PHONE_B = "13912340001", "13912340002"
GARBAGE_ID = make_id("11010119800101001")  # the stub authority answers this one oddly


# --- stub providers ------------------------------------------------------------------------


@dataclass
class Stub:
    """An HTTP server on loopback that records each POST and answers with `reply(body)`."""

    reply: Callable[[dict[str, Any]], tuple[int, Any]]
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def start(self) -> Stub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", "0")))
                stub.received.append(({k.lower(): v for k, v in self.headers.items()}, raw))
                status, answer = stub.reply(json.loads(raw))
                out = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1/endpoint"

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(raw) for _headers, raw in self.received]

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class People:
    """The authority's register: ID number → name; an ID it cannot look up is an error."""

    def __init__(self) -> None:
        self.register = {ID_A: NAME, ID_B: "李四", ID_C: "赵六"}
        self.down = False

    def __call__(self, body: dict[str, Any]) -> tuple[int, Any]:
        if self.down:
            return 500, {"error": "internal"}
        if body.get("id_number") == GARBAGE_ID:
            return 200, {"result": "maybe"}
        found = self.register.get(body.get("id_number", ""))
        return 200, {"result": "match" if found == body.get("name") else "no_match"}


@dataclass
class World:
    url: str
    client: PlanetClient
    service: IdentityService
    node: EmbeddedNode
    authority: Stub
    sms: Stub
    people: People
    home: Path

    def resident(self) -> Wallet:
        wallet = Wallet.generate()
        self.client.register_resident(wallet, self.client.create_invites(OPERATOR, 1)[0])
        return wallet

    def code(self, wallet: Wallet, phone: str) -> str:
        """Ask for a code and read it from what the SMS gateway received."""
        before = len(self.sms.received)
        sent = self.client.send_identity_code(wallet, phone)
        assert sent["sent"] is True and sent["phone_ending"] == phone[-4:]
        assert len(self.sms.received) == before + 1
        return str(self.sms.bodies()[-1]["code"])

    def refused(self, call: Callable[[], Any]) -> NodeError:
        with pytest.raises(NodeError) as err:
            call()
        return err.value


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("identity-service")
    people = People()
    authority_stub = Stub(people).start()
    sms_stub = Stub(lambda _body: (202, {"queued": True})).start()
    genesis = parse_genesis(make_genesis_document("planet-idsvc", OPERATOR, [VERIFIER]))
    node = EmbeddedNode(home / "node.db", genesis,
                        EngineConfig(block_interval_ms=20, empty_block_ms=300))
    node.start()
    config = IdentityConfig(authority_url=authority_stub.url, sms_url=sms_stub.url)
    env = {AUTHORITY_KEY_ENV: AUTHORITY_KEY, SMS_KEY_ENV: SMS_KEY}
    service = IdentityService(node, VERIFIER, NULLIFIER_KEY, genesis.chain_id,
                              params=genesis.params, authority=config.authority(env),
                              sender=config.sender(env))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(node, identity=service, web_dir=None),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until("the API", lambda: server.started, timeout=10)
    url = f"http://127.0.0.1:{port}"
    client = PlanetClient(url)
    try:
        yield World(url, client, service, node, authority_stub, sms_stub, people, home)
    finally:
        client.close()
        server.should_exit = True
        thread.join(timeout=10)
        node.close()
        authority_stub.stop()
        sms_stub.stop()


# --- through the API -----------------------------------------------------------------------


def test_code_then_verify_attests_with_both_nullifiers(world: World) -> None:
    alice = world.resident()
    code = world.code(alice, PHONE_A)
    headers, _ = world.sms.received[-1]
    assert headers["x-api-key"] == SMS_KEY
    assert world.sms.bodies()[-1] == {"phone": "+86" + PHONE_A, "code": code, "valid_s": 300}
    assert len(code) == 6 and code.isdigit()
    done = world.client.verify_identity(alice, NAME, ID_A, PHONE_A, code)
    assert done["height"] >= 1
    assert world.client.account(alice.address)["verified"] is True  # type: ignore[index]
    headers, raw = world.authority.received[-1]
    assert headers["x-api-key"] == AUTHORITY_KEY
    assert json.loads(raw) == {"name": NAME, "id_number": ID_A}
    attested = world.client.tx(done["hash"])["tx"]["body"]["messages"][0]
    assert set(attested) == {"type", "resident", "nullifier", "phone_nullifier"}
    assert world.client.query("accounts/phone_nullifier", nullifier=attested["phone_nullifier"]
                              )["resident"] == alice.address
    # The code was used up, and the resident is verified: no second code is sent.
    again = world.refused(lambda: world.client.send_identity_code(alice, PHONE_A))
    assert again.status == 409 and "already verified" in again.message


def test_a_second_account_on_the_same_phone_is_refused(world: World) -> None:
    """Another person (another ID number, which the authority matches) on a phone that
    already backs a verified account: refused by the ledger's phone nullifier."""
    first, second = world.resident(), world.resident()
    world.client.verify_identity(first, "李四", ID_B, PHONE_B, world.code(first, PHONE_B))
    code = world.code(second, "+86 139 1234 0002")  # the same phone, written another way
    err = world.refused(lambda: world.client.verify_identity(second, "赵六", ID_C, PHONE_B,
                                                             code))
    assert err.status == 409 and err.code == PhoneNullifierUsed.code
    assert "phone already backs a verified account" in err.message
    assert world.client.account(second.address)["verified"] is False  # type: ignore[index]


def test_an_id_number_the_authority_rejects_is_refused(world: World) -> None:
    bob = world.resident()
    code = world.code(bob, "13912340003")
    err = world.refused(lambda: world.client.verify_identity(bob, "冒名者", ID_C,
                                                             "13912340003", code))
    assert err.status == 422 and err.code == AuthorityRefused.code
    assert "found no person" in err.message and ID_C not in err.message
    assert world.client.account(bob.address)["verified"] is False  # type: ignore[index]
    # The code was used by that attempt; a new one and the right name pass.
    reused = world.refused(lambda: world.client.verify_identity(bob, "赵六", ID_C,
                                                                "13912340003", code))
    assert reused.status == 422 and reused.code == CodeRefused.code
    world.client.verify_identity(bob, "赵六", ID_C, "13912340003",
                                 world.code(bob, "13912340003"))


@pytest.mark.parametrize("trouble", ["down", "garbage"])
def test_an_authority_that_gives_no_answer_decides_nothing(world: World, trouble: str) -> None:
    carol = world.resident()
    phone = "13912340004" if trouble == "down" else "13912340005"
    code = world.code(carol, phone)
    world.people.down = trouble == "down"
    try:
        err = world.refused(lambda: world.client.verify_identity(
            carol, NAME, GARBAGE_ID if trouble == "garbage" else ID_A, phone, code))
    finally:
        world.people.down = False
    assert err.status == 503 and err.code == IdentityUnavailable.code
    assert "try again later" in err.message
    assert ("HTTP 500" in err.message) == (trouble == "down")
    assert world.client.account(carol.address)["verified"] is False  # type: ignore[index]


def test_a_wrong_code_says_the_same_whatever_the_id_number(world: World) -> None:
    """ID_A backs a verified account, make_id(…) backs none: a wrong code answers alike."""
    dave = world.resident()
    code = world.code(dave, "13912340006")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    answers = []
    for id_number in (ID_A, make_id("51010719900101001")):
        err = world.refused(lambda id_number=id_number: world.client.verify_identity(
            dave, NAME, id_number, "13912340006", wrong))
        answers.append((err.status, err.code, err.message))
    assert answers[0] == answers[1] == (422, CodeRefused.code, "code: wrong code")


def test_code_sends_and_attempts_are_limited_per_resident_and_per_phone(world: World) -> None:
    params = world.node.genesis.params
    erin, frank, grace = world.resident(), world.resident(), world.resident()
    for _ in range(params.identity_code_sends_per_day):
        world.code(erin, "13912340007")
    err = world.refused(lambda: world.client.send_identity_code(erin, "13912340008"))
    assert err.status == 429 and err.code == TooManyAttempts.code
    assert "this account has used today's 3 code sends" in err.message
    # Erin cannot spend the phone's day: its owner, say, still gets her codes; but the
    # phone receives no more than two residents' worth, however many accounts ask.
    for _ in range(params.identity_code_sends_per_day):
        world.code(frank, "13912340007")
    err = world.refused(lambda: world.client.send_identity_code(grace, "13912340007"))
    assert err.status == 429 and "this phone has used today's 6 code sends" in err.message
    # Attempts: wrong codes until the limit, then even the right one is refused today.
    code = world.code(grace, "13912340009")
    for _ in range(params.identity_attempts_per_day):
        world.refused(lambda: world.client.verify_identity(grace, NAME, ID_C, "13912340009",
                                                           "999999" if code != "999999"
                                                           else "111111"))
    err = world.refused(lambda: world.client.verify_identity(grace, NAME, ID_C, "13912340009",
                                                             code))
    assert err.status == 429 and "verification attempts" in err.message


def test_the_node_reports_its_identity_providers(world: World) -> None:
    status = world.client.status()
    assert status["identity_authority"] == "HTTP authority at 127.0.0.1"
    assert status["identity_authority_kind"] == "http"
    assert status["identity_code_sender"] == "HTTP SMS gateway at 127.0.0.1"
    verifier = world.client.identity_verifier()
    assert verifier["authority_kind"] == "http" and verifier["code_valid_s"] == 300
    assert AUTHORITY_KEY not in json.dumps(status) + json.dumps(verifier)


def test_each_provider_heard_only_its_part_and_nothing_was_written(world: World) -> None:
    """Runs last in the module: everything the tests above sent, looked for everywhere."""
    phones = [b["phone"] for b in world.sms.bodies()]
    codes = [b["code"] for b in world.sms.bodies()]
    assert phones and codes
    for _headers, raw in world.authority.received:
        assert set(json.loads(raw)) == {"name", "id_number"}
        assert not any(p.encode() in raw or p[3:].encode() in raw for p in phones)
    for _headers, raw in world.sms.received:
        assert set(json.loads(raw)) == {"phone", "code", "valid_s"}
        assert NAME.encode() not in raw and ID_A.encode() not in raw
    secrets = {*(p.encode() for p in phones), *(p[3:].encode() for p in phones),
               NAME.encode(), ID_A.encode(), ID_B.encode(), ID_C.encode()}
    for path in world.home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found = [s for s in secrets if s in data]
            # a code as a whole token, not six digits inside some hash's hex
            found += [c for c in codes
                      if re.search(rf"(?<![0-9a-fA-F]){c}(?![0-9a-fA-F])".encode(), data)]
            assert not found, f"{path} holds {found}"


# --- the parts -----------------------------------------------------------------------------


def test_the_development_defaults_say_so() -> None:
    config = IdentityConfig.from_config({})
    authority, sender = config.authority({}), config.sender({})
    assert isinstance(authority, ChecksumAuthority) and not authority.production
    assert authority.describe() == "checksum only — not for production"
    assert isinstance(sender, ConsoleSender) and not sender.production
    service = IdentityService(None, VERIFIER, NULLIFIER_KEY, "x")  # type: ignore[arg-type]
    assert service.settings()["identity_authority"] == "checksum only — not for production"
    assert service.settings()["identity_code_sender_kind"] == "console"


def test_console_sender_logs_the_code_and_only_the_last_four_digits(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    ConsoleSender().send("+8613812345678", "042917", 300)
    assert "phone ending 5678 is 042917" in caplog.text
    assert "13812345678" not in caplog.text and "1381234" not in caplog.text


def test_provider_configuration_is_checked() -> None:
    assert check_url("https://idv.example/v1", "x") == "https://idv.example/v1"
    check_url("http://127.0.0.1:9/x", "x")
    check_url("http://[::1]:9/x", "x")
    for bad in ("http://idv.example/v1", "ftp://127.0.0.1/", "idv.example", "https://"):
        with pytest.raises(ValueError, match="https://"):
            check_url(bad, "the identity authority")
    # The form webhook endpoints are held to as well (one check, planet.sdk.urls).
    for bad, why in (("https://user:pw@idv.example/", "no credentials"),
                     ("https://idv.example:99999/", "Port out of range"),
                     ("https://idv.example/" + "x" * 2_000, "at most 2000 characters")):
        with pytest.raises(ValueError, match=f"the identity authority: .*{why}"):
            check_url(bad, "the identity authority")
    with pytest.raises(ValueError, match=AUTHORITY_KEY_ENV):
        IdentityConfig(authority_url="https://idv.example").authority({})
    with pytest.raises(ValueError, match=SMS_KEY_ENV):
        IdentityConfig(sms_url="https://sms.example").sender({})
    with pytest.raises(ValueError, match="unknown field"):
        IdentityConfig.from_config({"authority": "https://idv.example"})
    config = IdentityConfig.from_config({"sms_url": "https://a.example"},
                                        sms_url="https://b.example", authority_url=None)
    assert config.sms_url == "https://b.example" and config.authority_url == ""
    sender = config.sender({SMS_KEY_ENV: "k"})
    assert isinstance(sender, HttpSender) and sender.describe() == "HTTP SMS gateway at b.example"


def test_an_unreachable_provider_is_unavailable_not_a_crash() -> None:
    port = free_port()  # nothing listens there
    authority = HttpAuthority(f"http://127.0.0.1:{port}/", "k", timeout_s=2)
    with pytest.raises(IdentityUnavailable, match="did not answer"):
        authority.check(NAME, ID_A)
    sender = HttpSender(f"http://127.0.0.1:{port}/", "k", timeout_s=2)
    with pytest.raises(IdentityUnavailable, match="SMS gateway did not answer"):
        sender.send("+8613912340001", "123456", 300)


def test_codes_are_single_use_expire_and_bind_the_phone() -> None:
    codes = OneTimeCodes(PhoneTags(), valid_ms=60_000)
    code = codes.issue("r1", "+8613900000001", now_ms=0)
    with pytest.raises(CodeRefused, match="no code was sent to this phone"):
        codes.redeem("r1", "+8613900000002", code, now_ms=1)  # another phone
    with pytest.raises(CodeRefused, match="no code was sent"):
        codes.redeem("r2", "+8613900000001", code, now_ms=1)  # another resident
    with pytest.raises(CodeRefused, match="6 digits"):
        codes.redeem("r1", "+8613900000001", "12345", now_ms=1)
    codes.redeem("r1", "+8613900000001", f" {code[:3]} {code[3:]} ", now_ms=59_999)
    with pytest.raises(CodeRefused, match="used"):
        codes.redeem("r1", "+8613900000001", code, now_ms=59_999)
    late = codes.issue("r1", "+8613900000001", now_ms=0)
    with pytest.raises(CodeRefused, match="expired"):
        codes.redeem("r1", "+8613900000001", late, now_ms=60_000)
    assert len(codes) == 0  # the expired one is gone
    first = codes.issue("r1", "+8613900000001", now_ms=0)
    second = codes.issue("r1", "+8613900000001", now_ms=0)
    if first != second:
        with pytest.raises(CodeRefused, match="wrong code"):
            codes.redeem("r1", "+8613900000001", first, now_ms=1)  # replaced by the new one
    codes.redeem("r1", "+8613900000001", second, now_ms=1)


def test_codes_are_not_held_in_clear() -> None:
    codes = OneTimeCodes(PhoneTags())
    code = codes.issue("r1", "+8613900000001", now_ms=0)
    held = repr(vars(codes)) + repr(codes._pending)
    assert code not in held and "13900000001" not in held


def test_daily_limits_start_again_each_local_day() -> None:
    day_ms = 86_400_000
    limits = DailyLimits(PhoneTags(), attempts=2, sends=1, timezone_offset_minutes=480)
    midnight = 10 * day_ms - 8 * 3_600_000  # local midnight at UTC+8
    limits.take("send", "r1", "+8613900000001", midnight - 1)
    with pytest.raises(TooManyAttempts):
        limits.take("send", "r1", None, midnight - 1)
    limits.take("send", "r2", "+8613900000001", midnight - 1)  # r1 did not spend the phone's day
    with pytest.raises(TooManyAttempts, match="this phone has used today's 2 code sends"):
        limits.take("send", "r3", "+8613900000001", midnight - 1)
    limits.take("send", "r1", "+8613900000001", midnight)  # a new local day
    limits.take("attempt", "r2", None, midnight)
    limits.take("attempt", "r2", None, midnight)
    with pytest.raises(TooManyAttempts, match="this account has used today's 2 verification"):
        limits.take("attempt", "r2", "+8613900000003", midnight)
    # A refused take counted nothing: the phone is still fresh for another resident.
    limits.take("attempt", "r3", "+8613900000003", midnight)
    limits.take("attempt", "r4", "+8613900000003", midnight)


def test_one_resident_cannot_spend_a_phones_day() -> None:
    """Anyone may type anyone's number: one account using up its own sends and attempts on
    a phone leaves the phone's owner hers; the phone's count still bounds all accounts."""
    limits = DailyLimits(PhoneTags(), attempts=5, sends=3, timezone_offset_minutes=0)
    phone = "+8613900000005"
    for what, limit in (("send", 3), ("attempt", 5)):
        for _ in range(limit):
            limits.take(what, "mallory", phone, 0)
        with pytest.raises(TooManyAttempts, match="this account"):
            limits.take(what, "mallory", phone, 0)
        for _ in range(limit):
            limits.take(what, "owner", phone, 0)  # the owner is not locked out
        with pytest.raises(TooManyAttempts, match=f"this phone has used today's {2 * limit}"):
            limits.take(what, "third", phone, 0)
