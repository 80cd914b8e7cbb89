"""The draw, as pure functions anyone can run again (`planet drill verify`).

Commit-reveal: before a round opens the operator puts on the ledger

    commitment = SHA-256("planet/drill/v1/commit\\n" || round (8 bytes, big-endian) || secret)

for a 32-byte secret only it knows; the round number inside stops one secret serving two
rounds. After the round closes, the hash of the first block whose time is at or after the
close (the *seal block*) is fixed by the chain, not by the operator alone, and the seed is

    seed = SHA-256("planet/drill/v1/draw\\n" || round (8 bytes) || secret || seal block hash)

Nobody can steer it: the operator's secret was fixed before any entry, and the block hash
was unknown to everyone when entries closed. One limit: on the embedded engine the
operator also makes the blocks, so it could try several seal blocks (reordering their
transactions) and reveal only if one suits it; on CometBFT the proposer rotates among
validators, which removes that. Winner k (k = 0, 1, ...) is taken without
replacement by a partial Fisher–Yates shuffle of the entry indices driven by
SHA-256(seed || k (4 bytes)) as a 256-bit integer; reducing it modulo at most 2⁵³ entries
has a bias below 2⁻²⁰⁰, so it is left as is.
"""

from __future__ import annotations

from typing import Any

from planet.core.encoding import sha256

COMMIT_DOMAIN = b"planet/drill/v1/commit\n"
DRAW_DOMAIN = b"planet/drill/v1/draw\n"
SECRET_BYTES = 32


def compute_commitment(round_: int, secret: bytes) -> bytes:
    return sha256(COMMIT_DOMAIN + round_.to_bytes(8, "big") + secret)


def compute_seed(round_: int, secret: bytes, seal_block_hash: bytes) -> bytes:
    return sha256(DRAW_DOMAIN + round_.to_bytes(8, "big") + secret + seal_block_hash)


def draw_winners(seed: bytes, entries: int, winners: int) -> list[int]:
    """Indices (into the entries, in entry order) of the winners, first drawn first."""
    swapped: dict[int, int] = {}
    picked: list[int] = []
    for k in range(min(winners, entries)):
        remaining = entries - k
        j = k + int.from_bytes(sha256(seed + k.to_bytes(4, "big")), "big") % remaining
        picked.append(swapped.get(j, j))
        swapped[j] = swapped.get(k, k)
    return picked


def compute_prize_each(jackpot: int, n_winners: int) -> int:
    """Winners share the jackpot equally; the indivisible µBD stay in the jackpot."""
    return jackpot // n_winners if n_winners else 0


def check_draw(round_: dict[str, Any], entrants: list[str], seal_block_hash: str,
               max_winners: int) -> list[str]:
    """Everything a sceptic re-checks about a drawn round; returns what does not hold.

    `round_` is the ledger's round record, `entrants` its entries in order, and
    `seal_block_hash` the hash of block `seal_height` as the chain itself reports it.
    """
    problems: list[str] = []
    number = int(round_["round"])
    if round_.get("status") != "drawn":
        return [f"round {number} is {round_.get('status')}, not drawn"]
    if round_["committed_at"] >= round_["opens_at"]:
        problems.append("the commitment was not on the ledger before the round opened")
    if round_["seal_time"] < round_["closes_at"]:
        problems.append("the seal block came before the round closed")
    if seal_block_hash != round_["seal_block_hash"]:
        problems.append(f"block {round_['seal_height']} has hash {seal_block_hash[:16]}…, the "
                        f"round used {round_['seal_block_hash'][:16]}…")
    secret = bytes.fromhex(round_["secret"])
    if compute_commitment(number, secret).hex() != round_["commitment"]:
        problems.append("the revealed secret does not hash to the commitment")
    if len(entrants) != round_["entries"]:
        problems.append(f"{len(entrants)} entrants listed, the round counts {round_['entries']}")
    seed = compute_seed(number, secret, bytes.fromhex(round_["seal_block_hash"]))
    expected = [entrants[i] for i in draw_winners(seed, len(entrants), max_winners)]
    if expected != list(round_["winners"]):
        problems.append(f"redrawn winners {expected} differ from the recorded {round_['winners']}")
    return problems
