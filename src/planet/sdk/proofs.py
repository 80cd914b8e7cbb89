"""Checking a node's answers without trusting the node: state proofs and proven queries.

A node answers `GET /v1/proofs/{key}` with one record and the hashes that lead from it to
the app hash, and a read such as `GET /v1/accounts/{address}/holder?prove=true` with a proof
of every record the answer was computed from. What is trusted is the app hash alone: take
it from a source other than the node if you can (another node, a CometBFT light client: the
header of block h+1 carries the app hash after block h) — the node's own block header only
shows that the answer agrees with the chain that node serves.

`verify_proof` checks one proof. `verify_reads` checks a proven answer's proofs and returns
the records they show; `verify_query` then re-runs the core's own query over those records
alone (`ProvenView` refuses any read the proofs do not cover) and requires the node's answer
to be exactly what that gives. `verified_holder` does all of it for the holder read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from planet.core.chain import META_KEY, ChainMeta
from planet.core.errors import InvalidProof, PlanetError
from planet.core.genesis import Genesis, parse_genesis
from planet.core.records import R
from planet.core.state import MISSING, Proof, View
from planet.core.state import verify_proof as _verify_core
from planet.core.transition import MODULES
from planet.sdk.client import NodeError, PlanetClient


def _app_hash(app_hash: bytes | str) -> bytes:
    raw = app_hash
    if isinstance(app_hash, str):
        try:
            raw = bytes.fromhex(app_hash)
        except ValueError:
            raise InvalidProof("the app hash to check against must be 64 hex characters") from None
    if not isinstance(raw, bytes) or len(raw) != 32:
        raise InvalidProof("the app hash to check against must be 32 bytes (64 hex characters)")
    return raw


def verify_proof(proof_json: Any, app_hash: bytes | str) -> bytes | None:
    """The record the proof shows for its key (None: shown absent), if the proof leads to
    `app_hash` (bytes, or hex); otherwise InvalidProof saying where it fails."""
    trusted = _app_hash(app_hash)
    proof = Proof.from_json(proof_json)
    try:
        return _verify_core(proof, trusted)
    except UnicodeEncodeError:  # a key no state can hold (a lone surrogate): not a proof
        raise InvalidProof("a proof's key must be valid Unicode") from None


class ProvenView(View):
    """The state as far as a set of proofs shows it, and no further: reading a key no proof
    covers, or scanning a prefix, is an InvalidProof (the answer would rest on something
    unproven)."""

    def __init__(self, values: Mapping[str, bytes | None]) -> None:
        self.values = dict(values)

    def _raw(self, key: str) -> bytes | None:
        if key not in self.values:
            raise InvalidProof(f"the answer depends on {key!r}, which no proof covers")
        return self.values[key]

    def get(self, key: str, cls: type[R]) -> R | None:
        raw = self._raw(key)
        return None if raw is None else cls.decode(raw)

    def _lookup(self, key: str) -> Any:
        raw = self._raw(key)
        return MISSING if raw is None else raw

    def iter_keys(self, prefix: str, after: str | None = None) -> Any:
        raise InvalidProof(f"the answer scans the prefix {prefix!r}: proofs of single keys "
                           "cannot show that a scan saw every key")


@dataclass(frozen=True)
class ProvenReads:
    """What a proven answer's proofs show, all checked against one app hash."""

    height: int
    app_hash: bytes
    values: dict[str, bytes | None]
    meta: ChainMeta

    @property
    def records(self) -> int:
        """How many records the proofs cover (present or shown absent)."""
        return len(self.values)


def verify_reads(proof_doc: Any, app_hash: bytes | str) -> ProvenReads:
    """Check every proof of a proven answer (`proof` in its JSON) against `app_hash`: each
    for the same height and app hash, no key twice, no prefix scans, and `chain/meta`
    among them, at the height the answer claims."""
    trusted = _app_hash(app_hash)
    if not isinstance(proof_doc, dict) or not isinstance(proof_doc.get("reads"), list):
        raise InvalidProof("not a proven answer: expected {height, app_hash, reads, scans}")
    height, claimed = proof_doc.get("height"), proof_doc.get("app_hash")
    if proof_doc.get("scans"):
        raise InvalidProof(f"the answer scanned prefixes {proof_doc['scans']}: proofs of "
                           "single keys cannot show a scan complete")
    if not isinstance(claimed, str) or _app_hash(claimed) != trusted:
        raise InvalidProof("the proof is for another app hash (another height or chain)")
    values: dict[str, bytes | None] = {}
    for doc in proof_doc["reads"]:
        proof = Proof.from_json(doc)
        if proof.height != height or proof.app_hash != trusted:
            raise InvalidProof(f"the proof of {proof.key!r} is for another height or app hash "
                               "than the answer")
        if proof.key in values:
            raise InvalidProof(f"the answer proves {proof.key!r} twice")
        values[proof.key] = verify_proof(doc, trusted)
    raw_meta = values.get(META_KEY)
    if raw_meta is None:
        raise InvalidProof("the answer does not prove chain/meta, which ties it to a height")
    try:
        meta = ChainMeta.decode(raw_meta)
    except (PlanetError, ValueError, TypeError, KeyError) as err:
        raise InvalidProof(f"the proven chain/meta does not decode: {err}") from None
    if meta.height != height:
        raise InvalidProof(f"the answer claims height {height} but its proven chain/meta says "
                           f"{meta.height}")
    return ProvenReads(meta.height, trusted, values, meta)


def verify_query(path: str, args: Mapping[str, Any], answer: Mapping[str, Any],
                 proof_doc: Any, app_hash: bytes | str, genesis: Genesis) -> ProvenReads:
    """Check a proven answer: its proofs against `app_hash` (`verify_reads`), `genesis` as
    the chain's (its hash is in the proven chain/meta), then the core's query `path` re-run
    on the proven records alone must give exactly `answer` (without its `proof`)."""
    reads = verify_reads(proof_doc, app_hash)
    if reads.meta.genesis_hash != genesis.hash.hex():
        raise InvalidProof("the genesis given is not the one the proven chain/meta names")
    module_name, _, name = path.partition("/")
    handler = next((m.queries.get(name) for m in MODULES if m.name == module_name), None)
    if handler is None:
        raise InvalidProof(f"no core query {path!r} to re-run")
    try:
        expected = handler(ProvenView(reads.values), dict(args), genesis.params)
    except InvalidProof:
        raise
    except PlanetError as err:
        raise InvalidProof(f"re-running {path} on the proven records fails: {err.message}"
                           ) from None
    given = {k: v for k, v in answer.items() if k != "proof"}
    if expected != given:
        differ = sorted(k for k in set(expected) | set(given) if expected.get(k) != given.get(k))
        raise InvalidProof(f"the node's answer differs from the proven records in "
                           f"{', '.join(differ)}")
    return reads


@dataclass(frozen=True)
class VerifiedAnswer:
    """An answer whose every record was proven, and against which app hashes."""

    answer: dict[str, Any]
    reads: ProvenReads
    proof: dict[str, Any]
    checked_against: tuple[str, ...]


def verified_holder(client: PlanetClient, address: str, *, app_hash: bytes | str | None = None,
                    genesis: Genesis | None = None) -> VerifiedAnswer:
    """The holder read with `prove=true`, verified here: every proof against the app hash of
    the proof's height in the node's block header and, if given, against `app_hash` (one
    you trust from elsewhere); then the holder query re-run on the proven records. The
    genesis (for the parameters the query uses) is fetched from the node unless given, and
    checked against the proven chain/meta either way."""
    data = client.holder(address, prove=True)
    proof = data.get("proof")
    if not isinstance(proof, dict) or not isinstance(proof.get("height"), int):
        raise InvalidProof("the node sent no proof with its answer")
    height = proof["height"]
    trusted: list[tuple[str, bytes]] = []
    if height > 0:
        try:
            header = client.block(height)
        except NodeError as err:
            if err.status != 404:
                raise
            raise InvalidProof(f"the proof claims height {height}, for which the node has no "
                               "block") from None
        trusted.append(("block header", _app_hash(str(header["app_hash"]))))
    if app_hash is not None:
        trusted.append(("--app-hash", _app_hash(app_hash)))
    if not trusted:
        raise InvalidProof("height 0 has no block header to check the app hash against; "
                           "give the app hash you trust")
    if genesis is None:
        genesis = parse_genesis(client.genesis())
    answer = {k: v for k, v in data.items() if k != "proof"}
    reads = None
    for _source, value in trusted:
        reads = verify_query("emission/holder", {"address": address}, answer, proof, value,
                             genesis)
    assert reads is not None
    return VerifiedAnswer(answer, reads, proof, tuple(source for source, _ in trusted))


__all__ = ["ProvenReads", "ProvenView", "VerifiedAnswer", "verified_holder", "verify_proof",
           "verify_query", "verify_reads"]
