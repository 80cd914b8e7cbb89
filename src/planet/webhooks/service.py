"""Signed webhooks for businesses: endpoints, a queue of deliveries, and the threads that
fill it from committed blocks and empty it over HTTP.

**Events** come from committed blocks only (`planet.webhooks.events`). The node's commit
listener only notes the new height and wakes the reader thread, which reads each block
after the last one it read (`webhook_cursor`), queues one delivery per (endpoint, event)
and moves the cursor in the same transaction. After a restart it goes on from the cursor,
so a block committed while the service was down is not missed, and re-reading a block
queues nothing twice (a delivery is unique per endpoint and event id). A new endpoint
hears of blocks after the one committed when it was made. The queue is in a database file
of its own (`planet.webhooks.store`), so its writes never hold up a block commit.

**Delivery** is at least once: a POST signed with the endpoint's secret
(`planet.sdk.webhooks`), retried on anything but a 2xx after an exponential backoff with
jitter, capped, up to `max_attempts`; then the delivery is `failed` until redelivered. The
queue is in the database, so a node killed between attempts goes on after its restart.
Bounded: a worker pool of `workers`; at most `per_endpoint` attempts in flight to one
endpoint and `per_business` to all of one business's endpoints together, so a business
whose receivers are slow holds at most `per_business` workers however many endpoints it
has; every attempt ends by its deadline (`attempt_timeout_s`, for connecting, sending and
reading the answer together, so a receiver that drips a byte at a time cannot hold a
worker longer); no redirects; the first `response_bytes` of a 2xx answer kept (an error
answer's body is never read or kept); `keep_deliveries` finished deliveries per endpoint
in the log.

**Registration** is a request signed by the business's key (the API's signed-request
scheme, `planet.sdk.webhooks.sign_webhooks_request`); the secret is made here, returned
once and never logged. A URL into the node's own network (loopback, private, link-local)
is refused unless the node's config allows it (`allow_private_urls`): its name is checked
at registration, and every connection resolves the name once and connects only to an
address it vetted (`VettedBackend`), so a name that answers a public address to the check
and a private one a moment later (DNS rebinding) reaches nothing inside.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import logging
import random
import secrets
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpcore
import httpx

from planet.core.errors import (
    BadRequestSignature,
    DeliveryUnknown,
    InvalidField,
    NotBusiness,
    TooManyWebhooks,
    Unauthorized,
    WebhookUnknown,
    WebhookUrlRefused,
)
from planet.sdk.blobauth import parse_signed_headers, signer_account
from planet.sdk.clock import wall_clock_ms
from planet.sdk.urls import UrlRefused, check_url
from planet.sdk.webhooks import EVENT_TYPES, compute_request_digest, sign_delivery
from planet.webhooks.events import BlockLike, TxLike, WebhookEvent, derive_events
from planet.webhooks.store import Added, Due, Endpoint, Outcome, WebhookStore

log = logging.getLogger("planet.webhooks")

RECENT_BLOCKS = 256
"""Blocks the listener hands over in memory; past that the reader reads them from the store."""
CURSOR_EVERY_S = 2.0
"""How often the cursor is written when blocks bring no event for any endpoint."""


@dataclass(frozen=True)
class WebhookConfig:
    """config.json's `webhooks` object; every field optional."""

    allow_private_urls: bool = False
    backoff_base_s: float = 2.0
    backoff_cap_s: float = 3_600.0
    max_attempts: int = 12
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 10.0
    """Per read: the most an answer may pause."""
    attempt_timeout_s: float = 10.0
    """Per attempt, all of it: connecting, sending, the answer's headers and first bytes."""
    workers: int = 8
    per_endpoint: int = 2
    per_business: int = 4
    """Attempts in flight to all of one business's endpoints together."""
    max_endpoints: int = 10
    """Per business, on this node."""
    response_bytes: int = 256
    keep_deliveries: int = 1_000

    def __post_init__(self) -> None:
        for name in ("workers", "per_endpoint", "per_business", "max_attempts", "max_endpoints"):
            if getattr(self, name) < 1:
                raise ValueError(f"config.json webhooks: {name} must be at least 1")
        for name in ("connect_timeout_s", "read_timeout_s", "attempt_timeout_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"config.json webhooks: {name} must be more than 0")

    @classmethod
    def from_config(cls, data: Mapping[str, Any] | None) -> WebhookConfig:
        data = dict(data or {})
        unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"config.json webhooks: unknown key(s) {', '.join(sorted(unknown))}")
        return cls(**data)

    def backoff_s(self, attempts: int) -> float:
        """The wait after the `attempts`-th failure: doubling, capped, times a jitter in
        [0.5, 1) so that receivers that come back are not hit by every node at once."""
        delay = min(self.backoff_cap_s, self.backoff_base_s * 2.0 ** min(attempts - 1, 40))
        return float(delay * random.uniform(0.5, 1.0))


class BlockSource(Protocol):
    """The node's stored blocks (planet.storage.sqlite.NodeStore fits)."""

    def get_block(self, height: int) -> BlockLike | None: ...

    def block_txs(self, height: int) -> Sequence[TxLike]: ...

    def block_events(self, height: int) -> Sequence[Mapping[str, Any]]: ...


class Ledger(Protocol):
    """What the service needs of the node (planet.engines.base.Node fits)."""

    @property
    def height(self) -> int: ...

    @property
    def store(self) -> BlockSource: ...

    def query(self, path: str, args: dict[str, Any] | None = None) -> Any: ...


def resolve(host: str, port: int) -> list[str]:
    """The addresses `host` has now, in the resolver's order: the one place a webhook's
    host name is looked up (check_endpoint_url and every connection, VettedBackend)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public(address: str) -> bool:
    """A global address: not loopback, private, link-local, shared or reserved (an
    IPv4-mapped IPv6 address is judged as the IPv4 address it carries)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(ip.is_global)


def vetted_addresses(host: str, port: int, allow_private: bool) -> list[str]:
    """`host`'s addresses, resolved once; WebhookUrlRefused if it has none, or (unless
    private ones are allowed) if any of them is not public."""
    try:
        addresses = resolve(host, port)
    except OSError as err:
        raise WebhookUrlRefused(f"url: cannot resolve {host}: {err}") from None
    if not addresses:
        raise WebhookUrlRefused(f"url: {host} has no address")
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise WebhookUrlRefused(f"url: {host} is {address}, not a public address; "
                                        "this node does not deliver into its own network")
    return addresses


def check_endpoint_url(url: str, allow_private: bool, resolve: bool = True) -> None:
    """Refuse what is not a URL a node may call (sdk.urls.check_url: http or https, the
    receiver's choice, since the body is signed), and (unless allowed) one whose host is or
    resolves to an address that is not global: loopback, private, link-local, reserved."""
    try:
        check_url(url, "url", plain_http=True)
    except UrlRefused as err:
        raise WebhookUrlRefused(str(err)) from None
    parts = urlsplit(url)
    if allow_private or not resolve:
        return
    vetted_addresses(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80), False)


# --- the connections: resolved once, to a vetted address, within the attempt's deadline ---------

_attempt = threading.local()
"""`.deadline`: the time.monotonic() by which the current thread's attempt must end."""


class AttemptDeadline(httpcore.TimeoutException):
    """The attempt's total deadline passed (not one read's timeout)."""


def _within_deadline(timeout: float | None) -> float | None:
    """`timeout` cut to what is left of this thread's attempt; AttemptDeadline if nothing."""
    deadline: float | None = getattr(_attempt, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise AttemptDeadline("the attempt's deadline passed")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake waits at most what is left of
    the attempt's deadline: httpx's read timeout is per read, so without this an answer
    dripped a byte at a time keeps an attempt (and its worker) alive indefinitely. httpcore
    does a sync request's I/O on the calling thread, so the deadline is a thread-local
    that the worker sets around its attempt; a pooled connection obeys the deadline of
    whichever attempt uses it."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, _within_deadline(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _within_deadline(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return DeadlineStream(self.inner.start_tls(ssl_context, server_hostname,
                                                   _within_deadline(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class VettedBackend(httpcore.SyncBackend):
    """httpcore's network backend with the name lookup taken over: each new connection
    resolves the host once (`resolve`), refuses it unless every address is public (when
    private ones are not allowed), and connects to those very addresses, never to a second
    lookup's. The pool, TLS and HTTP stay httpcore's, keyed by the URL's host name, so the
    Host header and the TLS SNI and certificate check are the name's. (The smallest sound
    fix of DNS rebinding: checking a name, then letting the client look it up again to
    connect, lets a zero-TTL name answer a public address to the check and 127.0.0.1 to the
    connection.) A pooled connection was vetted when it was made."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        error: Exception | None = None
        for address in vetted_addresses(host, port, self.allow_private):
            try:
                stream = super().connect_tcp(address, port, _within_deadline(timeout),
                                             local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as err:
                error = err  # the next address, as socket.create_connection would
                continue
            return DeadlineStream(stream)
        assert error is not None
        raise error


class VettedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool that connects through VettedBackend."""

    def __init__(self, config: WebhookConfig) -> None:
        super().__init__(trust_env=False)
        # httpx has no parameter for httpcore's network backend; its pool is `_pool`. Should
        # that change, the DNS-rebinding test fails: nothing would pass through the backend.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=config.workers * 2, max_keepalive_connections=config.workers,
            keepalive_expiry=5.0, network_backend=VettedBackend(config.allow_private_urls))


def read_some(response: httpx.Response, limit: int) -> str:
    """The first `limit` bytes of an answer, as text; the rest is never read."""
    buf = b""
    for chunk in response.iter_raw():
        buf += chunk
        if len(buf) >= limit:
            break
    return buf[:limit].decode("utf-8", "replace")


class WebhookService:
    def __init__(self, node: Ledger, db_path: Path, chain_id: str,
                 config: WebhookConfig | None = None,
                 clock: Callable[[], int] = wall_clock_ms,
                 on_delivered: Callable[[str, int], None] | None = None) -> None:
        """`on_delivered(event_id, height)` is told of each 2xx (the benchmark's timer)."""
        self.node, self.chain_id = node, chain_id
        self.config = config or WebhookConfig()
        self.clock = clock
        self.on_delivered = on_delivered
        self.store = WebhookStore(db_path)
        self._cond = threading.Condition()
        self._kick = False
        self._stop = threading.Event()
        self._announced = 0
        self._recent: dict[int, tuple[BlockLike, list[TxLike], Sequence[Mapping[str, Any]]]] = {}
        self._by_business: dict[str, list[Endpoint]] = {}
        self._by_id: dict[str, Endpoint] = {}
        self._inflight: dict[int, str] = {}
        self._per_endpoint: Counter[str] = Counter()
        self._per_business: Counter[str] = Counter()
        self._outcomes: list[Outcome] = []
        self._settling: set[int] = set()
        """Attempted, outcome not yet written: the queue still says pending, so not again."""
        self._threads: list[threading.Thread] = []
        self._pool = ThreadPoolExecutor(self.config.workers, thread_name_prefix="webhook")
        self._http = httpx.Client(
            timeout=httpx.Timeout(self.config.read_timeout_s, connect=self.config.connect_timeout_s,
                                  pool=self.config.attempt_timeout_s),
            follow_redirects=False, trust_env=False, transport=VettedTransport(self.config))
        self._load_endpoints()

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Go on from the stored cursor (a first start begins at the current block)."""
        if self.store.cursor() is None:
            self.store.enqueue(self.node.height, (), self.clock())
        with self._cond:
            self._announced = max(self._announced, self.node.height)
        for name, target in (("webhook-reader", self._read_loop),
                             ("webhook-sender", self._send_loop)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def close(self) -> None:
        self._stop.set()
        self._wake()
        for thread in self._threads:
            thread.join(timeout=15)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._flush()
        self._http.close()
        self.store.close()

    def on_block(self, block: BlockLike, records: Sequence[TxLike]) -> None:
        """The node's commit listener (its sequencer thread): note it, wake the reader."""
        with self._cond:
            self._announced = max(self._announced, block.height)
            if len(self._recent) < RECENT_BLOCKS:
                self._recent[block.height] = (block, list(records), block.events)
            self._kick = True
            self._cond.notify_all()

    def _wake(self) -> None:
        with self._cond:
            self._kick = True
            self._cond.notify_all()

    def _load_endpoints(self) -> None:
        endpoints = self.store.endpoints()
        by_business: dict[str, list[Endpoint]] = {}
        for ep in endpoints:
            by_business.setdefault(ep.business, []).append(ep)
        with self._cond:
            self._by_business = by_business
            self._by_id = {ep.id: ep for ep in endpoints}

    # --- reading blocks -----------------------------------------------------------------------

    def _read_loop(self) -> None:
        cursor = self.store.cursor() or 0
        last_write = time.monotonic()
        while not self._stop.is_set():
            with self._cond:
                while self._announced <= cursor and not self._stop.is_set():
                    if not self._cond.wait(1.0):
                        self._announced = max(self._announced, self.node.height)
                target = self._announced
            try:
                for height in range(cursor + 1, target + 1):
                    if self._stop.is_set():
                        return
                    items = self._events_of(height)
                    if items or height == target or time.monotonic() - last_write > CURSOR_EVERY_S:
                        if self.store.enqueue(height, items, self.clock()):
                            self._wake()
                        last_write = time.monotonic()
                    cursor = height
            except Exception:  # the database busy for long, a bug: retry, never stop
                log.exception("webhooks: reading block %d failed", cursor + 1)
                self._stop.wait(1.0)

    def _events_of(self, height: int) -> list[tuple[str, WebhookEvent]]:
        with self._cond:
            held = self._recent.pop(height, None)
            subscribed = self._by_business
        if not subscribed:
            return []
        if held is None:
            block = self.node.store.get_block(height)
            if block is None:  # before a state-synced node's first block
                return []
            held = (block, list(self.node.store.block_txs(height)),
                    self.node.store.block_events(height))
        return [(ep.id, event) for event in derive_events(*held)
                for ep in subscribed.get(event.business, ())
                if event.type in ep.events and height > ep.from_height]

    # --- sending ------------------------------------------------------------------------------

    def _send_loop(self) -> None:
        pruned = time.monotonic()
        while not self._stop.is_set():
            try:
                self._flush()
                dispatched = self._dispatch()
                if time.monotonic() - pruned > 60:
                    self.store.prune(self.config.keep_deliveries)
                    pruned = time.monotonic()
                timeout = 0.0 if dispatched else self._idle_s()
            except Exception:
                log.exception("webhooks: the sender failed a step")
                timeout = 1.0
            with self._cond:
                if not self._kick and timeout > 0:
                    self._cond.wait(timeout)
                self._kick = False

    def _idle_s(self) -> float:
        with self._cond:
            if self._outcomes:
                return 0.02  # write the finished attempts back soon, in one batch
        next_at = self.store.next_due_at()
        if next_at is None:
            return 1.0
        return min(1.0, max(0.01, (next_at - self.clock()) / 1000))

    def _full(self) -> list[str]:
        """The endpoints that may not have another attempt in flight now: at their own cap,
        or of a business at its cap. Called with the condition held."""
        full = [ep for ep, n in self._per_endpoint.items() if n >= self.config.per_endpoint]
        for business, n in self._per_business.items():
            if n >= self.config.per_business:
                full += [ep.id for ep in self._by_business.get(business, ())]
        return full

    def _dispatch(self) -> int:
        with self._cond:
            room = self.config.workers - len(self._inflight)
            if room <= 0:
                return 0
            inflight = [*self._inflight, *self._settling]
            busy = self._full()
        due = self.store.due(self.clock(), inflight, busy, limit=room * 4)
        sent = 0
        for d in due:
            with self._cond:
                endpoint = self._by_id.get(d.endpoint)
                if (endpoint is None or d.id in self._inflight or d.id in self._settling
                        or self._per_endpoint[d.endpoint] >= self.config.per_endpoint
                        or self._per_business[endpoint.business] >= self.config.per_business
                        or len(self._inflight) >= self.config.workers):
                    continue
                self._inflight[d.id] = d.endpoint
                self._per_endpoint[d.endpoint] += 1
                self._per_business[endpoint.business] += 1
            self._pool.submit(self._attempt, d, endpoint)
            sent += 1
        return sent

    def _post(self, d: Due, endpoint: Endpoint) -> tuple[int, str | None]:
        """One POST within the attempt's deadline: the status and, for a 2xx only, the
        answer's first bytes (an error page may hold what a receiver's network shows only
        inside; it is never read)."""
        headers = {**sign_delivery(endpoint.secret, d.event_id, d.body),
                   "Content-Type": "application/json", "User-Agent": "planet-webhooks/1"}
        _attempt.deadline = time.monotonic() + self.config.attempt_timeout_s
        try:
            with self._http.stream("POST", endpoint.url, content=d.body,
                                   headers=headers) as response:
                code = response.status_code
                ok = 200 <= code < 300
                return code, read_some(response, self.config.response_bytes) if ok else None
        finally:
            _attempt.deadline = None

    def _attempt(self, d: Due, endpoint: Endpoint) -> None:
        code: int | None = None
        answer: str | None = None
        error: str | None = None
        started = time.monotonic()
        try:
            check_endpoint_url(endpoint.url, self.config.allow_private_urls, resolve=False)
            code, answer = self._post(d, endpoint)  # the connection vets the address
            if not 200 <= code < 300:
                error = f"HTTP {code}"
        except WebhookUrlRefused as err:
            error = err.message
        except httpx.HTTPError as err:
            if time.monotonic() - started >= self.config.attempt_timeout_s:
                error = (f"deadline: no complete answer within {self.config.attempt_timeout_s:g} "
                         "s")
            else:
                error = f"{type(err).__name__}: {err}"[:300] or type(err).__name__
        except Exception as err:  # never lose a worker's outcome
            log.exception("webhooks: delivery %d failed unexpectedly", d.id)
            error = f"{type(err).__name__}"[:300]
        now = self.clock()
        attempts = d.attempts + 1
        ok = error is None
        failed = not ok and attempts >= self.config.max_attempts
        next_at = now if ok or failed else now + int(self.config.backoff_s(attempts) * 1000)
        outcome = Outcome(d.id, ok, attempts, next_at, failed, error, code, answer, now)
        with self._cond:
            self._outcomes.append(outcome)
            self._settling.add(d.id)
            self._inflight.pop(d.id, None)
            for counter, key in ((self._per_endpoint, d.endpoint),
                                 (self._per_business, endpoint.business)):
                counter[key] -= 1
                if counter[key] <= 0:
                    del counter[key]
            self._kick = True
            self._cond.notify_all()
        if ok and self.on_delivered is not None:
            self.on_delivered(d.event_id, d.height)

    def _flush(self) -> None:
        with self._cond:
            batch, self._outcomes = self._outcomes, []
        if batch:
            try:
                self.store.record(batch)
            except BaseException:
                with self._cond:  # try again on the next step
                    self._outcomes[:0] = batch
                raise
            with self._cond:
                self._settling.difference_update(o.id for o in batch)

    # --- management: signed requests of a business --------------------------------------------

    def authenticate(self, headers: Mapping[str, str], address: str, method: str, path: str,
                     body: bytes = b"") -> bytes:
        """The request's signature if `address`, an approved business, signed exactly this
        request; else BadRequestSignature (unsigned, stale, forged) or an Unauthorized."""
        signed = parse_signed_headers(dict(headers))
        if signed.address != address:
            raise Unauthorized(f"signed by {signed.address}; only {address} manages its webhooks")
        account = signer_account(signed, self.node, chain_id=self.chain_id,
                                 digest=compute_request_digest(path, body), method=method,
                                 now_ms=self.clock())
        if account.get("kind") != "business":
            raise NotBusiness(f"{address} is not a business: only businesses have webhooks")
        return signed.signature

    def register(self, headers: Mapping[str, str], address: str, path: str, body: bytes
                 ) -> dict[str, Any]:
        """A new endpoint, with its secret: the only time the secret leaves the node."""
        signature = self.authenticate(headers, address, "POST", path, body)
        url, events = parse_registration(body)
        check_endpoint_url(url, self.config.allow_private_urls)
        endpoint = Endpoint(id="wh_" + secrets.token_hex(8), business=address, url=url,
                            events=events, secret="whsec_" + secrets.token_urlsafe(32),
                            created_at=self.clock(), from_height=self.node.height)
        added = self.store.add_endpoint(endpoint, signature, self.config.max_endpoints)
        if added is Added.FULL:
            raise TooManyWebhooks(f"{address} has {self.config.max_endpoints} webhooks on this "
                                  "node, the most it may; remove one first")
        if added is Added.REPLAYED:
            raise BadRequestSignature("this signed request was used before; sign a new one")
        self._load_endpoints()
        log.info("webhook %s added for %s", endpoint.id, address)  # never the secret
        return {**endpoint.to_json(), "secret": endpoint.secret}

    def list_endpoints(self, headers: Mapping[str, str], address: str, path: str
                       ) -> dict[str, Any]:
        self.authenticate(headers, address, "GET", path)
        return {"webhooks": [ep.to_json() for ep in self.store.endpoints(address)]}

    def _own(self, address: str, endpoint_id: str) -> Endpoint:
        with self._cond:
            endpoint = self._by_id.get(endpoint_id)
        if endpoint is None or endpoint.business != address:
            raise WebhookUnknown(f"{address} has no webhook {endpoint_id}")
        return endpoint

    def remove(self, headers: Mapping[str, str], address: str, path: str, endpoint_id: str
               ) -> dict[str, Any]:
        self.authenticate(headers, address, "DELETE", path)
        self._own(address, endpoint_id)
        self.store.remove_endpoint(endpoint_id)
        self._load_endpoints()
        log.info("webhook %s removed", endpoint_id)
        return {"id": endpoint_id, "removed": True}

    def deliveries(self, headers: Mapping[str, str], address: str, path: str,
                   endpoint_id: str | None = None, limit: int = 50) -> dict[str, Any]:
        self.authenticate(headers, address, "GET", path)
        if endpoint_id:
            ids = [self._own(address, endpoint_id).id]
        else:
            ids = [ep.id for ep in self.store.endpoints(address)]
        return {"deliveries": self.store.deliveries(ids, max(1, min(limit, 500)))}

    def redeliver(self, headers: Mapping[str, str], address: str, path: str, delivery_id: int,
                  body: bytes = b"{}") -> dict[str, Any]:
        self.authenticate(headers, address, "POST", path, body)
        delivery = self.store.delivery(delivery_id)
        if delivery is None:
            raise DeliveryUnknown(f"no delivery {delivery_id}")
        try:
            self._own(address, str(delivery["endpoint"]))
        except WebhookUnknown:
            raise DeliveryUnknown(f"no delivery {delivery_id} to a webhook of {address}"
                                  ) from None
        self.store.redeliver(delivery_id, self.clock())
        self._wake()
        return {**delivery, "status": "pending", "attempts": 0}


def parse_registration(body: bytes) -> tuple[str, tuple[str, ...]]:
    """{"url": …, "events": […]} and nothing else."""
    try:
        doc = json.loads(body)
    except ValueError:
        raise InvalidField("body: expected JSON {\"url\", \"events\"}") from None
    if not isinstance(doc, dict) or set(doc) - {"url", "events"}:
        raise InvalidField("body: expected JSON {\"url\", \"events\"} and no other field")
    url, events = doc.get("url"), doc.get("events")
    if not isinstance(url, str) or not url:
        raise InvalidField("url: expected a string")
    if (not isinstance(events, list) or not events
            or not all(isinstance(e, str) for e in events)):
        raise InvalidField(f"events: expected a non-empty list of {', '.join(EVENT_TYPES)}")
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        raise InvalidField(f"events: unknown {', '.join(unknown)}; expected some of "
                           f"{', '.join(EVENT_TYPES)}")
    return url, tuple(dict.fromkeys(events))
