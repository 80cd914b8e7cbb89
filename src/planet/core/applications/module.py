"""The applications module as the transition sees it: messages and queries."""

from __future__ import annotations

from planet.core.applications import queries, rules
from planet.core.applications.messages import (
    ApplyBusiness,
    ApproveApplication,
    DeclineApplication,
    WithdrawApplication,
)
from planet.core.messages import Module

MODULE = Module(
    name="applications",
    messages=(
        (ApplyBusiness, rules.process_apply),
        (ApproveApplication, rules.process_approve),
        (DeclineApplication, rules.process_decline),
        (WithdrawApplication, rules.process_withdraw),
    ),
    queries={
        "application": queries.query_application,
        "pending": queries.query_pending,
        "of": queries.query_of,
    },
)
