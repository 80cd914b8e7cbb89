"""The vault module as the transition sees it: messages and queries on record commitments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planet.core.accounts.messages import check_hex32
from planet.core.errors import NotFound
from planet.core.messages import Module
from planet.core.params import Params
from planet.core.queries import address_arg, bool_arg, int_arg, require_arg
from planet.core.state import View
from planet.core.vault.messages import (
    AddRecord,
    AllowDepositor,
    DepositRecord,
    EraseRecord,
    RevokeDepositor,
    check_category,
)
from planet.core.vault.rules import (
    check_upload,
    find_record,
    list_depositors,
    process_add_record,
    process_allow_depositor,
    process_deposit_record,
    process_erase_record,
    process_revoke_depositor,
)
from planet.core.vault.state import VaultRecord, records_prefix

MAX_PAGE = 500


def digest_arg(args: Mapping[str, Any]) -> str:
    digest = str(require_arg(args, "digest"))
    check_hex32(digest, "digest")
    return digest


def query_record(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    digest = digest_arg(args)
    record = find_record(view, digest)
    if record is None:
        raise NotFound(f"no record {digest}")
    return record.to_json()


def query_records(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """An owner's records, oldest commitment first; tombstones only when asked for."""
    owner = address_arg(args, "owner")
    category = str(args.get("category", ""))
    if category:
        check_category("query", category)
    erased = bool_arg(args, "erased")
    offset = int_arg(args, "offset", 0)
    limit = min(int_arg(args, "limit", 100), MAX_PAGE)
    rows = [r for _k, r in view.iter_prefix(records_prefix(owner), VaultRecord)
            if (erased or not r.erased) and (not category or r.category == category)]
    rows.sort(key=lambda r: (r.added_at, r.digest))
    return {"owner": owner, "total": len(rows),
            "records": [r.to_json() for r in rows[offset:offset + limit]]}


def query_upload_check(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """Would the blob store accept this upload? Raises BlobRefused with the reason."""
    record = check_upload(view, address_arg(args, "address"), digest_arg(args),
                          int_arg(args, "size"))
    return record.to_json()


def query_depositors(view: View, args: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """The businesses an owner allows to deposit into their vault (what they may revoke)."""
    owner = address_arg(args, "owner")
    return {"owner": owner, "items": [{"business": business, "since": allowance.since}
                                      for business, allowance in list_depositors(view, owner)]}


MODULE = Module(
    name="vault",
    messages=((AddRecord, process_add_record), (DepositRecord, process_deposit_record),
              (EraseRecord, process_erase_record), (AllowDepositor, process_allow_depositor),
              (RevokeDepositor, process_revoke_depositor)),
    queries={"record": query_record, "records": query_records,
             "upload_check": query_upload_check, "depositors": query_depositors},
)
