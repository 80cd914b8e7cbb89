"""Shared pieces of the benchmarks: machine facts, percentiles, a baseline, a quiet chain."""

from __future__ import annotations

import asyncio
import math
import os
import platform
import statistics
import threading
import time
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "python": platform.python_version()}


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def sig(value: float, digits: int = 4) -> float:
    """`value` to `digits` significant digits. A figure keeps its precision at any scale, and
    a positive measurement never reads as 0 (`round(x, 3)` turned a sub-millisecond phase
    into 0.0, and a test asserting it was positive failed 3 runs in 10)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ed25519_verify_rate(n: int = 5_000, threads: int = 1) -> float:
    """Verifications per second of one small message, on `threads` threads."""
    key = Ed25519PrivateKey.generate()
    pub = key.public_key()
    msg = b"planet/tx/v1\n" + b"x" * 180
    sig = key.sign(msg)
    per = n // threads

    def work() -> None:
        for _ in range(per):
            pub.verify(sig, msg)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return per * threads / (time.perf_counter() - start)


# --- a small keep-alive HTTP/1.1 client (no per-request library overhead) -------------------


async def http_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, method: str,
                       path: str, body: bytes = b"") -> tuple[int, bytes]:
    """One request on a kept-alive loopback connection: no per-request library overhead,
    so a load generator measures the server rather than its own client."""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if body or method == "POST":
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)
