"""The operator's side of the Lucky Drill, and anyone's re-check of a draw.

The operator keeps each round's 32-byte secret on its own disk (one file per round,
readable by its owner only) from the commitment until the reveal; the ledger only ever
sees the commitment, then the secret once the round is sealed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from planet.core.drill.draw import SECRET_BYTES, check_draw, compute_commitment
from planet.core.drill.messages import CommitRound, RevealRound
from planet.core.messages import Msg
from planet.sdk.client import NodeError, PlanetClient
from planet.sdk.wallet import Wallet

COMMIT_BATCH = 8


class SecretStore:
    """Round secrets under a folder, `round-<n>.hex`, mode 0600."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, round_: int) -> Path:
        return self.folder / f"round-{round_}.hex"

    def create(self, round_: int) -> bytes:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        secret = os.urandom(SECRET_BYTES)
        fd = os.open(self.path(round_), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secret.hex())
        return secret

    def load(self, round_: int) -> bytes | None:
        try:
            return bytes.fromhex(self.path(round_).read_text().strip())
        except FileNotFoundError:
            return None


def commit_rounds(api: PlanetClient, operator: Wallet, store: SecretStore,
                  ahead: int = 3) -> list[int]:
    """Commit to the next `ahead` rounds that have no commitment yet; returns them."""
    current = int(api.query("drill/current")["round"])
    todo: list[Msg] = []
    rounds: list[int] = []
    for number in range(current + 1, current + 1 + ahead):
        try:
            api.query("drill/round", round=number)
            continue  # already committed
        except NodeError as err:
            if err.status != 404:
                raise
        secret = store.create(number)
        todo.append(CommitRound(round=number, commitment=compute_commitment(number,
                                                                            secret).hex()))
        rounds.append(number)
    for i in range(0, len(todo), COMMIT_BATCH):
        api.send(operator, *todo[i:i + COMMIT_BATCH])
    return rounds


def reveal_due(api: PlanetClient, operator: Wallet, store: SecretStore) -> list[int]:
    """Reveal every sealed round whose seal block is behind us and whose secret we hold."""
    height = int(api.status()["height"])
    revealed = []
    for round_ in api.query("drill/rounds", limit=20):
        if round_["status"] != "sealed" or height <= round_["seal_height"]:
            continue
        secret = store.load(int(round_["round"]))
        if secret is None:
            continue
        api.send(operator, RevealRound(round=int(round_["round"]), secret=secret.hex()))
        revealed.append(int(round_["round"]))
    return revealed


def verify_round(api: PlanetClient, number: int) -> dict[str, Any]:
    """Redo a drawn round from what the chain publishes; trust nothing the round says."""
    round_ = api.query("drill/round", round=number)
    entrants: list[str] = []
    while True:
        page = api.query("drill/entries", round=number, offset=len(entrants))
        entrants.extend(page["entrants"])
        if not page["entrants"] or len(entrants) >= page["total"]:
            break
    max_winners = int(api.query("drill/current")["winners"])
    seal_hash = ""
    if round_.get("seal_height"):
        seal_hash = str(api.block(int(round_["seal_height"]))["hash"])
    problems = check_draw(round_, entrants, seal_hash, max_winners)
    return {"round": number, "ok": not problems, "problems": problems,
            "entries": len(entrants), "winners": round_.get("winners", []),
            "prize_each_micro": round_.get("prize_each", 0),
            "seal_height": round_.get("seal_height"), "commitment": round_.get("commitment")}
