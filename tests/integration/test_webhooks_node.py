"""Signed webhooks through `planet node` and `planet business webhooks`: the receiver fails
an event's first two attempts, and the node is killed (SIGKILL) between them; after its
restart the queue in its database goes on and the receiver holds the event exactly once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from planet.core.exchange.messages import SuspendBusiness
from planet.sdk.client import PlanetClient
from planet.sdk.keys import load_keystore
from tests.integration.nodeproc import NodeProcess, planet, wait_until
from tests.integration.webhook_receiver import Receiver

pytestmark = pytest.mark.slow


class Cli:
    def __init__(self, node: NodeProcess) -> None:
        self.env = {"PLANET_HOME": str(node.home), "PLANET_NODE": node.url}

    def __call__(self, *args: str, ok: bool = True) -> Any:
        out = planet(*args, "--json", check=False, env=self.env)
        assert (out.returncode == 0) == ok, out.stderr + out.stdout
        return json.loads(out.stdout)


def test_delivery_survives_a_killed_node_and_arrives_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    planet("init", "--home", str(home), "--chain-id", "planet-hooks", "--preset", "test")
    config = json.loads((home / "config.json").read_text())
    config["webhooks"] = {"allow_private_urls": True, "backoff_base_s": 1.0, "backoff_cap_s": 2.0}
    (home / "config.json").write_text(json.dumps(config))
    node = NodeProcess(home).start()
    receiver = Receiver(fail_first=2)
    try:
        cli = Cli(node)
        shop = cli("keys", "create", "shop")["address"]
        cli("business", "register", "--key", "operator", "--business-key", "shop", "--name",
            "Shop")
        cli("keys", "create", "stranger")
        refused = cli("business", "webhooks", "add", receiver.url, "--key", "stranger", ok=False)
        assert refused["error"] == "BadRequestSignature"  # signed, but not by an account
        made = cli("business", "webhooks", "add", receiver.url, "--key", "shop", "--events",
                   "business.suspended,redemption.made")
        receiver.secrets.append(made["secret"])
        (listed,) = cli("business", "webhooks", "list", "--key", "shop")["webhooks"]
        assert listed["id"] == made["id"] and "secret" not in listed
        assert listed["events"] == ["business.suspended", "redemption.made"]

        api = PlanetClient(node.url)
        operator = load_keystore(home / "keys" / "operator.json", None)
        api.send(operator, SuspendBusiness(business=shop, reason="audit"))
        api.close()
        wait_until("the first attempt", lambda: receiver.tries_any() >= 1)
        node.kill9()  # between the first failure and the second
        node.start()
        (event,) = receiver.wait_events(1, timeout=60)
        assert event["type"] == "business.suspended" and event["data"]["business"] == shop
        assert receiver.tries(event["id"]) == [500, 500, 200]

        def delivered() -> dict[str, Any] | None:
            (d,) = cli("business", "webhooks", "deliveries", "--key", "shop")["deliveries"]
            return d if d["status"] == "delivered" else None

        delivery = wait_until("the log to say delivered", delivered, timeout=30, every=0.5)
        assert delivery["event_id"] == event["id"] and delivery["response_code"] == 200
        again = cli("business", "webhooks", "redeliver", str(delivery["id"]), "--key", "shop")
        assert again["status"] == "pending"
        wait_until("the redelivery", lambda: len(receiver.tries(event["id"])) == 4)
        assert len(receiver.events) == 1  # after dedupe, once
        assert cli("business", "webhooks", "remove", made["id"], "--key", "shop")["removed"]
        assert cli("business", "webhooks", "list", "--key", "shop")["webhooks"] == []
        assert made["secret"] not in node.log.read_text()  # never logged
    finally:
        node.stop()
        receiver.close()
