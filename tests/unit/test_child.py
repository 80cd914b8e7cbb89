"""The supervised child: restarted when it dies, with a pause that backs off, and stopped
for good by stop()."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from planet.node.child import FIRST_PAUSE_S, MAX_PAUSE_S, STABLE_S, Supervised, next_pause
from planet.testnet.network import _alive


def test_pause_doubles_while_the_child_keeps_dying_and_resets_after_a_stable_run() -> None:
    pauses = [0.0]
    for _ in range(8):
        pauses.append(next_pause(pauses[-1], ran_for=0.5))
    assert pauses[1:5] == [FIRST_PAUSE_S, 2 * FIRST_PAUSE_S, 4 * FIRST_PAUSE_S,
                           8 * FIRST_PAUSE_S]
    assert max(pauses) == MAX_PAUSE_S
    assert next_pause(MAX_PAUSE_S, ran_for=STABLE_S) == FIRST_PAUSE_S


def sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


@pytest.mark.timeout(30)
def test_a_killed_child_is_restarted_and_stop_ends_it_for_good() -> None:
    child = Supervised("sleeper", sleeper)
    try:
        first = child.pid
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while child.pid == first and time.monotonic() < deadline:
            time.sleep(0.05)
        second = child.pid
        assert second != first and _alive(second) and child.restarts == 1
    finally:
        child.stop(timeout=5)
    assert not _alive(second)
    time.sleep(FIRST_PAUSE_S + 0.5)  # no restart after stop
    assert child.pid == second and child.restarts == 1
