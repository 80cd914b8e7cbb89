"""Start and kill real `planet node` processes for integration tests."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

PLANET = [sys.executable, "-m", "planet.cli.main"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(what: str, check: Callable[[], Any], timeout: float = 30.0, every: float = 0.1,
               ignore: tuple[type[Exception], ...] = ()) -> Any:
    """Call `check` until it returns something truthy, and return that; exceptions of the
    `ignore` kinds (a server not up yet) count as not yet. Fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except ignore:
            value = None
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


CODE_LINE = re.compile(rb"the code for the phone ending (\d{4}) is (\d{6})")


def sent_code(log: Path, phone: str, after: int = 0, timeout: float = 15.0) -> str:
    """The one-time code the development sender wrote to a node's log for the phone ending
    as `phone` does, in what the log gained past byte `after` (the newest such line)."""
    ending = "".join(c for c in phone if c.isdigit())[-4:].encode()

    def find() -> str | None:
        with open(log, "rb") as f:
            f.seek(after)
            codes = [m.group(2) for m in CODE_LINE.finditer(f.read()) if m.group(1) == ending]
        return codes[-1].decode() if codes else None

    return str(wait_until(f"a code for the phone ending {ending.decode()} in {log}", find,
                          timeout=timeout))


def planet(*args: str, check: bool = True, env: dict[str, str] | None = None
           ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env or {})}
    env.pop("PLANET_PASSWORD", None)
    return subprocess.run([*PLANET, *args], env=env, capture_output=True, text=True,
                          check=check, timeout=300)


class NodeProcess:
    def __init__(self, home: Path, port: int | None = None) -> None:
        self.home = home
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = home / "node.log"

    def start(self, timeout: float = 90.0) -> NodeProcess:
        """Start and wait for /v1/health; the deadline only catches a node that never comes up
        (importing the node takes a second of CPU, half a minute on a machine at load 20)."""
        env = {**os.environ, "PLANET_HOME": str(self.home)}
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([*PLANET, "node", "--port", str(self.port)], env=env,
                                         stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"node exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError("node did not come up")

    def verify_identity(self, client: Any, wallet: Any, name: str, id_number: str,
                        phone: str) -> dict[str, Any]:
        """The resident's two steps through `client` (a PlanetClient), the code read from
        this node's log (its development sender writes it there)."""
        after = self.log.stat().st_size
        client.send_identity_code(wallet, phone)
        return client.verify_identity(  # type: ignore[no-any-return]
            wallet, name, id_number, phone, sent_code(self.log, phone, after))

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
