"""Signed webhooks, both sides: a business's server checks a delivery (`verify_webhook`), and
a business manages its endpoints on a node with requests signed by its key.

A delivery is a POST of a JSON body with three headers. The signature is HMAC-SHA256 with
the endpoint's secret (the string the node returned once, at creation, as UTF-8 bytes) over
`timestamp + "." + body`, in lower-case hex; the timestamp is Unix seconds. A receiver
checks the signature in constant time and the timestamp within a tolerance (a captured
delivery cannot be replayed later), then deduplicates by the body's `id`: delivery is at
least once, so the same event may arrive again (a retry whose 200 was lost, a redelivery).

Management requests reuse the blob store's signed-request scheme (`planet.sdk.blobauth`:
address, timestamp and an Ed25519 signature over the chain id, method and a digest), with
the digest binding the request's path and body, so a signature made for one request is
good for no other.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from planet.sdk.blobauth import sign_blob_request
from planet.sdk.wallet import Wallet

TIMESTAMP_HEADER = "X-Planet-Webhook-Timestamp"
SIGNATURE_HEADER = "X-Planet-Webhook-Signature"
ID_HEADER = "X-Planet-Webhook-Id"
DEFAULT_TOLERANCE_S = 300
REQUEST_DOMAIN = b"planet/webhooks-request/v1\n"
EVENT_TYPES = (
    "redemption.made", "redemption.refunded", "request.accepted", "cohort.filled",
    "request.closed", "grant.revoked", "record.erased", "business.suspended",
    "business.suspension_lifted",
)
"""What a business may subscribe to (planet.webhooks.events derives them from blocks)."""


class WebhookVerificationError(ValueError):
    """A delivery that must be refused: unsigned, too old or too new, or not signed with
    the endpoint's secret (a tampered body, a forged request)."""


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256(secret, timestamp + "." + body) in lower-case hex."""
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body,
                    hashlib.sha256).hexdigest()


def sign_delivery(secret: str, event_id: str, body: bytes, timestamp: int | None = None
                  ) -> dict[str, str]:
    """The headers the node sends with a delivery."""
    ts = int(time.time()) if timestamp is None else timestamp
    return {ID_HEADER: event_id, TIMESTAMP_HEADER: str(ts),
            SIGNATURE_HEADER: compute_signature(secret, ts, body)}


def verify_webhook(secret: str, headers: Mapping[str, str], body: bytes,
                   tolerance_s: int = DEFAULT_TOLERANCE_S, now: int | None = None
                   ) -> dict[str, Any]:
    """The delivery's event ({id, type, height, time, data}) if `body` is signed with
    `secret` within `tolerance_s` seconds of now; else WebhookVerificationError."""
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_ts = lowered.get(TIMESTAMP_HEADER.lower(), "")
    signature = lowered.get(SIGNATURE_HEADER.lower(), "")
    if (not raw_ts.isascii() or not raw_ts.isdigit() or len(raw_ts) > 12 or not signature
            or not signature.isascii()):
        # hmac.compare_digest refuses a str that is not ASCII with a TypeError, and a
        # header is whatever a sender put there: refuse such a delivery like any bad one
        raise WebhookVerificationError(f"missing or malformed {TIMESTAMP_HEADER} or "
                                       f"{SIGNATURE_HEADER}")
    ts = int(raw_ts)
    current = int(time.time()) if now is None else now
    if abs(current - ts) > tolerance_s:
        raise WebhookVerificationError(f"{TIMESTAMP_HEADER} is {current - ts} s from now; at "
                                       f"most {tolerance_s} s is accepted")
    if not hmac.compare_digest(compute_signature(secret, ts, body).encode(),
                               signature.strip().lower().encode()):  # bytes, whatever they hold
        raise WebhookVerificationError("bad signature: not this endpoint's secret, or the body "
                                       "was changed")
    try:
        event = json.loads(body)
    except ValueError:
        raise WebhookVerificationError("the body is not JSON") from None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise WebhookVerificationError("the body is not a Planet event")
    return event


# --- managing endpoints: signed requests to a node -------------------------------------------


def compute_request_digest(path: str, body: bytes = b"") -> str:
    """What the signature binds besides method and chain: the URL path and the body."""
    return hashlib.sha256(REQUEST_DOMAIN + path.encode() + b"\n" + body).hexdigest()


def sign_webhooks_request(wallet: Wallet, *, chain_id: str, method: str, path: str,
                          body: bytes = b"", timestamp: int | None = None) -> dict[str, str]:
    """The headers of a management request by `wallet` (path as sent, without the query)."""
    return sign_blob_request(wallet, chain_id=chain_id, digest=compute_request_digest(path, body),
                             method=method, timestamp=timestamp)


class WebhooksClient:
    """A business's endpoints on one node (its API URL), every request signed by `wallet`."""

    def __init__(self, url: str, wallet: Wallet, chain_id: str | None = None,
                 timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.wallet = wallet
        self.http = httpx.Client(base_url=self.url, timeout=timeout)
        self._chain_id = chain_id

    def close(self) -> None:
        self.http.close()

    @property
    def chain_id(self) -> str:
        if self._chain_id is None:
            self._chain_id = str(self._send("GET", "/v1/status", signed=False)["chain_id"])
        return self._chain_id

    def _base(self) -> str:
        return f"/v1/businesses/{quote(self.wallet.address)}/webhooks"

    def _send(self, method: str, path: str, body: Any = None, *, signed: bool = True,
              params: dict[str, Any] | None = None) -> Any:
        from planet.sdk.client import NodeError

        raw = b"" if body is None else json.dumps(body).encode()
        headers = {"content-type": "application/json"} if body is not None else {}
        if signed:
            headers |= sign_webhooks_request(self.wallet, chain_id=self.chain_id, method=method,
                                             path=path, body=raw)
        try:
            r = self.http.request(method, path, content=raw or None, headers=headers,
                                  params=params)
        except httpx.TransportError as err:
            raise NodeError(0, {"message": f"cannot reach the node at {self.url}: {err}"}) from None
        try:
            answer = r.json()
        except ValueError:
            answer = {"message": r.text[:300]}
        if r.status_code >= 400:
            raise NodeError(r.status_code, answer if isinstance(answer, dict) else {})
        return answer

    def add(self, url: str, events: Sequence[str]) -> dict[str, Any]:
        """A new endpoint; the answer holds its `secret`, shown this once."""
        return self._send("POST", self._base(), {"url": url, "events": list(events)})  # type: ignore[no-any-return]

    def endpoints(self) -> list[dict[str, Any]]:
        return self._send("GET", self._base())["webhooks"]  # type: ignore[no-any-return]

    def remove(self, endpoint_id: str) -> dict[str, Any]:
        return self._send("DELETE", f"{self._base()}/{quote(endpoint_id)}")  # type: ignore[no-any-return]

    def deliveries(self, endpoint_id: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": limit}
        if endpoint_id:
            params["endpoint"] = endpoint_id
        return self._send("GET", f"{self._base()}/deliveries", params=params)["deliveries"]  # type: ignore[no-any-return]

    def redeliver(self, delivery_id: int) -> dict[str, Any]:
        return self._send("POST", f"{self._base()}/deliveries/{int(delivery_id)}/redeliver", {})  # type: ignore[no-any-return]
