"""Read side of the applications module."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planet.core.accounts.rules import get_next_sequence
from planet.core.applications.rules import (
    get_application,
    get_counters,
    get_latest_application,
)
from planet.core.applications.state import PENDING_PREFIX, pending_key
from planet.core.errors import ApplicationUnknown, InvalidField
from planet.core.params import Params
from planet.core.queries import address_arg, int_arg
from planet.core.state import View

MAX_PAGE = 100


def query_application(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    app_id = int_arg(args, "id")
    application = get_application(view, app_id)
    if application is None:
        raise ApplicationUnknown(f"no application {app_id}")
    return application.to_json()


def query_pending(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """The operator's queue, oldest first, paged with `after` (the last id seen) and
    `limit`; `pending` is the whole queue's length, `next_after` the cursor of the next
    page (null on the last one)."""
    limit = int_arg(args, "limit", 50)
    if not 0 < limit <= MAX_PAGE:
        raise InvalidField(f"limit: 1 to {MAX_PAGE}")
    after = int_arg(args, "after", 0)
    items: list[dict[str, Any]] = []
    more = False
    for key in view.iter_keys(PENDING_PREFIX, after=pending_key(after) if after else None):
        if len(items) == limit:
            more = True
            break
        application = get_application(view, int(key.removeprefix(PENDING_PREFIX)))
        if application is not None:
            items.append(application.to_json())
    return {"pending": get_counters(view).pending, "items": items,
            "next_after": items[-1]["id"] if more else None}


def query_of(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """A key's latest application (null if it never applied) and the sequence its next
    transaction must carry (it has no account until approved)."""
    address = address_arg(args)
    application = get_latest_application(view, address)
    return {"address": address, "sequence": get_next_sequence(view, address),
            "application": None if application is None else application.to_json()}
