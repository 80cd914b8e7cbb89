"""The rules of business applications, one small function per rule."""

from __future__ import annotations

import dataclasses

from planet.core.accounts.rules import get_account, register_business, require_operator
from planet.core.applications.messages import (
    ApplyBusiness,
    ApproveApplication,
    DeclineApplication,
    WithdrawApplication,
)
from planet.core.applications.state import (
    APPROVED,
    DECLINED,
    META_KEY,
    PENDING,
    WITHDRAWN,
    Application,
    Counters,
    Latest,
    application_key,
    latest_key,
    pending_key,
)
from planet.core.encoding import b64encode
from planet.core.errors import (
    AccountExists,
    ApplicationDecided,
    ApplicationQueueFull,
    ApplicationUnknown,
    ApplyTooSoon,
    DuplicateApplication,
    NotApplicant,
)
from planet.core.messages import Ctx
from planet.core.records import Marker
from planet.core.state import View

# --- reads ------------------------------------------------------------------------------------


def get_counters(view: View) -> Counters:
    return view.get(META_KEY, Counters) or Counters()


def get_application(view: View, app_id: int) -> Application | None:
    return view.get(application_key(app_id), Application)


def require_application(view: View, app_id: int) -> Application:
    application = get_application(view, app_id)
    if application is None:
        raise ApplicationUnknown(f"no application {app_id}")
    return application


def get_latest_application(view: View, address: str) -> Application | None:
    """The key's most recent application, whatever its status."""
    latest = view.get(latest_key(address), Latest)
    return None if latest is None else get_application(view, latest.id)


# --- mutations -------------------------------------------------------------------------------


def check_may_apply(ctx: Ctx) -> None:
    """A new key, with nothing pending, past its wait since the last decision, into a queue
    with room."""
    if get_account(ctx.state, ctx.sender) is not None:
        raise AccountExists(f"{ctx.sender} already has an account; a business applies with "
                            "a new key")
    last = get_latest_application(ctx.state, ctx.sender)
    if last is not None and last.is_pending:
        raise DuplicateApplication(f"this key's application {last.id} is waiting for the "
                                   "operator; withdraw it to apply again")
    if last is not None and ctx.time < last.decided_at + ctx.params.application_retry_ms:
        raise ApplyTooSoon(f"this key's application {last.id} was {last.status} less than "
                           f"{ctx.params.application_retry_ms // 3_600_000} h ago; apply again "
                           "after that")
    limit = ctx.params.max_pending_applications
    if get_counters(ctx.state).pending >= limit:
        raise ApplicationQueueFull(f"{limit} applications are waiting for the operator "
                                   "already; apply again once some are decided")


def close_application(ctx: Ctx, application: Application, status: str,
                      reason: str = "") -> Application:
    """End a pending application: its new status, out of the queue. Final."""
    if not application.is_pending:
        raise ApplicationDecided(f"application {application.id} was {application.status} "
                                 f"at height {application.decided_height}")
    closed = dataclasses.replace(application, status=status, decided_at=ctx.time,
                                 decided_height=ctx.height, reason=reason)
    ctx.state.set(application_key(application.id), closed)
    ctx.state.delete(pending_key(application.id))
    counters = get_counters(ctx.state)
    ctx.state.set(META_KEY, dataclasses.replace(counters, pending=counters.pending - 1))
    return closed


# --- message handlers ------------------------------------------------------------------------


def process_apply(ctx: Ctx, msg: ApplyBusiness) -> None:
    """A new key applies; the application waits in the operator's queue."""
    check_may_apply(ctx)
    counters = get_counters(ctx.state)
    app_id = counters.next_id
    ctx.state.set(application_key(app_id), Application(
        id=app_id, applicant=ctx.sender, public_key=b64encode(ctx.public_key),
        encryption_key=msg.encryption_key, name=msg.name, contact=msg.contact,
        offers=msg.offers, status=PENDING, applied_at=ctx.time, applied_height=ctx.height))
    ctx.state.set(pending_key(app_id), Marker())
    ctx.state.set(latest_key(ctx.sender), Latest(app_id))
    ctx.state.set(META_KEY, Counters(next_id=app_id + 1, pending=counters.pending + 1))
    ctx.emit("applications/applied", application=app_id, applicant=ctx.sender, name=msg.name)


def process_approve(ctx: Ctx, msg: ApproveApplication) -> None:
    """The operator approves: the business is registered with the application's name and
    keys, by the same rule as `accounts/register_business`."""
    require_operator(ctx, "decides applications")
    application = require_application(ctx.state, msg.application)
    close_application(ctx, application, APPROVED)
    register_business(ctx, application.applicant, application.public_key,
                      application.encryption_key, application.name)
    ctx.emit("applications/approved", application=application.id,
             business=application.applicant, name=application.name)


def process_decline(ctx: Ctx, msg: DeclineApplication) -> None:
    require_operator(ctx, "decides applications")
    application = require_application(ctx.state, msg.application)
    close_application(ctx, application, DECLINED, msg.reason)
    ctx.emit("applications/declined", application=application.id,
             applicant=application.applicant, reason=msg.reason)


def process_withdraw(ctx: Ctx, msg: WithdrawApplication) -> None:
    application = require_application(ctx.state, msg.application)
    if application.applicant != ctx.sender:
        raise NotApplicant(f"application {application.id} is not this key's to withdraw")
    close_application(ctx, application, WITHDRAWN)
    ctx.emit("applications/withdrawn", application=application.id,
             applicant=application.applicant)
