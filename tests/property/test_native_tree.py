"""The native state tree (native/, `planet_native.Tree`) is the Python `StateTree` in Rust:
fed the same blocks over the same stored nodes it must give the same roots, the same node
rows byte for byte, the same reads, and the same StateMismatch on a tampered node. Keys are
drawn from a pool whose hashes share long prefixes, so leaves are pushed down and collapse
back up through several levels.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planet.core.errors import StateMismatch
from planet.core.state.cache import BoundedCache
from planet.core.state.committed import CommittedState
from planet.core.state.tree import EMPTY_ROOT, StateTree, build_tree, hash_key
from planet.engines.blocks import open_application, open_state
from planet.storage.sqlite import NodeStore
from tests.native import planet_native
from tests.property.test_determinism import GENESIS


def _colliding_pool() -> list[str]:
    """Keys whose SHA-256 share 6 nibbles in pairs, 4 in groups, plus a few unrelated ones."""
    by6: dict[str, list[str]] = defaultdict(list)
    by4: dict[str, list[str]] = defaultdict(list)
    for n in range(120_000):
        key = f"k/{n}"
        digest = hashlib.sha256(key.encode()).hexdigest()
        by6[digest[:6]].append(key)
        by4[digest[:4]].append(key)
    deep = [keys for keys in by6.values() if len(keys) > 1][:6]
    wide = [keys for keys in by4.values() if len(keys) > 3][:4]
    pool = [k for group in deep + wide for k in group] + [f"plain/{n}" for n in range(12)]
    return sorted(set(pool))


POOL = _colliding_pool()
VALUES = [b"", b"a", b"bb", b"\x00" * 40]

write = st.tuples(st.sampled_from(POOL), st.one_of(st.none(), st.sampled_from(VALUES)))
block = st.tuples(st.lists(write, max_size=24), st.sampled_from(["save", "save", "discard"]))


def _trees(nodes: dict[bytes, bytes], root: bytes, cache_size: int | None) -> tuple[Any, Any]:
    native = planet_native().Tree(nodes.get, root, cache_size)
    cache: Any = {} if cache_size is None else BoundedCache(cache_size)
    return StateTree(nodes.get, root, cache), native


def _read(tree: Any, key_hash: bytes) -> tuple[str, Any]:
    try:
        return "ok", (tree.leaf_value_hash(key_hash),
                      [(p, n.encode(), i) for p, n, i in tree.walk(key_hash)])
    except StateMismatch as err:
        return "mismatch", str(err)


def _same_reads(py: Any, native: Any) -> None:
    for key in POOL:
        assert _read(py, hash_key(key)) == _read(native, hash_key(key))


@settings(max_examples=150, deadline=None)
@given(blocks=st.lists(block, min_size=1, max_size=8),
       cache_size=st.sampled_from([None, 2, 6, 64]))
def test_the_native_tree_gives_the_python_trees_roots_rows_and_reads(
        blocks: list[tuple[list[tuple[str, bytes | None]], str]], cache_size: int | None) -> None:
    nodes: dict[bytes, bytes] = {}
    py, native = _trees(nodes, EMPTY_ROOT, cache_size)
    model: dict[str, bytes] = {}
    for writes, then in blocks:
        rows = py.update(writes)
        assert native.update(writes) == rows  # same paths, same encoded nodes, same deletes
        assert native.root() == py.root()
        _same_reads(py, native)
        if then == "save":
            for path, raw in rows.items():
                if raw is None:
                    nodes.pop(path, None)
                else:
                    nodes[path] = raw
            py.saved()
            native.saved()
            model.update(writes)
            model = {k: v for k, v in model.items() if v is not None}
        else:
            py.discard()
            native.discard()
        assert native.root() == py.root() == build_tree(sorted(model.items())).root
        assert len(native.cache) == len(py.cache)
        assert all((path in native.cache) == (path in py.cache) for path in (b"", *rows))
        _same_reads(py, native)
    # Reopened on the stored nodes alone, the two read the same.
    _same_reads(*_trees(nodes, py.root(), cache_size))


def _tamper(raw: bytes, how: str) -> bytes | None:
    if how == "flip":
        return raw[:-1] + bytes([raw[-1] ^ 1]) if len(raw) > 4 else raw + b"\x00"
    if how == "truncate":
        return raw[:-1]
    if how == "trailing":
        return raw + b"\x01"
    if how == "short":
        return raw[:3]
    if how == "absent-leaf":
        bitmap = int.from_bytes(raw[:2], "big")
        free = next((i for i in range(16) if not bitmap >> i & 1), None)
        if free is None:
            return raw[:-1]
        return raw[:2] + (int.from_bytes(raw[2:4], "big") | 1 << free).to_bytes(2, "big") + raw[4:]
    return None  # "delete"


@settings(max_examples=60, deadline=None)
@given(writes=st.lists(write, min_size=1, max_size=40), data=st.data(),
       how=st.sampled_from(["flip", "truncate", "trailing", "short", "absent-leaf", "delete"]))
def test_a_tampered_stored_node_fails_both_trees_alike(
        writes: list[tuple[str, bytes | None]], data: st.DataObject, how: str) -> None:
    built = build_tree(sorted(dict((k, v) for k, v in writes if v is not None).items()))
    nodes = {p: raw for p, raw in built.rows.items() if raw is not None}
    path = data.draw(st.sampled_from(sorted(nodes)))
    tampered = _tamper(nodes[path], how)
    if tampered is None:
        del nodes[path]
    else:
        nodes[path] = tampered
    py, native = _trees(nodes, built.root, None)
    _same_reads(py, native)
    # A block over the tampered node fails the same way in both, and changes neither.
    outcomes = []
    for tree in (py, native):
        try:
            outcomes.append(("ok", tree.update(writes[:3])))
        except StateMismatch as err:
            outcomes.append(("mismatch", str(err)))
    assert outcomes[0] == outcomes[1]


def test_a_node_opens_its_state_with_the_native_tree_unless_told_not_to(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    native = planet_native()
    store = NodeStore(tmp_path / "node.db")
    try:
        open_application(store, GENESIS)
        monkeypatch.setenv("PLANET_NATIVE", "1")
        assert isinstance(open_state(store).tree, native.Tree)
        monkeypatch.setenv("PLANET_NATIVE", "0")
        assert isinstance(open_state(store).tree, StateTree)
        assert isinstance(CommittedState([("a", b"1")]).tree, StateTree)  # the core's default
    finally:
        store.close()


def test_the_root_stays_readable_while_an_update_waits_on_a_load() -> None:
    """A node load may give up the GIL (SQLite): another thread reading the root or the tree
    meanwhile waits for the update instead of failing or deadlocking."""
    built = build_tree([(f"r/{n}", b"v") for n in range(300)])
    entered, release = threading.Event(), threading.Event()

    def load(path: bytes) -> bytes | None:
        if path and not release.is_set():
            entered.set()
            release.wait(10)
        return built.rows.get(path)

    tree = planet_native().Tree(load, built.root, None)
    tree.node(b"", built.root)
    done: list[bytes] = []
    writer = threading.Thread(target=lambda: done.append(bytes(len(tree.update([("r/1", b"w")])))))
    writer.start()
    assert entered.wait(10)
    assert tree.root() == built.root  # the old root until the block is applied
    reader = threading.Thread(target=lambda: done.append(tree.leaf_value_hash(hash_key("r/2"))))
    reader.start()
    release.set()
    writer.join(10)
    reader.join(10)
    assert len(done) == 2 and tree.root() != built.root
    assert tree.leaf_value_hash(hash_key("r/2")) == hashlib.sha256(b"v").digest()
