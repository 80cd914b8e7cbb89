"""A business's webhook receiver for tests: a real HTTP server on loopback that answers 500
to the first `fail_first` attempts of each event, checks every signature with
`planet.sdk.verify_webhook` (401 when it fails) and deduplicates by event id; and a
receiver that drips its answer a byte at a time and never finishes (`DripServer`)."""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from planet.sdk.webhooks import WebhookVerificationError, verify_webhook
from tests.integration.nodeproc import wait_until


@dataclass
class Attempt:
    event_id: str | None
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    fail_first: int = 2
    secrets: list[str] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Event id → event, each once however often it came (the dedupe a receiver must do)."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver.handle(dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        event = None
        for secret in self.secrets:
            try:
                event = verify_webhook(secret, headers, body)
                break
            except WebhookVerificationError:
                continue
        with self.lock:
            if event is None:
                self.attempts.append(Attempt(None, 401, headers, body))
                return 401
            eid = event["id"]
            tries = sum(1 for a in self.attempts if a.event_id == eid)
            status = 500 if tries < self.fail_first else 200
            self.attempts.append(Attempt(eid, status, headers, body))
            if status == 200:
                self.events.setdefault(eid, event)
            return status

    def tries(self, event_id: str) -> list[int]:
        with self.lock:
            return [a.status for a in self.attempts if a.event_id == event_id]

    def tries_any(self) -> int:
        with self.lock:
            return sum(1 for a in self.attempts if a.event_id is not None)

    def wait_events(self, n: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        def enough() -> list[dict[str, Any]] | None:
            with self.lock:
                return list(self.events.values()) if len(self.events) >= n else None

        return wait_until(f"{n} event(s) at the receiver", enough, timeout)  # type: ignore[no-any-return]


class DripServer:
    """A receiver that never finishes answering: after each request it sends a status line
    and then one byte of a header every `every` seconds, so every read succeeds well within
    any per-read timeout and only a deadline on the whole attempt ends it. Counts the
    requests it holds now (`open`) and at most at once (`peak`)."""

    def __init__(self, every: float = 0.2) -> None:
        self.every = every
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.open = self.peak = self.requests = 0
        self.clients: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.clients.append(client)
            threading.Thread(target=self._drip, args=(client,), daemon=True).start()

    def _drip(self, client: socket.socket) -> None:
        buf = b""
        try:
            while b"\r\n\r\n" not in buf:
                chunk = client.recv(4096)
                if not chunk:
                    return
                buf += chunk
            with self.lock:
                self.open += 1
                self.requests += 1
                self.peak = max(self.peak, self.open)
            try:
                client.sendall(b"HTTP/1.1 200 OK\r\nX-Drip: ")
                while not self.stop.wait(self.every):
                    client.sendall(b"a")
            finally:
                with self.lock:
                    self.open -= 1
        except OSError:
            return
        finally:
            client.close()

    def close(self) -> None:
        """Ends every answer held (the node's attempts then end at once) and the server."""
        self.stop.set()
        self.listener.close()
        with self.lock:
            clients, self.clients = self.clients, []
        for client in clients:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
