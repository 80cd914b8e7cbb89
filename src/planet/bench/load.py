"""Transactions for a network's tests and benchmark: invitation codes from the operator,
pre-signed resident registrations, and keep-alive posters that spread them over several
validators' APIs and time each from post to committed answer: one tx a request
(POST /v1/txs?wait=true, `post_all`) or many (POST /v1/txs/batch?wait=true, `post_batches`).

`post_admitted` loads a node as CometBFT's own loaders do (broadcast_tx_sync): each client
posts its next tx as soon as the previous one is admitted to the mempool (POST /v1/txs
without wait), and the commits are confirmed afterwards from the blocks the node stored.
A client that waits for each commit sends at most one tx per block interval, so with
wait=true the rate measures the clients' patience, not the node."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Final, TypeVar

import httpx

from planet.bench.common import http_request, percentile
from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites, RegisterResident
from planet.core.encoding import b64encode
from planet.core.errors import MempoolFull
from planet.core.params import Params
from planet.sdk.client import new_invite_codes
from planet.sdk.wallet import Wallet

T = TypeVar("T")

CODES_PER_TX = Params().max_list_items * 6
"""Invitation hashes per operator transaction: six full lists stay under max_tx_bytes."""


def make_invites(url: str, operator: Wallet, chain_id: str, count: int,
                 timeout: float = 60.0) -> list[str]:
    """`count` invitation codes from the operator, committed, in as few txs as allowed."""
    codes = new_invite_codes(count)
    p = Params()
    with httpx.Client(base_url=url, timeout=timeout) as http:
        seq = int(http.get(f"/v1/accounts/{operator.address}").json()["sequence"])
        for start in range(0, count, CODES_PER_TX):
            chunk = codes[start:start + CODES_PER_TX]
            msgs = [CreateInvites(code_hashes=tuple(compute_invite_hash(c) for c in
                                                    chunk[i:i + p.max_list_items]))
                    for i in range(0, len(chunk), p.max_list_items)]
            r = http.post("/v1/txs", params={"timeout": timeout},
                          content=operator.sign_tx(chain_id=chain_id, sequence=seq,
                                                   messages=list(msgs)))
            if r.status_code != 200 or (r.json().get("committed") or {}).get("code") != 0:
                raise RuntimeError(f"creating invites failed ({r.status_code}): {r.text[:300]}")
            seq += 1
    return codes


def sign_registrations(codes: Sequence[str], chain_id: str) -> tuple[list[Wallet], list[bytes]]:
    wallets = [Wallet.generate() for _ in codes]
    raws = [w.sign_tx(chain_id=chain_id, sequence=0, messages=[RegisterResident(
        invite_code=c, encryption_key=b64encode(w.encryption_public_key))])
        for w, c in zip(wallets, codes, strict=True)]
    return wallets, raws


async def _post_all(ports: Sequence[int], raws: Sequence[bytes], clients: int,
                    stop: threading.Event | None, timeout: float) -> dict[str, Any]:
    latencies: list[float] = []
    ok = refused = errors = 0
    queue = list(reversed(raws))
    hashes: list[str] = []
    failures: list[str] = []

    async def client(n: int) -> None:
        nonlocal ok, refused, errors
        port = ports[n % len(ports)]  # client n always talks to the same validator
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue and not (stop is not None and stop.is_set()):
                raw = queue.pop()
                t0 = time.perf_counter()
                try:
                    status, body = await http_request(reader, writer, "POST",
                                                  f"/v1/txs?wait=true&timeout={timeout}", raw)
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                    errors += 1  # the validator went away: this client stops
                    return
                latencies.append(time.perf_counter() - t0)
                answer = json.loads(body) if body else {}
                committed = answer.get("committed") if status == 200 else None
                if committed and committed["code"] == 0:
                    ok += 1
                    hashes.append(answer["hash"])
                else:
                    refused += 1
                    if len(failures) < 5:
                        failures.append(f"{status} {body[:300]!r}")
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(min(clients, len(raws)))))
    elapsed = time.perf_counter() - t0
    return {"txs": len(raws), "committed_ok": ok, "refused_or_failed": refused,
            "connection_errors": errors, "clients": clients, "apis": len(ports),
            "seconds": round(elapsed, 3),
            "committed_per_s": round(ok / elapsed, 1) if elapsed > 0 else 0.0,
            "latency_ms_p50": round(percentile(latencies, 50) * 1000, 1),
            "latency_ms_p99": round(percentile(latencies, 99) * 1000, 1),
            "failures": failures, "hashes": hashes}


def post_all(ports: Sequence[int], raws: Sequence[bytes], clients: int = 64,
             stop: threading.Event | None = None, timeout: float = 30.0,
             keep_hashes: bool = True) -> dict[str, Any]:
    """Post every raw tx with `clients` keep-alive connections spread over `ports` (one
    validator API each), each waiting for the commit before its next post. `stop` ends it
    early. The answer holds counts, committed/s, latency p50/p99 and, unless a benchmark
    reporting it says not to (`keep_hashes`), the committed hashes."""
    result = asyncio.run(_post_all(ports, raws, clients, stop, timeout))
    if not keep_hashes:
        del result["hashes"]
    return result


async def _post_batches(ports: Sequence[int], raws: Sequence[bytes], clients: int,
                        batch_size: int, timeout: float) -> dict[str, Any]:
    latencies: list[float] = []
    ok = refused = errors = 0
    batches = [raws[i:i + batch_size] for i in range(0, len(raws), batch_size)]
    queue = [(len(batch), json.dumps({"txs": [raw.decode() for raw in batch]}).encode())
             for batch in reversed(batches)]  # encoded before the clock starts
    failures: list[str] = []

    async def client(n: int) -> None:
        nonlocal ok, refused, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", ports[n % len(ports)])
        try:
            while queue:
                count, body = queue.pop()
                t0 = time.perf_counter()
                try:
                    status, answer = await http_request(
                        reader, writer, "POST", f"/v1/txs/batch?wait=true&timeout={timeout}",
                        body)
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                    errors += 1
                    return
                latencies.append(time.perf_counter() - t0)
                results = json.loads(answer).get("results", []) if status == 200 else []
                good = sum(1 for r in results if (r.get("committed") or {}).get("code") == 0)
                ok += good
                refused += count - good
                if good < count and len(failures) < 5:
                    failures.append(f"{status} {answer[:300]!r}")
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(min(clients, len(batches)))))
    elapsed = time.perf_counter() - t0
    return {"txs": len(raws), "batch_size": batch_size, "batches": len(batches),
            "committed_ok": ok, "refused_or_failed": refused, "connection_errors": errors,
            "clients": clients, "apis": len(ports), "seconds": round(elapsed, 3),
            "committed_per_s": round(ok / elapsed, 1) if elapsed > 0 else 0.0,
            "batch_latency_ms_p50": round(percentile(latencies, 50) * 1000, 1),
            "batch_latency_ms_p99": round(percentile(latencies, 99) * 1000, 1),
            "failures": failures}


def post_batches(ports: Sequence[int], raws: Sequence[bytes], clients: int = 8,
                 batch_size: int = 100, timeout: float = 30.0) -> dict[str, Any]:
    """Post every raw tx in batches of `batch_size` (POST /v1/txs/batch?wait=true) with
    `clients` keep-alive connections spread over `ports`, each posting its next batch once
    every tx of the previous one is committed: committed txs/s and batch latency."""
    return asyncio.run(_post_batches(ports, raws, clients, batch_size, timeout))


# --- admitted, not awaited (the broadcast_tx_sync method) ------------------------------------

MEMPOOL_FULL: Final = MempoolFull.code
BACKOFF_S: Final = (0.01, 0.2)
"""A client told the mempool is full waits the first, doubling up to the second, and retries."""
POLL_S: Final = 0.005
"""How often the block watcher asks the node for its height (a cached answer per block)."""


class _Watch:
    """The time the client first saw each height: a tx committed at height h counts as
    committed when h was first seen, so the figure errs late by at most one poll."""

    def __init__(self) -> None:
        self.seen: dict[int, float] = {}
        self.height = 0

    def saw(self, height: int, at: float) -> None:
        for h in range(self.height + 1, height + 1):
            self.seen[h] = at
        self.height = max(self.height, height)


async def _get_json(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str
                    ) -> Any:
    status, body = await http_request(reader, writer, "GET", path)
    if status != 200:
        raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
    return json.loads(body)


async def _mempools_empty(ports: Sequence[int], poll: int) -> bool:
    """Whether every one of these nodes reports an empty mempool (fresh status answers)."""
    for port in ports:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            if (await _get_json(reader, writer, f"/v1/status?_={poll}"))["mempool"] != 0:
                return False
        finally:
            writer.close()
    return True


async def _post_admitted(ports: Sequence[int], raws: Sequence[bytes], clients: int,
                         timeout: float, mark: Callable[[], object] | None,
                         drain_ports: Sequence[int] = ()) -> dict[str, Any]:
    admit_latencies: list[float] = []
    posted_at: dict[str, float] = {}
    refused = errors = retries = 0
    queue = list(reversed(raws))
    failures: list[str] = []
    watch = _Watch()
    posting = True
    first_post: list[float] = []

    async def client(n: int) -> None:
        nonlocal refused, errors, retries
        reader, writer = await asyncio.open_connection("127.0.0.1", ports[n % len(ports)])
        try:
            while queue:
                raw = queue.pop()
                backoff = BACKOFF_S[0]
                while True:
                    t0 = time.perf_counter()
                    if not first_post:
                        first_post.append(t0)
                    try:
                        status, body = await http_request(reader, writer, "POST",
                                                          "/v1/txs?wait=false", raw)
                    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                        errors += 1  # the node went away: this client stops
                        return
                    answer = json.loads(body) if body else {}
                    if status == 200:
                        admit_latencies.append(time.perf_counter() - t0)
                        posted_at[answer["hash"]] = t0
                        break
                    if status == 400 and (answer.get("check") or {}).get("code") == MEMPOOL_FULL:
                        retries += 1  # the node asks for a retry: back off, then post it again
                        await asyncio.sleep(backoff)
                        backoff = min(2 * backoff, BACKOFF_S[1])
                        continue
                    refused += 1
                    if len(failures) < 5:
                        failures.append(f"{status} {body[:300]!r}")
                    break
        finally:
            writer.close()

    async def watcher() -> int:
        """Follow the node's height until, after the last admission, its mempool is empty
        (every admitted tx is then committed or dropped); the last height seen."""
        reader, writer = await asyncio.open_connection("127.0.0.1", ports[0])
        polls = 0
        try:
            deadline: float | None = None
            while True:
                polls += 1
                draining = not posting
                if draining:  # the mempool's size too, past the status answer's short cache
                    doc = await _get_json(reader, writer, f"/v1/status?_={polls}")
                else:  # the per-block cached health answer: cheap for the node
                    doc = await _get_json(reader, writer, "/v1/health")
                watch.saw(int(doc["height"]), time.perf_counter())
                if draining:
                    deadline = deadline or time.perf_counter() + timeout
                    empty = doc["mempool"] == 0 and await _mempools_empty(drain_ports, polls)
                    if empty or time.perf_counter() > deadline:
                        # The status's height is read before its mempool size (which waits
                        # for a block being committed): ask the height again.
                        doc = await _get_json(reader, writer, "/v1/health")
                        watch.saw(int(doc["height"]), time.perf_counter())
                        return watch.height
                await asyncio.sleep(POLL_S)
        finally:
            writer.close()

    reader, writer = await asyncio.open_connection("127.0.0.1", ports[0])
    try:
        start = int((await _get_json(reader, writer, "/v1/health"))["height"])
    finally:
        writer.close()  # idle through the load, the server's keep-alive would close it
    watch.saw(start, time.perf_counter())
    if mark is not None:
        mark()
    watching = asyncio.create_task(watcher())
    await asyncio.gather(*(client(n) for n in range(min(clients, len(raws)))))
    posting = False
    end = await watching
    if mark is not None:
        mark()
    # Confirmed from the blocks the node stored: each admitted tx's height and code.
    heights: dict[str, tuple[int, int]] = {}
    reader, writer = await asyncio.open_connection("127.0.0.1", ports[0])
    try:
        for h in range(start + 1, end + 1):
            block = await _get_json(reader, writer, f"/v1/blocks/{h}")
            for t in block["txs"]:
                if t["hash"] in posted_at:
                    heights[t["hash"]] = (h, t["code"])
    finally:
        writer.close()
    ok = [(tx_hash, h) for tx_hash, (h, code) in heights.items() if code == 0]
    last = max((watch.seen[h] for _, h in ok), default=None)
    elapsed = last - first_post[0] if last is not None and first_post else 0.0
    latencies = [watch.seen[h] - posted_at[tx_hash] for tx_hash, h in ok]
    return {"txs": len(raws), "admitted": len(posted_at), "committed_ok": len(ok),
            "committed_failed": len(heights) - len(ok),
            "not_committed": len(posted_at) - len(heights), "refused": refused,
            "mempool_full_retries": retries, "connection_errors": errors,
            "clients": clients, "apis": len(ports), "blocks": end - start,
            "seconds": round(elapsed, 3),
            "committed_per_s": round(len(ok) / elapsed, 1) if elapsed > 0 else 0.0,
            "admit_latency_ms_p50": round(percentile(admit_latencies, 50) * 1000, 2),
            "admit_latency_ms_p99": round(percentile(admit_latencies, 99) * 1000, 2),
            "latency_ms_p50": round(percentile(latencies, 50) * 1000, 1),
            "latency_ms_p99": round(percentile(latencies, 99) * 1000, 1),
            "failures": failures}


def post_admitted(ports: Sequence[int], raws: Sequence[bytes], clients: int = 256,
                  timeout: float = 30.0, mark: Callable[[], object] | None = None,
                  drain_ports: Sequence[int] = ()) -> dict[str, Any]:
    """Post every raw tx (POST /v1/txs without wait) with `clients` keep-alive connections,
    each posting its next tx once the previous one is admitted, backing off and retrying
    when the mempool is full (`mempool_full_retries`). Then, once the node's mempool is
    empty (or `timeout` after the last admission), each admitted tx is looked up in the
    blocks the node stored. `committed_per_s` is txs committed OK over the time from the
    first post to the first sight of the last one's block; latency is post to that sight.
    `mark` is called just before the first post and once the mempool is empty (before the
    blocks are read back): a benchmark's hook to take the node's CPU over the load only.
    A network's validators each hold their own mempool: `drain_ports` (the other validators'
    APIs) must report an empty one too before the load counts as committed, so a tx a
    validator admitted but had not yet relayed to the first is not taken for dropped."""
    return run_fast(_post_admitted(ports, raws, clients, timeout, mark, drain_ports))


def run_fast(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on uvloop (what the node serves with, there by uvicorn[standard]):
    the generator shares the node's cores, so every µs of its own per request is taken
    from the node it measures."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it on Linux
        return asyncio.run(main)
    return uvloop.run(main)
