"""The browser SDK's message builders (web/src/sdk/messages.js) speak the core's messages.

web/test/fixtures/message-schemas.json holds every message type's fields and their JSON
types as the core parses them, and the record categories in the core's order;
web/test/messages.test.mjs checks each builder's output against it, and this test checks
the file is exactly what the core says (regenerate it with
`python -m tests.unit.test_web_messages`). Then node prints one message from every builder
and the core's own parser must accept each: a renamed field fails here, not on a live node.
"""

from __future__ import annotations

import json
import subprocess
import sys
import typing
from typing import Any

from planet.core.params import Params
from planet.core.transition import ROUTER
from planet.core.vault.state import CATEGORIES
from planet.sdk.wallet import Wallet
from tests.integration.browser_vectors import WEB, node_ready

FIXTURE = WEB / "test" / "fixtures" / "message-schemas.json"
SAMPLES = WEB / "test" / "message-samples.mjs"


def json_type(hint: Any) -> str:
    """A field's JSON type as the core's parser checks it: int, str, bool or list[<item>]."""
    if typing.get_origin(hint) is tuple:
        return f"list[{json_type(typing.get_args(hint)[0])}]"
    return str(hint.__name__)


def schemas() -> dict[str, Any]:
    """{categories: the vault's list, messages: {type: {fields: {name: json type}, optional:
    [names]}}} of every message the core routes."""
    messages: dict[str, Any] = {}
    for type_, (cls, _handler) in sorted(ROUTER.routes.items()):
        messages[type_] = {"fields": {name: json_type(hint) for name, hint in cls.spec().items()},
                           "optional": sorted(cls.OPTIONAL)}
    return {"categories": list(CATEGORIES), "messages": messages}


def test_the_fixture_is_the_cores_schemas() -> None:
    assert json.loads(FIXTURE.read_text("utf-8")) == schemas(), (
        "stale: run python -m tests.unit.test_web_messages")


def test_every_builder_makes_a_message_the_core_parses() -> None:
    node = node_ready()
    address = Wallet.generate().address
    out = subprocess.run([node, str(SAMPLES), address], capture_output=True, text=True, check=True,
                         timeout=60, cwd=WEB)
    samples = json.loads(out.stdout)
    params = Params()
    seen = set()
    for data in samples:
        msg = ROUTER.parse(data, params, "sample")
        assert msg.to_json() == data
        seen.add(data["type"])
    assert {"exchange/update_offer", "exchange/stop_offer", "force/set_business_quota"} <= seen


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(schemas(), indent=1, sort_keys=True) + "\n", "utf-8")
    print(f"wrote {FIXTURE}", file=sys.stderr)
