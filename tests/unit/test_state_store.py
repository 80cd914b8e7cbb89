"""The SQLite backend's key scans: prefixes, pages past KEY_PAGE, and starting past a key."""

from __future__ import annotations

from pathlib import Path

from planet.storage.sqlite import NodeStore
from planet.storage.state_store import KEY_PAGE, SqliteStateBackend


def test_key_scans_page_through_the_table_and_start_past_a_key(tmp_path: Path) -> None:
    store = NodeStore(tmp_path / "node.db")
    keys = sorted([f"a/{i:05d}" for i in range(KEY_PAGE * 2 + 7)] + ["a", "a0", "b/1", "ab/"])
    with store.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO state (key, value) VALUES (?, ?)",
                             [(k, b"v") for k in keys])
    backend = SqliteStateBackend(store)
    for prefix in ("", "a/", "a", "b/", "c"):
        expected = [k for k in keys if k.startswith(prefix)]
        assert list(backend.iter_record_keys(prefix)) == expected
        for after in ("", "a/", "a/00511", "a/00512", "a/99999", "ab/", "zz"):
            assert list(backend.iter_record_keys(prefix, after)) == \
                [k for k in expected if k > after], (prefix, after)
    store.close()
