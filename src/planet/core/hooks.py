"""Small interfaces between modules, wired once in `transition` (as Cosmos SDK hooks).

The force module must tell emission when a resident's Force changes, but must not import
it (emission reads Force); accounts must let force reward a verified identity and its
inviter, but force reads accounts. So the lower module calls a hook here, and the
transition registers the higher module's handler. Registration happens at import, in
a fixed order: deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ForceChanged = Callable[[Any, Any, str, int], None]
"""(state, params, resident, time_ms) -> None"""

_force_changed: list[ForceChanged] = []


def on_force_changed(fn: ForceChanged) -> None:
    if fn not in _force_changed:
        _force_changed.append(fn)


def force_changed(state: Any, params: Any, resident: str, time_ms: int) -> None:
    for fn in _force_changed:
        fn(state, params, resident, time_ms)


IdentityVerified = Callable[[Any, Any, str, str, int], list[Any]]
"""(state, params, resident, inviter, time_ms) -> events to emit"""

_identity_verified: list[IdentityVerified] = []


def on_identity_verified(fn: IdentityVerified) -> None:
    if fn not in _identity_verified:
        _identity_verified.append(fn)


def identity_verified(state: Any, params: Any, resident: str, inviter: str,
                      time_ms: int) -> list[Any]:
    events: list[Any] = []
    for fn in _identity_verified:
        events.extend(fn(state, params, resident, inviter, time_ms))
    return events


RecordErased = Callable[[Any, str, str, int], list[Any]]
"""(state, owner, digest, time_ms) -> events to emit; the exchange ends the record's grants"""

_record_erased: list[RecordErased] = []


def on_record_erased(fn: RecordErased) -> None:
    if fn not in _record_erased:
        _record_erased.append(fn)


def record_erased(state: Any, owner: str, digest: str, time_ms: int) -> list[Any]:
    events: list[Any] = []
    for fn in _record_erased:
        events.extend(fn(state, owner, digest, time_ms))
    return events


BusinessSuspended = Callable[[Any, str], str]
"""(view, business) -> why it is suspended, "" if it is not; the exchange keeps suspensions,
and force (attestations) and the vault (deposits) ask, below it"""

_business_suspended: list[BusinessSuspended] = []


def on_business_suspended(fn: BusinessSuspended) -> None:
    if fn not in _business_suspended:
        _business_suspended.append(fn)


def business_suspended(view: Any, business: str) -> str:
    for fn in _business_suspended:
        reason = fn(view, business)
        if reason:
            return reason
    return ""
