"""The Ed25519 acceptance rule (planet.core.ed25519) on published edge cases, and where the
ledger applies it: every tx's key, every signature, registrations, genesis, blob requests.

web/test/fixtures/ed25519-edge-cases.json holds the vectors both SDKs are tested on (here
and in web/test/ed25519.test.mjs): a selection of C2SP's CCTV Ed25519 vectors, which cover
every combination of small-order, non-canonical and mixed-order A and R, plus our own (a
key's signature, S + L, the report's identity key). `accept` is what the rule says: refuse
small-order A or R, non-canonical A or R, S >= L, and whatever only a cofactored equation
accepts. Regenerate with `python -m tests.unit.test_ed25519 CCTV/ed25519/ed25519vectors.json`.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from planet.core import ed25519
from planet.core.accounts.messages import RegisterBusiness
from planet.core.address import compute_address
from planet.core.encoding import b64encode
from planet.core.errors import BadRequestSignature, GenesisError, WeakPublicKey
from planet.core.genesis import parse_genesis
from planet.core.tx import compute_sign_bytes
from planet.sdk.blobauth import SignedRequest, compute_blob_sign_bytes, verify_blob_request
from tests.chain import genesis_doc, make_chain, wallet

FIXTURE = Path(__file__).resolve().parents[2] / "web" / "test" / "fixtures" / \
    "ed25519-edge-cases.json"
REFUSED_FLAGS = frozenset({"low_order_A", "low_order_R", "non_canonical_A", "non_canonical_R",
                           "low_order_residue"})
IDENTITY = bytes([1]) + bytes(31)
IDENTITY_ADDRESS = "planet1q8g040f9rl9mu2unkjuj0vn262s6nyrhvj8hn3"  # the report's address


def load_vectors() -> list[dict[str, Any]]:
    vectors: list[dict[str, Any]] = json.loads(FIXTURE.read_text("utf-8"))["vectors"]
    return vectors


@pytest.mark.parametrize("v", load_vectors(), ids=lambda v: v["name"])
def test_the_rule_on_every_edge_case_vector(v: dict[str, Any]) -> None:
    key, sig, msg = (bytes.fromhex(v[k]) for k in ("key", "sig", "msg"))
    assert ed25519.verify(key, sig, msg) is v["accept"]


def test_the_vectors_cover_each_refusal_and_acceptance() -> None:
    vectors = load_vectors()
    assert {f for v in vectors for f in v["flags"]} >= REFUSED_FLAGS | {
        "low_order_R", "low_order_component_A", "low_order_component_R", "reencoded_k", "S>=L"}
    assert sum(v["accept"] for v in vectors) >= 8
    assert sum(not v["accept"] for v in vectors) >= 100
    # Every CCTV vector verifies under *some* rule; without our checks OpenSSL would accept
    # the small-order and non-canonical A ones, which is the point of them.
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    lenient = 0
    for v in vectors:
        if "low_order_A" in v["flags"] and not {"non_canonical_R", "low_order_residue"} & set(
                v["flags"]):
            try:
                Ed25519PublicKey.from_public_bytes(bytes.fromhex(v["key"])).verify(
                    bytes.fromhex(v["sig"]), bytes.fromhex(v["msg"]))
                lenient += 1
            except InvalidSignature:
                pass
    assert lenient >= 10, "the library alone no longer accepts small-order keys?"


def test_the_small_order_list_is_the_published_one() -> None:
    """Each encoding on our list is a key CCTV flags low-order, and each key CCTV flags
    low-order or non-canonical is refused by public_key_problem."""
    vectors = load_vectors()
    flagged = {bytes.fromhex(v["key"]) for v in vectors if v["name"].startswith("cctv-")
               and {"low_order_A", "non_canonical_A"} & set(v["flags"])}
    assert len(ed25519.SMALL_ORDER_ENCODINGS) == 14
    assert flagged <= ed25519.SMALL_ORDER_ENCODINGS
    for key in ed25519.SMALL_ORDER_ENCODINGS:
        assert ed25519.public_key_problem(key) is not None
    assert ed25519.public_key_problem(wallet("ed25519/ok").public_key) is None


@pytest.mark.parametrize("k", range(19))
def test_non_canonical_y_is_refused(k: int) -> None:
    """y = p + k for k in 0..18 (all the values above p that fit), either sign bit."""
    for sign in (0, 1 << 255):
        key = (sign | (ed25519.P + k)).to_bytes(32, "little")
        assert not ed25519.is_canonical_point(key)
        assert ed25519.public_key_problem(key) is not None
        with pytest.raises(WeakPublicKey):
            ed25519.check_public_key(key, field="k")


def test_s_must_be_below_the_group_order() -> None:
    sk = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"s>=l").digest())
    pk = sk.public_key().public_bytes_raw()
    sig = sk.sign(b"m")
    s = int.from_bytes(sig[32:], "little")
    assert ed25519.verify(pk, sig, b"m")
    assert not ed25519.verify(pk, sig[:32] + (s + ed25519.L).to_bytes(32, "little"), b"m")
    assert not ed25519.verify(pk, sig, b"other")
    assert not ed25519.verify(pk, sig[:63], b"m")
    assert not ed25519.verify(pk[:31], sig, b"m")


def test_the_identity_key_signs_nothing() -> None:
    """The report: the identity point as a key with R = identity, S = 0 verifies for any
    body under the library alone, so anyone could sign for planet1q8g040f…."""
    assert compute_address(IDENTITY) == IDENTITY_ADDRESS
    body = {"chain_id": "c", "sender": IDENTITY_ADDRESS, "sequence": 0, "messages": []}
    assert not ed25519.verify(IDENTITY, IDENTITY + bytes(32), compute_sign_bytes(body))


def test_a_tx_with_a_weak_key_is_refused_before_anything_else() -> None:
    chain = make_chain(label="ed25519/tx")
    body = {"chain_id": chain.chain_id, "sender": IDENTITY_ADDRESS, "sequence": 0,
            "messages": [{"type": "emission/collect"}]}
    raw = json.dumps({"body": body, "public_key": b64encode(IDENTITY),
                      "signature": b64encode(IDENTITY + bytes(32))}).encode()
    for signature_checked in (False, True):  # the engines' fast path as well
        result, _tx = chain.app.check_tx(raw, signature_checked=signature_checked)
        assert (result.code, result.error) == (WeakPublicKey.code, "WeakPublicKey"), result
        assert "small-order" in result.log
    assert chain.block([raw]).tx_results[0].code == WeakPublicKey.code


@pytest.mark.parametrize("key", [IDENTITY, bytes(32), (ed25519.P + 2).to_bytes(32, "little")])
def test_registering_a_business_or_verifier_with_a_weak_key_is_refused(key: bytes) -> None:
    chain = make_chain(label="ed25519/register")
    msg = {"type": RegisterBusiness.TYPE, "business": compute_address(key),
           "public_key": b64encode(key), "encryption_key": b64encode(bytes(range(32))),
           "name": "Weak"}
    for type_ in (RegisterBusiness.TYPE, "accounts/add_verifier"):
        doc = dict(msg, type=type_)
        if type_ != RegisterBusiness.TYPE:
            doc["verifier"] = doc.pop("business")
        result = chain.block([chain.sign(chain.operator, [doc])]).tx_results[0]
        assert (result.code, result.error) == (WeakPublicKey.code, "WeakPublicKey"), result
        assert ".public_key" in result.log


def test_a_genesis_with_a_weak_key_is_refused() -> None:
    doc = genesis_doc(wallet("ed25519/op"), [wallet("ed25519/v")])
    doc["operator"] = dict(doc["operator"], public_key=b64encode(IDENTITY),
                           address=IDENTITY_ADDRESS)
    with pytest.raises(GenesisError, match="small-order"):
        parse_genesis(doc)


def test_blob_requests_apply_the_same_rule() -> None:
    message = compute_blob_sign_bytes(address=IDENTITY_ADDRESS, chain_id="c", digest="ab" * 32,
                                      method="GET", timestamp=1)
    assert message.startswith(b"planet/blob-request/v1\n")
    request = SignedRequest(address=IDENTITY_ADDRESS, timestamp=1,
                            signature=IDENTITY + bytes(32))
    with pytest.raises(BadRequestSignature):
        verify_blob_request(request, public_key=IDENTITY, chain_id="c", digest="ab" * 32,
                            method="GET", now_ms=1)


# --- the fixture ---------------------------------------------------------------------------

CCTV_NOTICE = (
    "Vectors marked cctv-N are CCTV's ed25519vectors.json number N "
    "(https://github.com/C2SP/CCTV/tree/main/ed25519), Copyright 2019 Google LLC, "
    "Copyright 2022 Filippo Valsorda, under the BSD 3-Clause licence: Redistribution and use "
    "in source and binary forms, with or without modification, are permitted provided that "
    "the following conditions are met: Redistributions of source code must retain the above "
    "copyright notice, this list of conditions and the following disclaimer. Redistributions "
    "in binary form must reproduce the above copyright notice, this list of conditions and "
    "the following disclaimer in the documentation and/or other materials provided with the "
    "distribution. Neither the name of Google LLC nor the names of its contributors may be "
    "used to endorse or promote products derived from this software without specific prior "
    "written permission. THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "
    "\"AS IS\" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE "
    "IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE "
    "DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT OWNER OR CONTRIBUTORS BE LIABLE FOR ANY "
    "DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, "
    "BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR "
    "PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER "
    "IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY "
    "WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.")


def own_vectors() -> list[dict[str, Any]]:
    """Cases CCTV does not cover: a real key's signature, S + L, y >= p off the small-order
    list, the report's identity key on a tx body."""
    sk = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"planet/ed25519-vectors").digest())
    pk = sk.public_key().public_bytes_raw()
    msg = compute_sign_bytes({"chain_id": "planet-1", "sender": compute_address(pk),
                              "sequence": 0, "messages": [{"type": "emission/collect"}]})
    sig = sk.sign(msg)
    s = int.from_bytes(sig[32:], "little")
    high_s = sig[:32] + (s + ed25519.L).to_bytes(32, "little")
    out = [("planet-valid", pk, sig, msg, True, []),
           ("planet-s-plus-l", pk, high_s, msg, False, ["S>=L"]),
           ("planet-s-max", pk, sig[:32] + b"\xff" * 32, msg, False, ["S>=L"]),
           ("planet-other-message", pk, sig, msg + b" ", False, []),
           ("planet-identity-key", IDENTITY, IDENTITY + bytes(32), msg, False, ["low_order_A"])]
    for k in (2, 3, 4, 9, 18):
        out.append((f"planet-y-is-p-plus-{k}", (ed25519.P + k).to_bytes(32, "little"), sig, msg,
                    False, ["non_canonical_A"]))
    return [{"name": n, "key": a.hex(), "sig": b.hex(), "msg": m.hex(), "accept": ok,
             "flags": flags} for n, a, b, m, ok, flags in out]


def write_fixture(cctv_json: Path) -> None:
    """Up to 3 CCTV vectors of each flag combination, then our own."""
    per_combination: dict[tuple[str, ...], int] = {}
    chosen = []
    for v in json.loads(cctv_json.read_text("utf-8")):
        flags = tuple(sorted(v["flags"] or ()))
        if per_combination.get(flags, 0) >= 3:
            continue
        per_combination[flags] = per_combination.get(flags, 0) + 1
        chosen.append({"name": f"cctv-{v['number']}", "key": v["key"], "sig": v["sig"],
                       "msg": v["msg"].encode().hex(), "accept": not REFUSED_FLAGS & set(flags),
                       "flags": list(flags)})
    FIXTURE.write_text(json.dumps({
        "about": "Ed25519 edge cases and what Planet's rule says of each (accept); see "
                 "src/planet/core/ed25519.py. Written by `python -m tests.unit.test_ed25519 "
                 "<ed25519vectors.json>`.",
        "licence": CCTV_NOTICE,
        "vectors": chosen + own_vectors()}, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_fixture(Path(sys.argv[1]))
