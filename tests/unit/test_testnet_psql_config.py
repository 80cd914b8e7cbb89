"""The psql indexer's setup without processes: config.toml keys, the schema's place in the Go
module cache, and a clear error (before any file is made) when it is missing."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from planet.engines import psql_index as psql
from planet.testnet.network import Testnet, TestnetError

# The [tx_index] section as `cometbft init` (v0.38) writes it, written here for the test.
SAMPLE = """moniker = "host"

[tx_index]
# What indexer to use for transactions
indexer = "kv"

# The PostgreSQL connection configuration
psql-conn = ""

[instrumentation]
prometheus = false
"""

URL = "postgresql://idx:pw@127.0.0.1:5432/index?sslmode=disable"


def test_indexer_config_sets_both_keys() -> None:
    out = tomllib.loads(psql.indexer_config(SAMPLE, URL))
    assert out["tx_index"] == {"indexer": "psql", "psql-conn": URL}
    assert out["instrumentation"] == {"prometheus": False}


def test_indexer_config_refuses_another_layout() -> None:
    with pytest.raises(KeyError):
        psql.indexer_config("[tx_index]\nindexer = \"kv\"\n", URL)


def test_schema_is_read_from_the_module_cache(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    where = tmp_path / psql.COMETBFT_MODULE / psql.SCHEMA_IN_MODULE
    where.parent.mkdir(parents=True)
    where.write_text("-- schema\n")
    monkeypatch.setattr(psql, "_module_caches", lambda: [tmp_path / "nothing", tmp_path])
    assert psql.schema_path() == where


def test_missing_schema_is_a_clear_error_and_no_network_is_made(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(psql, "_module_caches", lambda: [tmp_path / "cache"])
    with pytest.raises(psql.PsqlIndexError, match="install-cometbft"):
        psql.schema_path()
    with pytest.raises(TestnetError, match="schema was not found"):
        Testnet.create(tmp_path / "net", 1, 28900, "planet-x", cometbft="/nonexistent",
                       psql_url=URL)
    assert not (tmp_path / "net").exists()


def test_connect_url_drops_the_sqlalchemy_driver() -> None:
    assert psql._connect_url("postgresql+psycopg://u@h:1/d") == "postgresql://u@h:1/d"
    assert psql._connect_url(URL) == URL
    assert psql._connect_url("host=h dbname=d") == "host=h dbname=d"


def test_a_validator_home_with_psql_url_configures_its_cometbft(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """config.json's psql_url is applied by `planet node --with-cometbft` (configure_indexer)."""
    from planet.node.home import Home
    from planet.node.run import configure_indexer

    home = Home(tmp_path / "h")
    home.path.mkdir()
    assert configure_indexer(home) is False  # no config.json: off
    home.config_file.write_text(json.dumps({"engine": "cometbft", "psql_url": URL}))
    calls: list[tuple[Path, str]] = []
    monkeypatch.setattr(psql, "install_schema", lambda url: calls.append((Path(), url)) or True)
    config = home.path / "cometbft" / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(SAMPLE)
    assert configure_indexer(home) is True
    assert calls == [(Path(), URL)]
    assert tomllib.loads(config.read_text())["tx_index"] == {"indexer": "psql", "psql-conn": URL}
