"""How people write amounts, durations and instants on the command line."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta, timezone, tzinfo
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


def format_duration(ms: int) -> str:
    """Milliseconds as people say them: '45 s', '12 min', '47 h 45 min' (up to three days,
    the span of the 48-hour rule), then '6 d 4 h'. Rounded down: never promises more."""
    if ms < 0:
        return f"-{format_duration(-ms)}"
    seconds = ms // 1000
    minutes, hours = seconds // 60, seconds // 3600
    if ms < 1000:
        return f"{ms} ms"
    if seconds < 60:
        return f"{seconds} s"
    if minutes < 60:
        return f"{minutes} min"
    if hours < 72:
        return f"{hours} h {minutes % 60} min" if minutes % 60 else f"{hours} h"
    return f"{hours // 24} d {hours % 24} h" if hours % 24 else f"{hours // 24} d"


def deployment_zone(offset: str) -> timezone:
    """The deployment's clock from its genesis offset ('+08:00', as /v1/status reports it):
    local days, and so the times people read, run on it."""
    from planet.core.genesis import parse_timezone

    return timezone(timedelta(minutes=parse_timezone(offset)))


def format_instant(ms: int, zone: tzinfo | None = None, *, seconds: bool = False,
                   offset: bool = True) -> str:
    """Epoch ms as '2026-12-02 17:32 +08:00' in `zone` (default: this machine's)."""
    moment = datetime.fromtimestamp(ms / 1000, zone or UTC)
    if zone is None:
        moment = moment.astimezone()
    text = moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{text} {moment.strftime('%z')[:3]}:{moment.strftime('%z')[3:]}" if offset else text
