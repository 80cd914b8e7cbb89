"""CometBFT's PostgreSQL event indexer under a real 2-validator testnet (`planet testnet up
--psql URL`): a throwaway PostgreSQL server (tests/pg.py), CometBFT v0.38.25 processes and
Planet app processes on loopback.

Transactions go through both validators' HTTP APIs; then SQL over the index shows every
block once (both validators write into the one shared database) with the app's heights,
and each tx's result with our events' attributes (the registration's resident and
inviter). A resident's identity check goes through the identity endpoint, and none of its
details is anywhere in a pg_dump of the index (nor as hex, the dump's form of bytea).

Skipped without the CometBFT binary unless PLANET_REQUIRE_COMETBFT is set, and without
PostgreSQL unless PLANET_REQUIRE_POSTGRES is set (then they fail).
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from stdnum.cn import ric
from typer.testing import CliRunner

from planet.cli.main import app
from planet.engines.psql_index import TABLES
from planet.sdk.client import PlanetClient
from planet.sdk.keys import load_keystore
from planet.sdk.wallet import Wallet
from planet.testnet.network import Testnet, free_base_port
from tests.integration.nodeproc import sent_code
from tests.pg import USER, PostgresServer, _clean_env

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

BASE_PORT = free_base_port(2)  # a free block, not a fixed one another run may hold
CHAIN = "planet-testnet-psql"
INDEX_DB = "comet_index"
NAME = "王小明"
ID_BODY = "11010519491231002"
ID_NUMBER = ID_BODY + ric.calc_check_digit(ID_BODY + "0")
PHONE = "13800138000"


def index_url(server: PostgresServer) -> str:
    # lib/pq (CometBFT's driver) asks for TLS unless told not to; the test server has none.
    return f"postgresql://{USER}@127.0.0.1:{server.port}/{INDEX_DB}?sslmode=disable"


@pytest.fixture(scope="module")
def index_db(postgres: PostgresServer) -> str:
    """A fresh database for the index in the session's PostgreSQL server."""
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user=USER, dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {INDEX_DB}")
        conn.execute(f"CREATE DATABASE {INDEX_DB}")
    return index_url(postgres)


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory, index_db: str,
        cometbft: str) -> Iterator[Testnet]:
    folder = tmp_path_factory.mktemp("testnet-psql")
    network = Testnet.create(folder, 2, BASE_PORT, CHAIN, cometbft=cometbft,
                             drill_operator=False, psql_url=index_db)
    try:
        network.start_and_wait(timeout=90, api_timeout=60)
        yield network
    finally:
        network.stop(grace=5)


def rows(url: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql.encode(), args).fetchall()


def wait_indexed(url: str, height: int, timeout: float = 20.0) -> None:
    """CometBFT indexes a block shortly after committing it."""
    deadline = time.monotonic() + timeout
    while not rows(url, "SELECT 1 FROM blocks WHERE height >= %s AND chain_id = %s",
                   height, CHAIN):
        assert time.monotonic() < deadline, f"height {height} not indexed in {timeout} s"
        time.sleep(0.2)


def pg_dump(server: PostgresServer) -> bytes:
    cmd = [str(server.bindir / "pg_dump"), "-h", "127.0.0.1", "-p", str(server.port), "-U",
           USER, "--no-password", "--format=plain", INDEX_DB]
    out = subprocess.run(cmd, capture_output=True, env=_clean_env(), timeout=60, check=True)
    return out.stdout


def test_config_and_schema(net: Testnet, index_db: str) -> None:
    for v in net.validators:
        text = (v.cometbft_home / "config" / "config.toml").read_text()
        assert 'indexer = "psql"' in text
        assert f'psql-conn = "{index_db}"' in text
    present = rows(index_db, "SELECT table_name FROM information_schema.tables "
                             "WHERE table_schema = 'public'")
    assert set(TABLES) <= {r[0] for r in present}


def test_blocks_and_tx_events_are_indexed_with_the_apps_heights(
        net: Testnet, index_db: str, postgres: PostgresServer) -> None:
    v0, v1 = net.validators
    operator = load_keystore(v0.home / "keys" / "operator.json", None)
    c0, c1 = PlanetClient(v0.api_url), PlanetClient(v1.api_url)
    codes = c0.create_invites(operator, 3)
    residents = [Wallet.generate() for _ in codes]
    outcomes = []
    for i, (w, code) in enumerate(zip(residents, codes, strict=True)):
        outcome, _ = (c0 if i % 2 == 0 else c1).register_resident(w, code)
        assert outcome.ok and outcome.height, outcome
        outcomes.append(outcome)
    # An identity check through v0's endpoint (it holds the verifier's key): its details
    # are secrets that must not reach the index.
    app_log = net.log_file(v0, "app")  # v0's development sender writes the code there
    after = app_log.stat().st_size
    c0.send_identity_code(residents[0], PHONE)
    verified = c0.verify_identity(residents[0], NAME, ID_NUMBER, PHONE,
                                  sent_code(app_log, PHONE, after))
    assert verified["height"] >= 1
    top = max(o.height or 0 for o in outcomes) + 1
    top = max(top, verified["height"])
    net.wait_height(top + 1, timeout=30)
    wait_indexed(index_db, top)

    # Every block once, for this chain, from 1 up: the two validators share the database.
    heights = [r[0] for r in rows(index_db, "SELECT height FROM blocks WHERE chain_id = %s "
                                            "ORDER BY height", CHAIN)]
    assert heights[: top] == list(range(1, top + 1))
    assert len(heights) == len(set(heights))
    assert rows(index_db, "SELECT count(*) FROM blocks WHERE chain_id <> %s", CHAIN) == [(0,)]

    # The app's blocks have the same heights as the index's.
    app_heights = {b["height"] for b in httpx.get(f"{v0.api_url}/v1/blocks",
                                                  params={"limit": 100}, timeout=10).json()}
    assert set(range(max(1, top - 20), top + 1)) <= app_heights

    for w, outcome in zip(residents, outcomes, strict=True):
        app_tx = c1.tx(outcome.hash)  # what the app committed, read from the other validator
        found = rows(index_db, "SELECT b.height, t.index FROM tx_results t JOIN blocks b "
                               "ON b.rowid = t.block_id WHERE t.tx_hash = %s",
                     outcome.hash.upper())
        assert len(found) == 1, (outcome.hash, found)
        assert found[0][0] == outcome.height == app_tx["height"]
        attrs = dict(rows(index_db, "SELECT key, value FROM tx_events WHERE height = %s "
                                    "AND index = %s AND type = 'accounts/registered' "
                                    "AND chain_id = %s", found[0][0], found[0][1], CHAIN))
        assert attrs == {"resident": w.address, "inviter": operator.address}, attrs
        # CometBFT's own meta-events for the tx, by hash and height.
        assert rows(index_db, "SELECT value FROM tx_events WHERE type = 'tx' AND key = 'hash' "
                              "AND height = %s AND index = %s", found[0][0], found[0][1]) \
            == [(outcome.hash.upper(),)]

    verified_attrs = rows(index_db, "SELECT key, value FROM tx_events WHERE height = %s "
                                    "AND type = 'accounts/identity_verified'",
                          verified["height"])
    assert ("resident", residents[0].address) in verified_attrs, verified_attrs

    # No personal data: none of the identity details, as text or as bytea hex.
    dump = pg_dump(postgres)
    assert residents[0].address.encode() in dump  # the dump does hold the index
    lowered = dump.lower()
    for secret in (NAME, ID_NUMBER, ID_BODY, PHONE):
        raw = secret.encode()
        assert raw not in dump, secret
        assert raw.hex().encode() not in lowered, secret


def test_cli_installs_the_schema_for_a_real_validator(postgres: PostgresServer,
                                                      tmp_path: Path) -> None:
    """`planet testnet psql URL --cometbft-home H/cometbft`: tables once, config.toml set."""
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user=USER, dbname="postgres",
                         autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS comet_index_cli")
        conn.execute("CREATE DATABASE comet_index_cli")
    url = f"postgresql://{USER}@127.0.0.1:{postgres.port}/comet_index_cli?sslmode=disable"
    config = tmp_path / "cometbft" / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('moniker = "v"\n\n[tx_index]\nindexer = "kv"\npsql-conn = ""\n')
    first = CliRunner().invoke(app, ["testnet", "psql", url, "--cometbft-home",
                                     str(tmp_path / "cometbft"), "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["schema_created"] is True
    assert 'indexer = "psql"' in config.read_text()
    assert f'psql-conn = "{url}"' in config.read_text()
    again = CliRunner().invoke(app, ["testnet", "psql", url, "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["schema_created"] is False
    tables = {r[0] for r in rows(url, "SELECT table_name FROM information_schema.tables "
                                      "WHERE table_schema = 'public'")}
    assert set(TABLES) <= tables
