"""The state transition: how a block changes the state, as a short chain of steps.

    process_block = process_block_start        (height, time; then each module's
                                                 time-driven step, in module order)
                  + process_tx for each tx      (authenticate, run messages, sequence)

A transaction that fails authentication (form, chain, signature, sequence) changes
nothing. One that authenticates but whose messages fail has all their effects dropped,
and in a block still consumes its sequence number, so the same signed bytes can never be
included twice. `check_tx` runs the same steps on the mempool's view and refuses both.

A tx that makes the code raise anything but a PlanetError has found a bug: it is logged
with its traceback and refused with `InternalTxError` (`refuse_unexpected`), like any other
refusal, so one tx can never fail a block. Each node running the same code reaches the same
refusal for the same tx; MemoryError alone propagates, as it depends on the machine, and a
node that stops is better than one that disagrees.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

from planet.core import hooks
from planet.core.accounts.messages import RegisterResident
from planet.core.accounts.module import MODULE as ACCOUNTS
from planet.core.accounts.rules import (
    get_account,
    get_key_sequence,
    increment_sequence,
    is_known_key,
)
from planet.core.applications.messages import KEYLESS
from planet.core.applications.module import MODULE as APPLICATIONS
from planet.core.chain import META_KEY, ChainMeta, check_next_block, get_meta
from planet.core.drill.module import MODULE as DRILL
from planet.core.emission.module import MODULE as EMISSION
from planet.core.emission.rules import sync_force
from planet.core.errors import (
    InternalTxError,
    PlanetError,
    SequenceReused,
    SequenceSkipped,
    StateMismatch,
    UnknownAccount,
)
from planet.core.exchange.module import MODULE as EXCHANGE
from planet.core.exchange.rules import end_grants_on_erasure, get_suspension_reason
from planet.core.force.module import MODULE as FORCE
from planet.core.force.rules import reward_verified_identity
from planet.core.genesis import Genesis
from planet.core.messages import Ctx, Event, Module, Router
from planet.core.state import Layer, View
from planet.core.tx import Tx
from planet.core.vault.module import MODULE as VAULT

log = logging.getLogger("planet.core")

MODULES: tuple[Module, ...] = (ACCOUNTS, FORCE, EMISSION, DRILL, VAULT, EXCHANGE, APPLICATIONS)
ROUTER = Router(MODULES)
hooks.on_force_changed(sync_force)
hooks.on_identity_verified(reward_verified_identity)
hooks.on_record_erased(end_grants_on_erasure)
hooks.on_business_suspended(get_suspension_reason)


@dataclass(frozen=True, slots=True)
class BlockHeader:
    height: int
    time: int  # ms since the epoch, from the engine's block, never a local clock
    proposer: str = ""
    hash: bytes = b""  # the engine's hash of this block, known before execution (as in ABCI)


@dataclass(slots=True)
class TxResult:
    code: int = 0
    codespace: str = ""
    log: str = ""
    error: str = ""
    events: list[Event] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.code == 0

    @classmethod
    def failure(cls, err: PlanetError) -> TxResult:
        return cls(code=err.code, codespace=err.codespace, log=err.message,
                   error=type(err).__name__)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "codespace": self.codespace, "log": self.log,
                "error": self.error, "events": [e.to_json() for e in self.events]}


def init_chain(state: Layer, genesis: Genesis) -> None:
    state.set(META_KEY, ChainMeta(chain_id=genesis.chain_id, genesis_hash=genesis.hash.hex(),
                                  genesis_time=genesis.genesis_time, height=0,
                                  time=genesis.genesis_time))
    for module in MODULES:
        if module.init_genesis is not None:
            module.init_genesis(state, genesis)


def authenticate_tx(view: View, tx: Tx) -> None:
    """Sequence rule: exactly the sender's count of included transactions.

    A key without an account may only open with a resident's registration or a business
    application (`applications.messages.KEYLESS`), at the count of its transactions so far
    (`accounts/key_seq`: 0 for a new key; an applicant's count goes on).
    """
    account = get_account(view, tx.sender)
    if account is None:
        if not isinstance(tx.messages[0], (RegisterResident, *KEYLESS)):
            raise UnknownAccount(f"account {tx.sender} does not exist; a new key's first "
                                 "message must be accounts/register (a resident) or "
                                 "applications/apply (a business)")
        expected = get_key_sequence(view, tx.sender)
    else:
        expected = account.sequence
    if tx.sequence < expected:
        raise SequenceReused(f"sequence {tx.sequence} was already used; next is {expected}")
    if tx.sequence > expected:
        raise SequenceSkipped(f"sequence {tx.sequence} skips ahead; next is {expected}")


def refuse_unexpected(err: Exception, doing: str) -> InternalTxError:
    """The refusal for a tx on which the code raised `err` (call it in the except block:
    it logs the traceback as a bug). The message names only the exception's type, so that
    every node gives the same one."""
    log.exception("BUG: %s a transaction raised %s; the tx is refused with code %d",
                  doing, type(err).__name__, InternalTxError.code)
    return InternalTxError(f"the node failed while {doing} this transaction "
                           f"({type(err).__name__}): a bug, logged; the transaction is refused")


def run_messages(ctx: Ctx, tx: Tx) -> None:
    for msg in tx.messages:
        ROUTER.handler(msg)(ctx, msg)


def process_tx(state: Layer, tx: Tx, header: BlockHeader, genesis: Genesis, *,
               in_block: bool) -> TxResult:
    """Apply one authenticated-or-refused transaction to `state`."""
    try:
        authenticate_tx(state, tx)
    except StateMismatch:
        raise  # altered storage stops the node: never a tx's result, never in a block
    except PlanetError as err:
        return TxResult.failure(err)
    except MemoryError:
        raise
    except Exception as err:
        return TxResult.failure(refuse_unexpected(err, "authenticating"))
    layer = state.child()
    ctx = Ctx(state=layer, params=genesis.params, chain_id=genesis.chain_id,
              height=header.height, time=header.time, sender=tx.sender,
              public_key=tx.public_key)
    failure: PlanetError
    try:
        run_messages(ctx, tx)
        increment_sequence(layer, tx.sender)
    except StateMismatch:
        raise
    except PlanetError as err:
        failure = err
    except MemoryError:
        raise
    except Exception as err:  # a bug: refused like a failed message, its writes dropped
        failure = refuse_unexpected(err, "running")
    else:
        state.absorb(layer)
        return TxResult(events=ctx.events)
    if in_block and is_known_key(state, tx.sender):  # an account, or an applicant's key
        increment_sequence(state, tx.sender)
    return TxResult.failure(failure)


def process_block_start(state: Layer, header: BlockHeader, genesis: Genesis) -> list[Event]:
    meta = get_meta(state)
    check_next_block(meta, header.height, header.time)
    state.set(META_KEY, dataclasses.replace(meta, height=header.height, time=header.time))
    ctx = Ctx(state=state, params=genesis.params, chain_id=genesis.chain_id,
              height=header.height, time=header.time, sender="", public_key=b"",
              block_hash=header.hash)
    for module in MODULES:
        if module.begin_block is not None:
            module.begin_block(ctx)
    return ctx.events
