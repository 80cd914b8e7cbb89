"""CometNode's JSON-RPC client against a stand-in HTTP server on loopback: keep-alive,
Content-Length and chunked answers, a server that drops idle connections, no server."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import threading
from collections.abc import Iterator

import orjson
import pytest

from planet.engines.cometbft import CometRpc


class FakeRpc:
    """Answers JSON-RPC POSTs; every third answer chunked; closes each connection after
    `per_connection` answers (as a server's idle timeout would)."""

    def __init__(self, per_connection: int = 1000) -> None:
        self.per_connection = per_connection
        self.connections = 0
        self.requests = 0
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._started = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self._started.wait(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def main() -> None:
            server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            self._started.set()
            async with server:
                await server.serve_forever()

        with contextlib.suppress(asyncio.CancelledError):
            self.loop.run_until_complete(main())

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        served = 0
        try:
            while served < self.per_connection:
                line = await reader.readline()
                if not line:
                    return
                length = 0
                while (h := await reader.readline()) not in (b"\r\n", b""):
                    if h.lower().startswith(b"content-length:"):
                        length = int(h.split(b":")[1])
                req = orjson.loads(await reader.readexactly(length))
                self.requests += 1
                served += 1
                if req["method"] == "broadcast_tx_sync":
                    tx = base64.b64decode(req["params"]["tx"])
                    data = base64.b64encode(orjson.dumps({"code": 0, "log": tx.decode()}))
                    result = {"code": 0, "data": data.decode(), "log": "", "hash": "AB"}
                else:
                    result = {"n_txs": "7"}
                body = orjson.dumps({"jsonrpc": "2.0", "id": req["id"], "result": result})
                if self.requests % 3 == 0:
                    half = len(body) // 2
                    writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                 b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (
                                     half, body[:half], len(body) - half, body[half:]))
                else:
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()
        finally:
            writer.close()

    def stop(self) -> None:
        def cancel() -> None:
            for task in asyncio.all_tasks(self.loop):
                task.cancel()
        self.loop.call_soon_threadsafe(cancel)
        self.thread.join(5)


@pytest.fixture
def fake() -> Iterator[FakeRpc]:
    server = FakeRpc(per_connection=5)
    try:
        yield server
    finally:
        server.stop()


def test_many_broadcasts_in_flight_keep_order_and_reuse_connections(fake: FakeRpc) -> None:
    rpc = CometRpc(f"http://127.0.0.1:{fake.port}", timeout_s=5, max_in_flight=8)
    try:
        raws = [b"tx-%d" % i for i in range(200)]
        answers = rpc.broadcast_many(raws)
        logs = [orjson.loads(base64.b64decode(a["result"]["data"]))["log"] for a in answers]
        assert logs == [r.decode() for r in raws]
        # 200 answers, 5 per connection before the server drops it: reconnected as needed
        assert fake.requests == 200 and fake.connections >= 40
        assert rpc.call("num_unconfirmed_txs")["result"]["n_txs"] == "7"
    finally:
        rpc.close()


def test_no_server_is_an_error_answer_not_a_hang() -> None:
    rpc = CometRpc("http://127.0.0.1:9", timeout_s=2)
    try:
        answer = rpc.call("status")
        assert "unreachable" in answer["error"]["message"]
    finally:
        rpc.close()
