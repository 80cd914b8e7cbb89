"""Run a node: the engine from the home folder plus the HTTP API, until interrupted."""

from __future__ import annotations

import logging
from collections.abc import Callable

import uvicorn

from planet.api.app import create_app
from planet.engines.embedded import EmbeddedNode
from planet.node.home import Home


def open_node(home: Home) -> EmbeddedNode:
    config = home.load_config()
    return EmbeddedNode(home.db_file, home.load_genesis(), config.engine_config())


def run_node(home: Home, host: str | None = None, port: int | None = None,
             on_ready: Callable[[EmbeddedNode, str], None] | None = None) -> None:
    config = home.load_config()
    node = open_node(home)
    node.start()
    host = host or config.api_host
    port = port or config.api_port
    api = create_app(node, None if on_ready is None else
                     lambda: on_ready(node, f"http://{host}:{port}"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        uvicorn.run(api, host=host, port=port, log_level="warning", access_log=False)
    finally:
        node.close()
