"""A database made before the on-disk state tree: refused with the command that migrates it,
and `planet migrate` replays it into the current form with the same blocks and results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planet.cli.main import app as cli
from planet.core.errors import PlanetError
from planet.core.genesis import parse_genesis
from planet.engines.embedded import EmbeddedNode, EngineConfig, replay_chain
from planet.engines.migrate import BACKUP_SUFFIX, migrate_database
from planet.node.home import Home, init_home
from planet.sdk.wallet import Wallet
from planet.storage.sqlite import NodeStore
from tests.integration.test_embedded import CHAIN, Clock, _register_some

RUNNER = CliRunner()


def make_old_form(db: Path) -> None:
    """What an earlier Planet left: no state format, no tree nodes, app hashes of another form."""
    store = NodeStore(db)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM meta WHERE key = 'state_format'")
        conn.exec_driver_sql("DELETE FROM state_nodes")
        conn.exec_driver_sql("UPDATE blocks SET app_hash = zeroblob(32)")
        conn.exec_driver_sql("UPDATE meta SET value = zeroblob(32) WHERE key = 'last_app_hash'")
    store.close()


def build_node(db: Path, genesis_doc: dict, operator: Wallet
               ) -> tuple[int, bytes, list[tuple[str, bytes]], list[list[int]]]:
    node = EmbeddedNode(db, parse_genesis(genesis_doc), EngineConfig(verify_threads=1),
                        clock=Clock())
    _register_some(node, operator, 12)
    node.produce_block()
    height, app_hash = node.height, node.last_block.app_hash
    items = list(node.app.state.items())
    codes = [[t.code for t in node.store.block_txs(h)] for h in range(1, height + 1)]
    node.close()
    return height, app_hash, items, codes


def test_an_old_database_is_refused_then_migrated(tmp_path: Path) -> None:
    operator = Wallet.generate()
    home = init_home(tmp_path / "home", CHAIN, password="pw", preset="test",
                     operator=operator)
    height, app_hash, items, codes = build_node(home.db_file, home.load_genesis().document,
                                                operator)
    make_old_form(home.db_file)

    with pytest.raises(PlanetError, match="planet migrate"):
        EmbeddedNode(home.db_file)

    result = RUNNER.invoke(cli, ["migrate", "--home", str(home.path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["migrated"] is True and report["blocks"] == height
    assert report["app_hash"] == app_hash.hex()  # the same blocks, re-executed
    assert Path(str(home.db_file) + BACKUP_SUFFIX).exists()

    node = EmbeddedNode(home.db_file)
    assert node.height == height and node.app.state.root() == app_hash
    assert list(node.app.state.items()) == items
    assert [[t.code for t in node.store.block_txs(h)] for h in range(1, height + 1)] == codes
    assert replay_chain(node.store).ok
    node.close()

    again = RUNNER.invoke(cli, ["migrate", "--home", str(home.path), "--json"])
    assert again.exit_code == 0 and json.loads(again.output)["migrated"] is False
    with pytest.raises(PlanetError, match="nothing to migrate"):
        migrate_database(Home(home.path).db_file)
