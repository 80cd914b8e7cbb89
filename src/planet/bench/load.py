"""Transactions for a network's tests and benchmark: invitation codes from the operator,
pre-signed resident registrations, and keep-alive posters that spread them over several
validators' APIs and time each from post to committed answer: one tx a request
(POST /v1/txs?wait=true, `post_all`) or many (POST /v1/txs/batch?wait=true, `post_batches`)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Sequence
from typing import Any

import httpx

from planet.bench.common import http_request, percentile
from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites, RegisterResident
from planet.core.encoding import b64encode
from planet.core.params import Params
from planet.sdk.client import new_invite_codes
from planet.sdk.wallet import Wallet

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
