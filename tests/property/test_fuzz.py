"""Fuzz harness: no input escapes the error tree (issue 12 §7).

Three doors take bytes from strangers: the tx decoder (and behind it every message's rules),
the query arguments, and the ABCI framing and dispatch. For any input each must end in a
success or a PlanetError, a refusal with a code. Anything else fails here, and so does a
refusal with InternalTxError (199) or InternalQueryError (919): that is how the core reports
a bug its safety net caught, which is still a bug.

The inputs are shaped to get past the first checks: every message type with each field
well-typed or not, addresses among bech32/bech32m strings with valid checksums and any
payload length (as `planet1qatd29x`), Ed25519 keys among the small-order and non-canonical
encodings, signatures made with registered keys at the right sequence, so that the rules
run too; then some are cut, flipped or given a repeated key.

The run in the test command is short and the same every time (derandomized, no example
database). For a longer, random one:

    PLANET_FUZZ_EXAMPLES=20000 .venv/bin/pytest -q tests/property/test_fuzz.py

and with atheris installed (`pip install atheris`), coverage-guided over the same strategies:

    .venv/bin/python -m tests.property.fuzz_atheris tx -atheris_runs=200000
"""

from __future__ import annotations

import base64
import json
import os
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from bech32m.codecs import Encoding, bech32_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planet.core.ed25519 import SMALL_ORDER_ENCODINGS, P
from planet.core.errors import InternalQueryError, InternalTxError, PlanetError
from planet.core.messages import MAX_SAFE_INTEGER
from planet.core.transition import MODULES, ROUTER
from planet.core.tx import decode_tx
from planet.core.vault.state import CATEGORIES
from planet.engines.abci import abci_pb2 as pb
from planet.engines.abci.app import PlanetAbciApp
from planet.engines.abci.codec import (
    FrameDecoder,
    FramingError,
    decode_uvarint,
    encode_uvarint,
    frame,
)
from planet.engines.abci.server import dispatch
from planet.sdk.wallet import Wallet
from planet.storage.sqlite import NodeStore
from tests.chain import Chain, make_chain, new_code, wallet

EXAMPLES = int(os.environ.get("PLANET_FUZZ_EXAMPLES", "0"))


def fuzz_settings(default: int) -> settings:
    """`default` examples, derandomized (the same inputs in every CI run); with
    PLANET_FUZZ_EXAMPLES=N, N random ones."""
    return settings(max_examples=EXAMPLES or default, derandomize=not EXAMPLES, database=None,
                    deadline=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


# --- shaped strings ---------------------------------------------------------------------------

BECH32_CHARS = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


@st.composite
def bech32_strings(draw: st.DrawFn) -> str:
    """Strings a bech32 decoder takes seriously: valid checksums (bech32m or bech32) over
    any number of 5-bit groups and any prefix, or near misses of them."""
    hrp = draw(st.sampled_from(["planet", "planet", "cosmos", "p", "PLANET"]))
    words = draw(st.lists(st.integers(0, 31), max_size=50))
    spec = draw(st.sampled_from([Encoding.BECH32M, Encoding.BECH32M, Encoding.BECH32]))
    try:
        text = bech32_encode(hrp.lower(), bytes(words), spec)
    except ValueError:
        text = f"{hrp}1" + "".join(BECH32_CHARS[w] for w in words)
    if text is None:
        text = f"{hrp}1"
    how = draw(st.sampled_from(["as is", "as is", "upper", "flip", "cut", "raw"]))
    if how == "upper":
        return text.upper()
    if how == "flip" and len(text) > len(hrp) + 1:
        i = draw(st.integers(len(hrp) + 1, len(text) - 1))
        return text[:i] + draw(st.sampled_from(BECH32_CHARS + "bio1B")) + text[i + 1:]
    if how == "cut":
        return text[:draw(st.integers(0, len(text)))]
    if how == "raw":
        return f"{hrp}1" + draw(st.text(alphabet=BECH32_CHARS, max_size=60))
    return text


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


NON_CANONICAL_KEYS = [(P + k).to_bytes(32, "little") for k in range(19)] + [
    ((1 << 255) | (P + k)).to_bytes(32, "little") for k in range(19)]
KEY_BYTES = st.one_of(st.sampled_from(sorted(SMALL_ORDER_ENCODINGS)),
                      st.sampled_from(NON_CANONICAL_KEYS), st.binary(min_size=32, max_size=32))
BASE64 = st.one_of(KEY_BYTES.map(b64), st.binary(max_size=100).map(b64),
                   st.text(alphabet=string.ascii_letters + string.digits + "+/=-_ ", max_size=90))
HEX = st.one_of(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
                st.text(alphabet="0123456789abcdefABCDEFg", max_size=70))
INVITE = st.one_of(st.sampled_from([new_code(f"fuzz/{i}") for i in range(3)]),
                   st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567-01 ", max_size=24))
WORDS = st.sampled_from(["once", "unlimited", "daily:1", "daily:9999", "daily:0", "daily:",
                         "resident", "operator", "verifier", "business", "business:planet1",
                         "daily_checkin", "identity", "invite_friend", "", " ", "\x00", *CATEGORIES])
TEXT = st.text(max_size=300)


def shaped_strings(addresses: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(addresses), bech32_strings(), BASE64, HEX, INVITE, WORDS,
                     TEXT)


INTS = st.one_of(st.integers(0, 100), st.integers(0, MAX_SAFE_INTEGER),
                 st.sampled_from([-1, MAX_SAFE_INTEGER + 1, 2**63, 2**64 - 1,
                                  1_800_000_000_000, 86_400_000]),
                 st.integers(-(2**70), 2**70))
JSON_LEAF = st.one_of(st.none(), st.booleans(), INTS,
                      st.floats(allow_nan=False, allow_infinity=False), TEXT)
JSON_VALUE = st.recursive(JSON_LEAF, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=8)


# --- transactions ------------------------------------------------------------------------------

FIELD_SHAPES: dict[str, str] = {
    "resident": "address", "business": "address", "verifier": "address", "owner": "address",
    "residents": "address", "public_key": "key", "encryption_key": "key", "keys": "base64",
    "voucher": "base64", "nullifier": "hex", "phone_nullifier": "hex", "digest": "hex", "code_hashes": "hex",
    "commitment": "hex", "secret": "hex", "records": "hex", "invite_code": "invite",
    "category": "category", "categories": "category", "limit": "word", "attester": "word",
    "task_id": "word", "task": "word", "id": "word",
}


GENESIS_MS = 1_767_225_600_000  # tests/chain.py's genesis time, 2026-01-01
CLEAN_INTS = st.one_of(st.integers(0, 10), st.integers(0, 5000),
                       st.integers(GENESIS_MS - 86_400_000, GENESIS_MS + 30 * 86_400_000))
CLEAN: dict[str, Callable[[list[Wallet]], st.SearchStrategy[Any]]] = {
    "address": lambda ws: st.sampled_from([w.address for w in ws]),
    "key": lambda ws: st.sampled_from([b64(w.public_key) for w in ws]
                                      + [b64(w.encryption_public_key) for w in ws]),
    "base64": lambda _ws: st.binary(min_size=32, max_size=80).map(b64),
    "hex": lambda _ws: st.binary(min_size=32, max_size=32).map(bytes.hex),
    "invite": lambda _ws: st.sampled_from([new_code(f"fuzz/{i}") for i in range(3)]),
    "category": lambda _ws: st.sampled_from(CATEGORIES),
    "word": lambda _ws: WORDS,
}


def field_value(draw: st.DrawFn, name: str, hint: Any, signers: list[Wallet],
                clean: bool) -> Any:
    """A value for one message field: `clean`, of the right type and shape (so that the
    message reaches its rules); otherwise mostly so, and sometimes anything at all."""
    if not clean and draw(st.integers(0, 9)) == 0:
        return draw(JSON_VALUE)
    origin = getattr(hint, "__origin__", None)
    if origin is tuple:
        (item, _ellipsis) = hint.__args__
        return [field_value(draw, name, item, signers, clean)
                for _ in range(draw(st.integers(1 if clean else 0, 4)))]
    if hint is bool:
        return draw(st.booleans())
    if hint is int:
        return draw(CLEAN_INTS if clean else INTS)
    shape = FIELD_SHAPES.get(name)
    if clean:
        return draw(CLEAN[shape](signers) if shape else st.text(
            alphabet=string.ascii_letters + " :", min_size=1, max_size=20))
    addresses = [w.address for w in signers]
    if shape == "address":
        return draw(st.one_of(st.sampled_from(addresses), bech32_strings()))
    if shape == "key":
        return draw(st.one_of(KEY_BYTES.map(b64), BASE64))
    if shape == "base64":
        return draw(BASE64)
    if shape == "hex":
        return draw(HEX)
    if shape == "invite":
        return draw(INVITE)
    if shape == "category":
        return draw(st.one_of(st.sampled_from(CATEGORIES), WORDS))
    if shape == "word":
        return draw(WORDS)
    return draw(shaped_strings(addresses))


@st.composite
def message_docs(draw: st.DrawFn, signers: list[Wallet], clean: bool) -> Any:
    """Any message type, its fields well formed if `clean`, else mostly so, some missing,
    unknown or mistyped."""
    cls, _handler = ROUTER.routes[draw(st.sampled_from(sorted(ROUTER.routes)))]
    doc: dict[str, Any] = {"type": cls.TYPE}
    for name, hint in cls.spec().items():
        if not clean and draw(st.integers(0, 19)) == 0:
            continue  # missing
        doc[name] = field_value(draw, name, hint, signers, clean)
    if clean:
        return doc
    if draw(st.integers(0, 19)) == 0:
        doc[draw(st.text(max_size=10))] = draw(JSON_VALUE)
    if draw(st.integers(0, 19)) == 0:
        doc["type"] = draw(st.one_of(WORDS, st.sampled_from(sorted(ROUTER.routes)), JSON_VALUE))
    return doc if draw(st.integers(0, 29)) else draw(JSON_VALUE)


@st.composite
def raw_txs(draw: st.DrawFn, chain: Chain, signers: list[Wallet]) -> bytes:
    """A tx's bytes: signed by a known key at its sequence, so that its messages run; half
    of them clean (every field well formed), the others messy, cut, flipped or with a key
    repeated."""
    addresses = [w.address for w in signers]
    signer = draw(st.sampled_from(signers))
    clean = draw(st.booleans())
    messages = draw(st.lists(message_docs(signers, clean), min_size=1,
                             max_size=2 if clean else 3))
    body: dict[str, Any] = {"chain_id": chain.chain_id, "sender": signer.address,
                            "sequence": chain.sequence(signer), "messages": messages}
    if not clean and draw(st.integers(0, 9)) == 0:
        key = draw(st.sampled_from(["chain_id", "sender", "sequence", "messages"]))
        body[key] = draw(st.one_of(shaped_strings(addresses), JSON_VALUE))
    try:
        raw = signer.sign_tx(chain_id=body["chain_id"], sequence=body["sequence"],
                             messages=body["messages"]) if body["sender"] == signer.address \
            else b""
        doc = json.loads(raw) if raw else {}
    except Exception:  # the SDK refuses what it cannot sign (floats, huge ints): send unsigned
        doc = {}
    if not doc:
        doc = {"body": body, "public_key": b64(signer.public_key), "signature": b64(bytes(64))}
    text = json.dumps(doc, separators=(",", ":")).encode()
    if clean:
        return text
    if draw(st.integers(0, 9)) == 0:
        doc["public_key"] = draw(st.one_of(KEY_BYTES.map(b64), BASE64))
    if draw(st.integers(0, 9)) == 0:
        doc["signature"] = draw(st.one_of(st.binary(min_size=64, max_size=64).map(b64), BASE64))
    text = json.dumps(doc, separators=(",", ":")).encode()
    how = draw(st.sampled_from(["as is"] * 6 + ["cut", "flip", "insert", "repeat key"]))
    if how == "cut":
        return text[:draw(st.integers(0, len(text)))]
    if how == "flip":
        i = draw(st.integers(0, len(text) - 1))
        return text[:i] + bytes([draw(st.integers(0, 255))]) + text[i + 1:]
    if how == "insert":
        i = draw(st.integers(0, len(text)))
        return text[:i] + draw(st.binary(min_size=1, max_size=8)) + text[i:]
    if how == "repeat key":
        key = draw(st.sampled_from([b'"sequence":', b'"type":', b'"signature":', b'"body":']))
        return text.replace(key, key + b"0," + key, 1)
    return text


# --- the chain every example runs on --------------------------------------------------------

def fuzz_chain() -> tuple[Chain, list[Wallet]]:
    """A chain with a registered resident and business beside the operator and verifier,
    plus a wallet nobody registered."""
    chain = make_chain(label="fuzz", businesses=1)
    (resident,) = chain.register_residents(1)
    business = chain.businesses[0]
    return chain, [chain.operator, chain.verifier, business, resident, wallet("fuzz/stranger")]


CHAIN, SIGNERS = fuzz_chain()


def assert_only_refusals(chain: Chain, raw: bytes) -> None:
    try:
        decode_tx(raw, params=chain.params, router=ROUTER, chain_id=chain.chain_id)
    except PlanetError as err:
        assert not isinstance(err, InternalTxError), err
    # Anything but a PlanetError escaping check_tx or finalize_block fails the test by
    # itself; the core's net turns those into 199, so a 199 is a bug as well.
    result, _tx = chain.app.check_tx(raw)
    assert result.code != InternalTxError.code, result.log
    block = chain.block([raw])
    (in_block,) = block.tx_results
    assert in_block.code != InternalTxError.code, in_block.log


@fuzz_settings(300)
@given(data=st.data())
def test_the_tx_decoder_and_rules_only_refuse(data: st.DataObject) -> None:
    assert_only_refusals(CHAIN, data.draw(raw_txs(CHAIN, SIGNERS), label="raw tx"))


@fuzz_settings(100)
@given(raw=st.binary(max_size=400))
def test_any_bytes_as_a_tx_are_only_refused(raw: bytes) -> None:
    assert_only_refusals(CHAIN, raw)


def test_the_reported_unsigned_attestation_is_refused_with_a_code() -> None:
    """Issue 12's two-request halt, in-process: an address whose padding bits are not
    zero, an all-zero signature and a stranger's key."""
    stranger = SIGNERS[-1]
    for resident in ("planet1qatd29x", "planet1pppppppppppppppppppppppppppppppppzasj8n"):
        doc = {"body": {"chain_id": CHAIN.chain_id, "sender": stranger.address, "sequence": 0,
                        "messages": [{"type": "accounts/attest_identity", "resident": resident,
                                      "nullifier": "ab" * 32}]},
               "public_key": b64(stranger.public_key), "signature": b64(bytes(64))}
        raw = json.dumps(doc).encode()
        result, _tx = CHAIN.app.check_tx(raw)
        assert (result.code, result.error) == (111, "InvalidField"), result
        assert "accounts/attest_identity.resident" in result.log
        assert CHAIN.block([raw]).tx_results[0].code == 111


# --- queries -------------------------------------------------------------------------------

QUERY_PATHS = sorted(f"{m.name}/{name}" for m in MODULES for name in m.queries)
ARG_NAMES = ["address", "after", "business", "category", "code", "code_hash", "digest",
             "erased", "id", "kind", "limit", "nullifier", "offset", "on_sale", "open", "owner",
             "pending", "points", "request", "resident", "round", "size", "task_id", "before"]


@st.composite
def query_calls(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    addresses = [w.address for w in SIGNERS]
    path = draw(st.one_of(st.sampled_from(QUERY_PATHS), st.text(max_size=20)))
    value = st.one_of(shaped_strings(addresses), JSON_LEAF,
                      st.integers(-5, 10**20).map(str), st.lists(JSON_LEAF, max_size=3))
    args = draw(st.dictionaries(st.one_of(st.sampled_from(ARG_NAMES), st.text(max_size=8)),
                                value, max_size=5))
    return path, args


@fuzz_settings(400)
@given(call=query_calls())
def test_queries_only_refuse(call: tuple[str, dict[str, Any]]) -> None:
    path, args = call
    try:
        CHAIN.app.query(path, args)
    except PlanetError as err:
        assert not isinstance(err, InternalQueryError), err


# --- ABCI: framing and the two connections strangers reach (mempool and query) ----------------

@fuzz_settings(300)
@given(chunks=st.lists(st.binary(max_size=40), max_size=8))
def test_the_frame_decoder_only_refuses_and_reads_one_way(chunks: list[bytes]) -> None:
    decoder = FrameDecoder(max_message_bytes=1 << 16)
    stream = b"".join(chunks)
    out: list[bytes] = []
    try:
        for chunk in chunks:
            out += decoder.feed(chunk)
    except FramingError:
        return
    consumed = len(stream) - decoder.pending
    assert b"".join(frame(m) for m in out) == stream[:consumed]  # minimal lengths only


@fuzz_settings(300)
@given(buf=st.binary(max_size=12))
def test_a_varint_has_one_encoding(buf: bytes) -> None:
    try:
        head = decode_uvarint(buf)
    except FramingError:
        return
    if head is not None:
        value, end = head
        assert encode_uvarint(value) == buf[:end]


@pytest.fixture(scope="module")
def abci(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanetAbciApp]:
    chain = make_chain(label="fuzz-abci")
    store = NodeStore(Path(tmp_path_factory.mktemp("fuzz-abci")) / "node.db")
    yield PlanetAbciApp(store, chain.genesis)
    store.close()


ABCI_REQUESTS: list[Callable[[bytes, str], pb.Request]] = [
    lambda b, _s: pb.Request(check_tx=pb.CheckTxRequest(tx=b)),
    lambda b, _s: pb.Request(check_tx=pb.CheckTxRequest(tx=b, type=pb.CHECK_TX_TYPE_RECHECK)),
    lambda b, s: pb.Request(query=pb.QueryRequest(path=s, data=b)),
    lambda b, s: pb.Request(process_proposal=pb.ProcessProposalRequest(txs=[b], height=1)),
]


@fuzz_settings(200)
@given(data=st.data())
def test_abci_mempool_query_and_proposals_never_answer_an_exception(
        abci: PlanetAbciApp, data: st.DataObject) -> None:
    payload = data.draw(st.one_of(raw_txs(CHAIN, SIGNERS), st.binary(max_size=200),
                                  query_calls().map(lambda c: json.dumps(c[1]).encode())),
                        label="payload")
    path = data.draw(st.one_of(st.sampled_from(QUERY_PATHS), st.text(max_size=12)), label="path")
    make = data.draw(st.sampled_from(ABCI_REQUESTS), label="request")
    request = make(payload, path)
    answer = dispatch(abci, request)
    assert answer.WhichOneof("value") == request.WhichOneof("value"), answer
    if answer.WhichOneof("value") == "check_tx":
        assert answer.check_tx.code != InternalTxError.code, answer.check_tx.log
    if answer.WhichOneof("value") == "query":
        assert answer.query.code != InternalQueryError.code, answer.query.log
