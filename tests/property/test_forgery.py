"""Forged and malformed transactions are refused, with the right code, and change nothing.

A valid signed transaction is mutated in one way Hypothesis chooses; check_tx and
finalize_block must both refuse it with the code from planet.core.errors and a log that
names the problem. check_tx must leave the committed state byte-for-byte unchanged; a
block that carries only the forgery changes nothing but the chain's own height and time.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planet.core.accounts.messages import CreateInvites, RegisterBusiness
from planet.core.errors import (
    AddressMismatch,
    BadSignature,
    DuplicateKey,
    InvalidField,
    MalformedTx,
    TxTooLarge,
    UnknownField,
    UnknownMessage,
    WrongChainId,
)
from planet.core.tx import ENVELOPE_FIELDS, verify_raw_signature
from tests.chain import Chain, b64, make_chain, new_hash, wallet

SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

OTHER = wallet("forgery/other")
BUSINESS = wallet("forgery/business")


def base_messages(chain: Chain, which: int) -> list[Any]:
    if which == 0:
        return [CreateInvites(code_hashes=(new_hash("forgery/0"), new_hash("forgery/1")))]
    return [RegisterBusiness(business=BUSINESS.address, public_key=b64(BUSINESS.public_key),
                             encryption_key=b64(BUSINESS.encryption_public_key), name="Shop")]


def valid_envelope(chain: Chain, which: int) -> dict[str, Any]:
    raw = chain.operator.sign_tx(chain_id=chain.chain_id, sequence=0,
                                 messages=base_messages(chain, which))
    return json.loads(raw)  # type: ignore[no-any-return]


def dump(doc: Any) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


class Members(list[tuple[str, Any]]):
    """A JSON object written member by member, so that a key may appear twice."""


def dump_members(value: Any) -> str:
    """Compact JSON where `Members` objects keep their repeated keys."""
    if isinstance(value, dict):
        value = Members(value.items())
    if isinstance(value, Members):
        return "{" + ",".join(f"{key}:{dump_members(v)}" if key.startswith('"')
                              else f"{json.dumps(key)}:{dump_members(v)}"
                              for key, v in value) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dump_members(v) for v in value) + "]"
    return json.dumps(value)


@dataclass(frozen=True)
class Forgery:
    raw: bytes
    code: int
    words: tuple[str, ...]  # each must appear in the log, case-insensitively


def resign(chain: Chain, body: dict[str, Any], signer: Any, public_key: bytes) -> dict[str, Any]:
    from planet.core.tx import compute_sign_bytes

    sig = signer.signing_key.sign(compute_sign_bytes(body))
    return {"body": body, "public_key": b64(public_key), "signature": b64(sig)}


# --- mutations: each returns a Forgery -------------------------------------------------------

FIELD_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
JSON_VALUE = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**6), st.text(max_size=8),
                       st.lists(st.integers(0, 9), max_size=3))


@st.composite
def forgeries(draw: st.DrawFn, chain: Chain) -> Forgery:
    which = draw(st.integers(0, 1), label="base tx")
    env = valid_envelope(chain, which)
    body = env["body"]
    kind = draw(st.sampled_from(sorted(MUTATIONS)), label="mutation")
    return MUTATIONS[kind](draw, chain, env, body)


def m_signature_bit(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    sig = bytearray(base64.b64decode(env["signature"]))
    bit = draw(st.integers(0, 511), label="bit")
    sig[bit // 8] ^= 1 << (bit % 8)
    env["signature"] = b64(bytes(sig))
    return Forgery(dump(env), BadSignature.code, ("signature",))


def m_other_signer(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    env["signature"] = resign(chain, body, OTHER, OTHER.public_key)["signature"]
    return Forgery(dump(env), BadSignature.code, ("signature",))


def m_sequence(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    body["sequence"] = draw(st.integers(1, 2**53 - 1), label="sequence")
    return Forgery(dump(env), BadSignature.code, ("signature",))


def m_message_value(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    msg = body["messages"][0]
    if msg["type"] == CreateInvites.TYPE:
        i = draw(st.integers(0, len(msg["code_hashes"]) - 1), label="index")
        msg["code_hashes"][i] = new_hash(f"forgery/other/{draw(st.integers(0, 10**6))}")
    else:
        msg["name"] = draw(st.text(alphabet="ABCDEFGHxyz ", min_size=1, max_size=20).filter(
            lambda s: s != msg["name"] and s.isprintable()), label="name")
    return Forgery(dump(env), BadSignature.code, ("signature",))


def m_extra_message(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    body["messages"].append(CreateInvites(code_hashes=(new_hash("forgery/extra"),)).to_json())
    return Forgery(dump(env), BadSignature.code, ("signature",))


def m_chain_id(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    body["chain_id"] = draw(st.one_of(
        st.text(max_size=20), st.integers(), st.none()).filter(lambda c: c != chain.chain_id),
        label="chain_id")
    return Forgery(dump(env), WrongChainId.code, ("chain_id",))


def m_resigned_chain_id(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    """A tx validly signed for another chain is still refused here."""
    body["chain_id"] = "planet-other"
    env = resign(chain, body, chain.operator, chain.operator.public_key)
    return Forgery(dump(env), WrongChainId.code, ("chain_id",))


def m_sender(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    body["sender"] = draw(st.sampled_from([OTHER.address, chain.verifier.address,
                                           BUSINESS.address]), label="sender")
    return Forgery(dump(env), AddressMismatch.code, ("sender", "public_key"))


def m_public_key(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    env["public_key"] = b64(draw(st.sampled_from([OTHER.public_key, chain.verifier.public_key]),
                                 label="public_key"))
    return Forgery(dump(env), AddressMismatch.code, ("sender", "public_key"))


def m_key_and_sender(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    """Claiming to be the verifier with the verifier's key, signed by the operator."""
    body["sender"] = chain.verifier.address
    env["public_key"] = b64(chain.verifier.public_key)
    return Forgery(dump(env), BadSignature.code, ("signature",))


def _unknown_field(draw: st.DrawFn, target: dict, known: set[str]) -> str:
    name = draw(FIELD_NAME.filter(lambda n: n not in known), label="field")
    target[name] = draw(JSON_VALUE, label="value")
    return name


def m_unknown_envelope(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    name = _unknown_field(draw, env, set(ENVELOPE_FIELDS))
    return Forgery(dump(env), UnknownField.code, ("unknown field", name))


def m_unknown_body(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    name = _unknown_field(draw, body, set(body))
    return Forgery(dump(env), UnknownField.code, ("unknown field", name))


def m_unknown_message_field(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    msg = body["messages"][0]
    name = _unknown_field(draw, msg, set(msg))
    return Forgery(dump(env), UnknownField.code, ("unknown field", name))


def m_unknown_message_type(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    body["messages"][0]["type"] = draw(st.sampled_from(
        ["accounts/mint", "bank/send", "accounts/Register", ""]), label="type")
    return Forgery(dump(env), UnknownMessage.code, ("unknown message type",))


def m_oversize(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    limit = chain.params.max_tx_bytes
    extra = draw(st.integers(1, 2000), label="extra bytes")
    raw = dump(env)
    how = draw(st.sampled_from(["whitespace", "field"]), label="how")
    if how == "whitespace":  # still valid JSON, still validly signed: only the size is wrong
        raw = raw[:-1] + b" " * (limit - len(raw) + extra) + b"}"
    else:
        env["padding"] = ""
        raw = dump(env)
        env["padding"] = "x" * (limit - len(raw) + extra)
        raw = dump(env)
    assert len(raw) > limit
    return Forgery(raw, TxTooLarge.code, (str(limit),))


def m_truncated(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    raw = dump(env)
    cut = draw(st.integers(0, len(raw) - 1), label="cut")
    return Forgery(raw[:cut], MalformedTx.code, ("json",))


def m_not_an_object(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    doc = draw(st.sampled_from([[env], "tx", 7, None, True, []]), label="document")
    return Forgery(dump(doc), MalformedTx.code, ("object",))


def m_not_utf8(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    raw = dump(env)
    pos = draw(st.integers(1, len(raw)), label="position")
    byte = draw(st.sampled_from([0x80, 0xA0, 0xBF, 0xC0, 0xC1, 0xF5, 0xFE, 0xFF]), label="byte")
    return Forgery(raw[:pos] + bytes([byte]) + raw[pos:], MalformedTx.code, ("utf-8",))


def m_body_shape(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    how = draw(st.sampled_from(["drop", "body", "messages"]), label="shape")
    if how == "drop":
        name = draw(st.sampled_from(sorted(body)), label="dropped")
        del body[name]
        return Forgery(dump(env), MalformedTx.code, ("missing", name))
    if how == "body":
        env["body"] = draw(st.sampled_from([[body], "body", 1, None]), label="body")
        return Forgery(dump(env), MalformedTx.code, ("body",))
    body["messages"] = draw(st.sampled_from([[], {}, "m", None]), label="messages")
    return Forgery(dump(env), MalformedTx.code, ("messages",))


BAD_ADDRESSES = st.one_of(
    st.sampled_from([
        "",
        "planet1",
        OTHER.address.upper(),  # the checksum is fine, the case is not
        OTHER.address[:-1] + ("q" if OTHER.address[-1] != "q" else "p"),  # checksum
        OTHER.address[:-4],  # too short
        "cosmos" + OTHER.address[6:],  # other prefix
        OTHER.address.replace("1", "b", 1),  # no separator
        "planet1" + "q" * 38,
    ]),
    st.text(max_size=50),
    st.integers(),
    st.none(),
)


def m_bad_sender(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    body["sender"] = draw(BAD_ADDRESSES, label="sender")
    return Forgery(dump(env), InvalidField.code, ("body.sender",))


def m_bad_message_field(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    msg = body["messages"][0]
    if msg["type"] == CreateInvites.TYPE:
        msg["code_hashes"][0] = draw(st.one_of(
            st.sampled_from(["", "A" * 64, "g" * 64, "a" * 63, "a" * 65]),
            st.text(alphabet="0123456789abcdef", max_size=70).filter(lambda s: len(s) != 64),
            st.integers(), st.none()), label="code hash")
        return Forgery(dump(env), InvalidField.code, ("code_hashes[0]",))
    msg["business"] = draw(BAD_ADDRESSES, label="business")
    return Forgery(dump(env), InvalidField.code, ("business",))


def m_duplicate_key(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    """A key written twice in the envelope, the body or a message. With the genuine value
    last, orjson reads exactly the signed tx (the signature verifies) while the stored bytes
    also carry the first value: refused as a duplicate, whatever the values and wherever
    the repeat (an escaped spelling of the key is the same key)."""
    where = draw(st.sampled_from(["envelope", "body", "message"]), label="where")
    target = {"envelope": env, "body": body, "message": body["messages"][0]}[where]
    key = draw(st.sampled_from(sorted(target)), label="key")
    other = draw(st.one_of(st.just(target[key]), JSON_VALUE), label="other value")
    escaped = f'"\\u{ord(key[0]):04x}{key[1:]}"'  # the same key, its first letter escaped
    spelled = draw(st.sampled_from([json.dumps(key), escaped]), label="spelling")
    members = Members(target.items())
    at = members.index((key, target[key]))
    if draw(st.booleans(), label="genuine last"):
        members.insert(at, (spelled, other))
    else:
        members.insert(at + 1, (spelled, other))
    if where == "envelope":
        doc: Any = members
    elif where == "body":
        doc = dict(env, body=members)
    else:
        doc = dict(env, body=dict(body, messages=[members, *body["messages"][1:]]))
    return Forgery(dump_members(doc).encode(), DuplicateKey.code, ("repeats", key))


def m_bad_base64(draw: st.DrawFn, chain: Chain, env: dict, body: dict) -> Forgery:
    name = draw(st.sampled_from(["public_key", "signature"]), label="field")
    size = 32 if name == "public_key" else 64
    env[name] = draw(st.one_of(
        st.sampled_from([
            env[name].rstrip("="),  # missing padding
            env[name][:-4] + "!!!=",  # not in the alphabet
            env[name].replace("=", "") + "====",
            " " + env[name],
            base64.urlsafe_b64encode(b"\xfb\xff" * size)[: len(env[name])].decode(),
        ]),
        st.binary(min_size=0, max_size=80).filter(lambda b: len(b) != size).map(b64),
        st.integers(), st.none(), st.lists(st.integers(0, 9), max_size=2)), label="value")
    return Forgery(dump(env), InvalidField.code, (name,))


MUTATIONS: dict[str, Callable[[st.DrawFn, Chain, dict, dict], Forgery]] = {
    f.__name__.removeprefix("m_"): f for f in (
        m_signature_bit, m_other_signer, m_sequence, m_message_value, m_extra_message,
        m_chain_id, m_resigned_chain_id, m_sender, m_public_key, m_key_and_sender,
        m_unknown_envelope, m_unknown_body, m_unknown_message_field, m_unknown_message_type,
        m_oversize, m_truncated, m_not_an_object, m_not_utf8, m_body_shape, m_bad_sender,
        m_bad_message_field, m_bad_base64, m_duplicate_key)
}

CHAIN = make_chain(label="forgery")


def assert_refused(chain: Chain, forgery: Forgery) -> None:
    before = chain.snapshot()
    result, tx = chain.app.check_tx(forgery.raw)
    assert tx is None or result.code != 0
    assert result.code == forgery.code, (result, forgery)
    for word in forgery.words:
        assert word.lower() in result.log.lower(), (word, result.log)
    assert chain.snapshot() == before, "check_tx of a forgery changed the state"
    # The engines' fast path verifies signatures first, then skips the app's own check:
    # it must never let a bad signature through, nor change any other verdict.
    signature_ok = verify_raw_signature(forgery.raw)
    if forgery.code == BadSignature.code:
        assert not signature_ok
    if signature_ok:
        fast, _tx = chain.app.check_tx(forgery.raw, signature_checked=True)
        assert (fast.code, fast.log) == (result.code, result.log)
        assert chain.snapshot() == before

    items = chain.items_without_meta()
    height = chain.height
    block = chain.app.finalize_block(chain.next_header(), [forgery.raw])
    chain.app.commit()
    (in_block,) = block.tx_results
    assert in_block.code == forgery.code, (in_block, forgery)
    assert in_block.log == result.log
    assert chain.items_without_meta() == items, "a refused tx changed the state"
    assert chain.height == height + 1
    assert chain.app.state.root() == block.app_hash


def test_the_unmutated_transactions_are_valid() -> None:
    for which in (0, 1):
        chain = make_chain(label=f"forgery/valid/{which}")
        raw = dump(valid_envelope(chain, which))
        result, _tx = chain.app.check_tx(raw)
        assert result.ok, result
        assert chain.block([raw]).tx_results[0].ok


@SETTINGS
@given(data=st.data())
def test_forgeries_are_refused_and_change_nothing(data: st.DataObject) -> None:
    forgery = data.draw(forgeries(CHAIN))
    assert_refused(CHAIN, forgery)


@pytest.mark.parametrize("kind", sorted(MUTATIONS))
def test_every_mutation_kind_is_refused(kind: str) -> None:
    """Each mutation at least once, whatever Hypothesis happens to pick above."""

    @settings(max_examples=5, deadline=None, database=None)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        env = valid_envelope(CHAIN, data.draw(st.integers(0, 1)))
        assert_refused(CHAIN, MUTATIONS[kind](data.draw, CHAIN, env, env["body"]))

    run()


def test_duplicate_json_keys_cannot_smuggle_a_second_body() -> None:
    """A second body after the signed one: refused as a repeated key, not read as either."""
    chain = make_chain(label="forgery/dup")
    env = valid_envelope(chain, 0)
    evil = dict(env["body"], messages=[CreateInvites(code_hashes=(new_hash("evil"),)).to_json()])
    raw = (b'{"body":' + dump(env["body"]) + b',"body":' + dump(evil) + b',"public_key":"'
           + env["public_key"].encode() + b'","signature":"' + env["signature"].encode() + b'"}')
    assert_refused(chain, Forgery(raw, DuplicateKey.code, ("repeats", "body")))


@pytest.mark.parametrize("key", ["type", "sequence", "signature"])
def test_a_validly_signed_tx_with_a_repeated_key_is_refused(key: str) -> None:
    """The report's cases: `{"type":"vault/erase_record","type":"emission/collect"}`, a
    repeated `sequence` or `signature`, each with the signed value last, so that the
    signature verifies for what a last-wins parser reads. One tx, one meaning: refused with
    DuplicateKey (114), in check_tx and in a block, and nothing changes."""
    chain = make_chain(label=f"forgery/dup/{key}")
    raw = chain.operator.sign_tx(chain_id=chain.chain_id, sequence=0,
                                 messages=[{"type": "emission/collect"}])
    env = json.loads(raw)
    assert verify_raw_signature(raw)
    body, message = env["body"], env["body"]["messages"][0]
    if key == "type":
        message = Members([("type", "vault/erase_record"), ("type", "emission/collect")])
    elif key == "sequence":
        body = Members([("sequence", 7), *body.items()])
    doc = Members([("body", dict(body, messages=[message]) if isinstance(body, dict)
                    else Members([(k, [message] if k == "messages" else v) for k, v in body])),
                   ("public_key", env["public_key"])])
    if key == "signature":
        doc.append(("signature", base64.b64encode(bytes(64)).decode()))
    doc.append(("signature", env["signature"]))
    forged = dump_members(doc).encode()
    assert json.loads(forged) == env  # last-wins parsing reads the genuine, signed tx
    assert verify_raw_signature(forged)
    assert_refused(chain, Forgery(forged, DuplicateKey.code, ("repeats", key)))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_only_utf8_is_accepted(encoding: str) -> None:
    """The wire form is UTF-8 JSON; the same tx in UTF-16/32 or behind a BOM is another
    byte string (another tx hash) for the same signed body, so it must be refused.
    (Python's json.loads(bytes) silently auto-detects these encodings.)"""
    chain = make_chain(label=f"forgery/{encoding}")
    raw = dump(valid_envelope(chain, 0)).decode().encode(encoding)
    assert_refused(chain, Forgery(raw, MalformedTx.code, ("utf-8",)))


@pytest.mark.parametrize("opener", [b"[", b'{"a":', b'{"body":{"messages":['])
def test_deeply_nested_json_is_malformed_not_a_crash(opener: bytes) -> None:
    """Python's json raises RecursionError (not ValueError) on deep nesting; a tx like
    this must be refused as malformed, not crash check_tx or finalize_block."""
    chain = make_chain(label="forgery/deep")
    raw = opener * (chain.params.max_tx_bytes // len(opener) - 1)
    assert len(raw) <= chain.params.max_tx_bytes
    assert_refused(chain, Forgery(raw, MalformedTx.code, ("json",)))


@pytest.mark.parametrize("which", [0, 1])
@pytest.mark.parametrize("surrogate", [rb"\ud800", rb"\udfff", rb"\udbff\u0041"])
def test_lone_surrogate_in_a_string_is_refused_not_a_crash(which: int, surrogate: bytes) -> None:
    """A lone surrogate escape is valid JSON text but not a Unicode string: refused as
    malformed (101) or as an invalid field (111), never an exception (`str.encode()`
    raises UnicodeEncodeError on it)."""
    chain = make_chain(label="forgery/surrogate")
    env = valid_envelope(chain, which)
    msg = env["body"]["messages"][0]
    if which == 0:
        msg["code_hashes"][0] = "@@"
    else:
        msg["name"] = "Shop @@"
    raw = dump(env).replace(b"@@", surrogate)
    before = chain.snapshot()
    result, _tx = chain.app.check_tx(raw)
    assert result.code in (MalformedTx.code, InvalidField.code), result
    assert chain.snapshot() == before
    assert_refused(chain, Forgery(raw, result.code, ()))
