"""The API's routers, one per resource, collected here in the order they are mounted."""

from __future__ import annotations

from fastapi import APIRouter

from planet.api.context import ApiContext
from planet.api.routes import (
    accounts,
    applications,
    chain,
    drill,
    events,
    exchange,
    identity,
    proofs,
    query,
    records,
    supply,
    tasks,
)

ROUTERS = (chain, accounts, supply, tasks, exchange, applications, records, drill, events,
           identity, proofs, query)


def all_routers(ctx: ApiContext) -> list[APIRouter]:
    return [module.router(ctx) for module in ROUTERS]
