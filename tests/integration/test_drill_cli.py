"""The Lucky Drill end to end on a real node: the node's operator agent commits and
reveals rounds by itself, residents enter with the CLI, and anyone re-checks the draw."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from tests.integration.nodeproc import NodeProcess, planet, wait_until

pytestmark = pytest.mark.slow

ROUND_MS = 30_000
ENTRY_MARGIN_MS = 15_000
"""Wall-clock time a round must have left before the two entries: each is a CLI call (a
Python start-up, seconds on a loaded CI machine) and a block."""


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    home = tmp_path_factory.mktemp("drill") / "home"
    planet("init", "--home", str(home), "--chain-id", "planet-drill")
    genesis = json.loads((home / "genesis.json").read_text())
    genesis["params"] = {"drill_round_ms": ROUND_MS, "drill_reveal_ms": 60_000}
    (home / "genesis.json").write_text(json.dumps(genesis))
    # A block every second even when idle, so the chain's time (which says which round is
    # open) keeps within a second of the wall clock the test measures the margin with.
    config = json.loads((home / "config.json").read_text())
    config["empty_block_ms"] = 1_000
    (home / "config.json").write_text(json.dumps(config, indent=2))
    n = NodeProcess(home).start()
    yield n
    n.stop()


def run(node: NodeProcess, *args: str, check: bool = True) -> dict | list:
    out = planet(*args, "--json", check=False,
                 env={"PLANET_HOME": str(node.home), "PLANET_NODE": node.url})
    if check:
        assert out.returncode == 0, out.stderr + out.stdout
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_enter_draw_and_verify(node: NodeProcess) -> None:
    codes = run(node, "invites", "create", "--key", "operator", "--count", "2")["codes"]
    people = []
    for name, code in zip(("ann", "ben"), codes, strict=True):
        people.append(run(node, "keys", "create", name)["address"])
        run(node, "register", "--key", name, "--invite", code, "--own-invites", "0")
    run(node, "tasks", "enable", "sesame_credit", "--key", "operator")
    for task in ("face_verification", "sesame_credit"):
        attested = run(node, "tasks", "attest", task, *people, "--key", "verifier")
        assert attested["granted"] == 2
    # The node's drill agent commits rounds ahead; wait for one with enough time left that
    # both entries land before it closes (a block's time is the wall clock when it is made).
    def fresh_round() -> dict | None:
        current = run(node, "drill")
        time_left = current["closes_at"] - time.time_ns() // 1_000_000
        return current if current["committed"] and time_left > ENTRY_MARGIN_MS else None

    number = wait_until("an open committed round", fresh_round, timeout=60, every=0.5)["round"]
    for name in ("ann", "ben"):
        entered = run(node, "drill", "enter", "--key", name)
        assert entered["round"] == number and entered["force_left"] == 35
    refused = planet("drill", "enter", "--key", "ann", "--json", check=False,
                     env={"PLANET_HOME": str(node.home), "PLANET_NODE": node.url})
    assert refused.returncode == 1 and "already entered" in json.loads(refused.stdout)["message"]
    drawn = wait_until("the draw", lambda: (r := run(node, "drill", "round", str(number)))
                     ["status"] == "drawn" and r, timeout=120, every=0.5)
    assert drawn["winners"][0] in people and drawn["prize_each"] > 0
    report = run(node, "drill", "verify", str(number))
    assert report["ok"] is True and report["problems"] == [] and report["entries"] == 2
    winner = run(node, "query", "holder", drawn["winners"][0])
    assert winner["balance_micro"] >= drawn["prize_each"]
    assert any(r["round"] == number for r in run(node, "drill", "rounds"))
