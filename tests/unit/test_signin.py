"""Sign in with Planet (planet.sdk.signin): the message's one spelling, the signature's own
domain tag, and the site's verifier, refusal by refusal.

web/test/fixtures/signin-vectors.json holds what both SDKs are tested on (here and in
web/test/signin.test.mjs): messages with their text and signature by a fixed key, texts
that must not parse, and verifier cases with their verdicts. Everything in it is
deterministic (Ed25519 signatures are), so this test also checks that the file is exactly
what the Python SDK makes; regenerate it with `python -m tests.unit.test_signin`.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planet.core.address import compute_address
from planet.core.encoding import b64decode, b64encode
from planet.core.errors import BadSignature
from planet.core.params import Params
from planet.core.transition import ROUTER
from planet.core.tx import compute_sign_bytes, decode_tx, verify_tx_signature
from planet.sdk.client import PlanetClient
from planet.sdk.signin import (
    SIGNIN_SIGN_DOMAIN,
    MemoryNonceStore,
    SigninError,
    SigninMessage,
    SigninVerifier,
    compute_signin_sign_bytes,
    new_message,
    parse_message,
    residents_on,
    sign_message,
    verify_signin_signature,
)
from planet.sdk.wallet import Wallet

FIXTURE = Path(__file__).resolve().parents[2] / "web" / "test" / "fixtures" / "signin-vectors.json"
SIGNING_SEED = bytes(range(32))
ENCRYPTION_SEED = bytes(range(32, 64))
OTHER_SEED = bytes(range(64, 96))
DOMAIN = "shop.example"
CHAIN = "planet-1"
T0 = datetime(2025, 3, 1, 8, 0, 0, tzinfo=UTC)
NOW = T0.timestamp() + 60


def key() -> Wallet:
    return Wallet.from_seeds(SIGNING_SEED, ENCRYPTION_SEED)


def base_message(**changes: Any) -> SigninMessage:
    fields: dict[str, Any] = dict(
        domain=DOMAIN, uri=f"https://{DOMAIN}/signin/callback", chain_id=CHAIN,
        nonce="8f3kq2x9Lm", issued_at=T0, expiration_time=T0 + timedelta(minutes=10),
        statement="Buy coffee with your Planet account.")
    return SigninMessage(**{**fields, **changes})


def fields_json(m: SigninMessage) -> dict[str, Any]:
    return {"domain": m.domain, "address": m.address, "statement": m.statement, "uri": m.uri,
            "chainId": m.chain_id, "nonce": m.nonce,
            "issuedAt": m.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "expirationTime": m.expiration_time.strftime("%Y-%m-%dT%H:%M:%SZ")}


def make_vectors() -> dict[str, Any]:
    """Everything both SDKs check, made by the Python SDK from a fixed key."""
    wallet = key()
    other = Wallet.from_seeds(OTHER_SEED, ENCRYPTION_SEED)
    messages = {
        "with-statement": base_message(),
        "without-statement": base_message(statement=None, nonce="ABCDEFGH12345678"),
        "local-port-unicode": base_message(
            domain="127.0.0.1:8000", uri="http://127.0.0.1:8000/cb?x=1#top", chain_id="planet-e2e",
            statement="登录 Harbour Coffee — earn Force ☕ for every purchase", nonce="a" * 64,
            expiration_time=T0 + timedelta(hours=1)),
    }
    signed = {name: sign_message(wallet, m) for name, m in messages.items()}
    good = signed["with-statement"]
    text = good.message
    request = messages["with-statement"].text()  # no address: what a site sends
    malformed = {
        "empty": "",
        "no-header": text.replace(" wants you to sign in", " wants you to log in"),
        "crlf": text.replace("\n", "\r\n"),
        "trailing-newline": text + "\n",
        "upper-case-domain": text.replace(DOMAIN, "Shop.example", 1),
        "bad-address-checksum": text.replace(wallet.address, wallet.address[:-1] + (
            "q" if wallet.address[-1] != "q" else "p")),
        "short-nonce": text.replace("Nonce: 8f3kq2x9Lm", "Nonce: 8f3kq2x"),
        "nonce-punctuation": text.replace("Nonce: 8f3kq2x9Lm", "Nonce: 8f3kq2x9L-"),
        "fractional-seconds": text.replace("08:00:00Z", "08:00:00.000Z"),
        "offset-time": text.replace("2025-03-01T08:00:00Z", "2025-03-01T16:00:00+08:00"),
        "not-a-date": text.replace("2025-03-01T08:00:00Z", "2025-02-30T08:00:00Z"),
        "expires-before-issued": text.replace("Expiration Time: 2025-03-01T08:10:00Z",
                                              "Expiration Time: 2025-03-01T07:59:59Z"),
        "version-2": text.replace("Version: 1", "Version: 2"),
        "fields-reordered": text.replace("Version: 1\nChain ID: planet-1", "Chain ID: planet-1\nVersion: 1"),
        "uri-other-scheme": text.replace("URI: https://", "URI: ftp://"),
        "uri-credentials": text.replace(f"URI: https://{DOMAIN}", f"URI: https://me@{DOMAIN}"),
        "uri-space": text.replace("/signin/callback", "/sign in"),
        "chain-upper-case": text.replace("Chain ID: planet-1", "Chain ID: Planet-1"),
        "statement-empty-lines": text.replace("\n\nBuy coffee with your Planet account.\n", "\n\n\n"),
        "statement-tab": text.replace("Buy coffee", "Buy\tcoffee"),
        "statement-line-separator": text.replace("Buy coffee", "Buy\u2028coffee"),
        "extra-line": text + "\nResources: x",
    }
    now = NOW
    cases: list[dict[str, Any]] = []

    def case(name: str, s: Any, expect: str, **opts: Any) -> None:
        cases.append({"name": name, "message": s.message, "signature": s.signature,
                      "public_key": s.public_key, "domain": opts.get("domain", DOMAIN),
                      "chain_id": opts.get("chain_id", CHAIN), "now": opts.get("now", now),
                      "nonce": opts.get("nonce"), "resident": opts.get("resident", True),
                      "used": opts.get("used", []), "expect": expect})

    from planet.sdk.signin import SignedSignin

    case("ok", good, "ok")
    case("ok-no-statement", signed["without-statement"], "ok")
    case("ok-expected-nonce", good, "ok", nonce="8f3kq2x9Lm")
    case("ok-issued-within-skew", good, "ok", now=T0.timestamp() - 299)
    case("wrong-domain", good, "domain", domain="evil.example")
    uri_elsewhere = sign_message(wallet, base_message(uri="https://evil.example/cb"))
    case("uri-on-another-host", uri_elsewhere, "uri")
    case("wrong-chain", good, "chain_id", chain_id="planet-2")
    case("tampered-statement", replace(good, message=text.replace("Buy coffee", "Buy tea")), "signature")
    case("tampered-expiry", replace(good, message=text.replace("08:10:00Z", "08:50:00Z")), "signature")
    case("signature-not-base64", replace(good, signature="not base64!"), "signature")
    case("other-key", replace(good, public_key=b64encode(other.public_key)), "address")
    other_signs = SignedSignin(text, b64encode(other.signing_key.sign(compute_signin_sign_bytes(text))),
                               good.public_key)
    case("signed-by-another-key", other_signs, "signature")
    tx_tag = replace(good, signature=b64encode(wallet.signing_key.sign(b"planet/tx/v1\n" + text.encode())))
    case("signed-under-tx-tag", tx_tag, "signature")
    case("issued-in-future", good, "not_yet_valid", now=T0.timestamp() - 301)
    case("expired", good, "expired", now=T0.timestamp() + 600)
    long_lived = sign_message(wallet, base_message(expiration_time=T0 + timedelta(hours=2)))
    case("valid-too-long", long_lived, "too_long")
    case("not-the-issued-nonce", good, "nonce", nonce="ZZZZZZZZ")
    case("not-a-resident", good, "not_resident", resident=False)
    case("nonce-replayed", good, "nonce_used", used=["8f3kq2x9Lm"])
    case("malformed", replace(good, message=request), "malformed")
    return {
        "comment": "Made by tests/unit/test_signin.py (python -m tests.unit.test_signin); "
                   "checked by it and by web/test/signin.test.mjs.",
        "sign_domain": SIGNIN_SIGN_DOMAIN.decode(),
        "key": {"signing_seed": SIGNING_SEED.hex(), "encryption_seed": ENCRYPTION_SEED.hex(),
                "address": wallet.address, "public_key": b64encode(wallet.public_key)},
        "messages": [{"name": name, "fields": fields_json(messages[name].for_address(wallet.address)),
                      "request": messages[name].text(), "text": s.message, "signature": s.signature}
                     for name, s in signed.items()],
        "malformed": [{"name": name, "text": t} for name, t in malformed.items()],
        "verify": cases,
    }


def load_vectors() -> dict[str, Any]:
    vectors: dict[str, Any] = json.loads(FIXTURE.read_text("utf-8"))
    return vectors


def test_the_fixture_is_what_the_python_sdk_makes() -> None:
    assert load_vectors() == make_vectors(), "regenerate: python -m tests.unit.test_signin"


@pytest.mark.parametrize("v", make_vectors()["messages"], ids=lambda v: v["name"])
def test_messages_build_parse_and_sign_as_the_vectors_say(v: dict[str, Any]) -> None:
    m = parse_message(v["text"])
    assert m.text() == v["text"] and fields_json(m) == v["fields"]
    assert parse_message(v["request"], require_address=False) == replace(m, address=None)
    with pytest.raises(SigninError, match="names no address"):
        parse_message(v["request"])
    assert sign_message(key(), parse_message(v["request"], require_address=False)).signature == v["signature"]


@pytest.mark.parametrize("v", make_vectors()["malformed"], ids=lambda v: v["name"])
def test_malformed_texts_are_refused(v: dict[str, Any]) -> None:
    with pytest.raises(SigninError) as err:
        parse_message(v["text"])
    assert err.value.reason == "malformed"


def run_case(v: dict[str, Any]) -> SigninMessage:
    store = MemoryNonceStore(clock=lambda: v["now"])
    for nonce in v["used"]:
        assert store.use(nonce, v["now"] + 600)
    verifier = SigninVerifier(domain=v["domain"], chain_id=v["chain_id"],
                              is_resident=lambda address: bool(v["resident"]), nonce_store=store,
                              clock=lambda: v["now"])
    return verifier.verify(v["message"], v["signature"], v["public_key"], nonce=v["nonce"])


@pytest.mark.parametrize("v", make_vectors()["verify"], ids=lambda v: v["name"])
def test_the_verifier_gives_each_vectors_verdict(v: dict[str, Any]) -> None:
    if v["expect"] == "ok":
        assert run_case(v).address == key().address
    else:
        with pytest.raises(SigninError) as err:
            run_case(v)
        assert err.value.reason == v["expect"], str(err.value)


def test_a_nonce_is_single_use_and_spent_only_by_a_good_sign_in() -> None:
    wallet = key()
    signed = sign_message(wallet, base_message())
    store = MemoryNonceStore(clock=lambda: NOW)
    residents = {wallet.address: False}
    verifier = SigninVerifier(domain=DOMAIN, chain_id=CHAIN, is_resident=lambda a: residents[a],
                              nonce_store=store, clock=lambda: NOW)
    with pytest.raises(SigninError, match="not a resident"):
        verifier.verify(signed.message, signed.signature, signed.public_key)
    assert len(store) == 0  # a refused sign-in does not burn the nonce
    residents[wallet.address] = True
    assert verifier.verify(signed.message, signed.signature, signed.public_key).address == wallet.address
    with pytest.raises(SigninError) as err:
        verifier.verify(signed.message, signed.signature, signed.public_key)
    assert err.value.reason == "nonce_used"


def test_the_memory_store_forgets_after_expiry_and_stays_bounded() -> None:
    now = [1000.0]
    store = MemoryNonceStore(capacity=3, clock=lambda: now[0])
    assert store.use("aaaaaaaa", 1010) and store.use("bbbbbbbb", 1020) and store.use("cccccccc", 1030)
    assert not store.use("aaaaaaaa", 1010)
    with pytest.raises(SigninError) as err:  # full of unexpired nonces: refuse, never forget one
        store.use("dddddddd", 1040)
    assert err.value.reason == "nonce_store_full"
    now[0] = 1015  # "aaaaaaaa" expired: its message can no longer be used, so it may go
    assert store.use("dddddddd", 1040)
    assert len(store) == 3
    assert not store.use("bbbbbbbb", 1020)


def test_residents_on_asks_the_node_for_the_account_kind() -> None:
    accounts = {"planet1r": {"kind": "resident"}, "planet1b": {"kind": "business"}}

    class Client:
        def account(self, address: str) -> dict[str, Any] | None:
            return accounts.get(address)

    is_resident = residents_on(cast(PlanetClient, Client()))
    assert is_resident("planet1r") and not is_resident("planet1b") and not is_resident("planet1x")


def test_a_wallet_refuses_a_message_made_for_another_address() -> None:
    other = Wallet.from_seeds(OTHER_SEED, ENCRYPTION_SEED)
    with pytest.raises(SigninError) as err:
        sign_message(key(), base_message(address=other.address))
    assert err.value.reason == "address"
    assert sign_message(key(), base_message(address=key().address)).message.split("\n")[1] == key().address


def test_new_message_is_fresh_and_well_formed() -> None:
    a = new_message(domain=DOMAIN, uri=f"https://{DOMAIN}/cb", chain_id=CHAIN, now=NOW)
    b = new_message(domain=DOMAIN, uri=f"https://{DOMAIN}/cb", chain_id=CHAIN, now=NOW)
    assert a.nonce != b.nonce and len(a.nonce) >= 8
    assert a.issued_at.timestamp() == int(NOW) and a.address is None
    assert parse_message(a.text(), require_address=False) == a


def test_a_tx_signature_is_no_sign_in_and_a_sign_in_signature_is_no_tx() -> None:
    """The two tags keep the two kinds of signature apart, even over the same payload."""
    wallet = key()
    raw = wallet.sign_tx(chain_id=CHAIN, sequence=0, messages=[{"type": "emission/collect"}])
    envelope = json.loads(raw)
    body_text = json.dumps(envelope["body"], separators=(",", ":"), sort_keys=True)
    tx_sig = b64decode(envelope["signature"], field="signature")
    assert compute_sign_bytes(envelope["body"]) == b"planet/tx/v1\n" + body_text.encode()
    # The tx's signature, offered as a sign-in over the very bytes it signed after its tag:
    assert not verify_signin_signature(wallet.public_key, tx_sig, body_text)
    # ... and offered for a real sign-in message.
    signed = sign_message(wallet, base_message())
    forged = replace(signed, signature=envelope["signature"])
    verifier = SigninVerifier(domain=DOMAIN, chain_id=CHAIN, is_resident=None, clock=lambda: NOW)
    with pytest.raises(SigninError) as err:
        verifier.verify(forged.message, forged.signature, forged.public_key)
    assert err.value.reason == "signature"
    # A sign-in signature (even one a wallet were tricked into making over a tx body's
    # bytes) does not verify as the transaction.
    signin_sig = wallet.signing_key.sign(compute_signin_sign_bytes(body_text))
    for sig in (signin_sig, b64decode(signed.signature, field="signature")):
        replayed = json.dumps({**envelope, "signature": b64encode(sig)}).encode()
        tx = decode_tx(replayed, params=Params.test(), router=ROUTER, chain_id=CHAIN)
        with pytest.raises(BadSignature):
            verify_tx_signature(tx)
    verify_tx_signature(decode_tx(raw, params=Params.test(), router=ROUTER, chain_id=CHAIN))


# --- properties --------------------------------------------------------------------------------

LABELS = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
DOMAINS = st.builds(lambda labels, port: ".".join(labels) + (f":{port}" if port else ""),
                    st.lists(LABELS, min_size=1, max_size=3), st.none() | st.integers(1, 65535))
STATEMENTS = st.none() | st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                                 min_size=1, max_size=60)
MOMENTS = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9000, 1, 1),
                       timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=0))


@st.composite
def messages(draw: st.DrawFn) -> SigninMessage:
    domain = draw(DOMAINS)
    issued = draw(MOMENTS)
    path = draw(st.from_regex(r"([/?#][\x21-\x7e]{0,30})?", fullmatch=True))
    return SigninMessage(
        domain=domain, uri=f"{draw(st.sampled_from(['http', 'https']))}://{domain}{path}",
        chain_id=draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,47}", fullmatch=True)),
        nonce=draw(st.from_regex(r"[A-Za-z0-9]{8,64}", fullmatch=True)),
        issued_at=issued, expiration_time=issued + timedelta(seconds=draw(st.integers(1, 10**8))),
        address=draw(st.none() | st.binary(min_size=32, max_size=32).map(compute_address)),
        statement=draw(STATEMENTS))


@given(messages())
def test_parse_inverts_build(m: SigninMessage) -> None:
    assert parse_message(m.text(), require_address=False) == m


@given(messages(), messages(), st.sampled_from(["domain", "uri", "chain_id", "nonce", "issued_at",
                                                "expiration_time", "statement"]))
def test_a_tampered_field_fails_the_signature(m: SigninMessage, other: SigninMessage, field: str) -> None:
    wallet = key()
    signed = sign_message(wallet, replace(m, address=None))
    tampered = replace(parse_message(signed.message), **{field: getattr(other, field)})
    try:
        text = tampered.text()
    except SigninError:
        return  # the other value does not fit this message (e.g. expiry before issued)
    if text == signed.message:
        return
    assert not verify_signin_signature(wallet.public_key, b64decode(signed.signature, field="s"), text)
    verifier = SigninVerifier(domain=tampered.domain, chain_id=tampered.chain_id, is_resident=None,
                              clock=lambda: tampered.issued_at.timestamp())
    with pytest.raises(SigninError):
        verifier.verify(text, signed.signature, signed.public_key)


@given(messages(), st.data())
def test_any_changed_character_is_refused(m: SigninMessage, data: st.DataObject) -> None:
    wallet = key()
    signed = sign_message(wallet, replace(m, address=None))
    i = data.draw(st.integers(0, len(signed.message) - 1))
    c = data.draw(st.characters().filter(lambda c: c != signed.message[i]))
    text = signed.message[:i] + c + signed.message[i + 1:]
    verifier = SigninVerifier(domain=m.domain, chain_id=m.chain_id, is_resident=None,
                              clock=lambda: m.issued_at.timestamp())
    with pytest.raises(SigninError):
        verifier.verify(text, signed.signature, signed.public_key)


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(make_vectors(), indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {FIXTURE}", file=sys.stderr)
