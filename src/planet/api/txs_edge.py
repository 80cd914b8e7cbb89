"""Transaction ingress at the ASGI edge: `POST /v1/txs` and `POST /v1/txs/batch` answered
before FastAPI.

A node busy with submissions spent most of a request's CPU in the framework (routing,
query validation, the response class) and in two thread hops, not in the node: the edge
reads the body with the routes' own size-limited reader (`planet.api.body`), admits the
tx through the shared batched admission (`planet.api.admission`), and waits for the
commit on the event loop: the engine's commit callback sets an asyncio future through
`loop.call_soon_threadsafe`, and a timer handle bounds the wait, so a waiting client holds
a future and a timer, not a thread or a task.

Both take an `Idempotency-Key` header (planet.api.idempotency): a retried request with the
same key and body gets the first answer instead of being submitted again.

The FastAPI routes stay declared (they are the OpenAPI description, and they answer what
the edge leaves to them: a query string it does not parse exactly as FastAPI would, such
as a repeated or unusual `wait`), and they call the same `TxIngress` methods, so both
paths answer with the same statuses and bodies.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any, Final
from urllib.parse import parse_qsl

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from planet.api.admission import Admission
from planet.api.body import receive_body
from planet.api.errors import status_for
from planet.api.idempotency import REPLAYED, Answer, IdempotencyKeys, fingerprint, parse_key
from planet.core.encoding import parse_json_unique
from planet.core.errors import BodyTooLarge, DuplicateKey, InvalidField, PlanetError
from planet.engines.base import Node, Submitted
from planet.storage.sqlite import TxRecord

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

TXS_PATH: Final = "/v1/txs"
BATCH_PATH: Final = "/v1/txs/batch"
MAX_BATCH_TXS: Final = 1_000
DEFAULT_TIMEOUT_S: Final = 20.0
MAX_TIMEOUT_S: Final = 60.0
DROPPED: Final = "dropped from the mempool before inclusion"

# pydantic's lax booleans (what FastAPI accepts for `wait`), compared lower-cased.
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})
_DECIMAL = re.compile(r"[0-9]{1,6}(?:\.[0-9]{1,9})?")


class _TimedOut:
    """The wait for a commit ran out (the answer is then 202, `committed: null`)."""


TIMED_OUT: Final = _TimedOut()
Outcome = TxRecord | None | _TimedOut


_OPTIONS: dict[bytes, tuple[bool, float] | None] = {}
_MAX_OPTIONS = 256


def parse_options(query: bytes) -> tuple[bool, float] | None:
    """`wait` and `timeout` from a query string, or None for anything FastAPI's validation
    must judge (a repeated name, a value outside the plain forms): the edge then lets the
    route answer, so a 422 keeps FastAPI's own words. Other names are ignored, as there.

    Clients send the same few query strings again and again: the answers to the last
    `_MAX_OPTIONS` distinct ones are kept (parsing was a few µs of every submission)."""
    if query in _OPTIONS:
        return _OPTIONS[query]
    options = _parse_options(query)
    if len(_OPTIONS) >= _MAX_OPTIONS:
        _OPTIONS.clear()
    _OPTIONS[query] = options
    return options


def _parse_options(query: bytes) -> tuple[bool, float] | None:
    wait, timeout = True, DEFAULT_TIMEOUT_S
    if not query:
        return wait, timeout
    seen: set[str] = set()
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name in seen:
            return None
        if name == "wait":
            lowered = value.lower()
            if lowered in _TRUE:
                wait = True
            elif lowered in _FALSE:
                wait = False
            else:
                return None
            seen.add(name)
        elif name == "timeout":
            if _DECIMAL.fullmatch(value) is None:
                return None
            timeout = float(value)
            if not 0 < timeout <= MAX_TIMEOUT_S:
                return None
            seen.add(name)
    return wait, timeout


def _json_response(status: int, content: Any) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    body = orjson.dumps(content)
    return status, [(b"content-length", str(len(body)).encode()),
                    (b"content-type", b"application/json")], body


def _content_length(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return bytes(value).decode("latin-1")
    return None


class TxIngress:
    """Submission and commit waits for one app: shared by the edge and the routes."""

    def __init__(self, node: Node, max_body_bytes: int, max_batch_txs: int = MAX_BATCH_TXS
                 ) -> None:
        self.node = node
        self.admission = Admission(node)
        self.max_tx = node.genesis.params.max_tx_bytes  # a longer body can never be a valid tx
        self.max_batch_bytes = max_body_bytes
        self.max_batch_txs = max_batch_txs
        self._inbox: LoopInbox | None = None
        self.keys = IdempotencyKeys()
        self.headers: tuple[tuple[bytes, bytes], ...] = ()
        """Sent with every answer of the edge (the security headers, when it answers in
        front of the middleware that adds them: planet.api.edge.IngressFront)."""

    def tx_too_large(self, _size: int) -> BodyTooLarge:
        """The refusal of a body over max_tx_bytes (a 413; the routes raise it as the
        HTTPException `http_413` makes of it). A node whose http_limits.max_body_bytes is
        below the chain's max_tx_bytes refuses at that with the edge's words, as before."""
        if self.max_tx > self.max_batch_bytes:
            return BodyTooLarge(f"body over {self.max_batch_bytes} bytes")
        return BodyTooLarge(f"a transaction is at most {self.max_tx} bytes (the chain's "
                            "max_tx_bytes)")

    def batch_too_large(self, _size: int) -> BodyTooLarge:
        return BodyTooLarge(f"a batch is at most {self.max_batch_bytes} bytes (the node's "
                            "http_limits.max_body_bytes); send it in parts")

    # --- the edge ---------------------------------------------------------------------------

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> tuple[str, int] | None:
        """Answer a POST to /v1/txs or /v1/txs/batch: the route label and status sent, or
        None when FastAPI is to answer (nothing was read or sent then)."""
        path = scope["path"]
        options = parse_options(scope.get("query_string", b""))
        if options is None:
            return None
        wait, timeout = options
        batch = path == BATCH_PATH
        declared = _content_length(scope)
        extra: list[tuple[bytes, bytes]] = []
        try:
            if batch:
                body = await receive_body(declared, receive, self.max_batch_bytes,
                                          self.batch_too_large)
            else:
                body = await receive_body(declared, receive,
                                          min(self.max_tx, self.max_batch_bytes),
                                          self.tx_too_large)
            key = parse_key(v for n, v in scope.get("headers", ()) if n == b"idempotency-key")
            status, content, replayed = await self.answer(path, body, key, wait, timeout)
            if replayed:
                extra.append((REPLAYED.lower().encode(), b"true"))
        except ClientDisconnect:
            return path, 499  # nobody to answer; counted as nginx counts it
        except BodyTooLarge as err:
            status, content = 413, err.to_dict()
        except PlanetError as err:
            status, content = status_for(err), err.to_dict()
        status, headers, body = _json_response(status, content)
        await send({"type": "http.response.start", "status": status,
                    "headers": [*headers, *self.headers, *extra]})
        await send({"type": "http.response.body", "body": body})
        return path, status

    # --- the answers, shared with the routes -----------------------------------------------

    async def answer(self, path: str, body: bytes, key: str | None, wait: bool,
                     timeout: float) -> tuple[int, dict[str, Any], bool]:
        """The answer to a POST of `body` to `path` (TXS_PATH or BATCH_PATH): with an
        idempotency key, the first answer given to that key and request if there was one
        (then `replayed`), brought up to date if it was a 202."""

        async def compute() -> Answer:
            try:
                if path == BATCH_PATH:
                    return await self.answer_batch(body, wait, timeout)
                return await self.answer_one(body, wait, timeout)
            except PlanetError as err:
                return status_for(err), err.to_dict()

        if key is None:
            return (*await compute(), False)
        status, content, replayed = await self.keys.run(key, fingerprint(path, body), compute)
        if replayed:
            status, content = self.bring_up_to_date(path, status, content)
        return status, content, replayed

    def bring_up_to_date(self, path: str, status: int, content: dict[str, Any]) -> Answer:
        """A kept 202 (a tx not committed in time) with the commits made since: a retry
        learns what it came back for, not only what the first answer knew."""
        if status != 202:
            return status, content
        if path != BATCH_PATH:
            record = self.node.store.get_tx(bytes.fromhex(content["hash"]))
            return (202, content) if record is None else (200, {**content,
                                                                "committed": record.to_json()})
        waiting = False
        results = []
        for item in content["results"]:
            if item.get("accepted") and item.get("committed") is None and "message" not in item:
                record = self.node.store.get_tx(bytes.fromhex(item["hash"]))
                if record is None:
                    waiting = True
                else:
                    item = {**item, "committed": record.to_json()}
            results.append(item)
        return (202 if waiting else 200), {**content, "results": results}

    async def answer_one(self, raw: bytes, wait: bool, timeout: float
                         ) -> tuple[int, dict[str, Any]]:
        """`POST /v1/txs`: 400 refused by check_tx, 200 accepted (and committed if waited
        for), 202 not committed within `timeout`, 409 dropped before inclusion."""
        submitted = await self.admission.submit(raw)
        out: dict[str, Any] = {"hash": submitted.hash.hex(), "check": submitted.result.to_json()}
        if not submitted.accepted:
            return 400, out
        if wait:
            (record,) = await self.wait_commits([submitted.hash], timeout)
            if isinstance(record, _TimedOut):
                return 202, {**out, "committed": None}
            out["committed"] = record.to_json() if record else None
            if record is None:
                return 409, {**out, "message": DROPPED}
        return 200, out

    async def answer_batch(self, body: bytes, wait: bool, timeout: float
                           ) -> tuple[int, dict[str, Any]]:
        """`POST /v1/txs/batch`: one result per tx, in order; 200, or 202 if a tx accepted
        was not committed within `timeout`. A malformed batch raises InvalidField (400)."""
        raws = self.parse_batch(body)
        submitted = await self.admission.submit_many(raws)
        results = [_batch_item(s) for s in submitted]
        status = 200
        if wait:
            waited = [i for i, s in enumerate(submitted) if s.accepted]
            outcomes = await self.wait_commits([submitted[i].hash for i in waited], timeout)
            for i, record in zip(waited, outcomes, strict=True):
                if isinstance(record, _TimedOut):
                    results[i]["committed"] = None
                    status = 202
                elif record is None:
                    results[i]["committed"] = None
                    results[i]["message"] = DROPPED
                else:
                    results[i]["committed"] = record.to_json()
        return status, {"results": results}

    def parse_batch(self, body: bytes) -> list[bytes]:
        """The raw txs of a batch body `{"txs": ["<signed tx JSON>", …]}`; InvalidField for
        anything else, saying what is wrong."""
        try:
            doc = parse_json_unique(body)
        except ValueError as err:
            raise InvalidField(f"batch: not valid UTF-8 JSON ({err})") from None
        except DuplicateKey as err:
            raise InvalidField(f"batch: {err.message}") from None
        if not isinstance(doc, dict):
            raise InvalidField('batch: expected a JSON object {"txs": [...]}')
        unknown = sorted(set(doc) - {"txs"})
        if unknown:
            raise InvalidField(f"batch: unknown field {unknown[0][:40]!r}; the only field is "
                               "'txs'")
        txs = doc.get("txs")
        if not isinstance(txs, list):
            raise InvalidField("batch.txs: expected a list of signed transactions, each as "
                               "the string of its JSON")
        if not txs:
            raise InvalidField("batch.txs: empty; send at least one transaction")
        if len(txs) > self.max_batch_txs:
            raise InvalidField(f"batch.txs: {len(txs)} transactions; a batch holds at most "
                               f"{self.max_batch_txs}")
        raws: list[bytes] = []
        for i, tx in enumerate(txs):
            if not isinstance(tx, str):
                raise InvalidField(f"batch.txs[{i}]: expected a string (a signed "
                                   f"transaction's JSON text), got {_json_type(tx)}")
            raws.append(tx.encode("utf-8", "surrogatepass"))
        return raws

    # --- waiting for commits ----------------------------------------------------------------

    async def wait_commits(self, hashes: Sequence[bytes], timeout: float) -> list[Outcome]:
        """Each tx's committed record (None: dropped; TIMED_OUT: not within `timeout`),
        awaited on the event loop: the engine's callback, on its own thread, hands each
        outcome to the loop through the inbox (`call_soon_threadsafe`, once per block);
        one future waits for them all, and a timer bounds the wait."""
        loop = asyncio.get_running_loop()
        inbox = self._inbox
        if inbox is None or inbox.loop is not loop:  # the app runs on one loop at a time
            inbox = self._inbox = LoopInbox(loop)
        outcomes: list[Outcome] = [TIMED_OUT] * len(hashes)
        done: asyncio.Future[None] = loop.create_future()
        left = len(hashes)
        if not left:
            return outcomes

        def settle(i: int, record: TxRecord | None) -> None:  # on the loop
            nonlocal left
            if done.done():
                return  # timed out (or the request went away): the answer is gone
            outcomes[i] = record
            left -= 1
            if left == 0:
                done.set_result(None)

        def expire() -> None:
            if not done.done():
                done.set_result(None)

        for i, tx_hash in enumerate(hashes):
            self.node.wait_for(tx_hash).add_done_callback(inbox.callback(settle, i))
        timer = loop.call_later(timeout, expire)
        try:
            await done
        finally:
            timer.cancel()
        return list(outcomes)

    def close(self) -> None:
        self.admission.close()


class LoopInbox:
    """Hands commit outcomes from the engine's thread to one event loop, a block's worth
    at a time: the first outcome after a drain schedules the next drain with
    `call_soon_threadsafe` (one wake-up of the loop), the rest of the block's join it. A
    wake-up per tx was a write to the loop's self-pipe per tx, hundreds per block."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._lock = threading.Lock()
        self._items: list[tuple[Callable[[int, TxRecord | None], None], int, TxRecord | None]] = []

    def callback(self, settle: Callable[[int, TxRecord | None], None], i: int
                 ) -> Callable[[Any], None]:
        """A concurrent future's done-callback that runs `settle(i, result)` on the loop."""

        def done(fut: Any) -> None:
            with self._lock:
                self._items.append((settle, i, fut.result()))
                if len(self._items) > 1:
                    return  # a drain is scheduled and has not run yet
            with contextlib.suppress(RuntimeError):  # a closed loop: the app stopped meanwhile
                self.loop.call_soon_threadsafe(self._drain)

        return done

    def _drain(self) -> None:
        with self._lock:
            items, self._items = self._items, []
        for settle, i, record in items:
            settle(i, record)


def http_413(err: BodyTooLarge) -> HTTPException:
    """A route's 413: FastAPI answers it in the core's shape (planet.api.errors)."""
    return HTTPException(413, err.message)


def _batch_item(s: Submitted) -> dict[str, Any]:
    check = s.result.to_json()
    item: dict[str, Any] = {"hash": s.hash.hex(), "accepted": s.accepted, "code": s.result.code,
                            "check": check}
    if not s.accepted:
        item["message"] = s.result.log
    return item


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return "an object"


def is_ingress(method: str, path: str) -> bool:
    """Whether the edge's ingress answers this request (before FastAPI)."""
    return method == "POST" and path in (TXS_PATH, BATCH_PATH)
