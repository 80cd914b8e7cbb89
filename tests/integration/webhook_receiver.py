"""A business's webhook receiver for tests: a real HTTP server on loopback that answers 500
to the first `fail_first` attempts of each event, checks every signature with
`planet.sdk.verify_webhook` (401 when it fails) and deduplicates by event id."""

from __future__ import annotations

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
