"""The rules of accounts and registration, one small function per rule."""

from __future__ import annotations

import dataclasses

from planet.core import hooks
from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import (
    AddVerifier,
    AttestIdentity,
    CreateInvites,
    RegisterBusiness,
    RegisterResident,
)
from planet.core.accounts.state import (
    BUSINESS,
    OPERATOR,
    RESIDENT,
    VERIFIER,
    Account,
    Invite,
    KeySequence,
    KindCount,
    Nullifier,
    account_key,
    invite_key,
    invites_of_key,
    key_sequence_key,
    kind_count_key,
    kind_index_key,
    nullifier_key,
    phone_nullifier_key,
)
from planet.core.address import compute_address
from planet.core.encoding import b64decode, b64encode
from planet.core.errors import (
    AccountExists,
    AddressMismatch,
    AlreadyVerified,
    InviteExists,
    InviteUnknown,
    InviteUsed,
    NoInvitesLeft,
    NotOperator,
    NotResident,
    NotVerifier,
    NullifierUsed,
    PhoneNullifierUsed,
    UnknownAccount,
)
from planet.core.messages import Ctx
from planet.core.records import Marker
from planet.core.state import Layer, View

# --- reads ------------------------------------------------------------------------------------


def get_account(view: View, address: str) -> Account | None:
    return view.get(account_key(address), Account)


def require_account(view: View, address: str) -> Account:
    account = get_account(view, address)
    if account is None:
        raise UnknownAccount(f"account {address} does not exist")
    return account


def require_resident(view: View, address: str, action: str) -> Account:
    """The sender of a resident-only message (`action` completes "only residents …")."""
    account = require_account(view, address)
    if account.kind != RESIDENT:
        raise NotResident(f"only residents {action}")
    return account


def is_operator(view: View, address: str) -> bool:
    account = get_account(view, address)
    return account is not None and account.kind == OPERATOR


def require_operator(ctx: Ctx, action: str) -> None:
    """The sender of an operator-only message (`action` completes "only the operator …")."""
    if not is_operator(ctx.state, ctx.sender):
        raise NotOperator(f"only the operator {action}")


def is_verifier(view: View, address: str) -> bool:
    account = get_account(view, address)
    return account is not None and account.kind == VERIFIER


def is_business(view: View, address: str) -> bool:
    account = get_account(view, address)
    return account is not None and account.kind == BUSINESS


def is_resident(view: View, address: str) -> bool:
    account = get_account(view, address)
    return account is not None and account.kind == RESIDENT


def get_invite(view: View, code_hash: str) -> Invite | None:
    return view.get(invite_key(code_hash), Invite)


# --- mutations -------------------------------------------------------------------------------


def create_account(state: Layer, account: Account) -> None:
    """Store a new account. A key that signed transactions before it had an account (an
    applicant's) keeps its count: the account starts at that sequence, so none of those
    signed transactions can be included again."""
    if state.has(account_key(account.address)):
        raise AccountExists(f"account {account.address} already exists")
    before = get_key_sequence(state, account.address)
    if before:
        account = dataclasses.replace(account, sequence=max(account.sequence, before))
        state.delete(key_sequence_key(account.address))
    state.set(account_key(account.address), account)
    state.set(kind_index_key(account.kind, account.address), Marker())
    count = get_kind_count(state, account.kind)
    state.set(kind_count_key(account.kind), KindCount(count + 1))


def get_kind_count(view: View, kind: str) -> int:
    """How many accounts of `kind` exist (kept as they are created: O(1) to read)."""
    record = view.get(kind_count_key(kind), KindCount)
    return 0 if record is None else record.count


def get_key_sequence(view: View, address: str) -> int:
    """Transactions included from a key without an account (0 if none)."""
    record = view.get(key_sequence_key(address), KeySequence)
    return 0 if record is None else record.count


def get_next_sequence(view: View, address: str) -> int:
    """The sequence the key's next transaction must carry: its account's, else the count of
    what it signed as an applicant."""
    account = get_account(view, address)
    return account.sequence if account is not None else get_key_sequence(view, address)


def is_known_key(view: View, address: str) -> bool:
    """An account, or a key that has a transaction on the ledger (whose failed transactions
    in a block then consume their sequence like an account's)."""
    return get_account(view, address) is not None or view.has(key_sequence_key(address))


def increment_sequence(state: Layer, address: str) -> None:
    """Count one more included transaction: on the account, or, for a key without one
    (only applicants' messages get this far: `transition.authenticate_tx`), on the key."""
    account = get_account(state, address)
    if account is None:
        state.set(key_sequence_key(address), KeySequence(get_key_sequence(state, address) + 1))
        return
    state.set(account_key(address), dataclasses.replace(account, sequence=account.sequence + 1))


def use_invite(state: Layer, code_hash: str, resident: str, height: int) -> Invite:
    invite = get_invite(state, code_hash)
    if invite is None:
        raise InviteUnknown("invitation code is not known on this chain")
    if invite.used_by:
        raise InviteUsed(f"invitation code was already used at height {invite.used_height}")
    state.set(invite_key(code_hash),
              dataclasses.replace(invite, used_by=resident, used_height=height))
    return invite


def add_invite(state: Layer, creator: str, code_hash: str, height: int) -> None:
    if state.has(invite_key(code_hash)):
        raise InviteExists(f"invitation code hash {code_hash[:12]}… is already registered")
    state.set(invite_key(code_hash), Invite(creator=creator, created_height=height))
    state.set(invites_of_key(creator, code_hash), Marker())


def _new_account(ctx: Ctx, address: str, kind: str, public_key: str, encryption_key: str,
                 **extra: object) -> Account:
    return Account(address=address, kind=kind, public_key=public_key,
                   encryption_key=encryption_key, sequence=0, created_height=ctx.height,
                   created_at=ctx.time, **extra)  # type: ignore[arg-type]


def _check_key_owns_address(address: str, public_key_b64: str) -> None:
    if compute_address(b64decode(public_key_b64, field="public_key")) != address:
        raise AddressMismatch(f"{address} is not the address of the given public_key")


# --- message handlers ------------------------------------------------------------------------


def process_register_resident(ctx: Ctx, msg: RegisterResident) -> None:
    """A new key joins as a resident by spending an unused invitation code."""
    if get_account(ctx.state, ctx.sender) is not None:
        raise AccountExists(f"account {ctx.sender} is already registered")
    invite = use_invite(ctx.state, compute_invite_hash(msg.invite_code), ctx.sender, ctx.height)
    create_account(ctx.state, _new_account(
        ctx, ctx.sender, RESIDENT, b64encode(ctx.public_key), msg.encryption_key,
        inviter=invite.creator, invites_left=ctx.params.invites_per_resident))
    ctx.emit("accounts/registered", resident=ctx.sender, inviter=invite.creator)


def process_create_invites(ctx: Ctx, msg: CreateInvites) -> None:
    """Residents create up to their quota of codes; the operator has no quota."""
    account = require_account(ctx.state, ctx.sender)
    if account.kind not in (RESIDENT, OPERATOR):
        raise NotResident("only residents and the operator create invitation codes")
    n = len(msg.code_hashes)
    if account.kind == RESIDENT:
        if account.invites_left < n:
            raise NoInvitesLeft(f"{account.invites_left} invitation code(s) left, asked for {n}")
        ctx.state.set(account_key(account.address),
                      dataclasses.replace(account, invites_left=account.invites_left - n))
    for code_hash in msg.code_hashes:
        add_invite(ctx.state, ctx.sender, code_hash, ctx.height)
    ctx.emit("accounts/invites_created", creator=ctx.sender, count=n)


def process_attest_identity(ctx: Ctx, msg: AttestIdentity) -> None:
    """One verified account per person and per phone: each nullifier may be used once on
    the chain."""
    if not is_verifier(ctx.state, ctx.sender):
        raise NotVerifier(f"{ctx.sender} is not a registered identity verifier")
    resident = require_account(ctx.state, msg.resident)
    if resident.kind != RESIDENT:
        raise NotResident(f"{msg.resident} is a {resident.kind}, not a resident")
    if resident.verified:
        raise AlreadyVerified(f"{msg.resident} is already verified")
    existing = ctx.state.get(nullifier_key(msg.nullifier), Nullifier)
    if existing is not None:
        raise NullifierUsed("this person already has a verified account")
    used = Nullifier(resident=msg.resident, verifier=ctx.sender, height=ctx.height)
    if msg.phone_nullifier:
        if ctx.state.get(phone_nullifier_key(msg.phone_nullifier), Nullifier) is not None:
            raise PhoneNullifierUsed("this phone already backs a verified account")
        ctx.state.set(phone_nullifier_key(msg.phone_nullifier), used)
    ctx.state.set(nullifier_key(msg.nullifier), used)
    ctx.state.set(account_key(msg.resident),
                  dataclasses.replace(resident, verified=True, verified_at=ctx.time))
    ctx.emit("accounts/identity_verified", resident=msg.resident, verifier=ctx.sender)
    for event in hooks.identity_verified(ctx.state, ctx.params, msg.resident, resident.inviter,
                                         ctx.time):
        ctx.events.append(event)


def appoint_account(ctx: Ctx, kind: str, address: str, public_key: str,
                    encryption_key: str, name: str) -> None:
    """Only the operator creates business and verifier accounts, with their own keys."""
    require_operator(ctx, f"appoints a {kind}")
    _check_key_owns_address(address, public_key)
    create_account(ctx.state, _new_account(ctx, address, kind, public_key, encryption_key,
                                           name=name))


def register_business(ctx: Ctx, business: str, public_key: str, encryption_key: str,
                      name: str) -> None:
    """The one rule that registers a business, whether the operator names it directly
    (`accounts/register_business`) or approves its application (`applications/approve`)."""
    appoint_account(ctx, BUSINESS, business, public_key, encryption_key, name)
    ctx.emit("accounts/business_registered", business=business, name=name)


def process_register_business(ctx: Ctx, msg: RegisterBusiness) -> None:
    register_business(ctx, msg.business, msg.public_key, msg.encryption_key, msg.name)


def process_add_verifier(ctx: Ctx, msg: AddVerifier) -> None:
    appoint_account(ctx, VERIFIER, msg.verifier, msg.public_key, msg.encryption_key, msg.name)
    ctx.emit("accounts/verifier_added", verifier=msg.verifier, name=msg.name)
