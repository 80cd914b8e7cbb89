"""The blob store as a node serves it: every decision comes from the committed ledger.

Upload: a signed request from the record's owner or depositor, for a live record, at the
committed size and digest (`vault.rules.check_upload`). Download: a signed request from
the owner, or from a business holding an active grant (`exchange.rules.check_read`).
Erasure: when a block commits `vault/record_erased`, the ciphertext is deleted; a sweep
at start-up finishes any deletion a crash interrupted, so an erased record's ciphertext
never outlives a restart.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from planet.core.errors import BlobRefused, InvalidField, NotFound
from planet.sdk.blobauth import parse_signed_headers, signer_account
from planet.sdk.clock import wall_clock_ms
from planet.vault.store import BlobStore, check_digest

log = logging.getLogger("planet.vault")


class Ledger(Protocol):
    """What the service needs of a node: queries on the committed state, and its chain id."""

    def query(self, path: str, args: dict[str, Any] | None = None) -> Any: ...


class VaultService:
    def __init__(self, ledger: Ledger, store: BlobStore, chain_id: str,
                 clock: Callable[[], int] = wall_clock_ms) -> None:
        self.ledger, self.store, self.chain_id, self.clock = ledger, store, chain_id, clock

    def require_digest(self, digest: str) -> None:
        try:
            check_digest(digest)
        except ValueError:
            raise InvalidField("digest: expected 64 lower-case hex characters (SHA-256)") from None

    def authenticate(self, headers: dict[str, str], digest: str, method: str) -> str:
        """The address that signed this request, or BadRequestSignature."""
        signed = parse_signed_headers(headers)
        signer_account(signed, self.ledger, chain_id=self.chain_id, digest=digest, method=method,
                       now_ms=self.clock())
        return signed.address

    def check_upload(self, headers: dict[str, str], digest: str, size: int | None) -> int:
        """Whether this signed request may upload `digest`, decided from the request's head
        alone so that nothing is read of a body that would be refused: the signature, then
        the ledger's rule at the declared `size` (None for a chunked body: then at the
        committed size). Returns the committed size, which the body must then have."""
        self.require_digest(digest)
        address = self.authenticate(headers, digest, "PUT")
        if size is None:
            try:
                size = int(self.ledger.query("vault/record", {"digest": digest})["size"])
            except NotFound:
                size = 0  # no such record: the rule below refuses with its reason
        record = self.ledger.query("vault/upload_check", {"address": address, "digest": digest,
                                                          "size": size})
        return int(record["size"])

    def upload(self, digest: str, data: bytes) -> bool:
        try:
            return self.store.put(digest, data)
        except ValueError as err:
            raise BlobRefused(str(err)) from None

    def download(self, headers: dict[str, str], digest: str) -> bytes:
        self.require_digest(digest)
        address = self.authenticate(headers, digest, "GET")
        self.ledger.query("exchange/read_check", {"address": address, "digest": digest})
        data = self.store.get(digest)
        if data is None:
            raise NotFound(f"record {digest} is on the ledger but its ciphertext was not "
                           "uploaded yet")
        return data

    # --- erasure ---------------------------------------------------------------------------

    def on_events(self, events: Iterable[dict[str, Any]]) -> None:
        """Delete the ciphertext of records erased in a committed block."""
        for event in events:
            if event.get("type") == "vault/record_erased":
                digest = event["attributes"]["digest"]
                if self.store.delete(digest):
                    log.info("erased ciphertext of %s", digest)

    def sweep(self) -> int:
        """Delete stored ciphertext whose record is erased (or absent); returns how many."""
        removed = 0
        for digest in list(self.store.digests()):
            try:
                record = self.ledger.query("vault/record", {"digest": digest})
            except NotFound:
                record = None
            if record is None or record["erased_at"]:
                removed += self.store.delete(digest)
        return removed
