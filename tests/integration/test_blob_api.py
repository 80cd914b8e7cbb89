"""The blob endpoints over an in-process node: each refusal is the right 4xx with a reason,
and a refused upload stores nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from planet.api.app import create_app
from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites, RegisterResident
from planet.core.encoding import b64encode
from planet.core.errors import NotFound
from planet.core.genesis import parse_genesis
from planet.core.messages import Msg
from planet.core.vault.messages import AddRecord
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.node.home import make_genesis_document
from planet.sdk.blobauth import sign_blob_request
from planet.sdk.client import new_invite_codes
from planet.sdk.envelope import seal_record
from planet.sdk.wallet import Wallet
from planet.storage.blobs import FileBlobStore
from planet.vault.service import VaultService

CHAIN = "planet-blobs"
OPERATOR = Wallet.generate()
ALICE = Wallet.generate()
BOB = Wallet.generate()


class World:
    def __init__(self, client: TestClient, node: EmbeddedNode, store: FileBlobStore) -> None:
        self.client, self.node, self.store = client, node, store

    def send(self, wallet: Wallet, *msgs: Msg) -> None:
        try:
            sequence = self.node.query("accounts/account", {"address": wallet.address})["sequence"]
        except NotFound:
            sequence = 0  # a new resident's registration
        raw = wallet.sign_tx(chain_id=CHAIN, sequence=sequence, messages=list(msgs))
        r = self.client.post("/v1/txs", content=raw)
        assert r.status_code == 200 and r.json()["committed"]["code"] == 0, r.text

    def put(self, wallet: Wallet, digest: str, blob: bytes, **over: Any) -> Any:
        headers = sign_blob_request(wallet, chain_id=over.pop("chain_id", CHAIN), digest=digest,
                                    method="PUT", **over)
        return self.client.put(f"/v1/blobs/{digest}", content=blob, headers=headers)

    def get(self, wallet: Wallet, digest: str) -> Any:
        headers = sign_blob_request(wallet, chain_id=CHAIN, digest=digest, method="GET")
        return self.client.get(f"/v1/blobs/{digest}", headers=headers)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    genesis = parse_genesis(make_genesis_document(CHAIN, OPERATOR, []))
    root: Path = tmp_path_factory.mktemp("blobs")
    node = EmbeddedNode(root / "node.db", genesis, EngineConfig(block_interval_ms=20))
    store = FileBlobStore(root / "blobs")
    node.start()
    with TestClient(create_app(node, vault=VaultService(node, store, CHAIN))) as client:
        w = World(client, node, store)
        codes = new_invite_codes(2)
        w.send(OPERATOR, CreateInvites(code_hashes=tuple(compute_invite_hash(c) for c in codes)))
        for wallet, code in ((ALICE, codes[0]), (BOB, codes[1])):
            w.send(wallet, RegisterResident(invite_code=code, encryption_key=b64encode(
                wallet.encryption_public_key)))
        yield w
    node.close()


def committed_record(world: World, plaintext: bytes = b"a trip") -> tuple[str, bytes]:
    sealed = seal_record(plaintext, ALICE.encryption_public_key)
    world.send(ALICE, AddRecord(digest=sealed.digest, category="travel", time=1,
                                size=len(sealed.blob)))
    return sealed.digest, sealed.blob


def test_owner_uploads_and_downloads(world: World) -> None:
    digest, blob = committed_record(world)
    r = world.put(ALICE, digest, blob)
    assert r.status_code == 201 and r.json()["stored"] is True
    assert world.put(ALICE, digest, blob).status_code == 200  # idempotent
    r = world.get(ALICE, digest)
    assert r.status_code == 200 and r.content == blob


def test_refusals(world: World) -> None:
    digest, blob = committed_record(world, b"another trip")
    cases = [
        (world.put(BOB, digest, blob), 403, "only its owner"),
        (world.put(ALICE, digest, blob + b"x"), 403, "bytes on the ledger"),
        (world.put(ALICE, digest, blob[:-1] + bytes([blob[-1] ^ 1])), 403,
         "does not match its digest"),
        (world.put(ALICE, digest, blob, timestamp=int(time.time() * 1000) - 3_600_000), 401,
         "clock"),
        (world.put(ALICE, digest, blob, chain_id="other-chain"), 401, "bad signature"),
        (world.client.put(f"/v1/blobs/{digest}", content=blob), 401, "unsigned request"),
        (world.put(Wallet.generate(), digest, blob), 401, "not an account"),
        (world.put(ALICE, "AB" * 32, blob), 400, "64 lower-case hex"),
        (world.put(ALICE, "0" * 64, blob), 403, "no record"),
        (world.get(ALICE, digest), 404, "not uploaded yet"),
        (world.get(BOB, digest), 403, "no active grant"),
    ]
    for response, status, text in cases:
        assert response.status_code == status and text in response.json()["message"], \
            response.text
    assert not world.store.has(digest)
    too_big = b"x" * (world.node.genesis.params.vault_max_record_bytes + 1)
    r = world.put(ALICE, digest, too_big)
    assert r.status_code == 413 and "at most" in r.json()["message"]


def test_sweep_deletes_ciphertext_an_interrupted_erasure_left(world: World) -> None:
    """As after a crash between the erasure's commit and the deletion: the start-up sweep
    finishes it (this fixture has no block listener, so nothing deleted it on commit)."""
    from planet.core.vault.messages import EraseRecord

    digest, blob = committed_record(world, b"to be erased")
    assert world.put(ALICE, digest, blob).status_code == 201
    kept, kept_blob = committed_record(world, b"to be kept")
    assert world.put(ALICE, kept, kept_blob).status_code == 201
    world.send(ALICE, EraseRecord(digest=digest))
    assert world.store.has(digest)
    assert VaultService(world.node, world.store, CHAIN).sweep() >= 1
    assert not world.store.has(digest) and world.store.has(kept)
    assert world.get(ALICE, digest).status_code == 403
