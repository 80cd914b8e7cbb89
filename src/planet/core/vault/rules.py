"""The rules of the data vault: who may commit a record, erase it, and move its ciphertext.

A record is added by its owner, or deposited for the owner by an approved business the
owner allowed (`process_allow_depositor`; which may earn the owner Force through a task it
attests). Without that consent a business could fill strangers' vaults, and plant the one
record a data request of its own selects (the first step of a relay through a business).
Only the owner erases: the record becomes a tombstone, the blob store deletes the
ciphertext, and every grant on it ends (the exchange's hook). A digest is on the ledger
once, ever, so an erased record cannot be brought back under the same commitment.
"""

from __future__ import annotations

import dataclasses

from planet.core import hooks
from planet.core.accounts.rules import is_business, is_resident, require_resident
from planet.core.errors import (
    BlobRefused,
    BusinessSuspended,
    DepositNotAllowed,
    DepositorAllowed,
    DepositorUnknown,
    NotBusiness,
    NotRecordOwner,
    NotResident,
    PlanetError,
    RecordErased,
    RecordExists,
    RecordUnknown,
)
from planet.core.force.rules import (
    charge_business_quota,
    check_attester,
    grant_to_resident,
    require_task,
)
from planet.core.messages import Ctx
from planet.core.state import Layer, View
from planet.core.vault.messages import (
    AddRecord,
    AllowDepositor,
    DepositRecord,
    EraseRecord,
    RevokeDepositor,
)
from planet.core.vault.state import (
    Allowance,
    DigestOwner,
    VaultRecord,
    depositor_key,
    depositors_prefix,
    digest_key,
    record_key,
)

# --- reads ------------------------------------------------------------------------------------


def get_record(view: View, owner: str, digest: str) -> VaultRecord | None:
    return view.get(record_key(owner, digest), VaultRecord)


def find_record(view: View, digest: str) -> VaultRecord | None:
    """The record committed under a digest, whoever owns it."""
    pointer = view.get(digest_key(digest), DigestOwner)
    return None if pointer is None else get_record(view, pointer.owner, digest)


def get_allowance(view: View, owner: str, business: str) -> Allowance | None:
    return view.get(depositor_key(owner, business), Allowance)


def list_depositors(view: View, owner: str) -> list[tuple[str, Allowance]]:
    """The businesses the owner allows to deposit, with when each was allowed."""
    prefix = depositors_prefix(owner)
    return [(key.removeprefix(prefix), allowance)
            for key, allowance in view.iter_prefix(prefix, Allowance)]


def require_live_record(view: View, owner: str, digest: str) -> VaultRecord:
    record = get_record(view, owner, digest)
    if record is None:
        raise RecordUnknown(f"{owner} has no record {digest}")
    if record.erased:
        raise RecordErased(f"record {digest} was erased at {record.erased_at}")
    return record


# --- mutations --------------------------------------------------------------------------------


def put_new_record(state: Layer, record: VaultRecord) -> None:
    """One record per digest, ever: tombstones keep their digest."""
    if state.has(digest_key(record.digest)):
        raise RecordExists(f"a record with digest {record.digest} is already on the ledger")
    state.set(record_key(record.owner, record.digest), record)
    state.set(digest_key(record.digest), DigestOwner(owner=record.owner))


# --- message handlers ------------------------------------------------------------------------


def process_add_record(ctx: Ctx, msg: AddRecord) -> None:
    require_resident(ctx.state, ctx.sender, "keep a vault")
    put_new_record(ctx.state, VaultRecord(
        owner=ctx.sender, digest=msg.digest, category=msg.category, source=ctx.sender,
        time=msg.time, size=msg.size, added_at=ctx.time))
    ctx.emit("vault/record_added", owner=ctx.sender, digest=msg.digest, category=msg.category,
             size=msg.size)


def process_allow_depositor(ctx: Ctx, msg: AllowDepositor) -> None:
    require_resident(ctx.state, ctx.sender, "allow deposits into their vault")
    if not is_business(ctx.state, msg.business):
        raise NotBusiness(f"{msg.business} is not an approved business")
    if get_allowance(ctx.state, ctx.sender, msg.business) is not None:
        raise DepositorAllowed(f"you already allow {msg.business} to deposit into your vault")
    ctx.state.set(depositor_key(ctx.sender, msg.business), Allowance(since=ctx.time))
    ctx.emit("vault/depositor_allowed", owner=ctx.sender, business=msg.business)


def process_revoke_depositor(ctx: Ctx, msg: RevokeDepositor) -> None:
    if get_allowance(ctx.state, ctx.sender, msg.business) is None:
        raise DepositorUnknown(f"you do not allow {msg.business} to deposit; nothing to revoke")
    ctx.state.delete(depositor_key(ctx.sender, msg.business))
    ctx.emit("vault/depositor_revoked", owner=ctx.sender, business=msg.business)


def check_deposit_allowed(view: View, business: str, owner: str) -> None:
    """The deposit rule: an active business, into the vault of a resident who allowed it."""
    if not is_business(view, business):
        raise NotBusiness("only approved businesses deposit records into a resident's vault")
    reason = hooks.business_suspended(view, business)
    if reason:
        raise BusinessSuspended(f"{business} is suspended ({reason}): it may not deposit")
    if not is_resident(view, owner):
        raise NotResident(f"{owner} is not a resident")
    if get_allowance(view, owner, business) is None:
        raise DepositNotAllowed(f"{owner} has not allowed {business} to deposit into their "
                                "vault (vault/allow_depositor)")


def process_deposit_record(ctx: Ctx, msg: DepositRecord) -> None:
    """A business deposits into a resident's vault; with a task, the owner earns its Force."""
    check_deposit_allowed(ctx.state, ctx.sender, msg.owner)
    put_new_record(ctx.state, VaultRecord(
        owner=msg.owner, digest=msg.digest, category=msg.category, source=ctx.sender,
        time=msg.time, size=msg.size, added_at=ctx.time))
    ctx.emit("vault/record_deposited", owner=msg.owner, digest=msg.digest,
             category=msg.category, size=msg.size, business=ctx.sender)
    if msg.task:
        reward_deposit(ctx, msg.task, msg.owner)


def reward_deposit(ctx: Ctx, task_id: str, owner: str) -> None:
    """The deposit counts as one completion the business attests, charged to its quota."""
    task = require_task(ctx.state, task_id)
    check_attester(ctx.state, task, ctx.sender)
    charge_business_quota(ctx, task, 1)
    try:
        grant = grant_to_resident(ctx, task, owner)
    except PlanetError as err:
        raise type(err)(f"task '{task_id}' for {owner}: {err.message}") from None
    ctx.emit("force/granted", resident=owner, task=task.id, force=grant.force,
             expires_at=grant.expires_at, attester=ctx.sender)


def process_erase_record(ctx: Ctx, msg: EraseRecord) -> None:
    record = get_record(ctx.state, ctx.sender, msg.digest)
    if record is None:
        if find_record(ctx.state, msg.digest) is not None:
            raise NotRecordOwner(f"record {msg.digest} is not yours; only its owner erases it")
        raise RecordUnknown(f"no record {msg.digest}")
    if record.erased:
        raise RecordErased(f"record {msg.digest} was already erased at {record.erased_at}")
    ctx.state.set(record_key(ctx.sender, msg.digest),
                  dataclasses.replace(record, erased_at=ctx.time))
    ctx.emit("vault/record_erased", owner=ctx.sender, digest=msg.digest)
    ctx.events.extend(hooks.record_erased(ctx.state, ctx.sender, msg.digest, ctx.time))


# --- the blob store's upload rule (its download rule is the exchange's) ----------------------


def check_upload(view: View, uploader: str, digest: str, size: int) -> VaultRecord:
    """Ciphertext is accepted only for a live record, from its owner or its depositor, at the
    committed size; the store itself checks that the bytes hash to the digest."""
    record = find_record(view, digest)
    if record is None:
        raise BlobRefused(f"no record {digest} on the ledger; commit it before uploading")
    if record.erased:
        raise BlobRefused(f"record {digest} was erased; its ciphertext is not accepted")
    if uploader not in (record.owner, record.source):
        raise BlobRefused(f"{uploader} may not upload record {digest}: only its owner or the "
                          "business that deposited it")
    if size != record.size:
        raise BlobRefused(f"record {digest} is {record.size} bytes on the ledger, got {size}")
    return record
