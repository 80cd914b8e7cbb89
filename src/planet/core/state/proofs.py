"""Proofs of state reads: a value (or its absence) tied to an app hash.

A proof lists the internal nodes on the key's path, root first; for each, its bitmap, its
leafmap and the hashes of its children other than the one on the path. The last node's
slot on the path is empty (absent), holds the key's leaf (present), or holds another key's
leaf, whose key and value hashes the proof then carries (absent: that key took the place
this one would have). Checking it needs nothing but the app hash: rebuild the hashes from
the bottom up (`tree.py` gives the formulas) and compare. Size: one node per level, about
log16(n) of them, each with at most 15 sibling hashes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from planet.core.errors import InvalidProof
from planet.core.state.tree import (
    INTERNAL,
    KEY_NIBBLES,
    Tree,
    hash_key,
    hash_leaf,
    hash_value,
    nibble,
)


@dataclass(frozen=True, slots=True)
class ProofNode:
    bitmap: int
    leafmap: int
    siblings: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class Proof:
    key: str
    value: bytes | None
    height: int
    app_hash: bytes
    nodes: tuple[ProofNode, ...]
    other_leaf: tuple[bytes, bytes] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "value": None if self.value is None else self.value.hex(),
            "height": self.height,
            "app_hash": self.app_hash.hex(),
            "nodes": [{"bitmap": n.bitmap, "leafmap": n.leafmap,
                       "siblings": [s.hex() for s in n.siblings]} for n in self.nodes],
            "other_leaf": None if self.other_leaf is None else {
                "key_hash": self.other_leaf[0].hex(), "value_hash": self.other_leaf[1].hex()},
        }

    @classmethod
    def from_json(cls, doc: Any) -> Proof:
        """Parse a proof's JSON form; any shape it should not have is an InvalidProof."""
        try:
            other = doc["other_leaf"]
            value = doc["value"]
            nodes = tuple(
                ProofNode(_uint16(n["bitmap"]), _uint16(n["leafmap"]),
                          tuple(_hash(s) for s in n["siblings"]))
                for n in doc["nodes"])
            return cls(
                key=_str(doc["key"]), value=None if value is None else bytes.fromhex(value),
                height=_uint(doc["height"]), app_hash=_hash(doc["app_hash"]), nodes=nodes,
                other_leaf=None if other is None else (_hash(other["key_hash"]),
                                                      _hash(other["value_hash"])))
        except InvalidProof:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise InvalidProof(f"not a state proof: {type(err).__name__} {err}") from None


def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise InvalidProof("a proof's key must be a string")
    try:
        v.encode()
    except UnicodeEncodeError:
        raise InvalidProof("a proof's key must be valid Unicode (no lone surrogates)") from None
    return v


def _uint(v: Any) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise InvalidProof("a proof's height must be a non-negative integer")
    return v


def _uint16(v: Any) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < 1 << 16:
        raise InvalidProof("a proof node's bitmap and leafmap are 16-bit integers")
    return v


def _hash(v: Any) -> bytes:
    raw = bytes.fromhex(v) if isinstance(v, str) else b""
    if len(raw) != 32:
        raise InvalidProof("a proof's hashes are 32 bytes, in hex")
    return raw


def prove(tree: Tree, key: str, value: bytes | None, height: int) -> Proof:
    """The proof of `key` holding `value` (None: absent) in `tree` as of `height`."""
    key_hash = hash_key(key)
    nodes: list[ProofNode] = []
    other: tuple[bytes, bytes] | None = None
    for _path, node, i in tree.walk(key_hash):
        bitmap, leafmap = node.maps()
        siblings = tuple(h for j, h in enumerate(node.hashes) if h is not None and j != i)
        nodes.append(ProofNode(bitmap, leafmap, siblings))
        leaf = node.leaf(i)
        if leaf is not None and leaf[0] != key_hash:
            other = leaf
    return Proof(key, value, height, tree.root(), tuple(nodes), other)


def verify_proof(proof: Proof, app_hash: bytes) -> bytes | None:
    """The value the proof shows for its key (None: shown absent), if it leads to
    `app_hash`; otherwise InvalidProof saying where it fails."""
    if proof.app_hash != app_hash:
        raise InvalidProof("the proof is for another app hash (another height or chain)")
    if not proof.nodes or len(proof.nodes) > KEY_NIBBLES:
        raise InvalidProof("a proof has between 1 and 64 nodes")
    key_hash = hash_key(proof.key)
    depth = len(proof.nodes) - 1
    i = nibble(key_hash, depth)
    last = proof.nodes[-1]
    present = last.bitmap >> i & 1
    is_leaf = last.leafmap >> i & 1
    child: bytes | None
    if proof.value is not None:
        if not (present and is_leaf) or proof.other_leaf is not None:
            raise InvalidProof("the proof does not end at the key's leaf")
        child = hash_leaf(key_hash, hash_value(proof.value))
    elif proof.other_leaf is not None:
        other_key = proof.other_leaf[0]
        if not (present and is_leaf) or other_key == key_hash or any(
                nibble(other_key, d) != nibble(key_hash, d) for d in range(depth + 1)):
            raise InvalidProof("the other leaf in the proof is not where the key would be")
        child = hash_leaf(*proof.other_leaf)
    else:
        if present:
            raise InvalidProof("the proof shows the key's slot occupied but gives no leaf")
        child = None
    for d in range(depth, -1, -1):
        node = proof.nodes[d]
        i = nibble(key_hash, d)
        if node.leafmap & ~node.bitmap:
            raise InvalidProof(f"proof node {d} marks an absent child as a leaf")
        if d < depth and (not node.bitmap >> i & 1 or node.leafmap >> i & 1):
            raise InvalidProof(f"proof node {d} does not continue the key's path")
        expected = bin(node.bitmap).count("1") - (1 if node.bitmap >> i & 1 else 0)
        if len(node.siblings) != expected:
            raise InvalidProof(f"proof node {d} has {len(node.siblings)} sibling hashes, "
                               f"its bitmap needs {expected}")
        hashes: list[bytes] = []
        siblings = iter(node.siblings)
        for j in range(16):
            if j == i:
                if child is not None:
                    hashes.append(child)
            elif node.bitmap >> j & 1:
                hashes.append(next(siblings))
        child = hashlib.sha256(INTERNAL + node.bitmap.to_bytes(2, "big")
                               + node.leafmap.to_bytes(2, "big") + b"".join(hashes)).digest()
    if child != app_hash:
        raise InvalidProof("the proof does not lead to the app hash: a value or a hash in it "
                           "was altered")
    return proof.value
