"""The state: the tree's roots and proofs, layered views, committed state over a backend."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planet.core.errors import InvalidProof, StateMismatch
from planet.core.records import Record
from planet.core.state import (
    EMPTY_ROOT,
    BoundedCache,
    CommittedState,
    Layer,
    MemoryBackend,
    Proof,
    build_tree,
    compute_state_root,
    verify_proof,
)
from planet.core.state.tree import Tree
from tests.native import both_trees, tree_under_test  # noqa: F401 (the fixture: every test runs on both trees)

pytestmark = pytest.mark.usefixtures("both_trees")

SETTINGS = settings(max_examples=80, deadline=None)


def sha(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


def nib(h: bytes, d: int) -> int:
    return int(h.hex()[d], 16)


def reference_node(leaves: list[tuple[bytes, bytes]], depth: int) -> bytes:
    """An internal node's hash as tree.py's docstring specifies it, written out
    independently: group the (key hash, value hash) leaves by their nibble at `depth`; a
    group of one is a leaf, a larger group an internal node one level down."""
    bitmap = leafmap = 0
    hashes = []
    for i in range(16):
        group = [leaf for leaf in leaves if nib(leaf[0], depth) == i]
        if not group:
            continue
        bitmap |= 1 << i
        if len(group) == 1:
            leafmap |= 1 << i
            hashes.append(sha(b"\x00" + group[0][0] + group[0][1]))
        else:
            hashes.append(reference_node(group, depth + 1))
    return sha(b"\x01" + bitmap.to_bytes(2, "big") + leafmap.to_bytes(2, "big") + b"".join(hashes))


def reference_root(pairs: dict[str, bytes]) -> bytes:
    return reference_node([(sha(k.encode()), sha(v)) for k, v in pairs.items()], 0)


def _sharing_keys() -> list[str]:
    """Keys whose hashes share their first three nibbles with another key's: deep paths."""
    by_prefix: dict[str, list[str]] = {}
    for i in range(20_000):
        by_prefix.setdefault(sha(f"k/{i}".encode()).hex()[:3], []).append(f"k/{i}")
    return [k for keys in by_prefix.values() if len(keys) > 1 for k in keys][:60]


SHARING = _sharing_keys()
KEYS = st.one_of(st.sampled_from(SHARING), st.sampled_from([f"k/{i}" for i in range(40)]),
                 st.text(alphabet="abc/xyz0123", min_size=1, max_size=8))
VALUES = st.binary(max_size=12)
WRITES = st.lists(st.tuples(KEYS, st.one_of(st.none(), VALUES)), max_size=40)


def test_sharing_keys_exist() -> None:
    assert len(SHARING) >= 4
    assert sha(SHARING[0].encode()).hex()[:3] == sha(SHARING[1].encode()).hex()[:3]


def test_known_roots() -> None:
    assert EMPTY_ROOT == reference_root({}) == compute_state_root([])
    assert sha(b"\x01" + bytes(4)) == EMPTY_ROOT
    pairs = {"a": b"1", "chain/meta": b'{"height":0}', SHARING[0]: b"x", SHARING[1]: b"y"}
    assert compute_state_root(pairs.items()) == reference_root(pairs)
    # Values, keys and the split between them all matter.
    assert compute_state_root([("ab", b"c")]) != compute_state_root([("a", b"bc")])
    assert compute_state_root([("a", b"1")]) != compute_state_root([("a", b"2")])
    assert compute_state_root([("a", b"")]) != compute_state_root([])


def apply_batch(tree: Tree, rows: dict[bytes, bytes], batch: list) -> None:
    dedup = dict(batch)  # a block writes each key once
    for path, raw in tree.update(list(dedup.items())).items():
        if raw is None:
            rows.pop(path, None)
        else:
            rows[path] = raw
    tree.saved()


@SETTINGS
@given(batches=st.lists(WRITES, min_size=1, max_size=6))
def test_incremental_root_and_nodes_equal_from_scratch(batches: list[list[tuple[str, bytes | None]]]
                                                       ) -> None:
    rows: dict[bytes, bytes] = {}
    tree = tree_under_test()(rows.get, EMPTY_ROOT)
    model: dict[str, bytes] = {}
    for batch in batches:
        apply_batch(tree, rows, batch)
        for key, value in dict(batch).items():
            if value is None:
                model.pop(key, None)
            else:
                model[key] = value
        built = build_tree(sorted(model.items()))
        assert tree.root() == built.root == reference_root(model)
        # The stored nodes are exactly those of the tree built from scratch: no node is
        # left behind by a deletion, none is missing.
        expected = {p: r for p, r in built.rows.items() if r is not None}
        assert {p: r for p, r in rows.items() if p or model} == \
            {p: r for p, r in expected.items() if p or model}
        # A tree opened on the stored nodes reads every key as the model has it.
        reopened = tree_under_test()(rows.get, tree.root())
        for key in {*model, "zz", SHARING[2]}:
            got = reopened.leaf_value_hash(sha(key.encode()))
            assert got == (sha(model[key]) if key in model else None)


@SETTINGS
@given(pairs=st.dictionaries(KEYS, VALUES, max_size=20), data=st.data())
def test_root_ignores_insertion_order_and_add_then_delete(pairs: dict[str, bytes],
                                                          data: st.DataObject) -> None:
    items = list(pairs.items())
    shuffled = data.draw(st.permutations(items))
    assert compute_state_root(items) == compute_state_root(shuffled)
    rows: dict[bytes, bytes] = {}
    tree = tree_under_test()(rows.get, EMPTY_ROOT)
    apply_batch(tree, rows, items)
    extra = data.draw(KEYS.filter(lambda k: k not in pairs))
    apply_batch(tree, rows, [(extra, b"temp")])
    assert tree.root() != compute_state_root(items)
    apply_batch(tree, rows, [(extra, None)])
    assert tree.root() == compute_state_root(items)


def test_a_tree_discards_unsaved_blocks() -> None:
    rows: dict[bytes, bytes] = {}
    tree = tree_under_test()(rows.get, EMPTY_ROOT)
    apply_batch(tree, rows, [("a", b"1"), (SHARING[0], b"2")])
    root = tree.root()
    tree.update([("b", b"3"), ("a", None)])
    assert tree.root() != root
    tree.discard()
    assert tree.root() == root and tree.leaf_value_hash(sha(b"a")) == sha(b"1")


# --- proofs -----------------------------------------------------------------------------------


def proved_state(pairs: dict[str, bytes]) -> CommittedState:
    return CommittedState(sorted(pairs.items()), tree_class=tree_under_test())


@SETTINGS
@given(pairs=st.dictionaries(KEYS, VALUES, max_size=30), key=KEYS)
def test_every_read_proves_its_value_or_its_absence(pairs: dict[str, bytes], key: str) -> None:
    state = proved_state(pairs)
    proof = state.prove(key, 7)
    assert proof.value == pairs.get(key) and proof.height == 7
    assert verify_proof(proof, state.root()) == pairs.get(key)
    assert verify_proof(Proof.from_json(proof.to_json()), state.root()) == pairs.get(key)


@SETTINGS
@given(pairs=st.dictionaries(KEYS, VALUES, min_size=2, max_size=30), data=st.data())
def test_an_altered_proof_is_refused(pairs: dict[str, bytes], data: st.DataObject) -> None:
    state = proved_state(pairs)
    root = state.root()
    key = data.draw(st.sampled_from(sorted(pairs)))
    doc = state.prove(key, 1).to_json()
    how = data.draw(st.sampled_from(["value", "absent", "key", "sibling", "truncate", "bitmap",
                                     "leafmap", "drop sibling", "other app hash"]))
    if how == "value":
        doc["value"] = (pairs[key] + b"!").hex()
    elif how == "absent":
        doc["value"] = None
    elif how == "key":
        doc["key"] = data.draw(KEYS.filter(lambda k: k != key))
    elif how == "sibling":
        nodes = [n for n in doc["nodes"] if n["siblings"]]
        node = data.draw(st.sampled_from(nodes))
        node["siblings"][0] = sha(bytes.fromhex(node["siblings"][0])).hex()
    elif how == "truncate":
        doc["nodes"] = doc["nodes"][:-1] if len(doc["nodes"]) > 1 else []
    elif how == "bitmap":
        doc["nodes"][0]["bitmap"] ^= 1 << data.draw(st.integers(0, 15))
    elif how == "leafmap":
        doc["nodes"][-1]["leafmap"] ^= 1 << data.draw(st.integers(0, 15))
    elif how == "drop sibling":
        nodes = [n for n in doc["nodes"] if n["siblings"]]
        data.draw(st.sampled_from(nodes))["siblings"].pop()
    else:
        other = proved_state({**pairs, key: pairs[key] + b"~"})
        with pytest.raises(InvalidProof):  # the right proof against another state's root
            verify_proof(Proof.from_json(doc), other.root())
        doc["app_hash"] = other.root().hex()
    with pytest.raises(InvalidProof):
        verify_proof(Proof.from_json(doc), root)


def test_a_proof_of_absence_cannot_hide_a_present_key() -> None:
    pairs = {SHARING[0]: b"1", SHARING[1]: b"2", "a": b"3"}
    state = proved_state(pairs)
    honest = state.prove(SHARING[0], 1).to_json()
    # Claim SHARING[0] is absent by presenting its own leaf as "another key's".
    last = honest["nodes"][-1]
    forged = {**honest, "value": None, "other_leaf": {
        "key_hash": sha(SHARING[0].encode()).hex(), "value_hash": sha(b"1").hex()}}
    assert last["leafmap"]
    with pytest.raises(InvalidProof):
        verify_proof(Proof.from_json(forged), state.root())
    # An absent key next to a present one proves its absence with that one's leaf.
    absent = next(k for k in (f"z/{i}" for i in range(10_000))
                  if sha(k.encode()).hex()[0] == sha(SHARING[0].encode()).hex()[0]
                  and k not in pairs)
    proof = state.prove(absent, 1)
    assert verify_proof(proof, state.root()) is None


@pytest.mark.parametrize("doc", [
    {}, {"key": 1}, [], "x",
    {"key": "a", "value": None, "height": -1, "app_hash": "00" * 32, "nodes": [],
     "other_leaf": None},
    {"key": "a", "value": "zz", "height": 1, "app_hash": "00" * 32, "nodes": [],
     "other_leaf": None},
    {"key": "a", "value": None, "height": 1, "app_hash": "00" * 31, "nodes": [],
     "other_leaf": None},
    {"key": "a", "value": None, "height": 1, "app_hash": "00" * 32,
     "nodes": [{"bitmap": 1 << 16, "leafmap": 0, "siblings": []}], "other_leaf": None},
    {"key": "\ud800", "value": None, "height": 1, "app_hash": "00" * 32, "nodes": [],
     "other_leaf": None},
])
def test_a_malformed_proof_is_refused_with_invalid_proof(doc: object) -> None:
    with pytest.raises(InvalidProof):
        verify_proof(Proof.from_json(doc), EMPTY_ROOT)


def test_proof_size_grows_with_the_log_of_the_state() -> None:
    sizes = {}
    for n in (100, 10_000):
        state = proved_state({f"r/{i}": b"v" for i in range(n)})
        sizes[n] = len(state.prove("r/7", 1).nodes)
    assert sizes[100] <= 3 and sizes[10_000] <= 5


# --- the committed state over a backend ---------------------------------------------------------


def test_an_altered_record_or_node_is_refused_at_its_first_read() -> None:
    state = CommittedState([("a", b"1"), ("b", b"2"), (SHARING[0], b"3")], tree_class=tree_under_test())
    backend = state.backend
    assert isinstance(backend, MemoryBackend)
    reopened = CommittedState(backend=backend, root=state.root(), record_cache=2, node_cache=2,
                              tree_class=tree_under_test())
    backend.records["a"] = b"9"  # altered
    with pytest.raises(StateMismatch):
        reopened.get_raw("a")
    del backend.records["b"]  # removed
    with pytest.raises(StateMismatch):
        reopened.get_raw("b")
    backend.records["c"] = b"new"  # slipped in: never read, and a scan that meets it stops
    assert reopened.get_raw("c") is None
    with pytest.raises(StateMismatch):
        list(reopened.iter_keys(""))
    assert reopened.get_raw(SHARING[0]) == b"3"  # what was not touched still reads
    backend.nodes[b""] = backend.nodes[b""][:-1] + b"\x00"
    with pytest.raises(StateMismatch):
        CommittedState(backend=backend, root=state.root(), tree_class=tree_under_test())


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


AFTERS = ["", "a", "a/", "a/b", "ab", "b", "b/a", "ba", "zz", "/"]


def check_view(view: Layer | CommittedState, model: dict[str, int]) -> None:
    for prefix in PREFIXES:
        got = list(view.iter_keys(prefix))
        assert got == sorted(k for k in model if k.startswith(prefix)), prefix
        for after in AFTERS:  # a page that starts past `after`, in or out of the prefix
            assert list(view.iter_keys(prefix, after)) == \
                sorted(k for k in model if k.startswith(prefix) and k > after), (prefix, after)
        assert [(k, v.v) for k, v in view.iter_prefix(prefix, Val)] == \
            sorted((k, v) for k, v in model.items() if k.startswith(prefix))
    for key in {*model, "a", "b", "a/a", "zz"}:
        value = view.get(key, Val)
        assert (value.v if value is not None else None) == model.get(key)
        assert view.has(key) == (key in model)


def committed(base: dict[str, int]) -> CommittedState:
    return CommittedState(((k, Val(v).encode()) for k, v in base.items()), tree_class=tree_under_test())


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
    encoded, _nodes = state.apply(block.writes)
    assert [k for k, _ in encoded] == sorted(block.writes)
    check_view(state, model)
    expected = sorted((k, Val(v).encode()) for k, v in model.items())
    assert list(state.items()) == expected
    assert len(state) == len(model)
    assert state.root() == compute_state_root(expected) == reference_root(dict(expected))
    # Reloading from the encoded pairs (what storage hands back) gives the same state.
    reloaded = CommittedState(expected, tree_class=tree_under_test())
    assert reloaded.root() == state.root()
    check_view(reloaded, model)


@SETTINGS
@given(base=st.dictionaries(LAYER_KEYS, st.integers(0, 99), max_size=15),
       rounds=st.lists(st.tuples(OPS, OPS, st.booleans()), max_size=4))
def test_a_layer_scanned_between_writes_stays_in_step(base: dict[str, int], rounds: list
                                                      ) -> None:
    """A layer sorts its keys at its first scan and keeps them sorted after: writes, deletes
    and absorbed children between scans are all seen by the next one."""
    state = committed(base)
    block = Layer(state)
    model = dict(base)
    for ops, child_ops, scan in rounds:
        apply_ops(block, model, ops)
        if scan:
            check_view(block, model)
        tx = block.child()
        apply_ops(tx, model, child_ops)
        block.absorb(tx)
        check_view(block, model)


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


def test_the_bounded_cache_keeps_what_is_used_and_never_passes_its_capacity() -> None:
    cache: BoundedCache[str, int] = BoundedCache(8)
    for i in range(1_000):
        cache[f"k{i}"] = i
        assert cache.get("hot") is None or cache.get("hot") == -1
        if i == 0:
            cache["hot"] = -1
        cache.get("hot")  # used all along: it stays
        assert len(cache) <= 8
    assert cache.get("hot") == -1 and cache.peek("hot") == -1
    assert cache.get("k0") is None  # long unused: gone
    cache["k999"] = 5
    assert cache.get("k999") == 5
    cache.pop("k999")
    assert "k999" not in cache


def test_a_committed_state_reads_everything_through_caches_that_stay_small() -> None:
    pairs = [(f"r/{i}", bytes([i])) for i in range(50)]
    base = CommittedState(pairs, tree_class=tree_under_test())
    state = CommittedState(backend=base.backend, root=base.root(), record_cache=4, node_cache=4,
                           tree_class=tree_under_test())
    for key, value in pairs * 2:
        assert state.get_raw(key) == value
    assert len(state._values) <= 4 and len(state.tree.cache) <= 4
