"""The wall clock, in ms since the epoch: what a signed request is stamped with and checked
against (the identity, vault and webhooks services), and the time the embedded engine gives
a block it proposes. The core never reads it: a block's time is the ledger's only clock."""

from __future__ import annotations

import time


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000
