"""The CometBFT engine: this process is the application side of one validator.

CometBFT (a separate process, `cometbft start --home HOME/cometbft`) orders the blocks; it
connects to the ABCI server started here and calls the core through PlanetAbciApp, which
persists every block with its state writes in the node's own SQLite store (the embedded
schema). CometNode offers the interface the HTTP API, the vault and the identity service
use on EmbeddedNode (planet.engines.base.Node), so they run unchanged:

* submit → CometBFT's RPC `broadcast_tx_sync`: CometBFT runs our CheckTx and answers its
  result (CheckTx puts the whole result in `data`, so clients see the embedded answer);
* wait_for → resolved when this app's own FinalizeBlock + Commit included the tx (or
  None when a recheck evicted it from the mempool);
* query, store, last_block, height, listeners → the local app and store, as embedded;
  prove and query_proven likewise, at the last Commit (never a block only finalized).

Submissions go out from a private event loop, many at once: CometBFT's socket client
batches the CheckTx of concurrent broadcasts into one flush.

Running one validator for real (`planet testnet up` does all of this on loopback):

    planet init --home H --chain-id CHAIN            # or copy the network's H/genesis.json
    cometbft init --home H/cometbft                  # validator and node keys
    # H/cometbft/config/genesis.json: chain_id = CHAIN (Planet's), the network's validator
    #   set (each validator's priv_validator_key.json public key, equal power), and
    #   optionally app_state = the Planet genesis document (checked at InitChain)
    # H/cometbft/config/config.toml: proxy_app = H/config.json's abci_address,
    #   [rpc] laddr = cometbft_rpc, [p2p] persistent_peers = ID@HOST:PORT of the others
    # H/config.json: "engine": "cometbft", abci_address, cometbft_rpc, api_port
    # optional, blocks and tx events into PostgreSQL (CometBFT's psql indexer; its
    #   /tx and /tx_search are then off, which Planet never calls): creates the tables
    #   from CometBFT's schema and sets [tx_index] indexer = "psql", psql-conn = URL —
    planet testnet psql postgresql://USER:PW@HOST:5432/DB --cometbft-home H/cometbft
    planet node --home H                             # app + ABCI server + HTTP API
    cometbft start --home H/cometbft                 # then the engine, beside it

(`planet node --engine cometbft --with-cometbft` starts the second as a child.) CometBFT
stops when its app goes away; start the app first, then CometBFT: its handshake replays
whatever blocks the app's store lacks.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import orjson

from planet.core.app import ProvenAnswer
from planet.core.errors import DuplicateTx, EngineUnavailable, MempoolFull, PlanetError
from planet.core.genesis import Genesis
from planet.core.messages import Event
from planet.core.state import Proof
from planet.core.transition import TxResult
from planet.core.tx import compute_tx_hash
from planet.engines.abci.app import PlanetAbciApp
from planet.engines.abci.server import AbciServer
from planet.engines.base import Submitted
from planet.engines.commits import BlockListener, Commits
from planet.storage.sqlite import BlockRecord, NodeStore, TxRecord

log = logging.getLogger("planet.node")

T = TypeVar("T")

WAITER_TTL_S = 300.0
"""A client waiting longer than this for a tx that never committed is told None."""


@dataclass(frozen=True)
class CometConfig:
    abci_address: str = "tcp://127.0.0.1:26658"
    rpc_url: str = "http://127.0.0.1:26657"
    rpc_timeout_s: float = 30.0
    max_in_flight: int = 256
    """Concurrent broadcast_tx_sync requests from one node process."""
    snapshot_interval: int = 1000
    """A state-sync snapshot every this many blocks (0: none); planet.engines.snapshots."""
    snapshot_keep: int = 2
    index_events: bool = False
    """Mark our events' attributes for CometBFT's indexer: only the psql sink (psql_url)
    reads them; Planet's API reads its own store, never /tx_search."""


def tx_result_from_json(data: dict[str, Any]) -> TxResult:
    return TxResult(code=int(data.get("code", 0)), codespace=str(data.get("codespace", "")),
                    log=str(data.get("log", "")), error=str(data.get("error", "")),
                    events=[Event(str(e["type"]), dict(e.get("attributes", {})))
                            for e in data.get("events", [])])


def submitted_from_rpc(tx_hash: bytes, answer: dict[str, Any]) -> Submitted:
    """A JSON-RPC answer of broadcast_tx_sync as a Submitted, as the embedded engine answers."""
    error = answer.get("error")
    if error is not None:
        text = f"{error.get('message', '')} {error.get('data', '')}".strip()
        lowered = text.lower()
        err: PlanetError
        if "already exists in cache" in lowered or "tx already exists" in lowered:
            err = DuplicateTx("already in the mempool")
        elif "mempool is full" in lowered:
            err = MempoolFull("mempool is full; retry")
        elif "too large" in lowered:
            err = MempoolFull(f"refused by CometBFT: {text}")
        else:
            err = EngineUnavailable(f"CometBFT refused the broadcast: {text}")
        return Submitted(tx_hash, TxResult.failure(err))
    result = answer.get("result") or {}
    data = result.get("data")
    if data:
        try:
            return Submitted(tx_hash, tx_result_from_json(orjson.loads(base64.b64decode(data))))
        except (ValueError, TypeError, KeyError, orjson.JSONDecodeError):
            pass  # not our CheckTx's JSON: fall back to the bare code and log
    return Submitted(tx_hash, TxResult(code=int(result.get("code", 0)),
                                       codespace=str(result.get("codespace", "")),
                                       log=str(result.get("log", ""))))


class RpcUnavailable(Exception):
    """No answer from CometBFT's RPC (refused, closed, timed out, not HTTP)."""


class HttpPool:
    """A minimal HTTP/1.1 keep-alive client for JSON-RPC POSTs on asyncio streams.

    Hundreds of broadcasts are in flight at once; a general client's per-request
    bookkeeping (httpx's pool is quadratic in waiting requests) made that the bottleneck,
    so this speaks just what CometBFT's RPC answers: a status line, headers, and a body
    with Content-Length or chunked.
    """

    def __init__(self, url: str, size: int) -> None:
        parsed = urlparse(url)
        if parsed.scheme != "http" or parsed.hostname is None:
            raise ValueError(f"CometBFT RPC must be http://HOST:PORT, not {url!r}")
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.path = parsed.path or "/"
        self.size = size
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._gate: asyncio.Semaphore | None = None

    async def post(self, body: bytes, timeout: float) -> bytes:
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.size)
        async with self._gate:
            for attempt in range(2):
                reused = attempt == 0 and bool(self._idle)
                try:
                    conn = self._idle.pop() if reused else await asyncio.wait_for(
                        asyncio.open_connection(self.host, self.port), timeout)
                except (OSError, TimeoutError) as err:
                    raise RpcUnavailable(f"{type(err).__name__}: {err}") from None
                try:
                    async with asyncio.timeout(timeout):  # no task a request, as wait_for made
                        answer, keep = await self._exchange(conn, body)
                except (_Stale, ConnectionError) as err:
                    conn[1].close()
                    if reused:
                        continue  # the server closed an idle connection: once more, fresh
                    raise RpcUnavailable(f"connection lost before an answer: {err!r}") from None
                except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError) as err:
                    conn[1].close()
                    raise RpcUnavailable(f"{type(err).__name__}: {err}") from None
                if keep:
                    self._idle.append(conn)
                else:
                    conn[1].close()
                return answer
        raise RpcUnavailable("no connection")

    async def _exchange(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                        body: bytes) -> tuple[bytes, bool]:
        reader, writer = conn
        writer.write(f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                     "\r\n".encode() + body)
        await writer.drain()
        try:  # the status line and headers in one read where they arrived together
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as err:
            if not err.partial:
                raise _Stale() from None
            raise
        except asyncio.LimitOverrunError:
            raise ValueError("HTTP header block too long") from None
        status, *lines = head[:-4].split(b"\r\n")
        parts = status.split()
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise ValueError(f"not an HTTP answer: {status[:80]!r}")
        length: int | None = None
        chunked = False
        keep = parts[0] == b"HTTP/1.1"
        for line in lines:
            name, _, value = line.partition(b":")
            key, value = name.strip().lower(), value.strip().lower()
            if key == b"content-length":
                length = int(value)
            elif key == b"transfer-encoding" and b"chunked" in value:
                chunked = True
            elif key == b"connection":
                keep = value == b"keep-alive" or (keep and value != b"close")
        if chunked:
            chunks = []
            while True:
                size = int((await reader.readline()).split(b";")[0].strip(), 16)
                if size == 0:
                    while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            return b"".join(chunks), keep
        if length is None:
            return await reader.read(), False
        return await reader.readexactly(length), keep

    def close(self) -> None:
        for _reader, writer in self._idle:
            writer.close()
        self._idle.clear()


class _Stale(Exception):
    """The connection was closed before any answer."""


class CometRpc:
    """CometBFT's JSON-RPC over HTTP, driven from a private event loop thread."""

    def __init__(self, url: str, timeout_s: float = 30.0, max_in_flight: int = 256) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self._pool = HttpPool(self.url + "/", max_in_flight)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="comet-rpc",
                                        daemon=True)
        self._thread.start()
        self._ids = 0

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    async def _call(self, method: str, params: dict[str, Any], timeout: float | None = None
                    ) -> dict[str, Any]:
        self._ids += 1
        body = orjson.dumps({"jsonrpc": "2.0", "id": self._ids, "method": method,
                             "params": params})
        try:
            answer = orjson.loads(await self._pool.post(body, timeout or self.timeout_s))
        except (RpcUnavailable, orjson.JSONDecodeError) as err:
            return {"error": {"message": f"CometBFT RPC at {self.url} unreachable",
                              "data": f"{type(err).__name__}: {err}"}}
        return answer if isinstance(answer, dict) else {"error": {"message": "bad answer"}}

    def call(self, method: str, params: dict[str, Any] | None = None,
             timeout: float | None = None) -> dict[str, Any]:
        """One JSON-RPC call: the whole answer ({"result": …} or {"error": …})."""
        return self._run(self._call(method, params or {}, timeout))

    def broadcast_many(self, raws: Sequence[bytes]) -> list[dict[str, Any]]:
        async def all_of() -> list[dict[str, Any]]:
            return list(await asyncio.gather(*(
                self._call("broadcast_tx_sync", {"tx": base64.b64encode(raw).decode()})
                for raw in raws)))
        return self._run(all_of())

    def close(self) -> None:
        if self._loop.is_closed():
            return

        async def shutdown() -> None:
            self._pool.close()

        try:
            self._run(shutdown())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
            self._loop.close()


class CometNode:
    """The application process of a CometBFT validator (see the module docstring)."""

    engine_name = "cometbft"

    def __init__(self, db_path: Path, genesis: Genesis, config: CometConfig | None = None,
                 *, mempool_cache_s: float = 0.5) -> None:
        self.config = config or CometConfig()
        self._store = NodeStore(db_path)
        self._commits = Commits(waiter_ttl_s=WAITER_TTL_S)
        self.abci = PlanetAbciApp(self._store, genesis, on_commit=self._commits.announce,
                                  on_evict=self._commits.resolve_dropped,
                                  snapshot_interval=self.config.snapshot_interval,
                                  snapshot_keep=self.config.snapshot_keep,
                                  index_events=self.config.index_events)
        self.on_fatal: Callable[[BaseException], None] | None = None
        self.server = AbciServer(self.abci, self.config.abci_address, self._fatal)
        self.rpc = CometRpc(self.config.rpc_url, self.config.rpc_timeout_s,
                            self.config.max_in_flight)
        self._mempool_cache_s = mempool_cache_s
        self._mempool: tuple[float, int] = (0.0, 0)
        self._started = False

    def _fatal(self, err: BaseException) -> None:
        if self.on_fatal is not None:
            self.on_fatal(err)

    # --- what the API reads ------------------------------------------------------------------

    @property
    def store(self) -> NodeStore:
        return self._store

    @property
    def genesis(self) -> Genesis:
        return self.abci.genesis

    @property
    def app(self) -> Any:
        return self.abci.app

    @property
    def last_block(self) -> BlockRecord | None:
        return self.abci.last_block

    @property
    def height(self) -> int:
        return self.abci.height

    def query(self, path: str, args: dict[str, Any] | None = None) -> Any:
        with self.abci.lock:
            return self.abci.app.query(path, args)

    def prove(self, key: str) -> Proof:
        return self.abci.at_committed(lambda app: app.prove(key))

    def query_proven(self, path: str, args: dict[str, Any] | None = None) -> ProvenAnswer:
        return self.abci.at_committed(lambda app: app.query_proven(path, args))

    def mempool_size(self) -> int:
        """CometBFT's unconfirmed txs (cached briefly: metrics and /status ask often)."""
        at, n = self._mempool
        now = time.monotonic()
        if now - at < self._mempool_cache_s:
            return n
        answer = self.rpc.call("num_unconfirmed_txs", timeout=2.0)
        try:
            n = int(answer["result"]["n_txs"])
        except (KeyError, TypeError, ValueError):
            n = 0
        self._mempool = (now, n)
        return n

    def add_listener(self, fn: BlockListener) -> None:
        self._commits.add_listener(fn)

    # --- submitting --------------------------------------------------------------------------

    def submit(self, raw: bytes) -> Submitted:
        return self.submit_many([raw])[0]

    def submit_many(self, raws: Sequence[bytes]) -> list[Submitted]:
        """Broadcast each tx through CometBFT (concurrently); CheckTx's answers, in order."""
        if not raws:
            return []
        answers = self.rpc.broadcast_many(raws)
        return [submitted_from_rpc(compute_tx_hash(raw), answer)
                for raw, answer in zip(raws, answers, strict=True)]

    def wait_for(self, tx_hash: bytes) -> Future[TxRecord | None]:
        """Resolved with the committed record once a block of this node includes the tx
        (None if CometBFT evicts it, or after WAITER_TTL_S)."""
        fut = self._commits.expect(tx_hash)
        record = self._store.get_tx(tx_hash)
        if record is not None:
            self._commits.resolve(tx_hash, record)
        return fut

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Listen for CometBFT's ABCI connections (CometBFT runs separately)."""
        if not self._started:
            self.server.start()
            self._started = True

    def stop(self) -> None:
        self.server.stop()
        self._started = False

    def close(self) -> None:
        self.stop()
        self.abci.snapshots.close()  # a snapshot being written is dropped
        self.rpc.close()
        self._store.close()


__all__ = ["CometConfig", "CometNode", "CometRpc", "HttpPool",
           "submitted_from_rpc"]
