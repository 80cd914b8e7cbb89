"""The browser SDK's `verifyProof` (web/src/sdk/proof.js) must give every proof the node's
verdict: the same record for a present key, null for an absent one (an empty slot, or
another key's leaf where it would be), and a refusal with the same words for a tampered
value or sibling, a wrong key, truncated nodes, another app hash, flipped maps and malformed
shapes.

Python makes the vectors from a real state tree and takes each expected verdict from
`planet.sdk.proofs.verify_proof`; Node and Debian's Chromium (its WebCrypto, not Node's)
judge fresh vectors on every run, and `npm test` judges the pinned ones
(web/test/fixtures/proof-vectors.json; regenerate: python -m tests.integration.test_web_proofs).
Skipped only when node or web/node_modules (or Chromium, for its test) is missing and
PLANET_REQUIRE_WEB (PLANET_REQUIRE_BROWSER) is unset.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import subprocess
from pathlib import Path
from typing import Any

from planet.core.errors import InvalidProof
from planet.core.state import EMPTY_ROOT, CommittedState
from planet.sdk.proofs import verify_proof
from tests.integration.browser_vectors import WEB, node_ready, run_in_chromium

FIXTURE = WEB / "test" / "fixtures" / "proof-vectors.json"
PINNED_SEED = 13
REQUIRED = ("present", "absent, empty slot", "absent, another leaf", "tampered value",
            "wrong key", "truncated nodes", "another app hash")


def _verdict(proof: Any, app_hash: str) -> dict[str, Any]:
    try:
        value = verify_proof(proof, app_hash)
    except InvalidProof as err:
        return {"error": err.message}
    return {"value": None if value is None else value.hex()}


def _flip_hex(text: str, rng: random.Random) -> str:
    raw = bytearray(bytes.fromhex(text))
    raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
    return raw.hex()


def _state(rng: random.Random, n: int) -> dict[str, bytes]:
    """Records shaped like the node's: holder and share records of random addresses."""
    records: dict[str, bytes] = {}
    for i in range(n):
        address = "planet1" + "".join(rng.choice("023456789acdefghjklmnpqrstuvwxyz")
                                      for _ in range(38))
        table = ("holder", "share", "accrual")[i % 3]
        records[f"emission/{table}/{address}"] = json.dumps(
            {"balance": rng.randrange(10**12), "dormant": rng.random() < 0.2,
             "last_collect_at": 1_767_225_600_000 + rng.randrange(10**9)},
            separators=(",", ":"), sort_keys=True).encode()
    return records


def make_proof_vectors(seed: int | None = None) -> dict[str, Any]:
    """Vectors from a fresh random state (a fixed one with `seed`), each with the verdict the
    node's verify_proof gives; every tampered one is checked to be refused."""
    rng = random.Random(seed if seed is not None else random.SystemRandom().randrange(2**32))
    records = _state(rng, 400)
    state = CommittedState(sorted(records.items()))
    root, height = state.root().hex(), 1 + rng.randrange(10**6)
    keys = sorted(records)
    key = rng.choice(keys)
    other_key = rng.choice([k for k in keys if k != key])
    present = state.prove(key, height).to_json()
    earlier_records = {**records, other_key: records[other_key] + b" "}
    earlier = CommittedState(sorted(earlier_records.items()))

    def absent(want_other_leaf: bool) -> dict[str, Any]:
        for i in range(100_000):
            proof = state.prove(f"emission/holder/planet1absent{rng.randrange(10**9)}{i}", height)
            if proof.value is None and (proof.other_leaf is not None) == want_other_leaf:
                return proof.to_json()
        raise AssertionError("no such absent key found")

    cases: list[tuple[str, dict[str, Any], str, bool]] = []  # name, proof, app hash, holds

    def case(name: str, proof: dict[str, Any], app_hash: str = root, holds: bool = False) -> None:
        cases.append((name, proof, app_hash, holds))

    def tampered(change: Any) -> dict[str, Any]:
        doc = copy.deepcopy(present)
        change(doc)
        return doc

    with_siblings = [i for i, n in enumerate(present["nodes"]) if n["siblings"]]
    case("present", present, holds=True)
    case("absent, empty slot", absent(False), holds=True)
    case("absent, another leaf", absent(True), holds=True)
    case("empty state", CommittedState([]).prove("chain/meta", 0).to_json(), EMPTY_ROOT.hex(),
         holds=True)
    case("uppercase, spaced hex", tampered(lambda d: d.update(
        value=" ".join(d["value"][i:i + 2] for i in range(0, len(d["value"]), 2)).upper(),
        app_hash=d["app_hash"].upper())), holds=True)
    case("tampered value", tampered(lambda d: d.update(value=_flip_hex(d["value"], rng))))
    case("tampered value, longer", tampered(lambda d: d.update(value=d["value"] + "20")))
    case("tampered sibling", tampered(lambda d: d["nodes"][with_siblings[-1]]["siblings"]
                                      .__setitem__(0, _flip_hex(
                                          d["nodes"][with_siblings[-1]]["siblings"][0], rng))))
    case("dropped sibling", tampered(lambda d: d["nodes"][with_siblings[0]]["siblings"].pop()))
    case("wrong key", tampered(lambda d: d.update(key=other_key)))
    case("wrong key, one character", tampered(lambda d: d.update(key=d["key"][:-1] + (
        "q" if d["key"][-1] != "q" else "p"))))
    case("present key shown absent", tampered(lambda d: d.update(value=None)))
    case("own leaf as another's", tampered(lambda d: d.update(value=None, other_leaf={
        "key_hash": hashlib.sha256(key.encode()).hexdigest(),
        "value_hash": hashlib.sha256(records[key]).hexdigest()})))
    case("truncated nodes", tampered(lambda d: d.update(nodes=d["nodes"][:-1])))
    case("no nodes", tampered(lambda d: d.update(nodes=[])))
    case("extra node", tampered(lambda d: d["nodes"].append(copy.deepcopy(d["nodes"][-1]))))
    case("bitmap flipped", tampered(lambda d: d["nodes"][0].update(
        bitmap=d["nodes"][0]["bitmap"] ^ 1 << rng.randrange(16))))
    def mark_absent_leaf(doc: dict[str, Any]) -> None:
        node = next(n for n in reversed(doc["nodes"]) if n["bitmap"] != 0xFFFF)
        node["leafmap"] |= 1 << rng.choice([i for i in range(16) if not node["bitmap"] >> i & 1])

    case("leafmap marks an absent child", tampered(mark_absent_leaf))
    case("leafmap cuts the path", tampered(lambda d: d["nodes"][0].update(
        leafmap=d["nodes"][0]["leafmap"] | 1 << int(hashlib.sha256(key.encode()).hexdigest()[0],
                                                    16))))
    case("leafmap flipped", tampered(lambda d: d["nodes"][-1].update(
        leafmap=d["nodes"][-1]["leafmap"] ^ 1 << rng.randrange(16))))
    case("another app hash", present, earlier.root().hex())
    case("another state's proof, relabelled",
         {**earlier.prove(other_key, height - 1).to_json(), "app_hash": root})
    case("shape: no nodes field", {k: v for k, v in present.items() if k != "nodes"})
    case("shape: bitmap over 16 bits", tampered(lambda d: d["nodes"][0].update(bitmap=1 << 16)))
    case("shape: short sibling hash", tampered(lambda d: d["nodes"][with_siblings[0]]["siblings"]
                                               .__setitem__(0, "ab" * 31)))
    case("shape: key not a string", tampered(lambda d: d.update(key=7)))
    case("shape: negative height", tampered(lambda d: d.update(height=-1)))
    case("shape: value not hex", tampered(lambda d: d.update(value="zz")))
    case("shape: not an object", [present])  # type: ignore[arg-type]
    vectors = []
    for name, proof, app_hash, holds in cases:
        expect = _verdict(proof, app_hash)
        assert ("value" in expect) == holds, (name, expect)
        vectors.append({"name": name, "proof": proof, "app_hash": app_hash, "expect": expect})
    assert vectors[0]["expect"]["value"] == records[key].hex()
    return {"about": "made by tests/integration/test_web_proofs.py; expect = the node's verdict",
            "vectors": vectors}


def _compare(doc: dict[str, Any], verdicts: list[dict[str, Any]]) -> None:
    """Each JS verdict is Python's (a shape error only needs to be one, in its own words)."""
    wrong = []
    for vector, got in zip(doc["vectors"], verdicts, strict=True):
        expect = vector["expect"]
        if "value" in expect:
            ok = got.get("value", "missing") == expect["value"] and "error" not in got
        elif expect["error"].startswith("not a state proof"):
            ok = got.get("error", "").startswith("not a state proof")
        else:
            ok = got.get("error") == expect["error"]
        ok = ok and ("error" not in got or (got.get("name"), got.get("code")) == ("InvalidProof",
                                                                                  933))
        if not ok:
            wrong.append((vector["name"], expect, got))
    assert not wrong, f"{len(wrong)} verdicts differ: {wrong[:3]}"


def test_pinned_vectors_still_get_the_nodes_verdicts() -> None:
    doc = json.loads(FIXTURE.read_text("utf-8"))
    assert {v["name"] for v in doc["vectors"]} >= set(REQUIRED)
    for vector in doc["vectors"]:
        assert _verdict(vector["proof"], vector["app_hash"]) == vector["expect"], vector["name"]
    assert doc == make_proof_vectors(PINNED_SEED)


def test_node_js_judges_fresh_vectors_as_the_node_does(tmp_path: Path) -> None:
    node = node_ready()
    doc = make_proof_vectors()
    (tmp_path / "proof-vectors.json").write_text(json.dumps(doc), encoding="utf-8")
    done = subprocess.run([node, str(WEB / "test" / "proof-interop.mjs"), str(tmp_path)], cwd=WEB,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"proof-interop failed:\n{done.stdout}\n{done.stderr}"
    _compare(doc, json.loads((tmp_path / "proof-verdicts.json").read_text("utf-8")))


PAGE = """<!doctype html><meta charset="utf-8"><title>proofs</title>
<script src="bundle.js"></script>
<script>
(async () => {
  let out;
  try {
    const doc = await (await fetch("proof-vectors.json")).json();
    out = {ok: true, verdicts: await PlanetProofs.judgeProofVectors(doc),
           agent: navigator.userAgent};
  } catch (err) {
    out = {ok: false, error: String(err && err.stack || err)};
  }
  await fetch("result", {method: "POST", body: JSON.stringify(out)});
})();
</script>
"""


def test_chromium_judges_fresh_vectors_as_the_node_does(tmp_path: Path) -> None:
    """The bundled SDK in Debian's Chromium, served from loopback (a secure context)."""
    doc = make_proof_vectors()
    out = run_in_chromium(tmp_path, "test/proof-interop.mjs", "PlanetProofs", PAGE,
                          {"proof-vectors.json": json.dumps(doc)})
    assert out["ok"], out["error"]
    assert "Chrome/" in out["agent"]
    _compare(doc, out["verdicts"])


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(make_proof_vectors(PINNED_SEED), indent=1) + "\n", encoding="utf-8")
