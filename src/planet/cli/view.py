"""What people read: amounts in BD with decimals, instants in the deployment's local time,
durations as '47 h 45 min', in records and tables that fit an 80-column terminal.

`--json` bypasses all of this and prints the node's raw values (µBD, epoch milliseconds).
The API names its fields by one convention, which is what lets a record be read without a
formatter per command: `*_micro` is µBD, `*_at`, `*_time`, `*_until` are epoch ms, `*_ms`
a span.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import tzinfo
from functools import cached_property
from typing import Any

from rich import box
from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from planet.cli.units import deployment_zone, format_bd, format_duration, format_instant
from planet.sdk.client import NodeError, PlanetClient

TIME_KEYS = frozenset({"time", "period_start", "period_end", "hour_start", "hour_end"})
TIME_SUFFIXES = ("_at", "_time", "_until", "_deadline")
NEVER_KEYS = frozenset({"expires_at"})  # 0 means it never happens
RATE_SUFFIX = "_micro_per_second"
ADDRESS_PREFIX = "planet1"


def short_address(address: str) -> str:
    """'planet1kfy…j5sp': enough to tell accounts apart in a table; --json has all."""
    return address if len(address) <= 16 else f"{address[:10]}…{address[-4:]}"


def short_hash(value: str, n: int = 12) -> str:
    return value if len(value) <= n else value[:n] + "…"


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


class Human:
    """How one command shows values. The deployment's clock is asked of the node once, and
    only if an instant is shown; business names likewise, once per address."""

    def __init__(self, api: PlanetClient | None = None, zone: tzinfo | None = None) -> None:
        self.api = api
        self._zone = zone
        self._names: dict[str, str] = {}

    @cached_property
    def zone(self) -> tzinfo | None:
        if self._zone is not None or self.api is None:
            return self._zone
        return deployment_zone(str(self.api.status()["timezone"]))

    @property
    def offset(self) -> str:
        """'+08:00', for a column header that carries the zone once."""
        return format_instant(0, self.zone)[-6:]

    def time(self, ms: int | None, *, never: str = "—") -> str:
        """A full instant with its offset, for a record."""
        return never if not ms else format_instant(int(ms), self.zone)

    def when(self, ms: int | None, *, never: str = "—") -> str:
        """A compact instant for a table column whose header names the zone."""
        return never if not ms else format_instant(int(ms), self.zone, offset=False)

    @staticmethod
    def bd(micro: int | None) -> str:
        return "—" if micro is None else format_bd(int(micro))

    @staticmethod
    def duration(ms: int | None) -> str:
        return "—" if ms is None else format_duration(int(ms))

    def name(self, address: str) -> str:
        """An account's registered name (businesses and verifiers have one), else the
        address shortened."""
        if address not in self._names:
            name = ""
            if self.api is not None and address.startswith(ADDRESS_PREFIX):
                try:
                    name = str((self.api.account(address) or {}).get("name") or "")
                except NodeError:
                    name = ""
            self._names[address] = name or short_address(address)
        return self._names[address]

    def field(self, key: str, value: Any, bd: Iterable[str] = ()) -> tuple[str, str]:
        """One field of a node's record as (label, text), by the API's naming convention."""
        if key.endswith(RATE_SUFFIX):
            return key.removesuffix(RATE_SUFFIX), f"{self.bd(value)}/s"
        if key.endswith("_micro") or key in bd:
            return key.removesuffix("_micro").replace("_", " "), self.bd(value)
        if isinstance(value, int) and not isinstance(value, bool):
            if key.endswith("_ms"):
                return key.removesuffix("_ms").replace("_", " "), self.duration(value)
            if key.endswith(TIME_SUFFIXES) or key in TIME_KEYS:
                return (key.replace("_", " "),
                        self.time(value, never="never" if key in NEVER_KEYS else "—"))
        return key.replace("_", " "), text(value)

    def record(self, data: dict[str, Any], *, bd: Iterable[str] = (),
               drop: Iterable[str] = ()) -> dict[str, str]:
        dropped = set(drop)
        return dict(self.field(k, v, tuple(bd)) for k, v in data.items() if k not in dropped)


def proof_line(height: int, app_hash: str, records: int, against: Sequence[str]) -> str:
    """What `--prove` says once every proof checked out: the height and app hash the answer
    is proven at, how many records it rests on, and what the app hash was taken from."""
    return (f"[green]proof verified:[/] height {height}, app hash {short_hash(app_hash, 16)}, "
            f"{records} records (app hash from the {' and '.join(against)})")


def text(value: Any) -> str:
    """A plain value for people: yes/no, '—' for nothing, lists comma-separated."""
    if isinstance(value, bool):
        return yes_no(value)
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return ", ".join(map(str, value)) if value else "—"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict) and all(isinstance(v, str | int) for v in value.values()):
        return ", ".join(f"{k} {v}" for k, v in value.items()) if value else "—"
    return json.dumps(value, default=str)


def record_table(data: dict[str, Any], title: str | None = None) -> Table:
    """Label and value, two columns; a long value (a hash, a key) folds onto more lines
    rather than losing its end to an ellipsis."""
    table = Table(title=title, show_header=False, box=None, padding=(0, 1))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in data.items():
        table.add_row(Text(str(key)), Text(value if isinstance(value, str) else text(value)))
    return table


Column = tuple[str, Callable[[dict[str, Any]], Any]]


def rows_table(rows: Sequence[dict[str, Any]], columns: Sequence[Column],
               title: str | None = None, *, wrap: Iterable[str] = ()) -> Table:
    """A table of `rows`, one column per (header, getter). Columns never wrap (ids,
    amounts, times stay whole) except the free-text ones named in `wrap`, which take
    what room is left, so the table fits the terminal down to 80 columns."""
    wrapped = set(wrap)
    table = Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), show_edge=False,
                  header_style="bold")
    for header, _ in columns:
        table.add_column(header, no_wrap=header not in wrapped, overflow="fold")
    for row in rows:
        table.add_row(*(Text(text(get(row))) for _, get in columns))
    return table


def cards(title: str, items: Sequence[Sequence[str]]) -> Group:
    """One short block per item: a headline, then indented lines that wrap under it. For
    lists whose items carry free text (a purpose, an item name) or a digest to copy whole,
    which no 80-column table row can hold."""
    parts: list[Any] = [Text(title, style="bold")]
    for headline, *lines in items:
        parts.append(Text(headline, style="cyan"))
        parts.extend(Padding(Text(line), (0, 0, 0, 4)) for line in lines)
    return Group(*parts)
