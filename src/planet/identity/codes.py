"""One-time codes that prove a phone, and the daily limits on trying.

Kept in this process's memory only, and never in clear: a phone is known by an HMAC under
a key made at start-up (so a memory dump names no number), a code by an HMAC bound to the
resident and the phone, compared in constant time. A restart forgets pending codes (the
resident asks again) and today's counts (a restart is rare and needs the operator).
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
from dataclasses import dataclass
from hashlib import sha256

from planet.core.errors import CodeRefused, TooManyAttempts
from planet.core.force.days import compute_day

CODE_DIGITS = 6
CODE_VALID_MS = 5 * 60_000  # long enough for a slow SMS, short enough to be worth little
ATTEMPT, SEND = "attempt", "send"


class PhoneTags:
    """Names phones in memory without holding the numbers."""

    def __init__(self) -> None:
        self._key = os.urandom(32)

    def tag(self, e164: str) -> bytes:
        return hmac.new(self._key, b"phone\n" + e164.encode(), sha256).digest()

    def mac(self, *parts: bytes) -> bytes:
        return hmac.new(self._key, b"\n".join((b"code", *parts)), sha256).digest()


@dataclass(frozen=True)
class _Pending:
    phone: bytes  # PhoneTags.tag
    mac: bytes  # over resident, phone tag and code
    expires_ms: int


def normalize_code(text: str) -> bytes:
    code = "".join(text.split())
    if len(code) != CODE_DIGITS or not (code.isascii() and code.isdigit()):
        raise CodeRefused(f"code: the {CODE_DIGITS} digits sent to your phone")
    return code.encode()


class OneTimeCodes:
    """At most one pending code per resident: a new one replaces the old; a right one is
    used up; a wrong one stays pending (the daily attempt limit bounds guessing)."""

    def __init__(self, tags: PhoneTags, valid_ms: int = CODE_VALID_MS) -> None:
        self.tags, self.valid_ms = tags, valid_ms
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def issue(self, resident: str, e164: str, now_ms: int) -> str:
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        phone = self.tags.tag(e164)
        pending = _Pending(phone, self.tags.mac(resident.encode(), phone, code.encode()),
                           now_ms + self.valid_ms)
        with self._lock:
            self._drop_expired(now_ms)
            self._pending[resident] = pending
        return code

    def cancel(self, resident: str) -> None:
        with self._lock:
            self._pending.pop(resident, None)

    def redeem(self, resident: str, e164: str, code: str, now_ms: int) -> None:
        """Use the code up, or raise CodeRefused saying only what is wrong with the code."""
        given = normalize_code(code)
        phone = self.tags.tag(e164)
        mac = self.tags.mac(resident.encode(), phone, given)
        with self._lock:
            self._drop_expired(now_ms)
            pending = self._pending.get(resident)
            if pending is None or not hmac.compare_digest(pending.phone, phone):
                raise CodeRefused("code: no code was sent to this phone for this account, or "
                                  "it expired or was used; ask for a new one")
            if not hmac.compare_digest(pending.mac, mac):
                raise CodeRefused("code: wrong code")
            del self._pending[resident]

    def __len__(self) -> int:
        return len(self._pending)

    def _drop_expired(self, now_ms: int) -> None:
        for resident in [r for r, p in self._pending.items() if p.expires_ms <= now_ms]:
            del self._pending[resident]


PHONE_SHARE = 2
"""A phone's daily count is this many residents' worth."""


class DailyLimits:
    """Counts attempts and code sends per resident and per phone in the deployment's local
    day; counts start again each day (the memory is today's counts only).

    A resident may use `attempts` and `sends` a day, whatever the phones; a phone may be
    used PHONE_SHARE times as often, by whoever asks. The phone's own count bounds the texts
    one number receives however many accounts ask for it; it is larger than a resident's
    so that one account, which anyone can type any number into, cannot spend a phone's day
    and lock its owner out of verifying until tomorrow (it takes PHONE_SHARE accounts,
    each one an invitation's worth)."""

    def __init__(self, tags: PhoneTags, *, attempts: int, sends: int,
                 timezone_offset_minutes: int) -> None:
        self.tags = tags
        self.limits = {ATTEMPT: attempts, SEND: sends}
        self.offset = timezone_offset_minutes
        self._day = -1
        self._counts: dict[tuple[str, bytes], int] = {}
        self._lock = threading.Lock()

    def take(self, what: str, resident: str, e164: str | None, now_ms: int) -> None:
        """Count one `what` for the resident and the phone (if it is one), or raise
        TooManyAttempts if either has used up today's."""
        keys = [((what, b"resident\n" + resident.encode()), self.limits[what])]
        if e164 is not None:
            keys.append(((what, b"phone\n" + self.tags.tag(e164)), self.limits[what] * PHONE_SHARE))
        with self._lock:
            day = compute_day(now_ms, self.offset)
            if day != self._day:
                self._day, self._counts = day, {}
            for key, limit in keys:
                if self._counts.get(key, 0) >= limit:
                    who = "this account" if key[1].startswith(b"resident") else "this phone"
                    noun = "verification attempts" if what == ATTEMPT else "code sends"
                    raise TooManyAttempts(f"{who} has used today's {limit} {noun}; "
                                          "try again tomorrow")
            for key, _limit in keys:
                self._counts[key] = self._counts.get(key, 0) + 1
