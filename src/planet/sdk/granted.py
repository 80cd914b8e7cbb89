"""Granted data a business can use (issue 17, item 5): the records residents granted on a
request, opened here with the business's key (`vault.read_granted`), as rows, a summary
per category, and CSV or JSON to hand to whatever the business analyses them with.

Plaintext stays on the business's machine: the node only ever served ciphertext.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from planet.sdk.client import PlanetClient
from planet.sdk.vault import read_granted
from planet.sdk.wallet import Wallet

COLUMNS = ("request", "resident", "category", "time", "digest", "text")


@dataclass(frozen=True)
class GrantedRow:
    """One opened record; `text` is its plaintext as UTF-8 (undecodable bytes replaced)."""

    request: int
    resident: str
    category: str
    time: int  # ms, the record's own time as its owner committed it
    digest: str
    text: str


def granted_records(client: PlanetClient, business: Wallet, request_id: int) -> list[GrantedRow]:
    """Every record still granted on the request, decrypted, in a stable order (resident,
    then record time)."""
    rows = []
    for g in read_granted(client, business, request_id):
        rows.append(GrantedRow(request=request_id, resident=g.resident, category=g.category,
                               time=g.time, digest=g.digest,
                               text=g.plaintext.decode("utf-8", errors="replace")))
    return sorted(rows, key=lambda r: (r.resident, r.time, r.digest))


def summarize(rows: list[GrantedRow]) -> list[dict[str, Any]]:
    """Per category: records and distinct residents, most records first."""
    records = Counter(r.category for r in rows)
    residents = {c: len({r.resident for r in rows if r.category == c}) for c in records}
    return [{"category": c, "records": n, "residents": residents[c]}
            for c, n in sorted(records.items(), key=lambda kv: (-kv[1], kv[0]))]


def export_csv(rows: list[GrantedRow]) -> str:
    """RFC 4180 CSV with a header row; a field that a spreadsheet would run as a formula
    (starting with = + - @) is prefixed with a quote, as OWASP advises for CSV export."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(getattr(row, c)) for c in COLUMNS])
    return out.getvalue()


def export_json(rows: list[GrantedRow]) -> str:
    """{"records": [...], "summary": [...]}: the rows and the per-category summary."""
    return json.dumps({"records": [asdict(r) for r in rows], "summary": summarize(rows)},
                      ensure_ascii=False, indent=2) + "\n"


def _cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
