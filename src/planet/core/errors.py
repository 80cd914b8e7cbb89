"""One exception tree with stable numeric codes.

Codes are part of the protocol: clients, the HTTP API and the CLI map on them, so a
code never changes meaning once released. Library code raises; edges print `str(err)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class PlanetError(Exception):
    """Root of every error the core raises on purpose."""

    code: ClassVar[int] = 1
    codespace: ClassVar[str] = "planet"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "codespace": self.codespace, "error": type(self).__name__,
                "message": self.message}


class Missing(Exception):
    """Mixed into each error that names something that does not exist (an account, a task, a
    record, a request…): edges answer these as "not found" (HTTP 404) by type, whatever their
    code, rather than by reading messages."""


# --- transaction envelope: 100-199 ----------------------------------------------------------
class TxError(PlanetError):
    """The transaction as a whole is unacceptable; it never touches state."""

    code = 100
    codespace = "tx"


class MalformedTx(TxError):
    code = 101


class UnknownField(TxError):
    code = 102


class TxTooLarge(TxError):
    code = 103


class WrongChainId(TxError):
    code = 104


class BadSignature(TxError):
    code = 105


class AddressMismatch(TxError):
    code = 106


class SequenceReused(TxError):
    code = 107


class SequenceSkipped(TxError):
    code = 108


class UnknownMessage(TxError):
    code = 109


class UnknownAccount(TxError):
    code = 110


class InvalidField(TxError):
    """A message field has the wrong type, size or format."""

    code = 111


class DuplicateTx(TxError):
    code = 112


class MempoolFull(TxError):
    code = 113


class DuplicateKey(MalformedTx):
    """An object in the tx repeats a key (I-JSON, RFC 7493 §2.3): JSON parsers keep the
    first or the last, so the same bytes would mean one thing here and another elsewhere."""

    code = 114


class WeakPublicKey(TxError):
    """An Ed25519 public key no node accepts: a small-order point or a non-canonical
    encoding (the rule is in core/ed25519.py)."""

    code = 115


class InternalTxError(TxError):
    """Checking or running this tx raised an unexpected exception: a bug, logged with its
    traceback. The tx is refused with this code, alike on every node, so that one tx can
    never fail a block, the mempool or an ABCI connection."""

    code = 199


# --- authorisation: 200-249 -----------------------------------------------------------------
class Unauthorized(PlanetError):
    code = 200
    codespace = "auth"


class NotOperator(Unauthorized):
    code = 201


class NotVerifier(Unauthorized):
    code = 202


class NotResident(Unauthorized):
    code = 203


class NotBusiness(Unauthorized):
    code = 204


class BadRequestSignature(Unauthorized):
    """An off-ledger request (the blob store's) is unsigned, stale or signed by another key."""

    code = 205


# --- accounts and registration: 300-399 -----------------------------------------------------
class AccountsError(PlanetError):
    code = 300
    codespace = "accounts"


class AccountExists(AccountsError):
    code = 301


class InviteUnknown(AccountsError, Missing):
    code = 302


class InviteUsed(AccountsError):
    code = 303


class InviteExists(AccountsError):
    code = 304


class NoInvitesLeft(AccountsError):
    code = 305


class NullifierUsed(AccountsError):
    code = 306


class AlreadyVerified(AccountsError):
    code = 307


class BusinessExists(AccountsError):
    code = 308


class IdentityRejected(PlanetError):
    """The identity verifier's check of submitted details failed; the message names the
    check, never the data (`identity/verifier.py`)."""

    code = 350
    codespace = "identity"


class PhoneNullifierUsed(AccountsError):
    """The phone's nullifier (a keyed hash of the E.164 number) is on the ledger already:
    one phone backs one verified account."""

    code = 309


class CodeRefused(IdentityRejected):
    """The one-time code sent to the phone is wrong, expired, used, or was never sent to
    that phone; said the same way whatever the name and ID number, and before the identity
    authority is asked, so it reveals nothing about whether they go together."""

    code = 351


class TooManyAttempts(PlanetError):
    """A resident or a phone used up today's verification attempts or code sends (genesis
    `identity_attempts_per_day`, `identity_code_sends_per_day`); HTTP 429."""

    code = 352
    codespace = "identity"


class AuthorityRefused(IdentityRejected):
    """The identity authority says the name does not match the ID number."""

    code = 353


class IdentityUnavailable(PlanetError):
    """The identity authority or the SMS gateway did not give a usable answer (down, an
    error, a reply of the wrong shape): nothing was decided; try again later (HTTP 503)."""

    code = 354
    codespace = "identity"


# --- business applications: 360-369 (planet.core.applications) -----------------------------
class ApplicationError(PlanetError):
    code = 360
    codespace = "applications"


class DuplicateApplication(ApplicationError):
    """The key already has an application waiting for the operator's decision."""

    code = 361


class ApplicationUnknown(ApplicationError, Missing):
    code = 362


class ApplicationDecided(ApplicationError):
    """The application was approved, declined or withdrawn already: a decision is final."""

    code = 363


class NotApplicant(ApplicationError):
    """Only the key that applied may withdraw its application."""

    code = 364


class ApplicationFieldTooLong(ApplicationError):
    """A field of an application (or a decline's reason) is over its own bound, which is
    below the ledger-wide max_string_bytes (a longer string is an InvalidField there)."""

    code = 365


class ApplicationQueueFull(ApplicationError):
    """`max_pending_applications` wait for a decision already; apply again once the
    operator has decided some."""

    code = 366


class ApplyTooSoon(ApplicationError):
    """The key's last application was decided or withdrawn less than
    `application_retry_ms` ago."""

    code = 367


# --- Original Force: 400-499 ----------------------------------------------------------------
class ForceError(PlanetError):
    code = 400
    codespace = "force"


class TaskUnknown(ForceError, Missing):
    code = 401


class TaskLimitReached(ForceError):
    """The task's `once` or `daily:N` limit is used up for this resident (and day)."""

    code = 410


class NotEnoughForce(ForceError):
    """Consuming more Force than the resident holds: Force never goes negative."""

    code = 411


class TaskDisabled(ForceError):
    """The catalog lists the task but it is switched off (e.g. Sesame Credit at launch)."""

    code = 412


class QuotaExceeded(ForceError):
    """A business's attestations today would pass the daily Force quota the operator set."""

    code = 413


class TaskNotAttestable(ForceError):
    """The task is paid by a rule (identity, invitations), never by a direct attestation."""

    code = 414


# --- Lucky Drill: 500-599 -------------------------------------------------------------------
class DrillError(PlanetError):
    code = 500
    codespace = "drill"


class RoundNotOpen(DrillError):
    """No round with that number is open now: not committed, not started, or closed."""

    code = 501


class AlreadyEntered(DrillError):
    code = 502


class CommitmentExists(DrillError):
    code = 503


class RoundTooLate(DrillError):
    """A commitment must be on the ledger before its round opens."""

    code = 504


class RevealRejected(DrillError):
    """The secret does not match the commitment, or the draw cannot happen yet or anymore."""

    code = 505


# --- vault: 600-699 --------------------------------------------------------------------------
class VaultError(PlanetError):
    code = 600
    codespace = "vault"


class RecordExists(VaultError):
    """A digest is on the ledger once, even after erasure (its tombstone stays)."""

    code = 601


class RecordUnknown(VaultError, Missing):
    code = 602


class RecordErased(VaultError):
    code = 603


class NotRecordOwner(VaultError):
    code = 604


class BlobRefused(VaultError):
    """A blob upload or download the ledger does not allow (no record, wrong size, no grant)."""

    code = 605


class BlobTooLarge(VaultError):
    """A blob over the genesis limit (`vault_max_record_bytes`); answered with HTTP 413."""

    code = 606


class DepositNotAllowed(VaultError):
    """A business deposits only into the vault of a resident who allowed it (and has not
    revoked it): a stranger's vault cannot be filled, nor a record planted to be sold."""

    code = 607


class DepositorAllowed(VaultError):
    """The resident already allows this business to deposit."""

    code = 608


class DepositorUnknown(VaultError, Missing):
    """The resident has no allowance for this business to revoke."""

    code = 609


# --- exchange: 700-799 -----------------------------------------------------------------------
class ExchangeError(PlanetError):
    code = 700
    codespace = "exchange"


class NotEnoughDiamonds(ExchangeError):
    code = 701


class RequestUnknown(ExchangeError, Missing):
    code = 702


class RequestClosed(ExchangeError):
    """Expired, closed by the business, or every place taken."""

    code = 703


class AlreadyGranted(ExchangeError):
    code = 704


class RecordNotEligible(ExchangeError):
    """A record the request did not ask for (category, period), or one that cannot be shared."""

    code = 705


class GrantUnknown(ExchangeError, Missing):
    code = 706


class GrantEnded(ExchangeError):
    code = 707


class OfferUnknown(ExchangeError, Missing):
    code = 708


class OfferNotOnSale(ExchangeError):
    """Not started yet, or ended."""

    code = 709


class SoldOut(ExchangeError):
    code = 710


class ForceTooLow(ExchangeError):
    code = 711


class DailyLimitReached(ExchangeError):
    code = 712


class RedemptionUnknown(ExchangeError, Missing):
    code = 713


class RedemptionSettled(ExchangeError):
    """Already fulfilled or refunded."""

    code = 714


class DailyCapReached(ExchangeError):
    """What a resident receives from businesses in one local day is capped
    (`Params.resident_daily_cap_micro`): the payment would go past it."""

    code = 715


class RewardOverCap(ExchangeError):
    """A request's reward per resident is more than the daily cap, so no one could be paid."""

    code = 716


class CohortTooSmall(ExchangeError):
    """A data request's cohort is below the genesis minimum (`Params.min_cohort`), or its
    places are not whole cohorts."""

    code = 717


class BusinessSuspended(ExchangeError):
    """The operator suspended the business: no offers, redemptions, requests, deposits,
    attestations or rewards until it lifts the suspension."""

    code = 718


class AlreadySuspended(ExchangeError):
    code = 719


class NotSuspended(ExchangeError):
    code = 720


# Offers edited, paused and stopped by their business (issue 17, item 4).
class NotOfferOwner(ExchangeError):
    """Only the business that listed an offer may edit, pause, resume or stop it."""

    code = 721


class OfferPaused(ExchangeError):
    """The business paused the offer: no redemptions until it resumes it."""

    code = 722


class OfferStopped(ExchangeError):
    """The business stopped the offer, for good: no redemptions and no more changes;
    pending redemptions are still fulfilled or refunded."""

    code = 723


class OfferNotPaused(ExchangeError):
    """Resuming an offer that is not paused."""

    code = 724


class StockBelowSold(ExchangeError):
    """An offer's stock cannot go below what is already redeemed (and not refunded)."""

    code = 725


class OfferWindowInvalid(ExchangeError):
    """An edited sale window must end after it starts, after the block time, and within
    `exchange_max_open_ms` of it."""

    code = 726


class NothingToUpdate(ExchangeError):
    """An offer update that names no field to change."""

    code = 727


# --- genesis, queries, the HTTP edge, the chain, the node and its engines: 900-999 ----------
class GenesisError(PlanetError):
    code = 900
    codespace = "genesis"


class QueryError(PlanetError):
    code = 910
    codespace = "query"


class NotFound(QueryError, Missing):
    code = 911


class InternalQueryError(QueryError):
    """A query raised an unexpected exception: a bug, logged with its traceback, and
    answered with this code rather than a crash."""

    code = 919


class HttpError(PlanetError):
    """The HTTP layer refused the request before any rule saw it (an HTTP status with no
    class of its own below)."""

    code = 915
    codespace = "http"


class MethodNotAllowed(HttpError):
    code = 912


class BodyTooLarge(HttpError):
    code = 913


class UnsupportedMediaType(HttpError):
    code = 914


class HeaderTooLarge(HttpError):
    """The request line and headers passed the node's limit (HTTP 431; api/limits.py)."""

    code = 916


class RequestTimeout(HttpError):
    """The request's head did not arrive within the node's deadline (HTTP 408)."""

    code = 917


class TooManyStreams(HttpError):
    """Too many open /v1/events streams: from this client (HTTP 429) or in all (503)."""

    code = 918


class BlockOrderError(PlanetError):
    """An engine fed blocks out of order or with time going backwards: a bug, not input."""

    code = 920
    codespace = "chain"


class StateMismatch(PlanetError):
    """The stored state does not hash to the committed app hash: tampered or corrupt."""

    code = 930
    codespace = "node"


class InvalidProof(PlanetError):
    """A state proof does not lead from its key and value to the app hash it is checked
    against (tampered, truncated, for another key or another height)."""

    code = 933
    codespace = "node"


class CommitTimeout(PlanetError):
    """A transaction a node service submitted was not committed in time (or a block a proven
    read waits for: finalized, not yet committed)."""

    code = 931
    codespace = "node"


class LedgerRefused(PlanetError):
    """The ledger refused a transaction a node service submitted for a client (the identity
    verifier's attestation); it answers with the ledger's own code and message."""

    code = 932
    codespace = "node"

    def __init__(self, result: Mapping[str, Any]) -> None:
        super().__init__(str(result.get("log", "")))
        self.result = dict(result)

    def to_dict(self) -> dict[str, object]:
        return {"code": self.result.get("code"), "codespace": self.result.get("codespace"),
                "error": self.result.get("error"), "message": self.result.get("log")}


class AbciRefused(PlanetError):
    """CometBFT asked for something this application cannot do (wrong chain, bad order)."""

    code = 940
    codespace = "abci"


class FramingError(AbciRefused):
    """The ABCI byte stream is not a sequence of length-prefixed messages (a length past the
    limit, over 64 bits or not in its one minimal varint form); the connection is closed."""

    code = 942


class WebhookError(PlanetError):
    """A business's webhook endpoints on one node (node-side, not a ledger rule)."""

    code = 950
    codespace = "webhooks"


class WebhookUnknown(WebhookError, Missing):
    code = 951


class DeliveryUnknown(WebhookError, Missing):
    code = 952


class TooManyWebhooks(WebhookError):
    """A business holds at most a few endpoints on a node (planet.webhooks.service)."""

    code = 953


class WebhookUrlRefused(WebhookError):
    """Not an http(s) URL, or one that points into the node's own network (loopback,
    private, link-local) while the node's config does not allow it."""

    code = 954


class IdempotencyKeyInvalid(HttpError):
    """The `Idempotency-Key` header is repeated, empty, too long or has characters outside
    its set (planet.api.idempotency)."""

    code = 960


class IdempotencyKeyReused(HttpError):
    """The `Idempotency-Key` was used for a different request within its lifetime: the
    first request's answer belongs to that key (HTTP 422)."""

    code = 961


class EngineUnavailable(PlanetError):
    """CometBFT's RPC did not answer or refused the broadcast: the tx was not admitted."""

    code = 941
    codespace = "node"
