"""The asyncio ABCI server over real loopback sockets, with a stand-in handler."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from planet.core.errors import InternalQueryError, InternalTxError, StateMismatch
from planet.engines.abci import abci_pb2 as pb
from planet.engines.abci.codec import FrameDecoder, frame
from planet.engines.abci.server import AbciServer, dispatch, parse_address


class FakeHandler:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def info(self, req: pb.InfoRequest) -> pb.InfoResponse:
        self.calls.append("info")
        return pb.InfoResponse(data="fake", last_block_height=len(self.calls))

    def check_tx(self, req: pb.CheckTxRequest) -> pb.CheckTxResponse:
        self.calls.append("check_tx")
        if req.tx == b"boom":
            raise RuntimeError("handler bug")
        return pb.CheckTxResponse(code=0 if req.tx.startswith(b"ok") else 7, log=req.tx.decode())

    def commit(self, req: pb.CommitRequest) -> pb.CommitResponse:
        raise ValueError("nothing to commit")


class Client:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.decoder = FrameDecoder()

    def send(self, *requests: pb.Request, split: int = 0) -> None:
        data = b"".join(frame(r.SerializeToString()) for r in requests)
        if split:
            for i in range(0, len(data), split):
                self.sock.sendall(data[i:i + split])
        else:
            self.sock.sendall(data)

    def receive(self, n: int) -> list[pb.Response]:
        out: list[pb.Response] = []
        while len(out) < n:
            data = self.sock.recv(65536)
            assert data, "server closed the connection"
            out += [pb.Response.FromString(m) for m in self.decoder.feed(data)]
        return out

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def server() -> Iterator[tuple[AbciServer, FakeHandler]]:
    handler = FakeHandler()
    srv = AbciServer(handler, "tcp://127.0.0.1:0")  # type: ignore[arg-type]
    srv.start()
    try:
        yield srv, handler
    finally:
        srv.stop()


def test_parse_address() -> None:
    assert parse_address("tcp://127.0.0.1:26658") == ("127.0.0.1", 26658)
    assert parse_address("127.0.0.1:1") == ("127.0.0.1", 1)
    with pytest.raises(ValueError):
        parse_address("unix:///tmp/abci.sock")


def test_answers_in_order_with_flush_after_them(server: Any) -> None:
    srv, _ = server
    c = Client(srv.port)
    try:
        c.send(pb.Request(echo=pb.EchoRequest(message="hi")),
               pb.Request(check_tx=pb.CheckTxRequest(tx=b"ok-1")),
               pb.Request(check_tx=pb.CheckTxRequest(tx=b"bad")),
               pb.Request(info=pb.InfoRequest()),
               pb.Request(flush=pb.FlushRequest()))
        kinds = c.receive(5)
        assert [r.WhichOneof("value") for r in kinds] == ["echo", "check_tx", "check_tx",
                                                          "info", "flush"]
        assert kinds[0].echo.message == "hi"
        assert (kinds[1].check_tx.code, kinds[2].check_tx.code) == (0, 7)
    finally:
        c.close()


def test_a_request_split_across_reads(server: Any) -> None:
    srv, _ = server
    c = Client(srv.port)
    try:
        c.send(*[pb.Request(check_tx=pb.CheckTxRequest(tx=b"ok-%d" % i)) for i in range(20)],
               pb.Request(flush=pb.FlushRequest()), split=3)
        answers = c.receive(21)
        assert [a.check_tx.log for a in answers[:20]] == [f"ok-{i}" for i in range(20)]
        assert answers[20].WhichOneof("value") == "flush"
    finally:
        c.close()


def test_handler_exceptions_become_exception_responses_and_the_server_goes_on(
        server: Any) -> None:
    """On the consensus connection a failing handler is an Exception response (CometBFT
    stops, loudly); a failing CheckTx or Query is answered in-band with the core's
    internal-error code, since CometBFT stops the node on an Exception from any connection
    and one client's tx or query must never do that."""
    srv, _ = server
    c = Client(srv.port)
    try:
        c.send(pb.Request(check_tx=pb.CheckTxRequest(tx=b"boom")),
               pb.Request(commit=pb.CommitRequest()),
               pb.Request(init_chain=pb.InitChainRequest(chain_id="x")),  # no such method
               pb.Request(),  # empty request
               pb.Request(query=pb.QueryRequest(path="accounts/account")),  # no such method
               pb.Request(check_tx=pb.CheckTxRequest(tx=b"ok-after")))
        out = c.receive(6)
        assert [r.WhichOneof("value") for r in out] == (
            ["check_tx"] + ["exception"] * 3 + ["query", "check_tx"])
        assert (out[0].check_tx.code, out[0].check_tx.codespace) == (
            InternalTxError.code, "tx")
        assert "RuntimeError" in out[0].check_tx.log and "bug" in out[0].check_tx.log
        assert "nothing to commit" in out[1].exception.error
        assert out[4].query.code == InternalQueryError.code
        assert out[5].check_tx.log == "ok-after"
    finally:
        c.close()


def test_four_connections_at_once(server: Any) -> None:
    srv, _ = server
    clients = [Client(srv.port) for _ in range(4)]  # consensus, mempool, query, snapshot
    try:
        for i, c in enumerate(clients):
            c.send(pb.Request(echo=pb.EchoRequest(message=f"conn-{i}")),
                   pb.Request(flush=pb.FlushRequest()))
        for i, c in enumerate(clients):
            echo, flush = c.receive(2)
            assert echo.echo.message == f"conn-{i}"
            assert flush.WhichOneof("value") == "flush"
        assert srv.connections_seen == 4
    finally:
        for c in clients:
            c.close()


def test_a_closed_connection_does_not_stop_the_server(server: Any) -> None:
    srv, _ = server
    first = Client(srv.port)
    first.sock.sendall(b"\x05\x0a")  # half a frame, then gone
    first.close()
    second = Client(srv.port)
    try:
        second.send(pb.Request(echo=pb.EchoRequest(message="still here")))
        assert second.receive(1)[0].echo.message == "still here"
    finally:
        second.close()


def test_dispatch_without_a_server() -> None:
    handler = FakeHandler()
    out = dispatch(handler, pb.Request(info=pb.InfoRequest()))  # type: ignore[arg-type]
    assert out.info.data == "fake"


def test_altered_state_stops_the_node_through_its_fatal_hook() -> None:
    class Altered:
        def finalize_block(self, _req: object) -> object:
            raise StateMismatch("the stored record 'chain/meta' is not the one the app hash "
                                "commits to; the database was altered")

    told: list[BaseException] = []
    out = dispatch(Altered(), pb.Request(finalize_block=pb.FinalizeBlockRequest()),  # type: ignore[arg-type]
                   told.append)
    assert out.WhichOneof("value") == "exception" and "altered" in out.exception.error
    assert len(told) == 1 and isinstance(told[0], StateMismatch)
