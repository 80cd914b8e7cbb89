"""The state: bucket-tree roots, layered views, committed state."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from planet.core.records import Record
from planet.core.state import (
    GROUP_SIZE,
    NUM_BUCKETS,
    STATE_DOMAIN,
    BucketTree,
    CommittedState,
    Layer,
    compute_bucket,
    compute_state_root,
)

SETTINGS = settings(max_examples=80, deadline=None)


def sha(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


def reference_root(pairs: dict[str, bytes]) -> bytes:
    """The app hash as the module docstring specifies it, written out independently."""
    buckets: dict[int, list[tuple[str, bytes]]] = defaultdict(list)
    for key, value in pairs.items():
        buckets[int.from_bytes(sha(key.encode())[:2], "big")].append((key, value))
    bucket_hashes = [sha(b"")] * NUM_BUCKETS  # an empty bucket hashes no leaves
    for b, entries in buckets.items():
        bucket_hashes[b] = sha(b"".join(sha(len(k.encode()).to_bytes(4, "big") + k.encode() + v)
                                        for k, v in sorted(entries)))
    groups = [sha(b"".join(bucket_hashes[g:g + GROUP_SIZE]))
              for g in range(0, NUM_BUCKETS, GROUP_SIZE)]
    return sha(STATE_DOMAIN + b"".join(groups))


def _colliding_keys() -> list[str]:
    """Keys that share a bucket with another key, so buckets hold several leaves."""
    by_bucket: dict[int, list[str]] = defaultdict(list)
    for i in range(3000):
        by_bucket[compute_bucket(f"k/{i}")].append(f"k/{i}")
    return [k for keys in by_bucket.values() if len(keys) > 1 for k in keys]


COLLIDING = _colliding_keys()
KEYS = st.one_of(st.sampled_from(COLLIDING), st.sampled_from([f"k/{i}" for i in range(40)]),
                 st.text(alphabet="abc/xyz0123", min_size=1, max_size=8))
VALUES = st.binary(max_size=12)
WRITES = st.lists(st.tuples(KEYS, st.one_of(st.none(), VALUES)), max_size=40)


def test_colliding_keys_exist() -> None:
    assert len(COLLIDING) >= 4
    assert compute_bucket(COLLIDING[0]) == compute_bucket(COLLIDING[1])


def test_known_roots() -> None:
    assert BucketTree().root() == reference_root({})
    assert compute_state_root([]) == reference_root({})
    pairs = {"a": b"1", "chain/meta": b'{"height":0}', COLLIDING[0]: b"x", COLLIDING[1]: b"y"}
    assert compute_state_root(pairs.items()) == reference_root(pairs)
    # Values, keys and the split between them all matter.
    assert compute_state_root([("ab", b"c")]) != compute_state_root([("a", b"bc")])
    assert compute_state_root([("a", b"1")]) != compute_state_root([("a", b"2")])
    assert compute_state_root([("a", b"")]) != compute_state_root([])


@SETTINGS
@given(batches=st.lists(WRITES, min_size=1, max_size=6))
def test_incremental_root_equals_from_scratch(batches: list[list[tuple[str, bytes | None]]]
                                              ) -> None:
    tree = BucketTree()
    model: dict[str, bytes] = {}
    for batch in batches:
        tree.update(batch)
        for key, value in batch:
            if value is None:
                model.pop(key, None)
            else:
                model[key] = value
        assert tree.root() == compute_state_root(sorted(model.items()))
    assert tree.root() == reference_root(model)


@SETTINGS
@given(pairs=st.dictionaries(KEYS, VALUES, max_size=20), data=st.data())
def test_root_ignores_insertion_order_and_add_then_delete(pairs: dict[str, bytes],
                                                          data: st.DataObject) -> None:
    items = list(pairs.items())
    shuffled = data.draw(st.permutations(items))
    assert compute_state_root(items) == compute_state_root(shuffled)
    tree = BucketTree()
    tree.update(items)
    extra = data.draw(KEYS.filter(lambda k: k not in pairs))
    tree.update([(extra, b"temp")])
    assert tree.root() != compute_state_root(items)
    tree.update([(extra, None)])
    assert tree.root() == compute_state_root(items)


# --- layers -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Val(Record):
    v: int


LAYER_KEYS = st.text(alphabet="ab/", min_size=1, max_size=5)
OPS = st.lists(st.tuples(LAYER_KEYS, st.one_of(st.none(), st.integers(0, 99))), max_size=25)
PREFIXES = ["", "a", "b", "a/", "b/", "ab", "a/b", "/", "ba/", "zz"]


def apply_ops(layer: Layer, model: dict[str, int], ops: list[tuple[str, int | None]]) -> None:
    for key, value in ops:
        if value is None:
            layer.delete(key)
            model.pop(key, None)
        else:
            layer.set(key, Val(value))
            model[key] = value


def check_view(view: Layer | CommittedState, model: dict[str, int]) -> None:
    for prefix in PREFIXES:
        got = list(view.iter_keys(prefix))
        assert got == sorted(k for k in model if k.startswith(prefix)), prefix
        assert [(k, v.v) for k, v in view.iter_prefix(prefix, Val)] == \
            sorted((k, v) for k, v in model.items() if k.startswith(prefix))
    for key in {*model, "a", "b", "a/a", "zz"}:
        value = view.get(key, Val)
        assert (value.v if value is not None else None) == model.get(key)
        assert view.has(key) == (key in model)


def committed(base: dict[str, int]) -> CommittedState:
    return CommittedState((k, Val(v).encode()) for k, v in base.items())


@SETTINGS
@given(base=st.dictionaries(LAYER_KEYS, st.integers(0, 99), max_size=15), ops=OPS, child_ops=OPS)
def test_layer_views_merge_parent_and_overlay(base: dict[str, int], ops: list, child_ops: list
                                              ) -> None:
    state = committed(base)
    check_view(state, base)
    block = Layer(state)
    model = dict(base)
    apply_ops(block, model, ops)
    check_view(block, model)
    tx = block.child()
    child_model = dict(model)
    apply_ops(tx, child_model, child_ops)
    check_view(tx, child_model)
    check_view(block, model)  # the child's writes are not visible in its parent
    check_view(state, base)


@SETTINGS
@given(base=st.dictionaries(LAYER_KEYS, st.integers(0, 99), max_size=15), ops=OPS, child_ops=OPS)
def test_discarding_a_child_leaves_the_parent_untouched(base: dict[str, int], ops: list,
                                                        child_ops: list) -> None:
    state = committed(base)
    block = Layer(state)
    model = dict(base)
    apply_ops(block, model, ops)
    writes_before = dict(block.writes)
    root_before = state.root()
    tx = block.child()
    apply_ops(tx, dict(model), child_ops)
    del tx  # a failed transaction: its layer is simply dropped
    assert block.writes == writes_before
    check_view(block, model)
    assert state.root() == root_before
    assert list(state.items()) == sorted((k, Val(v).encode()) for k, v in base.items())


@SETTINGS
@given(base=st.dictionaries(LAYER_KEYS, st.integers(0, 99), max_size=15), ops=OPS, child_ops=OPS)
def test_absorb_then_apply_matches_the_model(base: dict[str, int], ops: list, child_ops: list
                                             ) -> None:
    state = committed(base)
    block = Layer(state)
    model = dict(base)
    apply_ops(block, model, ops)
    tx = block.child()
    apply_ops(tx, model, child_ops)
    block.absorb(tx)
    check_view(block, model)
    encoded = state.apply(block.writes)
    assert [k for k, _ in encoded] == sorted(block.writes)
    check_view(state, model)
    expected = sorted((k, Val(v).encode()) for k, v in model.items())
    assert list(state.items()) == expected
    assert len(state) == len(model)
    assert state.root() == compute_state_root(expected) == reference_root(dict(expected))
    # Reloading from the encoded pairs (what storage hands back) gives the same state.
    reloaded = CommittedState(expected)
    assert reloaded.root() == state.root()
    check_view(reloaded, model)


def test_deleting_a_missing_key_is_harmless() -> None:
    state = committed({"a": 1})
    root = state.root()
    layer = Layer(state)
    layer.delete("nope")
    assert not layer.has("nope")
    assert list(layer.iter_keys("")) == ["a"]
    state.apply(layer.writes)
    assert state.root() == root
    assert list(state.items()) == [("a", Val(1).encode())]
