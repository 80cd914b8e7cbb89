"""Accounts: the list by kind, one account, its Force, diamonds, bubbles, history and
activity."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from planet.api.context import ApiContext
from planet.api.errors import ERRORS
from planet.api.shapes import ACCOUNT, ACCOUNT_PAGE, ACTIVITY, BUBBLES, FORCE, HISTORY, HOLDER, ok
from planet.core.address import parse_address
from planet.core.errors import InvalidField

Address = Annotated[str, Path(description="a planet1… address", max_length=200)]
Kind = Literal["operator", "verifier", "business", "resident"]
MAX_SCAN = 1000
Cursor = Annotated[str | None, Query(max_length=40, pattern=r"^[0-9]{1,18}\.[0-9]{1,9}$",
                                     description="`next_before` of the previous page")]


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(prefix="/v1/accounts", tags=["accounts"], responses=ERRORS)

    @r.get("", responses=ok(ACCOUNT_PAGE), summary="Accounts of one kind, in address order",
           description="Page with `after` (the last address seen) or `offset` "
                       f"(offset + limit ≤ {MAX_SCAN}).")
    def list_accounts(kind: Kind = "resident",
                      limit: Annotated[int, Query(ge=1, le=MAX_SCAN)] = 100,
                      offset: Annotated[int, Query(ge=0, le=MAX_SCAN)] = 0,
                      after: Annotated[str | None, Query(max_length=200)] = None
                      ) -> dict[str, Any]:
        if offset + limit > MAX_SCAN:
            raise InvalidField(f"offset + limit: at most {MAX_SCAN}; page with `after`")
        rows = ctx.query("accounts/accounts", kind=kind, limit=offset + limit, after=after)
        return {"kind": kind, "offset": offset, "items": rows[offset:]}

    @r.get("/{address}", responses=ok(ACCOUNT), summary="One account")
    def account(address: Address) -> dict[str, Any]:
        return ctx.query("accounts/account", address=address)  # type: ignore[no-any-return]

    @r.get("/{address}/force", responses=ok(FORCE),
           summary="A resident's Force and each grant with its expiry")
    def force(address: Address) -> dict[str, Any]:
        return ctx.query("force/force", address=address)  # type: ignore[no-any-return]

    @r.get("/{address}/holder", responses=ok(HOLDER),
           summary="A resident's diamonds, pending amount and the 48-hour countdown",
           description="`dormant_in_ms` counts down to dormancy; 0 once dormant. With "
                       "`prove=true` the answer adds `proof`: the height and app hash of the "
                       "last committed block and, in `reads`, a proof (as `/v1/proofs/{key}` "
                       "gives) of `chain/meta` and of every record the answer was computed "
                       "from, so a client re-runs the query on proven records alone "
                       "(`planet query holder ADDRESS --prove`).")
    def holder(address: Address,
               prove: Annotated[bool, Query(description="add a proof of every record read")]
               = False) -> dict[str, Any]:
        if not prove:
            return ctx.query("emission/holder", address=address)  # type: ignore[no-any-return]
        answer = ctx.node.query_proven("emission/holder", {"address": address})
        return {**answer.value, "proof": answer.proof_json()}

    @r.get("/{address}/bubbles", responses=ok(BUBBLES), summary="Pending diamonds as hourly bubbles")
    def bubbles(address: Address) -> dict[str, Any]:
        return ctx.query("emission/bubbles", address=address)  # type: ignore[no-any-return]

    @r.get("/{address}/invites", summary="Invitation codes an account created (hashes)")
    def invites(address: Address) -> list[dict[str, Any]]:
        return ctx.query("accounts/invites_of", address=address)  # type: ignore[no-any-return]

    @r.get("/{address}/txs", responses=ok(HISTORY), summary="Transactions the account signed, newest first")
    def history(address: Address, limit: Annotated[int, Query(ge=1, le=100)] = 20,
                offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> dict[str, Any]:
        sender = parse_address(address, field="address")
        rows = ctx.node.store.txs_by_sender(sender, limit, offset=offset)
        return {"address": sender, "offset": offset, "items": [t.to_json() for t in rows]}

    @r.get("/{address}/activity", responses=ok(ACTIVITY),
           summary="Every event that concerns the account, newest first",
           description="From the ledger: each event of a transaction or of a block's begin "
                       "step with an attribute naming the address (rewards, collects, refunds, "
                       "Lucky Drill prizes, redemptions, expiries, grants), signed or not by "
                       "it. `amount_micro` (µBD) and `force` are what the event moved for "
                       "this address, signed; null when it moved none. `tx` is null for a "
                       "block event. Page with `before` = the last page's `next_before` "
                       "(stable as blocks arrive). Begin-step events of blocks committed "
                       "before the node kept them (store migration 0006) are absent.")
    def activity(address: Address, limit: Annotated[int, Query(ge=1, le=100)] = 20,
                 before: Cursor = None) -> dict[str, Any]:
        owner = parse_address(address, field="address")
        cursor = None
        if before is not None:
            height, seq = before.split(".")
            cursor = (int(height), int(seq))
        items = ctx.node.store.activity(owner, limit, cursor)
        return {"address": owner, "items": items,
                "next_before": items[-1]["cursor"] if len(items) == limit else None}

    return r
