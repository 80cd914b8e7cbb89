"""Shared pieces of the benchmarks: machine facts, percentiles, a baseline, a quiet chain."""

from __future__ import annotations

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
