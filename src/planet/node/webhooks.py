"""The webhook service as `planet node` runs it: config.json's `webhooks` object, the node's
database, the commit listener (planet.webhooks.service)."""

from __future__ import annotations

import json

from planet.engines.base import Node
from planet.node.home import Home
from planet.webhooks.service import WebhookConfig, WebhookService


def webhook_config(home: Home) -> WebhookConfig:
    """config.json's `webhooks` (absent: the defaults); an unknown key raises ValueError."""
    data = json.loads(home.config_file.read_text()).get("webhooks")
    return WebhookConfig.from_config(data if isinstance(data, dict) else None)


def open_webhooks(home: Home, node: Node) -> WebhookService:
    """Started: it goes on from the last block it read, and hears of each commit."""
    service = WebhookService(node, home.db_file, node.genesis.chain_id, webhook_config(home))
    node.add_listener(service.on_block)
    service.start()
    return service
