"""What the HTTP API, the vault and the identity service need of a running node.

Both engines fit it: EmbeddedNode (one process, its own sequencer) and CometNode (the app
side of a CometBFT validator). Typed against this Protocol, the API and the services
work unchanged on either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Protocol

from planet.core.app import ProvenAnswer
from planet.core.genesis import Genesis
from planet.core.state import Proof
from planet.core.transition import TxResult
from planet.engines.commits import BlockListener
from planet.storage.sqlite import BlockRecord, NodeStore, TxRecord


@dataclass(frozen=True)
class Submitted:
    """A node's answer to a submitted tx: its hash and CheckTx's result."""

    hash: bytes
    result: TxResult

    @property
    def accepted(self) -> bool:
        return self.result.ok


class Node(Protocol):
    @property
    def genesis(self) -> Genesis: ...

    @property
    def height(self) -> int: ...

    @property
    def last_block(self) -> BlockRecord | None: ...

    @property
    def store(self) -> NodeStore: ...

    def submit(self, raw: bytes) -> Submitted: ...

    def submit_many(self, raws: Sequence[bytes]) -> list[Submitted]: ...

    def wait_for(self, tx_hash: bytes) -> Future[TxRecord | None]: ...

    def query(self, path: str, args: dict[str, Any] | None = None) -> Any: ...

    def prove(self, key: str) -> Proof:
        """One record (or its absence) with its proof, at the last committed block."""
        ...

    def query_proven(self, path: str, args: dict[str, Any] | None = None) -> ProvenAnswer:
        """A query with a proof of each record it read, at the last committed block."""
        ...

    def mempool_size(self) -> int: ...

    on_fatal: Callable[[BaseException], None] | None
    """Told when the node must stop: its stored state failed its check against the app hash."""

    def add_listener(self, fn: BlockListener) -> None: ...

    def start(self) -> None: ...

    def close(self) -> None: ...


def engine_name(node: object) -> str:
    """'embedded' or 'cometbft', for /v1/status."""
    return str(getattr(node, "engine_name", "embedded"))


__all__ = ["BlockListener", "Node", "Submitted", "engine_name"]
