"""Read side of the accounts module."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.rules import get_account, get_invite, get_next_sequence
from planet.core.accounts.state import (
    KINDS,
    PREFIX,
    Nullifier,
    nullifier_key,
    phone_nullifier_key,
)
from planet.core.errors import InvalidField, NotFound
from planet.core.params import Params
from planet.core.queries import address_arg, int_arg, require_arg
from planet.core.state import View

MAX_PAGE = 1000


def query_account(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    address = address_arg(args)
    account = get_account(view, address)
    if account is None:
        raise NotFound(f"account {address} does not exist")
    return account.to_json()


def query_sequence(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """The sequence a key's next transaction must carry, with or without an account (an
    applicant has none until approved; a new key's is 0)."""
    address = address_arg(args)
    return {"address": address, "sequence": get_next_sequence(view, address)}


def query_invite(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """By code (hashed here, never stored) or by its hash."""
    code_hash = (compute_invite_hash(args["code"]) if "code" in args
                 else str(require_arg(args, "code_hash")))
    invite = get_invite(view, code_hash)
    if invite is None:
        raise NotFound("no such invitation code")
    return {"code_hash": code_hash, **invite.to_json()}


def query_invites_of(view: View, args: Mapping[str, Any], params: Params) -> list[dict[str, Any]]:
    creator = address_arg(args)
    out = []
    for key in view.iter_keys(f"{PREFIX}invites_of/{creator}/"):
        code_hash = key.rsplit("/", 1)[1]
        invite = get_invite(view, code_hash)
        if invite is not None:
            out.append({"code_hash": code_hash, **invite.to_json()})
    return out


def query_nullifier(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    value = view.get(nullifier_key(str(require_arg(args, "nullifier"))), Nullifier)
    if value is None:
        raise NotFound("nullifier not used")
    return value.to_json()


def query_phone_nullifier(view: View, args: Mapping[str, Any], params: Params
                          ) -> dict[str, Any]:
    value = view.get(phone_nullifier_key(str(require_arg(args, "nullifier"))), Nullifier)
    if value is None:
        raise NotFound("phone nullifier not used")
    return value.to_json()


def query_accounts(view: View, args: Mapping[str, Any], params: Params) -> list[dict[str, Any]]:
    """Accounts of one kind, in address order, paged with `after` and `limit`."""
    kind = require_arg(args, "kind")
    if kind not in KINDS:
        raise InvalidField(f"kind: one of {', '.join(KINDS)}")
    limit = int_arg(args, "limit", 100)
    if not 0 < limit <= MAX_PAGE:
        raise InvalidField(f"limit: 1 to {MAX_PAGE}")
    after = str(args.get("after", ""))
    prefix = f"{PREFIX}by_kind/{kind}/"
    out: list[dict[str, Any]] = []
    for key in view.iter_keys(prefix, after=prefix + after if after else None):
        address = key.rsplit("/", 1)[1]
        account = get_account(view, address)
        if account is not None:
            out.append(account.to_json())
        if len(out) >= limit:
            break
    return out
