"""The `planet` command as a newcomer meets it, against a real node serving a small demo
planet: every command that talks to a node takes --home (and finds the node from it),
what people read is in BD, the deployment's local time and durations and fits 80 columns,
--json stays raw, and a malformed address or invitation code exits 2 before any node is
asked."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from planet.cli.main import app
from planet.cli.units import format_bd
from tests.integration.nodeproc import NodeProcess, free_port, planet

pytestmark = pytest.mark.slow

WIDTH = 80
UNREACHABLE = "http://127.0.0.1:9"  # nothing listens: a command that asked would exit 3
EPOCH_MS = re.compile(r"(?<![\d.,])1[6-9]\d{11}(?![\d.,])")
BD = re.compile(r"\d{1,3}(,\d{3})*\.\d{6} BD")
DURATION = re.compile(r"\d+ (d|h|min|s)\b")
RAW_KEYS = ("time", "price", "reward", "balance", "prize_each", "paid", "escrowed",
            "refunded", "amount", "reveal_deadline")
RUNNER = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    home = tmp_path_factory.mktemp("human") / "demo"
    port = free_port()
    planet("demo", "--no-run", "--home", str(home), "--port", str(port), "--residents", "60",
           "--days", "5", "--json")
    node = NodeProcess(home, port).start()
    yield node
    node.stop()


def invoke(*args: str) -> tuple[int, str]:
    """Run a command in this process as a person would type it: no PLANET_* variables,
    an 80-column terminal."""
    result = RUNNER.invoke(app, list(args), env={"COLUMNS": str(WIDTH), "PLANET_HOME": None,
                                                 "PLANET_NODE": None, "PLANET_KEYRING": None})
    return result.exit_code, result.stdout + result.stderr


def human(node: NodeProcess, *args: str) -> str:
    code, out = invoke(*args, "--home", str(node.home))
    assert code == 0, out
    return out


def raw(node: NodeProcess, *args: str) -> Any:
    return json.loads(human(node, *args, "--json"))


def key_address(node: NodeProcess, name: str) -> str:
    return str(json.loads((node.home / "keys" / f"{name}.json").read_text())["address"])


def raw_values(data: Any, key: str = "") -> Iterator[int]:
    """The µBD amounts, instants and spans in a --json answer, by the API's naming."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from raw_values(v, k)
    elif isinstance(data, list):
        for v in data:
            yield from raw_values(v, key)
    elif isinstance(data, int) and not isinstance(data, bool) and data >= 1_000_000 and (
            key.endswith(("_micro", "_at", "_time", "_until", "_deadline", "_ms", "_second"))
            or key in RAW_KEYS):
        yield data


def commands(node: NodeProcess) -> list[tuple[str, ...]]:
    resident = key_address(node, "demo-resident")
    business = key_address(node, "sunrise-coffee")
    block = next(b for b in (raw(node, "query", "block", str(h)) for h in range(2, 200))
                 if b.get("txs"))
    drawn = [r["round"] for r in raw(node, "drill", "rounds") if r["state"] == "drawn"]
    return [
        ("status",), ("supply",), ("query", "holder", resident), ("query", "force", resident),
        ("query", "bubbles", resident), ("query", "account", resident),
        ("query", "accounts"), ("query", "accounts", "--kind", "business"),
        ("query", "block", str(block["height"])), ("query", "tx", block["txs"][0]["hash"]),
        ("tasks",), ("drill",), ("drill", "rounds"),
        *[("drill", "round", str(n)) for n in drawn[:1]],
        ("business", "purse", business), ("business", "quota", business),
        ("requests", "list", "--all"), ("shop", "list"),
        ("vault", "list", "--key", "demo-resident"),
        ("requests", "grants", "--key", "demo-resident"),
        ("shop", "redemptions", "--key", "sunrise-coffee"),
        ("invites", "list", "--key", "operator"), ("keys", "list")]


def test_every_command_that_talks_to_a_node_takes_home() -> None:
    missing = []

    def walk(command: Any, path: str) -> None:
        options = {o for p in command.params for o in getattr(p, "opts", [])}
        if "--node" in options and "--home" not in options:
            missing.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(get_command(app), "planet")
    assert not missing, f"--node without --home: {missing}"


def test_home_finds_the_node_and_its_keys(demo: NodeProcess, tmp_path: Path) -> None:
    """A real process, as README shows it: nothing in the environment but --home."""
    env = {"PLANET_HOME": "", "PLANET_NODE": "", "COLUMNS": str(WIDTH)}
    status = planet("status", "--home", str(demo.home), "--json", env=env)
    assert json.loads(status.stdout)["chain_id"].startswith("planet-demo")
    resident = key_address(demo, "demo-resident")
    holder = planet("query", "holder", resident, "--home", str(demo.home), "--json", env=env)
    assert json.loads(holder.stdout)["address"] == resident
    grants = planet("requests", "grants", "--key", "demo-resident", "--home", str(demo.home),
                    "--json", env=env)
    assert isinstance(json.loads(grants.stdout), list)
    nowhere = planet("supply", "--home", str(tmp_path / "no-node"), check=False, env=env)
    assert nowhere.returncode == 2 and "not a node home" in nowhere.stderr
    # the command line wins over the environment, both ways
    result = RUNNER.invoke(app, ["status", "--json", "--home", str(demo.home)],
                           env={"PLANET_NODE": UNREACHABLE})
    assert result.exit_code == 0, result.output
    result = RUNNER.invoke(app, ["status", "--json", "--node", UNREACHABLE],
                           env={"PLANET_HOME": str(demo.home), "PLANET_NODE": None})
    assert result.exit_code == 3


@pytest.mark.parametrize("args", [
    ("query", "holder", "planet1qatd29x"), ("query", "force", "not-an-address"),
    ("query", "account", "PLANET1QQQQQQ"), ("business", "purse", "cosmos1abc"),
    ("tasks", "attest", "shopping", "planet1xyz", "--key", "operator"),
    ("vault", "deposit", "--key", "operator", "--owner", "planet1", "--category", "travel",
     "--text", "x"),
    ("register", "--key", "operator", "--invite", "not-a-code"),
    ("query", "invite", "ABCD-EFGH"),
])
def test_malformed_address_or_invite_is_bad_usage(args: tuple[str, ...], tmp_path: Path
                                                  ) -> None:
    """Exit 2, and before any node is asked: the node given cannot be reached (3)."""
    code, out = invoke(*args, "--node", UNREACHABLE, "--home", str(tmp_path))
    assert code == 2, out
    assert "Invalid value" in out and "cannot reach" not in out


def test_exit_code_2_from_a_real_process() -> None:
    out = planet("query", "holder", "planet1qatd29x", "--node", UNREACHABLE, check=False)
    assert out.returncode == 2 and "20 bytes" in out.stderr


def test_human_output_is_bd_local_time_and_fits_80_columns(demo: NodeProcess) -> None:
    zone = raw(demo, "status")["timezone"]
    for args in commands(demo):
        shown = human(demo, *args)
        data = raw(demo, *args)
        what = " ".join(args)
        too_wide = [line for line in shown.splitlines() if len(line) > WIDTH]
        assert not too_wide, f"{what}: lines over {WIDTH} columns: {too_wide}"
        assert not EPOCH_MS.search(shown), f"{what}: epoch milliseconds in\n{shown}"
        leaked = [v for v in raw_values(data) if re.search(rf"(?<![\d,.]){v}(?![\d,.])", shown)]
        assert not leaked, f"{what}: raw values {leaked} in\n{shown}"
        if any(v > 10**12 for v in raw_values(data)):  # instants: in the deployment's zone
            assert zone in shown, f"{what}: times without the zone {zone} in\n{shown}"


def test_holder_reads_in_bd_with_a_countdown(demo: NodeProcess) -> None:
    resident = key_address(demo, "demo-resident")
    data = raw(demo, "query", "holder", resident)
    shown = human(demo, "query", "holder", resident)
    zone = raw(demo, "status")["timezone"]
    assert format_bd(data["balance_micro"]) in shown and BD.search(shown)
    assert str(data["balance_micro"]) not in shown and str(data["last_collect_at"]) not in shown
    countdown = next(line for line in shown.splitlines() if "dormant in" in line)
    assert DURATION.search(countdown), countdown
    assert zone in next(line for line in shown.splitlines() if "last collect" in line)


def test_force_grants_are_a_table_not_json(demo: NodeProcess) -> None:
    resident = key_address(demo, "demo-resident")
    data = raw(demo, "query", "force", resident)
    shown = human(demo, "query", "force", resident)
    assert data["grants"] and "{" not in shown and '"' not in shown
    assert all(g["task_id"] in shown for g in data["grants"])
    if any(g["expires_at"] == 0 for g in data["grants"]):
        assert "never" in shown


def test_drill_rounds_leave_out_rounds_not_open_and_show_prizes_in_bd(demo: NodeProcess
                                                                      ) -> None:
    rounds = raw(demo, "drill", "rounds")
    shown = human(demo, "drill", "rounds")
    listed = shown.split("Committed ahead")[0]  # the table, above the note of rounds ahead
    assert "not open yet" not in listed
    for r in rounds:
        if r["state"] == "not open yet":
            assert not re.search(rf"^\s*{r['round']}\s", listed, re.M), listed
        if r["prize_each"]:
            assert format_bd(r["prize_each"]) in shown


def test_tasks_show_every_id_whole_at_80_columns(demo: NodeProcess) -> None:
    tasks = raw(demo, "tasks")
    shown = human(demo, "tasks")
    assert all(re.search(rf"^{re.escape(t['id'])}\s", shown, re.M) for t in tasks), shown
