"""`planet demo`: a small generated world is a real, replayable chain ending now, with the
accounts the banner prints able to log in and find something to do."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planet.cli.main import app
from planet.core.encoding import b64decode
from planet.demo.world import DemoInfo, generate, is_complete, load_info
from planet.engines.embedded import replay_chain
from planet.node.home import Home
from planet.node.run import open_node
from planet.sdk.envelope import open_granted, open_record
from planet.sdk.keys import load_keystore, wallet_from_mnemonic
from planet.storage.blobs import FileBlobStore
from planet.storage.sqlite import NodeStore

RESIDENTS, DAYS, SEED = 60, 10, 7


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoInfo]:
    path = tmp_path_factory.mktemp("demo") / "home"
    return path, generate(path, residents=RESIDENTS, days=DAYS, seed=SEED)


def test_world_is_a_replayable_chain_ending_now(demo_home: tuple[Path, DemoInfo]) -> None:
    path, info = demo_home
    home = Home(path)
    assert info.complete and is_complete(home) and info.blocks > DAYS * 24
    node = open_node(home)  # reopens: the stored state hashes to the last app hash
    try:
        assert node.height == info.blocks > 0
        assert abs(time.time() * 1000 - node.last_block.time) < 5 * 60_000
        census = node.query("emission/census", {})
        assert census["residents"] == RESIDENTS and census["active"] > 0
    finally:
        node.close()
    store = NodeStore(home.db_file)
    try:
        report = replay_chain(store)
    finally:
        store.close()
    assert report.ok, report.problems
    assert report.blocks == info.blocks and report.txs >= info.txs


def test_demo_accounts_restore_and_have_something_to_show(
        demo_home: tuple[Path, DemoInfo]) -> None:
    path, info = demo_home
    home = Home(path)
    resident = wallet_from_mnemonic(info.account("resident").mnemonic)
    business = wallet_from_mnemonic(info.account("business").mnemonic)
    operator = wallet_from_mnemonic(info.account("operator").mnemonic)
    assert resident.address == info.account("resident").address
    assert load_keystore(home.keys_dir / "operator.json", None).address == operator.address
    assert (load_keystore(home.keys_dir / "verifier.json", None).address
            == info.account("verifier").address)
    assert load_keystore(home.keys_dir / "demo-resident.json", None).address == resident.address
    assert load_keystore(home.keys_dir / "sunrise-coffee.json", None).address == business.address
    node = open_node(home)
    blobs = FileBlobStore(home.blobs_dir)
    try:
        q = node.query
        assert q("accounts/account", {"address": resident.address})["kind"] == "resident"
        assert q("force/force", {"address": resident.address})["force"] > 0
        holder = q("emission/holder", {"address": resident.address})
        assert holder["balance_micro"] > 0 or holder["pending_micro"] > 0
        assert q("exchange/purse", {"business": business.address})["balance"] > 0

        records = q("vault/records", {"owner": resident.address})["records"]
        assert records
        for record in records:  # ciphertext in the home's blob store, opened by the owner
            blob = blobs.get(record["digest"])
            assert blob is not None
            json.loads(open_record(blob, resident.encryption_key))

        # A grant the resident gave: the business opens it with its own key.
        grant = next(g for g in q("exchange/grants", {"resident": resident.address})["items"]
                     if g["business"] == business.address)
        item = grant["records"][0]
        blob = blobs.get(item["digest"])
        assert blob is not None
        assert json.loads(open_granted(blob, b64decode(item["key"], field="key"),
                                       business.encryption_key))["from"] == "Sunrise Coffee"

        # And an open request from that business it can still accept.
        open_requests = [r for r in q("exchange/requests", {"limit": 20})["items"]
                         if r["status"] == "open" and r["business"] == business.address]
        assert any(q("exchange/eligible", {"request": r["id"], "owner": resident.address})
                   ["records"] for r in open_requests if r["id"] != grant["request"])

        for code in info.resident_codes + info.spare_codes:
            assert not q("accounts/invite", {"code": code})["used_by"]
        assert len(info.resident_codes) == 3 and info.spare_codes
    finally:
        node.close()
        blobs.close()


def test_second_run_reuses_the_world(demo_home: tuple[Path, DemoInfo]) -> None:
    path, info = demo_home
    db_mtime = Home(path).db_file.stat().st_mtime_ns
    result = CliRunner().invoke(app, ["demo", "--home", str(path), "--no-run", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["height"] == info.blocks
    assert {a["role"]: a["address"] for a in shown["accounts"]} == {
        role: info.account(role).address for role in ("operator", "business", "resident")}
    assert all(len(a["mnemonic"].split()) == 24 for a in shown["accounts"])
    assert shown["resident_invite_codes"] == info.resident_codes
    assert Home(path).db_file.stat().st_mtime_ns == db_mtime
    assert load_info(Home(path)) == info


def test_same_seed_same_world(demo_home: tuple[Path, DemoInfo], tmp_path: Path) -> None:
    _path, info = demo_home
    again = generate(tmp_path / "again", residents=RESIDENTS, days=DAYS, seed=SEED)
    assert (again.blocks, again.txs) == (info.blocks, info.txs)
    assert again.accounts == info.accounts
    assert (again.resident_codes, again.spare_codes) == (info.resident_codes, info.spare_codes)


def test_a_home_that_is_not_a_demo_is_left_alone(tmp_path: Path) -> None:
    from planet.node.home import init_home

    init_home(tmp_path / "mine")
    result = CliRunner().invoke(app, ["demo", "--home", str(tmp_path / "mine"), "--no-run"])
    assert result.exit_code == 2
    assert not (tmp_path / "mine" / "demo.json").exists()
