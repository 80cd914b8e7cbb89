"""Webhooks, the review's findings that need no node: a receiver's check of a malformed
signature header, the `webhooks` config's one home (NodeConfig), and the tables moved out
of the node's database."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from planet.node.home import Home, NodeConfig
from planet.node.webhooks import webhook_config, webhooks_db
from planet.sdk.webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookVerificationError,
    sign_delivery,
    verify_webhook,
)
from planet.storage.sqlite import NodeStore
from planet.webhooks.service import WebhookConfig
from planet.webhooks.store import WebhookStore

SECRET = "whsec_test"
BODY = b'{"id": "evt_1_0_0"}'


@pytest.mark.parametrize("signature", ["é" * 64, "\u0661" * 64, "ab\u00a0cd", "💥"])
def test_a_non_ascii_signature_is_refused_not_a_type_error(signature: str) -> None:
    headers = sign_delivery(SECRET, "evt_1_0_0", BODY, timestamp=1_800_000_000)
    headers[SIGNATURE_HEADER] = signature
    with pytest.raises(WebhookVerificationError):
        verify_webhook(SECRET, headers, BODY, now=1_800_000_000)


def test_a_timestamp_of_non_ascii_digits_is_refused() -> None:
    headers = sign_delivery(SECRET, "evt_1_0_0", BODY, timestamp=1_800_000_000)
    headers[TIMESTAMP_HEADER] = "\u0661\u0668" + headers[TIMESTAMP_HEADER][2:]  # Arabic-Indic
    with pytest.raises(WebhookVerificationError, match="malformed"):
        verify_webhook(SECRET, headers, BODY, now=1_800_000_000)
    good = sign_delivery(SECRET, "evt_1_0_0", BODY, timestamp=1_800_000_000)
    assert verify_webhook(SECRET, good, BODY, now=1_800_000_000)["id"] == "evt_1_0_0"


def test_the_webhooks_config_survives_a_round_trip(tmp_path: Path) -> None:
    home = Home(tmp_path)
    settings = {"allow_private_urls": True, "per_business": 3, "attempt_timeout_s": 5.0}
    home.config_file.write_text(json.dumps({"api_port": 7171, "webhooks": settings}))
    config = home.load_config()
    assert config.webhooks == settings
    assert dataclasses.asdict(config)["webhooks"] == settings  # what the testnet copies
    home.save_config(dataclasses.replace(config, api_port=7272))  # what `planet demo` does
    assert json.loads(home.config_file.read_text())["webhooks"] == settings
    assert webhook_config(home) == WebhookConfig(allow_private_urls=True, per_business=3,
                                                 attempt_timeout_s=5.0)


def test_no_config_file_means_the_default_webhooks_config(tmp_path: Path) -> None:
    home = Home(tmp_path)
    assert not home.config_file.exists()
    assert webhook_config(home) == WebhookConfig()
    assert NodeConfig().webhooks == {}


def test_a_bad_webhooks_config_is_refused(tmp_path: Path) -> None:
    home = Home(tmp_path)
    for bad in ({"retries": 3}, {"per_business": 0}, {"attempt_timeout_s": 0}):
        home.save_config(NodeConfig(webhooks=bad))
        with pytest.raises(ValueError, match=r"config\.json webhooks"):
            webhook_config(home)


def tables(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_the_webhook_tables_live_in_their_own_file(tmp_path: Path) -> None:
    home = Home(tmp_path)
    home.db_file.parent.mkdir(parents=True)
    NodeStore(home.db_file).close()
    assert not {t for t in tables(home.db_file) if t.startswith("webhook")}
    WebhookStore(webhooks_db(home)).close()
    assert webhooks_db(home) == tmp_path / "data" / "webhooks.db"
    assert {"webhook_endpoints", "webhook_deliveries", "webhook_cursor"} <= tables(
        webhooks_db(home))


def test_a_node_database_from_before_the_move_loses_its_webhook_tables(tmp_path: Path) -> None:
    """A home made while 0004 created the tables in node.db: 0005 drops them."""
    db = tmp_path / "node.db"
    NodeStore(db).close()
    with sqlite3.connect(db) as conn:  # as 0004 left it
        conn.execute("DROP TABLE activity")  # (0006's)
        conn.execute("DROP TABLE block_events")
        conn.execute("CREATE TABLE webhook_endpoints (id TEXT PRIMARY KEY)")
        conn.execute("CREATE TABLE webhook_deliveries (id INTEGER PRIMARY KEY)")
        conn.execute("CREATE TABLE webhook_cursor (id INTEGER PRIMARY KEY, height INTEGER)")
        conn.execute("UPDATE alembic_version SET version_num = '0004'")
    NodeStore(db).close()
    assert not {t for t in tables(db) if t.startswith("webhook")}
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0006",)]
