"""Vouchers at scale, on the business's side: a list of codes per offer, each pending
redemption fulfilled with the next code, sealed to the resident who redeemed.

The codes are secrets: they never reach the ledger or the node in clear (FulfilRedemption
carries the code sealed to the resident), so fulfilment runs where the business's key is,
and the business keeps its codes in a small state file of its own (0600):

    {"version": 1, "business": "planet1…",
     "offers": {"7": {"codes": ["A1", "B2", …], "next": 2,
                      "given": {"41": 0, "42": 1},      redemption id -> code index
                      "fulfilled": [41]}}}

A code is assigned to a redemption, and the file written (atomically: a temporary file,
fsync, rename), BEFORE the fulfilment is sent. A crash between the two leaves the
assignment on disk, so the next run sends the same code to the same redemption; a code is
never assigned twice, even if its redemption is later refunded (the resident may have
seen it). One run at a time holds the file's lock.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planet.sdk.client import NodeError, PlanetClient
from planet.sdk.vault import fulfil, iter_pages
from planet.sdk.wallet import Wallet

VERSION = 1
MAX_CODE_CHARS = 256
HEADERS = frozenset({"code", "codes", "voucher", "vouchers", "voucher_code"})
SETTLED = 714  # RedemptionSettled: refunded (or fulfilled) meanwhile


class VoucherError(ValueError):
    """A CSV of codes or a state file that cannot be used, with where and why."""


def parse_codes(text: str) -> list[str]:
    """One code per row; a first row naming the column (code, voucher, …) is a header.
    Blank rows, several columns and repeated codes are refused with their row number."""
    codes: list[str] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            raise VoucherError(f"row {number}: blank (one code per row, no empty lines)")
        if len(cells) > 1:
            raise VoucherError(f"row {number}: {len(cells)} columns; one code per row")
        code = cells[0]
        if number == 1 and code.lower() in HEADERS:
            continue
        if len(code) > MAX_CODE_CHARS or not code.isprintable():
            raise VoucherError(f"row {number}: a code is at most {MAX_CODE_CHARS} printable "
                               "characters")
        if code in seen:
            raise VoucherError(f"row {number}: duplicate of row {seen[code]}")
        seen[code] = number
        codes.append(code)
    if not codes:
        raise VoucherError("no codes in the file")
    return codes


@dataclass
class RunReport:
    """What one pass did: fulfilled (redemption, offer) pairs, offers out of codes with the
    redemptions left pending, and redemptions settled by someone else meanwhile."""

    fulfilled: list[tuple[int, int]] = field(default_factory=list)
    out_of_codes: dict[int, int] = field(default_factory=dict)
    settled_elsewhere: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"fulfilled": [{"redemption": r, "offer": o} for r, o in self.fulfilled],
                "out_of_codes": [{"offer": o, "pending": n}
                                 for o, n in sorted(self.out_of_codes.items())],
                "settled_elsewhere": self.settled_elsewhere}


class VoucherFulfiller:
    """Loads codes per offer and fulfils pending redemptions of those offers, one code each."""

    def __init__(self, client: PlanetClient, business: Wallet, state_path: Path) -> None:
        self.client = client
        self.business = business
        self.path = Path(state_path)

    # --- the state file ---------------------------------------------------------------------

    def read_state(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"version": VERSION, "business": self.business.address, "offers": {}}
        state: dict[str, Any] = json.loads(self.path.read_text())
        if state.get("version") != VERSION:
            raise VoucherError(f"{self.path}: not a version {VERSION} voucher state file")
        if state.get("business") != self.business.address:
            raise VoucherError(f"{self.path} holds the codes of {state.get('business')}, not "
                               f"{self.business.address}")
        return state

    def write_state(self, state: dict[str, Any]) -> None:
        """Atomically: the old file or the new one is on disk after a crash, never half."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(state, f, separators=(",", ":"))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    @contextmanager
    def locked(self) -> Iterator[dict[str, Any]]:
        """The state, with the lock held: two runs never assign from the same list at once."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield self.read_state()
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # --- loading codes ----------------------------------------------------------------------

    def load(self, offer_id: int, csv_path: Path) -> int:
        """Add a CSV's codes to the offer's list; returns how many. The whole file is
        refused if any row is bad or any code is already loaded for the offer."""
        offer = self.client.query("exchange/offer", id=offer_id)
        if offer["business"] != self.business.address:
            raise VoucherError(f"offer {offer_id} belongs to {offer['business']}")
        codes = parse_codes(Path(csv_path).read_text(encoding="utf-8-sig"))
        with self.locked() as state:
            entry = state["offers"].setdefault(str(offer_id), {"codes": [], "next": 0,
                                                               "given": {}, "fulfilled": []})
            known = set(entry["codes"])
            for i, code in enumerate(codes):
                if code in known:
                    raise VoucherError(f"code {i + 1} of the file is already loaded for offer "
                                       f"{offer_id}")
            entry["codes"].extend(codes)
            self.write_state(state)
        return len(codes)

    def status(self, offer_id: int) -> dict[str, Any]:
        """Codes loaded, assigned, left, and fulfilments confirmed, for one offer."""
        entry = self.read_state()["offers"].get(str(offer_id))
        if entry is None:
            return {"offer": offer_id, "codes": 0, "used": 0, "left": 0, "fulfilled": 0,
                    "assigned_unconfirmed": 0}
        return {"offer": offer_id, "codes": len(entry["codes"]), "used": entry["next"],
                "left": len(entry["codes"]) - entry["next"],
                "fulfilled": len(entry["fulfilled"]),
                "assigned_unconfirmed": len(entry["given"]) - len(entry["fulfilled"])}

    # --- fulfilling -------------------------------------------------------------------------

    def pending(self) -> list[dict[str, Any]]:
        """The business's pending redemptions, oldest first."""
        rows = iter_pages(self.client, "exchange/redemptions", address=self.business.address,
                          pending="true")
        return sorted(rows, key=lambda r: int(r["id"]))

    def run_once(self) -> RunReport:
        """Fulfil every pending redemption of an offer with codes, in order, until its codes
        run out (the rest stay pending, counted in the report)."""
        report = RunReport()
        with self.locked() as state:
            for redemption in self.pending():
                entry = state["offers"].get(str(redemption["offer"]))
                if entry is None:
                    continue
                rid, offer_id = int(redemption["id"]), int(redemption["offer"])
                index = entry["given"].get(str(rid))
                if index is None:
                    if entry["next"] >= len(entry["codes"]):
                        report.out_of_codes[offer_id] = report.out_of_codes.get(offer_id, 0) + 1
                        continue
                    index = entry["next"]
                    entry["given"][str(rid)] = index
                    entry["next"] = index + 1
                    self.write_state(state)  # on disk before the code leaves this machine
                try:
                    fulfil(self.client, self.business, rid, entry["codes"][index])
                except NodeError as err:
                    if err.code != SETTLED:
                        raise
                    report.settled_elsewhere.append(rid)
                    continue
                entry["fulfilled"].append(rid)
                self.write_state(state)
                report.fulfilled.append((rid, offer_id))
        return report


def default_state_path(home: Path, business: str) -> Path:
    """Where the CLI keeps a business's codes: beside its keys, never in the node's data."""
    return Path(home) / "vouchers" / f"{business}.json"
