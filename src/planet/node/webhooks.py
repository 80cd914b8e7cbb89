"""The webhook service as `planet node` runs it: config.json's `webhooks` object (read through
NodeConfig, like every other setting), its own database file in the node home, the commit
listener (planet.webhooks.service)."""

from __future__ import annotations

from pathlib import Path

from planet.engines.base import Node
from planet.node.home import Home
from planet.webhooks.service import WebhookConfig, WebhookService


def webhook_config(home: Home) -> WebhookConfig:
    """config.json's `webhooks` (absent, or no config.json: the defaults); an unknown key or
    a bad value raises ValueError."""
    return WebhookConfig.from_config(home.load_config().webhooks)


def webhooks_db(home: Home) -> Path:
    """HOME/data/webhooks.db: not node.db, whose write lock the block commits need."""
    return home.db_file.with_name("webhooks.db")


def open_webhooks(home: Home, node: Node) -> WebhookService:
    """Started: it goes on from the last block it read, and hears of each commit."""
    service = WebhookService(node, webhooks_db(home), node.genesis.chain_id, webhook_config(home))
    node.add_listener(service.on_block)
    service.start()
    return service
