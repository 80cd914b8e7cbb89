"""An asyncio ABCI socket server: CometBFT's four connections on one listening address.

CometBFT opens four connections (consensus, mempool, query, snapshot) and pipelines
requests on each; the answers must come back in the order asked, per connection. Every
request is handled as soon as its frame is complete, and the answers to one read's worth of
requests go out in one write; a Flush is answered in its place in that order, so it
reaches CometBFT after every answer before it.

The handler is called on the server's event loop thread, one request at a time across all
connections, so it needs no locking against itself. A handler that raises is logged as a
bug. On CheckTx and Query the failure is answered in-band, as a refusal with the core's
internal-error code: CometBFT stops the whole node on an Exception response from any
connection, and one client's tx or query must never do that. On the consensus connection
it is answered with an Exception response (CometBFT stops: the failure is loud, never
silent, and no block is agreed on a state this node could not compute); the server
itself keeps running.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlparse

from google.protobuf.message import DecodeError

from planet.core.errors import InternalQueryError, InternalTxError, StateMismatch
from planet.engines.abci import abci_pb2 as pb
from planet.engines.abci.codec import FrameDecoder, FramingError, frame

log = logging.getLogger("planet.abci")

READ_BYTES = 1 << 16


class Handler(Protocol):
    """One method per ABCI request, named as the Request's oneof field, each returning the
    matching Response message (Echo and Flush are answered by the server itself)."""

    def info(self, req: pb.InfoRequest) -> pb.InfoResponse: ...
    def init_chain(self, req: pb.InitChainRequest) -> pb.InitChainResponse: ...
    def query(self, req: pb.QueryRequest) -> pb.QueryResponse: ...
    def check_tx(self, req: pb.CheckTxRequest) -> pb.CheckTxResponse: ...
    def prepare_proposal(self, req: pb.PrepareProposalRequest) -> pb.PrepareProposalResponse: ...
    def process_proposal(self, req: pb.ProcessProposalRequest) -> pb.ProcessProposalResponse: ...
    def finalize_block(self, req: pb.FinalizeBlockRequest) -> pb.FinalizeBlockResponse: ...
    def commit(self, req: pb.CommitRequest) -> pb.CommitResponse: ...
    def extend_vote(self, req: pb.ExtendVoteRequest) -> pb.ExtendVoteResponse: ...
    def verify_vote_extension(self, req: pb.VerifyVoteExtensionRequest
                              ) -> pb.VerifyVoteExtensionResponse: ...
    def list_snapshots(self, req: pb.ListSnapshotsRequest) -> pb.ListSnapshotsResponse: ...
    def offer_snapshot(self, req: pb.OfferSnapshotRequest) -> pb.OfferSnapshotResponse: ...
    def load_snapshot_chunk(self, req: pb.LoadSnapshotChunkRequest
                            ) -> pb.LoadSnapshotChunkResponse: ...
    def apply_snapshot_chunk(self, req: pb.ApplySnapshotChunkRequest
                             ) -> pb.ApplySnapshotChunkResponse: ...


def parse_address(address: str) -> tuple[str, int]:
    """'tcp://127.0.0.1:26658' (or '127.0.0.1:26658') → ('127.0.0.1', 26658)."""
    url = urlparse(address if "://" in address else f"tcp://{address}")
    if url.scheme != "tcp" or url.hostname is None or url.port is None:
        raise ValueError(f"ABCI address must be tcp://HOST:PORT, not {address!r}")
    return url.hostname, url.port


Fatal = Callable[[BaseException], None]
"""Told when the node must stop: its stored state failed its check against the app hash."""


def dispatch(handler: Handler, request: pb.Request, on_fatal: Fatal | None = None
             ) -> pb.Response:
    """The answer to one request; a failing handler gives an Exception response."""
    kind = request.WhichOneof("value")
    try:
        if kind == "echo":
            return pb.Response(echo=pb.EchoResponse(message=request.echo.message))
        if kind == "flush":
            return pb.Response(flush=pb.FlushResponse())
        if kind is None:
            raise ValueError("empty or unknown ABCI request")
        method: Callable[[Any], Any] = getattr(handler, kind)
        answer = method(getattr(request, kind))
        response = pb.Response()
        getattr(response, kind).CopyFrom(answer)
        return response
    except StateMismatch as err:
        # Not a bug and not the request's fault: this node's database was altered. It must
        # neither answer from it nor agree on a block computed on it; it stops.
        log.critical("ABCI %s: %s; this node stops", kind, err.message)
        if on_fatal is not None:
            on_fatal(err)
        return pb.Response(exception=pb.ExceptionResponse(error=f"{kind}: {err.message}"))
    except Exception as err:
        log.exception("BUG: ABCI %s failed", kind)
        failed = f"the node failed on this {kind} ({type(err).__name__}): a bug, logged"
        if kind == "check_tx":
            return pb.Response(check_tx=pb.CheckTxResponse(
                code=InternalTxError.code, codespace=InternalTxError.codespace, log=failed))
        if kind == "query":
            return pb.Response(query=pb.QueryResponse(
                code=InternalQueryError.code, codespace=InternalQueryError.codespace,
                log=failed))
        return pb.Response(exception=pb.ExceptionResponse(
            error=f"{kind}: {type(err).__name__}: {err}"))


class AbciServer:
    """Serves `handler` on `address`; `start()` runs it on its own thread and event loop."""

    def __init__(self, handler: Handler, address: str, on_fatal: Fatal | None = None) -> None:
        self.handler = handler
        self.on_fatal = on_fatal
        self.host, self.port = parse_address(address)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._connections: set[asyncio.StreamWriter] = set()
        self.connections_seen = 0

    # --- one connection ------------------------------------------------------------------

    async def _serve_connection(self, reader: asyncio.StreamReader,
                                writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        self._connections.add(writer)
        self.connections_seen += 1
        log.info("ABCI connection from %s", peer)
        decoder = FrameDecoder()
        try:
            while True:
                data = await reader.read(READ_BYTES)
                if not data:
                    break
                out = []
                for message in decoder.feed(data):
                    try:
                        request = pb.Request.FromString(message)
                    except DecodeError as err:
                        log.error("undecodable ABCI request from %s: %s", peer, err)
                        response = pb.Response(exception=pb.ExceptionResponse(
                            error=f"undecodable request: {err}"))
                    else:
                        response = dispatch(self.handler, request, self.on_fatal)
                    out.append(frame(response.SerializeToString()))
                if out:
                    writer.write(b"".join(out))
                    await writer.drain()
        except FramingError as err:
            log.error("ABCI connection from %s sent a bad frame: %s; closing it", peer, err)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except Exception:
            log.exception("ABCI connection from %s failed", peer)
        finally:
            self._connections.discard(writer)
            log.info("ABCI connection from %s closed", peer)
            writer.close()

    # --- lifecycle -----------------------------------------------------------------------

    async def serve(self) -> None:
        """Listen until cancelled (for callers that run their own event loop)."""
        self._server = await asyncio.start_server(self._serve_connection, self.host, self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])  # port 0: the one given
        log.info("ABCI server listening on tcp://%s:%d", self.host, self.port)
        self._ready.set()
        async with self._server:
            await self._server.serve_forever()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.serve())
        except asyncio.CancelledError:
            pass
        except BaseException as err:
            self._error = err
            log.exception("ABCI server stopped")
        finally:
            self._ready.set()
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()

    def start(self, timeout: float = 10.0) -> None:
        """Start listening on a daemon thread; raises if the address cannot be bound."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="abci-server", daemon=True)
        self._thread.start()
        self._ready.wait(timeout)
        if self._error is not None:
            raise RuntimeError(f"ABCI server could not start on {self.host}:{self.port}: "
                               f"{self._error}") from self._error

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return

        def shutdown() -> None:
            for writer in list(self._connections):
                writer.close()
            for task in asyncio.all_tasks(loop):
                task.cancel()

        if not loop.is_closed():
            loop.call_soon_threadsafe(shutdown)
        thread.join(timeout=10)
        self._thread = None
        self._loop = None
