"""The tree built a prefix at a time from spilled hashes (`storage.tree_runs`, used by
state-sync restore, `planet verify` and the bulk build) is the tree of `build_tree`: same
root, same node rows, for any record set, empty and single-record ones included."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from planet.core.state import EMPTY_ROOT, build_tree
from planet.storage.tree_runs import RunWriter, build_runs, spilled_root

records = st.dictionaries(st.text(min_size=1, max_size=12), st.binary(max_size=8), max_size=300)


def spill(items: dict[str, bytes], workdir: Path, writers: int) -> list[Path]:
    folders = [workdir / str(i) for i in range(writers)]
    opened = [RunWriter(f) for f in folders]
    for n, (key, value) in enumerate(sorted(items.items())):
        opened[n % writers].add(key, value)
    for w in opened:
        w.close()
    return folders


@settings(max_examples=60, deadline=None)
@given(records, st.integers(min_value=1, max_value=3))
def test_spilled_tree_is_the_in_memory_tree(items: dict[str, bytes], writers: int) -> None:
    expected = build_tree(sorted(items.items()))
    with tempfile.TemporaryDirectory() as tmp:
        rows: dict[bytes, bytes | None] = {}
        root, count = build_runs(spill(items, Path(tmp), writers), lambda r: rows.update(r))
        assert not any(Path(tmp).rglob("*.run"))  # each run file is consumed
    assert root == expected.root
    assert rows == expected.rows
    assert count == len(rows)


def test_the_empty_state_and_a_streamed_root(tmp_path: Path) -> None:
    assert spilled_root([], tmp_path / "w") == EMPTY_ROOT
    assert not (tmp_path / "w").exists()
    items = [(f"k/{i}", bytes([i % 256]) * 3) for i in range(2_000)]
    assert spilled_root(iter(items), tmp_path / "w") == build_tree(items).root


def test_a_key_spilled_twice_is_refused(tmp_path: Path) -> None:
    with RunWriter(tmp_path / "0") as w:
        w.add("a", b"1")
        w.add("a", b"2")
    try:
        build_runs([tmp_path / "0"])
    except ValueError as err:
        assert "spilled twice" in str(err)
    else:
        raise AssertionError("a duplicate key was built into the tree")
