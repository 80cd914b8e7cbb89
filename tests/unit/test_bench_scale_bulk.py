"""The bulk build of `bench scale` writes the records and the tree the incremental build
writes, and a build killed between batches resumes to the same state."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from planet.bench import scale, scale_bulk
from planet.storage.sqlite import NodeStore

N, SIGNERS, BATCH = 300, 4, 64


def rows(path: Path, table: str, key: str) -> list[tuple[object, bytes]]:
    conn = sqlite3.connect(path)
    try:
        return [(k, bytes(v)) for k, v in
                conn.execute(f"SELECT {key}, CAST({'value' if table == 'state' else 'node'} AS "
                             f"BLOB) FROM {table} ORDER BY {key}")]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def incremental(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("inc") / "inc.db"
    scale.build(path, N, SIGNERS, BATCH, progress=False)
    return path


def test_bulk_build_stores_the_incremental_builds_records_tree_and_app_hash(
        incremental: Path, tmp_path: Path) -> None:
    path = tmp_path / "bulk.db"
    report = scale_bulk.build_bulk(path, N, SIGNERS, BATCH)
    assert report["records"] == len(rows(incremental, "state", "key"))
    assert rows(path, "state", "key") == rows(incremental, "state", "key")
    assert rows(path, "state_nodes", "path") == rows(incremental, "state_nodes", "path")
    inc, bulk = NodeStore(incremental), NodeStore(path)
    try:
        assert bulk.last_app_hash() == inc.last_app_hash() == bytes.fromhex(report["app_hash"])
        assert bulk.last_height() == inc.last_height() == report["height"] == -(-N // BATCH)
    finally:
        inc.close()
        bulk.close()
    assert scale.check_built(path, N, SIGNERS)["ok"] is True
    assert not path.with_name(path.name + ".runs").exists()


def test_a_bulk_build_killed_between_batches_resumes_to_the_same_state(
        incremental: Path, tmp_path: Path) -> None:
    path = tmp_path / "bulk.db"

    class Killed(Exception):
        pass

    def kill_after_two(done: int) -> None:
        if done >= 2 * BATCH:
            raise Killed

    with pytest.raises(Killed):
        scale_bulk.write_records(path, N, SIGNERS, BATCH, kill_after_two)
    store = NodeStore(path)
    assert store.get_meta("bulk_next") == str(2 * BATCH).encode()
    store.close()
    scale_bulk.build_bulk(path, N, SIGNERS, BATCH)
    assert rows(path, "state", "key") == rows(incremental, "state", "key")
    assert NodeStore(path).last_app_hash() == NodeStore(incremental).last_app_hash()
