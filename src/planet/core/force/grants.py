"""Original Force grants: who holds how much Force, from which task, until when.

A completed task grants its Force as one `Grant`, permanent (`expires_at == 0`) or
temporary (`expires_at = granted_at + duration_days` days, and the Force leaves the
total at exactly that millisecond: still counted at `expires_at - 1`, gone at
`expires_at`). A resident's current Force is `ResidentForce.total`; the emission module
reads it, so every change here is a point at which the caller settles emission first.

Limits count on the deployment's local days (`days.compute_day`): `daily:N` allows N
completions per resident per local day, `once` one per lifetime, `unlimited` any number.
One `TaskUsage` per (resident, task) holds the last day's count and the lifetime count,
so the state does not grow by a record per resident per day.

**Spending, refunds and expiry.** The Lucky Drill entry fee consumes Force; a void round
gives it back with `restore_force`, piece by piece with each piece's original expiry, so a
refund never outlives the Force it replaces. Each grant keeps what
is left of it in `remaining`, and the invariant is

    ResidentForce.total == Σ remaining over the resident's live grants

Consumption takes from the grants that will expire soonest first (temporary grants by
expiry time, then grant id), and only then from permanent grants (oldest first). That is
the order that leaves the resident the most Force at every later instant, since Force
about to expire is worth least. A grant consumed to zero is deleted with its expiry entry.
Expiry removes a grant's `remaining`, never its original `force`, so expiry can never push
the total below zero and spent Force never comes back (nor is it charged twice).

Keys (all under `force/`, which only this module and the catalog write):

    force/grant/<resident>/<grant_id:16>             Grant
    force/expiry/<expires_at:16>/<resident>/<grant_id:16>   GrantRef (temporary only)
    force/resident/<resident>                        ResidentForce
    force/usage/<resident>/<task_id>                 TaskUsage

Numbers are zero-padded to 16 digits so that key order is numeric order: the expiry
index is read front to back in (expires_at, resident, grant_id) order.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from planet.core.errors import NotEnoughForce, TaskDisabled, TaskLimitReached
from planet.core.force.catalog import Task
from planet.core.force.days import compute_day
from planet.core.params import Params
from planet.core.records import Record
from planet.core.state import Layer, View
from planet.core.types import MILLIS_PER_DAY

PREFIX = "force/"
GRANT_PREFIX = f"{PREFIX}grant/"
EXPIRY_PREFIX = f"{PREFIX}expiry/"
RESIDENT_PREFIX = f"{PREFIX}resident/"
USAGE_PREFIX = f"{PREFIX}usage/"
PERMANENT = 0
"""`expires_at` of a grant that never expires."""
_DIGITS = 16
_MAX_PADDED = 10**_DIGITS




# --- records --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Grant(Record):
    """One completion's Force; `remaining` is what consumption has left of `force`."""

    resident: str
    grant_id: int  # per-resident counter, from ResidentForce.next_grant_id
    task_id: str
    force: int  # as granted; never changes
    granted_at: int  # block time, ms
    expires_at: int  # block time, ms; PERMANENT (0) = never
    remaining: int  # 0 <= remaining <= force; counts in the resident's total

    @property
    def is_permanent(self) -> bool:
        return self.expires_at == PERMANENT


@dataclass(frozen=True, slots=True)
class GrantRef(Record):
    """An entry of the expiry index: which grant expires at the time in its key."""

    resident: str
    grant_id: int


@dataclass(frozen=True, slots=True)
class ResidentForce(Record):
    """A resident's current Force (Σ remaining of live grants) and grant id counter."""

    resident: str
    total: int = 0
    next_grant_id: int = 0


@dataclass(frozen=True, slots=True)
class TaskUsage(Record):
    """Completions of one task by one resident: on local day `day`, and ever."""

    resident: str
    task_id: str
    day: int  # local day of the last completion
    count: int  # completions on `day`
    lifetime: int  # completions ever


# --- keys -----------------------------------------------------------------------------------------
def _pad(value: int, what: str) -> str:
    if not 0 <= value < _MAX_PADDED:
        raise ValueError(f"{what} must be between 0 and 10^{_DIGITS}-1 (got {value})")
    return f"{value:0{_DIGITS}d}"


def grant_key(resident: str, grant_id: int) -> str:
    return f"{GRANT_PREFIX}{resident}/{_pad(grant_id, 'grant id')}"


def expiry_key(expires_at_ms: int, resident: str, grant_id: int) -> str:
    return f"{EXPIRY_PREFIX}{_pad(expires_at_ms, 'expiry time')}/{resident}/{_pad(grant_id, 'grant id')}"


def force_key(resident: str) -> str:
    return f"{RESIDENT_PREFIX}{resident}"


def usage_key(resident: str, task_id: str) -> str:
    return f"{USAGE_PREFIX}{resident}/{task_id}"


def _expiry_time(key: str) -> int:
    return int(key[len(EXPIRY_PREFIX):len(EXPIRY_PREFIX) + _DIGITS])


# --- reads ----------------------------------------------------------------------------------------
def get_resident_force(view: View, resident: str) -> ResidentForce:
    return view.get(force_key(resident), ResidentForce) or ResidentForce(resident=resident)


def get_force(view: View, resident: str) -> int:
    """The resident's current Force (0 for anyone never granted any)."""
    return get_resident_force(view, resident).total


def get_grant(view: View, resident: str, grant_id: int) -> Grant | None:
    return view.get(grant_key(resident, grant_id), Grant)


def get_grants(view: View, resident: str) -> list[Grant]:
    """The resident's live grants, by grant id."""
    return [grant for _key, grant in view.iter_prefix(f"{GRANT_PREFIX}{resident}/", Grant)]


def get_usage(view: View, resident: str, task_id: str) -> TaskUsage | None:
    return view.get(usage_key(resident, task_id), TaskUsage)


def next_expiry(view: View) -> int | None:
    """The earliest instant at which some grant expires, or None: when to settle next."""
    for key in view.iter_keys(EXPIRY_PREFIX):
        return _expiry_time(key)
    return None


def compute_expires_at(task: Task, time_ms: int) -> int:
    """A temporary grant lasts exactly `duration_days` × 24 h from the grant's block time."""
    if task.is_permanent:
        return PERMANENT
    return time_ms + task.duration_days * MILLIS_PER_DAY


# --- checks ---------------------------------------------------------------------------------------
def check_task_enabled(task: Task) -> None:
    if not task.enabled:
        raise TaskDisabled(f"task {task.id} is disabled")


def check_task_limit(view: View, task: Task, resident: str, time_ms: int, params: Params) -> None:
    """Refuse a completion beyond the task's limit; `daily:N` counts on the local day."""
    usage = get_usage(view, resident, task.id)
    if usage is None:
        return
    if task.limit == "once" and usage.lifetime >= 1:
        raise TaskLimitReached(f"task {task.id} can be completed once")
    daily = task.daily_limit
    if daily is not None:
        day = compute_day(time_ms, params.timezone_offset_minutes)
        if usage.day == day and usage.count >= daily:
            raise TaskLimitReached(f"daily limit of {daily} reached for task {task.id} today")


# --- writes ---------------------------------------------------------------------------------------
def _record_usage(state: Layer, task: Task, resident: str, time_ms: int, params: Params) -> None:
    day = compute_day(time_ms, params.timezone_offset_minutes)
    usage = get_usage(state, resident, task.id)
    if usage is None:
        usage = TaskUsage(resident=resident, task_id=task.id, day=day, count=1, lifetime=1)
    else:
        count = usage.count + 1 if usage.day == day else 1
        usage = dataclasses.replace(usage, day=day, count=count, lifetime=usage.lifetime + 1)
    state.set(usage_key(resident, task.id), usage)


def grant_force(state: Layer, task: Task, resident: str, time_ms: int, params: Params) -> Grant:
    """Grant one completion of `task` at block time `time_ms`; raises the resident's total.

    Checks first (enabled, limit), then writes the usage, the grant, its expiry entry when
    temporary, and the new total. The caller settles emission before calling.
    """
    check_task_enabled(task)
    check_task_limit(state, task, resident, time_ms, params)
    _record_usage(state, task, resident, time_ms, params)
    account = get_resident_force(state, resident)
    grant = Grant(resident=resident, grant_id=account.next_grant_id, task_id=task.id,
                  force=task.force, granted_at=time_ms,
                  expires_at=compute_expires_at(task, time_ms), remaining=task.force)
    _put_grant(state, grant)
    state.set(force_key(resident), dataclasses.replace(
        account, total=account.total + grant.remaining, next_grant_id=account.next_grant_id + 1))
    return grant


def _put_grant(state: Layer, grant: Grant) -> None:
    """Write a new grant and, when temporary, its entry in the expiry index."""
    state.set(grant_key(grant.resident, grant.grant_id), grant)
    if not grant.is_permanent:
        state.set(expiry_key(grant.expires_at, grant.resident, grant.grant_id),
                  GrantRef(resident=grant.resident, grant_id=grant.grant_id))


def _delete_grant(state: Layer, grant: Grant) -> None:
    state.delete(grant_key(grant.resident, grant.grant_id))
    if not grant.is_permanent:
        state.delete(expiry_key(grant.expires_at, grant.resident, grant.grant_id))


def expire_grants(state: Layer, until_ms: int) -> list[Grant]:
    """Remove every grant with `expires_at <= until_ms`, in (expires_at, resident, grant_id)
    order, taking each one's `remaining` off its resident's total.

    Returns the expired grants as they were, in that order, so the caller can settle
    emission at each exact instant (call it with `until_ms = next_expiry(...)` to step).
    """
    due: list[str] = []
    for key in state.iter_keys(EXPIRY_PREFIX):
        if _expiry_time(key) > until_ms:
            break
        due.append(key)
    expired: list[Grant] = []
    for key in due:
        ref = state.get(key, GrantRef)
        grant = None if ref is None else get_grant(state, ref.resident, ref.grant_id)
        if ref is None or grant is None or grant.expires_at != _expiry_time(key):
            raise RuntimeError(f"expiry index entry {key} has no matching grant")
        account = get_resident_force(state, grant.resident)
        if account.total < grant.remaining:
            raise RuntimeError(f"expiring grant {grant.grant_id} of {grant.resident} would take "
                               f"Force below zero ({account.total} < {grant.remaining})")
        _delete_grant(state, grant)
        state.set(force_key(grant.resident),
                  dataclasses.replace(account, total=account.total - grant.remaining))
        expired.append(grant)
    return expired


def _spending_order(grant: Grant) -> tuple[int, int, int]:
    """Temporary grants first, soonest to expire first; permanent grants last, oldest first."""
    return (1 if grant.is_permanent else 0, grant.expires_at, grant.grant_id)


@dataclass(frozen=True, slots=True)
class Spent(Record):
    """A piece of consumed Force: how much, taken from which task's grant, expiring when."""

    task_id: str
    amount: int
    expires_at: int  # PERMANENT (0) = never


def _plan_spending(view: View, resident: str, amount: int) -> list[tuple[Grant, int]]:
    """(grant, how much to take from it) in `_spending_order`, until `amount` is covered."""
    plan: list[tuple[Grant, int]] = []
    left = amount
    for grant in sorted(get_grants(view, resident), key=_spending_order):
        if left == 0:
            break
        take = min(left, grant.remaining)
        if take:
            plan.append((grant, take))
            left -= take
    return plan


def compute_spending(view: View, resident: str, amount: int) -> list[Spent]:
    """Which grants `consume_force` would take `amount` from, in its order, without writing."""
    return [Spent(task_id=grant.task_id, amount=take, expires_at=grant.expires_at)
            for grant, take in _plan_spending(view, resident, amount)]


REFUND_TASK = "refund"
"""`task_id` of a grant that gives spent Force back (a void Lucky Drill round)."""


def restore_force(state: Layer, resident: str, pieces: list[Spent], time_ms: int) -> int:
    """Give spent Force back as it was: each piece as a grant with its original expiry.

    A piece whose grant would have expired by now is not restored: had it not been spent
    it would be gone already. Returns the Force restored. The caller settles emission.
    """
    account = get_resident_force(state, resident)
    next_id, restored = account.next_grant_id, 0
    for piece in pieces:
        if piece.expires_at != PERMANENT and piece.expires_at <= time_ms:
            continue
        _put_grant(state, Grant(resident=resident, grant_id=next_id, task_id=REFUND_TASK,
                                force=piece.amount, granted_at=time_ms,
                                expires_at=piece.expires_at, remaining=piece.amount))
        next_id += 1
        restored += piece.amount
    state.set(force_key(resident), dataclasses.replace(
        account, total=account.total + restored, next_grant_id=next_id))
    return restored


def consume_force(state: Layer, resident: str, amount: int) -> int:
    """Spend `amount` of the resident's Force (the Lucky Drill entry fee); returns the new
    total. Takes from grants in `_spending_order` (see the module docstring).
    """
    if amount < 0:
        raise ValueError(f"cannot consume a negative amount of Force (got {amount})")
    account = get_resident_force(state, resident)
    if account.total < amount:
        raise NotEnoughForce(f"needs {amount} Force, {resident} has {account.total}")
    plan = _plan_spending(state, resident, amount)
    if sum(take for _grant, take in plan) != amount:
        raise RuntimeError(f"{resident}'s grants hold less than their total Force")
    for grant, take in plan:
        if take == grant.remaining:
            _delete_grant(state, grant)
        else:
            state.set(grant_key(resident, grant.grant_id),
                      dataclasses.replace(grant, remaining=grant.remaining - take))
    total = account.total - amount
    state.set(force_key(resident), dataclasses.replace(account, total=total))
    return total
