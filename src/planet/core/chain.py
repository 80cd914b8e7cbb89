"""The chain's own record: which network, which genesis, how far it has come.

Kept in the state (under `chain/`) so the app hash commits to the height, the block time
and the genesis document it all started from.
"""

from __future__ import annotations

from dataclasses import dataclass

from planet.core.errors import BlockOrderError
from planet.core.records import Record
from planet.core.state import View

META_KEY = "chain/meta"


@dataclass(frozen=True, slots=True)
class ChainMeta(Record):
    chain_id: str
    genesis_hash: str
    genesis_time: int
    height: int
    time: int


def get_meta(view: View) -> ChainMeta:
    meta = view.get(META_KEY, ChainMeta)
    if meta is None:
        raise BlockOrderError("the chain has not been initialised (no genesis)")
    return meta


def check_next_block(meta: ChainMeta, height: int, time: int) -> None:
    if height != meta.height + 1:
        raise BlockOrderError(f"expected block {meta.height + 1}, got {height}")
    if time < meta.time:
        raise BlockOrderError(f"block time {time} is before the previous block's {meta.time}")
