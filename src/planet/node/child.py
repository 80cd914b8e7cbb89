"""A child process kept running: `planet node --with-cometbft` starts CometBFT this way.

If CometBFT dies (a crash, the OOM killer, a stray kill), the app would go on answering
reads at a height that no longer moves. Instead the child is restarted, after a pause that
doubles while it keeps dying quickly (1 s up to 30 s) and resets once it has stayed up, and
each exit is logged with its code and its log file. CometBFT's handshake with the app
(Info, then replay of any missing blocks) makes a restart safe at any instant.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
import time
from collections.abc import Callable

log = logging.getLogger("planet.node")

FIRST_PAUSE_S = 1.0
MAX_PAUSE_S = 30.0
STABLE_S = 60.0
"""A child that ran this long is taken as healthy: the next pause starts short again."""


def stop_child(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout`."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def next_pause(previous: float, ran_for: float) -> float:
    """The wait before a restart: back to the first pause after a stable run, else doubled."""
    if ran_for >= STABLE_S:
        return FIRST_PAUSE_S
    return min(MAX_PAUSE_S, max(FIRST_PAUSE_S, previous * 2))


class Supervised:
    """Start a process with `launch` and restart it whenever it exits until `stop()`."""

    def __init__(self, name: str, launch: Callable[[], subprocess.Popen[bytes]],
                 log_hint: str = "") -> None:
        self.name = name
        self.restarts = 0
        self._launch = launch
        self._log_hint = log_hint
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._proc = launch()
        self._started_at = time.monotonic()
        self._thread = threading.Thread(target=self._watch, name=f"supervise-{name}",
                                        daemon=True)
        self._thread.start()

    @property
    def pid(self) -> int:
        with self._lock:
            return self._proc.pid

    def _watch(self) -> None:
        pause = 0.0
        while True:
            with self._lock:
                proc = self._proc
            code = proc.wait()
            if self._stopping.is_set():
                return
            ran_for = time.monotonic() - self._started_at
            pause = next_pause(pause, ran_for)
            log.error("%s exited with code %s after %.0f s; restarting in %.0f s%s", self.name,
                      code, ran_for, pause, f" (see {self._log_hint})" if self._log_hint else "")
            if self._stopping.wait(pause):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                try:
                    self._proc = self._launch()
                except OSError as err:  # e.g. the binary was removed: try again later
                    log.error("%s could not be restarted: %s", self.name, err)
                    self._started_at = time.monotonic()
                    continue
                self._started_at = time.monotonic()
                self.restarts += 1

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        with self._lock:
            proc = self._proc
        stop_child(proc, timeout)
        self._thread.join(timeout)
