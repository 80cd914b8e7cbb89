"""How people write amounts, durations and instants on the command line."""

from __future__ import annotations

import re
import time
from datetime import datetime
from decimal import Decimal, InvalidOperation

from planet.core.types import MICRO_PER_BD

_DURATION = re.compile(r"^(\d+)\s*(ms|s|m|h|d)$")
_UNIT_MS = {"ms": 1, "s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def parse_bd(text: str) -> int:
    """'1.5' (BD) → 1,500,000 µBD; at most six decimals, never negative."""
    try:
        value = Decimal(text.strip().removesuffix("BD").strip())
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an amount of BD (e.g. 2 or 0.25)") from None
    micro = value * MICRO_PER_BD
    if value < 0 or micro != micro.to_integral_value():
        raise ValueError(f"'{text}': BD amounts are non-negative with at most 6 decimals")
    return int(micro)


def format_bd(micro: int) -> str:
    return f"{micro // MICRO_PER_BD:,}.{micro % MICRO_PER_BD:06d} BD"


def parse_duration(text: str) -> int:
    """'30d', '12h', '15m', '45s' or '500ms' → milliseconds."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a duration (e.g. 30d, 12h, 15m, 45s)")
    return int(match.group(1)) * _UNIT_MS[match.group(2)]


def parse_instant(text: str | None) -> int:
    """An ISO 8601 date/time or epoch milliseconds → epoch ms; None → now."""
    if text is None or text == "now":
        return int(time.time() * 1000)
    if text.isdecimal():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"'{text}' is not a date (ISO 8601, e.g. 2026-05-01T09:00+08:00)"
                         ) from None
    if moment.tzinfo is None:
        raise ValueError(f"'{text}': give a time zone (e.g. +08:00 or Z)")
    return int(moment.timestamp() * 1000)


def format_instant(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000).astimezone().isoformat(timespec="seconds")
