"""Signed blob-store requests: who is asking, for which blob, when.

The blob store decides from the ledger whether an address may upload or read a record,
so each request must prove it comes from that address's key. A request carries three
headers; the signature is Ed25519 over a domain tag and the canonical JSON (RFC 8785) of

    {"address", "chain_id", "digest", "method", "timestamp"}

`timestamp` is the client's clock in ms; the server accepts it within `MAX_SKEW_MS` of
its own, which bounds how long a captured request could be replayed (a download replay
only returns ciphertext, and an upload replay is idempotent). The same bytes are built by
the web app (WebCrypto Ed25519), so keep this format stable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from planet.core import ed25519
from planet.core.encoding import b64decode, b64encode, canonical_json
from planet.core.errors import BadRequestSignature, InvalidField, NotFound, PlanetError
from planet.sdk.clock import wall_clock_ms
from planet.sdk.wallet import Wallet

BLOB_SIGN_DOMAIN = b"planet/blob-request/v1\n"
MAX_SKEW_MS = 5 * 60_000
ADDRESS_HEADER = "X-Planet-Address"
TIMESTAMP_HEADER = "X-Planet-Timestamp"
SIGNATURE_HEADER = "X-Planet-Signature"


def compute_blob_sign_bytes(*, address: str, chain_id: str, digest: str, method: str,
                            timestamp: int) -> bytes:
    return BLOB_SIGN_DOMAIN + canonical_json({
        "address": address, "chain_id": chain_id, "digest": digest, "method": method.upper(),
        "timestamp": timestamp})


def sign_blob_request(wallet: Wallet, *, chain_id: str, digest: str, method: str,
                      timestamp: int | None = None) -> dict[str, str]:
    """The headers for one request by `wallet`."""
    ts = wall_clock_ms() if timestamp is None else timestamp
    signature = wallet.signing_key.sign(compute_blob_sign_bytes(
        address=wallet.address, chain_id=chain_id, digest=digest, method=method, timestamp=ts))
    return {ADDRESS_HEADER: wallet.address, TIMESTAMP_HEADER: str(ts),
            SIGNATURE_HEADER: b64encode(signature)}


@dataclass(frozen=True)
class SignedRequest:
    address: str
    timestamp: int
    signature: bytes


def parse_signed_headers(headers: dict[str, str]) -> SignedRequest:
    lowered = {k.lower(): v for k, v in headers.items()}
    missing = [h for h in (ADDRESS_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER)
               if h.lower() not in lowered]
    if missing:
        raise BadRequestSignature(f"unsigned request: missing header(s) {', '.join(missing)}")
    raw_ts = lowered[TIMESTAMP_HEADER.lower()]
    if not raw_ts.isdecimal() or len(raw_ts) > 16:
        raise BadRequestSignature(f"{TIMESTAMP_HEADER}: expected milliseconds since the epoch")
    try:
        signature = b64decode(lowered[SIGNATURE_HEADER.lower()], field=SIGNATURE_HEADER,
                              length=64)
    except PlanetError as err:
        raise BadRequestSignature(err.message) from None
    return SignedRequest(lowered[ADDRESS_HEADER.lower()], int(raw_ts), signature)


def verify_blob_request(request: SignedRequest, *, public_key: bytes, chain_id: str, digest: str,
                        method: str, now_ms: int) -> None:
    """Raise BadRequestSignature unless the request is fresh and signed by `public_key`."""
    if abs(now_ms - request.timestamp) > MAX_SKEW_MS:
        raise BadRequestSignature(f"{TIMESTAMP_HEADER} is more than {MAX_SKEW_MS // 1000} s from the "
                            "server's clock; check the client's clock")
    message = compute_blob_sign_bytes(address=request.address, chain_id=chain_id, digest=digest,
                                      method=method, timestamp=request.timestamp)
    if not ed25519.verify(public_key, request.signature, message):  # the ledger's rule
        raise BadRequestSignature("bad signature: not signed by this address's key for this "
                                  "request")


class AccountLedger(Protocol):
    """What a service that checks signed requests reads of the ledger."""

    def query(self, path: str, args: dict[str, Any] | None = None) -> Any: ...


def signer_account(request: SignedRequest, ledger: AccountLedger, *, chain_id: str, digest: str,
                   method: str, now_ms: int) -> dict[str, Any]:
    """The ledger's account of the address that signed exactly this request; else
    BadRequestSignature (no such account, stale, or not that account's signature). The one
    sequence the identity, vault and webhooks services each authenticate a request by."""
    try:
        account = ledger.query("accounts/account", {"address": request.address})
    except (InvalidField, NotFound):
        raise BadRequestSignature(f"{request.address} is not an account on this chain") from None
    verify_blob_request(request, public_key=b64decode(account["public_key"], field="public_key", length=32),
                        chain_id=chain_id, digest=digest, method=method, now_ms=now_ms)
    return dict(account)
