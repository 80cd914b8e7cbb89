"""The node database's reader connections are lent, not kept per thread: the API's worker
threads come and go, and a connection per thread outlived its thread until the node ran out
of file descriptors."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from planet.storage.sqlite import NodeStore


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_short_lived_threads_leave_no_connections_behind(tmp_path: Path) -> None:
    store = NodeStore(tmp_path / "node.db")
    try:
        store.get_meta("last_height")  # the first reader, and the engine's own connection
        before = open_fds()
        for _ in range(200):
            t = threading.Thread(target=store.get_meta, args=("last_height",))
            t.start()
            t.join()
        assert open_fds() <= before + 2  # a reader opens the file and its WAL index
        assert len(store._idle_readers) == 1
    finally:
        store.close()


def test_concurrent_readers_each_get_a_connection_and_all_come_back(tmp_path: Path) -> None:
    store = NodeStore(tmp_path / "node.db")
    try:
        barrier = threading.Barrier(8)
        seen: list[bytes | None] = []

        def read() -> None:
            barrier.wait()
            for _ in range(50):
                seen.append(store.get_meta("state_format"))

        threads = [threading.Thread(target=read) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(seen) == 400
        assert 1 <= len(store._idle_readers) <= 8
    finally:
        store.close()
    assert store._idle_readers == []
