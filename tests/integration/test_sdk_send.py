"""`PlanetClient.send` and another writer of the same key: the node's Lucky Drill rounds sign
with the operator's key, so an operator's script could meet its sequence taken by a pending
round transaction; send signs again once the committed sequence moves past it."""

from __future__ import annotations

import json
from pathlib import Path

from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites
from planet.sdk.client import PlanetClient, new_invite_codes
from planet.sdk.keys import load_keystore
from tests.integration.nodeproc import NodeProcess, planet


def test_send_waits_out_a_pending_transaction_of_the_same_key(tmp_path: Path) -> None:
    home = tmp_path / "home"
    planet("init", "--home", str(home), "--chain-id", "planet-send")
    config = json.loads((home / "config.json").read_text())
    config.update(drill_operator=False, block_interval_ms=1_500, empty_block_ms=1_500)
    (home / "config.json").write_text(json.dumps(config))
    node = NodeProcess(home).start()
    api = PlanetClient(node.url)
    try:
        operator = load_keystore(home / "keys" / "operator.json", None)
        seq = api.next_sequence(operator.address)
        other = CreateInvites(code_hashes=tuple(compute_invite_hash(c) for c in new_invite_codes(1)))
        pending = api.submit(operator.sign_tx(chain_id="planet-send", sequence=seq,
                                              messages=[other]), wait=False)
        assert pending.height is None  # admitted, waiting for its block
        codes = api.create_invites(operator, 2)  # signs at `seq` first: taken, then seq + 1
        assert len(codes) == 2
        assert api.next_sequence(operator.address) == seq + 2
        assert api.tx(pending.hash)["code"] == 0
    finally:
        api.close()
        node.stop()
