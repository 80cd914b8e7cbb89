"""Proven reads end to end without a node process: the app proves what a query read, both
engines prove at a committed height whose block carries the same app hash (the ABCI app
waits out a block finalized but not committed), the SDK re-runs the query on the proven
records alone, and `planet query holder --prove` refuses every kind of tampering with exit
code 1 and InvalidProof (933)."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from planet.cli import main as cli
from planet.core.app import MAX_STATE_KEY, check_state_key
from planet.core.chain import META_KEY
from planet.core.emission.messages import Collect
from planet.core.errors import CommitTimeout, InvalidField, InvalidProof, NotFound
from planet.core.force.messages import CompleteTask
from planet.core.state import CommittedState, RecordingView
from planet.engines.abci import abci_pb2 as pb
from planet.engines.abci.app import PlanetAbciApp
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.sdk import proofs
from planet.sdk.client import NodeError
from planet.storage.sqlite import NodeStore
from tests.chain import Chain, make_chain, make_genesis
from tests.native import both_trees, tree_under_test  # noqa: F401 (the fixture: every test runs on both trees)
from tests.unit.test_abci_app import fin, invites_tx

pytestmark = pytest.mark.usefixtures("both_trees")

HOLDER = "emission/holder"


@pytest.fixture(scope="module")
def chain() -> Chain:
    """A resident who checked in and collected: a holder with a balance and Force."""
    c = make_chain(label="proofs")
    [alice, _bob] = c.register_residents(2)
    c.block([c.sign(alice, [CompleteTask(task_id="daily_checkin")])])
    c.block([], dt=3_600_000)
    c.block([c.sign(alice, [Collect()])])
    c.block([])
    c.alice = alice  # type: ignore[attr-defined]
    return c


def proven(chain: Chain) -> tuple[dict[str, Any], dict[str, Any]]:
    """The holder answer and its proof, as JSON crosses the wire."""
    answer = chain.app.query_proven(HOLDER, {"address": chain.alice.address})  # type: ignore[attr-defined]
    data = orjson.loads(orjson.dumps({**answer.value, "proof": answer.proof_json()}))
    return {k: v for k, v in data.items() if k != "proof"}, data["proof"]


def verify(chain: Chain, answer: dict[str, Any], doc: Any, app_hash: bytes | None = None
           ) -> proofs.ProvenReads:
    return proofs.verify_query(HOLDER, {"address": chain.alice.address},  # type: ignore[attr-defined]
                               answer, doc, app_hash or chain.app.state.root(), chain.genesis)


# --- the app ------------------------------------------------------------------------------------


def test_a_proven_query_proves_meta_first_then_every_record_it_read(chain: Chain) -> None:
    answer = chain.app.query_proven(HOLDER, {"address": chain.alice.address})  # type: ignore[attr-defined]
    assert answer.value == chain.app.query(HOLDER, {"address": chain.alice.address})  # type: ignore[attr-defined]
    keys = [p.key for p in answer.reads]
    assert keys[0] == META_KEY and len(set(keys)) == len(keys)
    address = chain.alice.address  # type: ignore[attr-defined]
    assert {f"emission/holder/{address}", f"emission/share/{address}", "emission/pool",
            f"force/resident/{address}"} <= set(keys)
    assert answer.height == chain.height and answer.app_hash == chain.app.state.root()
    assert answer.scans == ()
    assert all(p.height == answer.height and p.app_hash == answer.app_hash for p in answer.reads)
    reads = verify(chain, *proven(chain))
    assert reads.height == chain.height and reads.records == len(keys)
    # A scan is reported, never hidden: the task list walks every task.
    tasks = chain.app.query_proven("force/tasks", {})
    assert tasks.scans and tasks.proof_json()["scans"] == list(tasks.scans)
    # The census reads a fixed number of records (it is kept as holders change): proven whole.
    census = chain.app.query_proven("emission/census", {})
    assert census.scans == () and len(census.reads) <= 4


def test_a_refused_query_is_refused_with_or_without_proofs(chain: Chain) -> None:
    with pytest.raises(NotFound):
        chain.app.query_proven(HOLDER, {"address": chain.operator.address})


@pytest.mark.parametrize("key", ["", "chain", "/chain/meta", "Chain/meta", "chain/ meta",
                                 "chain/meta\n", "chain/\x00", "emission/holder/é",
                                 "a/" + "x" * (MAX_STATE_KEY - 1)])
def test_a_malformed_key_is_refused_not_proven_absent(chain: Chain, key: str) -> None:
    with pytest.raises(InvalidField, match="key: a state key"):
        chain.app.prove(key)


def test_well_formed_keys_are_proven_present_or_absent(chain: Chain) -> None:
    assert check_state_key("a/" + "x" * (MAX_STATE_KEY - 2))
    meta = chain.app.prove(META_KEY)
    assert proofs.verify_proof(meta.to_json(), chain.app.state.root()) == meta.value
    absent = chain.app.prove("emission/holder/planet1nobody")
    assert absent.value is None
    assert proofs.verify_proof(absent.to_json(), chain.app.state.root().hex()) is None


def test_recording_and_proven_views() -> None:
    state = CommittedState([("m/a", b"1"), ("m/b", b"2"), ("n/c", b"3")], tree_class=tree_under_test())
    rec = RecordingView(state)
    assert rec.has("m/a") and not rec.has("m/z")
    assert list(rec.iter_keys("m/")) == ["m/a", "m/b"]
    assert list(rec.keys) == ["m/a", "m/z"] and list(rec.prefixes) == ["m/"]
    view = proofs.ProvenView({"m/a": b"1", "m/z": None})
    assert view.has("m/a") and not view.has("m/z")
    with pytest.raises(InvalidProof, match="no proof covers"):
        view.has("n/c")
    with pytest.raises(InvalidProof, match="scans the prefix"):
        view.iter_keys("m/")


# --- the SDK's checks ---------------------------------------------------------------------------


Tamper = Callable[[dict[str, Any], dict[str, Any]], None]


def _read(doc: dict[str, Any], prefix: str) -> dict[str, Any]:
    return next(r for r in doc["reads"] if r["key"].startswith(prefix))


def _bump_value(read: dict[str, Any]) -> None:
    raw = json.loads(bytes.fromhex(read["value"]))
    raw["balance"] = raw["balance"] + 1
    read["value"] = json.dumps(raw, separators=(",", ":"), sort_keys=True).encode().hex()


TAMPERINGS: dict[str, tuple[Tamper, str | None]] = {
    "answer": (lambda a, d: a.update(balance_micro=a["balance_micro"] + 1),
               "answer differs from the proven records in balance_micro"),
    "record": (lambda a, d: _bump_value(_read(d, "emission/holder/")),
               "does not lead to the app hash"),
    "record and answer": (lambda a, d: (_bump_value(_read(d, "emission/holder/")),
                                        a.update(balance_micro=a["balance_micro"] + 1)),
                          "does not lead to the app hash"),
    "absent": (lambda a, d: _read(d, "emission/holder/").update(value=None),
               "slot occupied but gives no leaf"),
    "wrong key": (lambda a, d: _read(d, "emission/share/").update(
        key=_read(d, "emission/holder/")["key"].replace("holder", "share")[:-1] + "x"),
        None),
    "dropped read": (lambda a, d: d["reads"].remove(_read(d, "emission/pool")),
                     "depends on 'emission/pool', which no proof covers"),
    "truncated path": (lambda a, d: _read(d, "emission/holder/").update(
        nodes=_read(d, "emission/holder/")["nodes"][:-1]), None),
    "no meta": (lambda a, d: d["reads"].pop(0), "does not prove chain/meta"),
    "height": (lambda a, d: [r.update(height=d["height"] + 1) for r in d["reads"]]
               and d.update(height=d["height"] + 1), "claims height"),
    "mixed heights": (lambda a, d: d["reads"][1].update(height=d["height"] - 1),
                      "another height or app hash"),
    "twice": (lambda a, d: d["reads"].append(copy.deepcopy(d["reads"][1])), "twice"),
    "scans": (lambda a, d: d.update(scans=["emission/"]), "scanned prefixes"),
    "not a proof": (lambda a, d: d.update(reads=[{"key": 1}]), "proof"),
}


@pytest.mark.parametrize("how", sorted(TAMPERINGS))
def test_a_tampered_proven_answer_is_refused(chain: Chain, how: str) -> None:
    answer, doc = proven(chain)
    tamper, message = TAMPERINGS[how]
    tamper(answer, doc)
    with pytest.raises(InvalidProof, match=message):
        verify(chain, answer, doc)


def test_a_proof_against_another_heights_app_hash_is_refused(chain: Chain) -> None:
    answer, doc = proven(chain)
    earlier = chain.results[-2].app_hash
    assert earlier != chain.app.state.root()
    with pytest.raises(InvalidProof, match="another app hash"):
        verify(chain, answer, doc, earlier)
    doc["app_hash"] = earlier.hex()  # relabelled: each read still names the real one
    with pytest.raises(InvalidProof):
        verify(chain, answer, doc, earlier)


def test_another_genesis_is_refused(chain: Chain) -> None:
    answer, doc = proven(chain)
    other, _, _ = make_genesis(label="another")
    with pytest.raises(InvalidProof, match="genesis"):
        proofs.verify_query(HOLDER, {"address": chain.alice.address}, answer, doc,  # type: ignore[attr-defined]
                            chain.app.state.root(), other)


@pytest.mark.parametrize("app_hash", ["zz" * 32, "ab" * 31, b"\x00" * 31])
def test_a_malformed_trusted_app_hash_is_refused(chain: Chain, app_hash: Any) -> None:
    with pytest.raises(InvalidProof, match="app hash to check against"):
        proofs.verify_proof(chain.app.prove(META_KEY).to_json(), app_hash)


def test_a_key_no_state_can_hold_is_an_invalid_proof(chain: Chain) -> None:
    doc = chain.app.prove(META_KEY).to_json()
    doc["key"] = "chain/\ud800"
    with pytest.raises(InvalidProof, match="valid Unicode"):
        proofs.verify_proof(doc, chain.app.state.root())


# --- the engines: proofs at a committed height only ----------------------------------------------


def test_embedded_proofs_match_the_stored_block_while_blocks_are_made(tmp_path: Path) -> None:
    genesis, _, _ = make_genesis(label="embedded-proofs")
    node = EmbeddedNode(tmp_path / "node.db", genesis,
                        EngineConfig(block_interval_ms=1, empty_block_ms=1))
    node.start()
    try:
        seen: set[int] = set()
        while len(seen) < 20:
            proof = node.prove(META_KEY)
            block = node.store.get_block(proof.height)
            if block is None:  # genesis: no block yet
                assert proof.height == 0
                continue
            assert block.app_hash == proof.app_hash
            assert proofs.verify_proof(proof.to_json(), block.app_hash) == proof.value
            seen.add(proof.height)
    finally:
        node.close()


@pytest.fixture
def abci(tmp_path: Path) -> Iterator[tuple[PlanetAbciApp, Any]]:
    genesis, operator, _ = make_genesis(label="abci-proofs")
    store = NodeStore(tmp_path / "node.db")
    app = PlanetAbciApp(store, genesis)
    yield app, operator
    store.close()


def test_the_abci_app_proves_the_committed_block_never_one_only_finalized(
        abci: tuple[PlanetAbciApp, Any]) -> None:
    app, operator = abci
    app.finalize_block(fin(1, [invites_tx(operator, 0, "p1")], 1_800_000_000_000))
    app.commit(pb.CommitRequest())
    first = app.at_committed(lambda a: a.prove(META_KEY))
    assert (first.height, first.app_hash) == (1, app.store.get_block(1).app_hash)  # type: ignore[union-attr]

    app.finalize_block(fin(2, [invites_tx(operator, 1, "p2")], 1_800_000_001_000))
    with pytest.raises(CommitTimeout, match="finalized but not committed"):
        app.at_committed(lambda a: a.prove(META_KEY), timeout_s=0.05)
    got: list[Any] = []
    waiting = threading.Thread(target=lambda: got.append(
        app.at_committed(lambda a: (a.prove(META_KEY), a.query_proven(
            "accounts/account", {"address": operator.address})))))
    waiting.start()
    app.commit(pb.CommitRequest())
    waiting.join(timeout=30)
    [(meta, account)] = got
    block = app.store.get_block(2)
    assert block is not None
    assert (meta.height, meta.app_hash) == (2, block.app_hash)
    assert (account.height, account.app_hash) == (2, block.app_hash)
    assert account.value["sequence"] == 2


# --- the CLI path: `planet query holder --prove` -------------------------------------------------


class FakeNode:
    """What the CLI's client would get from a node serving `chain`, with a tampering hook."""

    def __init__(self, chain: Chain, tamper: Tamper | None = None) -> None:
        self.chain, self.tamper = chain, tamper

    def holder(self, address: str, *, prove: bool = False) -> dict[str, Any]:
        answer, doc = proven(self.chain)
        if self.tamper is not None:
            self.tamper(answer, doc)
        return {**answer, "proof": doc}

    def block(self, height: int | None = None) -> dict[str, Any]:
        assert height is not None
        if height > len(self.chain.results):
            raise NodeError(404, {"code": 911, "message": f"no block at height {height}"})
        return {"height": height, "app_hash": self.chain.results[height - 1].app_hash.hex()}

    def genesis(self) -> dict[str, Any]:
        return self.chain.genesis.document

    def status(self) -> dict[str, Any]:
        return {"timezone": "+08:00"}


def run_cli(monkeypatch: pytest.MonkeyPatch, node: FakeNode, *extra: str) -> Any:
    monkeypatch.setattr(cli, "client", lambda home, url: node)
    address = node.chain.alice.address  # type: ignore[attr-defined]
    return CliRunner().invoke(cli.app, ["query", "holder", address, "--prove",
                                        "--node", "http://fake", *extra])


def test_cli_prove_says_verified(monkeypatch: pytest.MonkeyPatch, chain: Chain) -> None:
    out = run_cli(monkeypatch, FakeNode(chain), "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["proof"]["verified"] is True
    assert data["proof"]["checked_against"] == ["block header"]
    assert data["balance_micro"] > 0 and data["proof"]["height"] == chain.height
    human = run_cli(monkeypatch, FakeNode(chain))
    assert human.exit_code == 0, human.output
    assert f"proof verified: height {chain.height}, app hash " \
           f"{chain.app.state.root().hex()[:16]}…" in human.output
    root = chain.app.state.root().hex()
    trusted = run_cli(monkeypatch, FakeNode(chain), "--json", "--app-hash", root.upper())
    assert trusted.exit_code == 0, trusted.output
    assert json.loads(trusted.output)["proof"]["checked_against"] == ["block header",
                                                                      "--app-hash"]


@pytest.mark.parametrize("how", ["answer", "record", "dropped read", "truncated path",
                                 "wrong key", "height"])
def test_cli_prove_refuses_a_tampered_answer(monkeypatch: pytest.MonkeyPatch, chain: Chain,
                                             how: str) -> None:
    out = run_cli(monkeypatch, FakeNode(chain, TAMPERINGS[how][0]), "--json")
    assert out.exit_code == 1, out.output
    refused = json.loads(out.output)
    assert refused["code"] == InvalidProof.code == 933 and not refused["ok"]
    assert refused["message"].startswith("proof refused, the answer is not verified:")
    human = run_cli(monkeypatch, FakeNode(chain, TAMPERINGS[how][0]))
    assert human.exit_code == 1 and "proof refused" in human.output


def test_cli_prove_refuses_an_app_hash_it_was_not_given_for(monkeypatch: pytest.MonkeyPatch,
                                                            chain: Chain) -> None:
    earlier = chain.results[-2].app_hash.hex()
    out = run_cli(monkeypatch, FakeNode(chain), "--json", "--app-hash", earlier)
    assert out.exit_code == 1 and "another app hash" in json.loads(out.output)["message"]
    bad = run_cli(monkeypatch, FakeNode(chain), "--app-hash", "xyz")
    assert bad.exit_code == 2
