"""Messages of the exchange: data requests and grants, offers and redemptions."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

from planet.core.accounts.messages import check_hex32, check_name
from planet.core.address import parse_address
from planet.core.encoding import b64decode
from planet.core.errors import CohortTooSmall, InvalidField, NothingToUpdate, OfferWindowInvalid
from planet.core.messages import BusinessMsg, Msg
from planet.core.params import Params
from planet.core.vault.messages import check_category

SEALED_KEY_BYTES = 32 + 32 + 16
"""An HPKE-sealed data key: X25519 encapsulated key, 32-byte key, AES-GCM tag."""
MIN_VOUCHER_BYTES = 32 + 1 + 16


def check_id(type_: str, field: str, value: int) -> None:
    if value < 1:
        raise InvalidField(f"{type_}.{field}: ids start at 1")


def check_positive(type_: str, field: str, value: int) -> None:
    if value < 1:
        raise InvalidField(f"{type_}.{field}: must be at least 1")


def check_cohort(type_: str, cohort: int, residents: int, params: Params) -> None:
    """Data is sold in cohorts of at least `min_cohort` residents, and places in whole cohorts,
    so that no grant ever opens with fewer than `cohort` others beside it."""
    if cohort < max(1, params.min_cohort):
        raise CohortTooSmall(f"{type_}.cohort: {cohort} is below the minimum cohort of "
                             f"{params.min_cohort} residents")
    if cohort > params.max_cohort:
        raise InvalidField(f"{type_}.cohort: at most {params.max_cohort} residents")
    if residents % cohort:
        raise CohortTooSmall(f"{type_}.residents: {residents} places are not whole cohorts of "
                             f"{cohort}")


def largest_cohort(residents: int, min_cohort: int, max_cohort: int) -> int | None:
    """The largest cohort that places `residents` in whole cohorts within the chain's bounds
    (None if there is none): what a request opens in the fewest steps."""
    for cohort in range(min(residents, max_cohort), max(1, min_cohort) - 1, -1):
        if residents % cohort == 0:
            return cohort
    return None


@dataclass(frozen=True, slots=True)
class CreateRequest(Msg):
    """A business asks for data; `reward × residents` µBD move from its purse into escrow.

    Acceptances wait in cohorts of `cohort` residents: nothing is paid or readable until a
    cohort is complete, then all of its grants open and are paid at once.
    """

    TYPE = "exchange/create_request"
    categories: tuple[str, ...]
    period_start: int
    period_end: int
    purpose: str
    reward: int
    residents: int
    cohort: int
    expires_at: int
    access_ms: int

    def validate(self, params: Params) -> None:
        if not self.categories:
            raise InvalidField(f"{self.TYPE}.categories: at least one")
        for i, category in enumerate(self.categories):
            check_category(self.TYPE, category, f"categories[{i}]")
        if len(set(self.categories)) != len(self.categories):
            raise InvalidField(f"{self.TYPE}.categories: repeated category")
        if self.period_start > self.period_end:
            raise InvalidField(f"{self.TYPE}.period_end: before period_start")
        if not self.purpose.strip() or not self.purpose.isprintable():
            raise InvalidField(f"{self.TYPE}.purpose: say in printable words what the data is for")
        check_positive(self.TYPE, "reward", self.reward)
        check_positive(self.TYPE, "residents", self.residents)
        check_cohort(self.TYPE, self.cohort, self.residents, params)
        if not 0 < self.access_ms <= params.exchange_max_access_ms:
            raise InvalidField(f"{self.TYPE}.access_ms: 1 to {params.exchange_max_access_ms} ms")


@dataclass(frozen=True, slots=True)
class CloseRequest(Msg):
    """The business stops a request early; what escrow remains comes back to it."""

    TYPE = "exchange/close_request"
    request: int

    def validate(self, params: Params) -> None:
        check_id(self.TYPE, "request", self.request)


@dataclass(frozen=True, slots=True)
class AcceptRequest(Msg):
    """A resident's grant: the chosen records and, for each, its data key resealed to the
    business (`keys[i]` opens `records[i]`). It waits for its cohort; when the cohort is
    complete every grant in it opens and is paid from escrow at once."""

    TYPE = "exchange/accept_request"
    request: int
    records: tuple[str, ...]
    keys: tuple[str, ...]

    def validate(self, params: Params) -> None:
        check_id(self.TYPE, "request", self.request)
        if not self.records:
            raise InvalidField(f"{self.TYPE}.records: choose at least one record")
        if len(self.keys) != len(self.records):
            raise InvalidField(f"{self.TYPE}.keys: one sealed key per record "
                               f"({len(self.records)} records, {len(self.keys)} keys)")
        for i, digest in enumerate(self.records):
            check_hex32(digest, f"{self.TYPE}.records[{i}]")
        if len(set(self.records)) != len(self.records):
            raise InvalidField(f"{self.TYPE}.records: repeated record")
        for i, key in enumerate(self.keys):
            b64decode(key, field=f"{self.TYPE}.keys[{i}]", length=SEALED_KEY_BYTES)


@dataclass(frozen=True, slots=True)
class RevokeGrant(Msg):
    """The resident ends a grant now (or withdraws one still waiting for its cohort); the
    business keeps what it was paid for, no more."""

    TYPE = "exchange/revoke_grant"
    request: int

    def validate(self, params: Params) -> None:
        check_id(self.TYPE, "request", self.request)


@dataclass(frozen=True, slots=True)
class CreateOffer(Msg):
    """A business lists an item residents redeem with diamonds (a timed, gated sale)."""

    TYPE = "exchange/create_offer"
    item: str
    price: int
    stock: int
    starts_at: int
    ends_at: int
    min_force: int
    daily_limit: int

    def validate(self, params: Params) -> None:
        check_name(self.item, f"{self.TYPE}.item")
        check_positive(self.TYPE, "stock", self.stock)
        if self.ends_at <= self.starts_at:
            raise InvalidField(f"{self.TYPE}.ends_at: must be after starts_at")


UNCHANGED = -1
"""An offer field an update leaves as it is: never sent (the wire takes only 0 to 2^53-1)."""


@dataclass(frozen=True, slots=True)
class UpdateOffer(Msg):
    """The business edits its offer: only the fields given change, and only for redemptions
    still to come (a redemption keeps the price it was made at)."""

    TYPE = "exchange/update_offer"
    OPTIONAL: ClassVar[frozenset[str]] = frozenset(
        {"price", "stock", "starts_at", "ends_at", "min_force", "daily_limit"})
    offer: int
    price: int = UNCHANGED
    stock: int = UNCHANGED
    starts_at: int = UNCHANGED
    ends_at: int = UNCHANGED
    min_force: int = UNCHANGED
    daily_limit: int = UNCHANGED

    def changes(self) -> dict[str, int]:
        """The fields this update sets, by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name != "offer" and getattr(self, f.name) != UNCHANGED}

    def to_json(self) -> dict[str, Any]:
        """Fields left unchanged are absent, as the node parses them."""
        return {"type": self.TYPE, "offer": self.offer, **self.changes()}

    def validate(self, params: Params) -> None:
        check_id(self.TYPE, "offer", self.offer)
        changes = self.changes()
        if not changes:
            raise NothingToUpdate(f"{self.TYPE}: name at least one field to change")
        if "stock" in changes:
            check_positive(self.TYPE, "stock", self.stock)
        if "starts_at" in changes and "ends_at" in changes and self.ends_at <= self.starts_at:
            raise OfferWindowInvalid(f"{self.TYPE}.ends_at: must be after starts_at")


@dataclass(frozen=True, slots=True)
class OfferMsg(Msg):
    """A message whose one field names the offer its business acts on."""

    offer: int

    def validate(self, params: Params) -> None:
        check_id(self.TYPE, "offer", self.offer)


@dataclass(frozen=True, slots=True)
class PauseOffer(OfferMsg):
    """No redemptions until the business resumes the offer; nothing else changes."""

    TYPE = "exchange/pause_offer"


@dataclass(frozen=True, slots=True)
class ResumeOffer(OfferMsg):
    TYPE = "exchange/resume_offer"


@dataclass(frozen=True, slots=True)
class StopOffer(OfferMsg):
    """Final: no more redemptions or changes; pending redemptions stay to be fulfilled or
    refunded."""

    TYPE = "exchange/stop_offer"


@dataclass(frozen=True, slots=True)
class RedeemOffer(Msg):
    TYPE = "exchange/redeem"
    offer: int

    def validate(self, params: Params) -> None:
        check_id(self.TYPE, "offer", self.offer)


@dataclass(frozen=True, slots=True)
class FulfilRedemption(Msg):
    """The business delivers the voucher, sealed (HPKE) to the resident's encryption key."""

    TYPE = "exchange/fulfil"
    redemption: int
    voucher: str

    def validate(self, params: Params) -> None:
        check_id(self.TYPE, "redemption", self.redemption)
        raw = b64decode(self.voucher, field=f"{self.TYPE}.voucher")
        if len(raw) < MIN_VOUCHER_BYTES:
            raise InvalidField(f"{self.TYPE}.voucher: not an HPKE-sealed voucher "
                               f"(at least {MIN_VOUCHER_BYTES} bytes)")


@dataclass(frozen=True, slots=True)
class RefundRedemption(Msg):
    """The business cannot deliver: the price goes back to the resident, the item to stock."""

    TYPE = "exchange/refund"
    redemption: int

    def validate(self, params: Params) -> None:
        check_id(self.TYPE, "redemption", self.redemption)


def check_reason(type_: str, reason: str) -> None:
    if not reason.strip() or not reason.isprintable():
        raise InvalidField(f"{type_}.reason: say in printable words why")


@dataclass(frozen=True, slots=True)
class SuspendBusiness(Msg):
    """The operator suspends a business: no offers, redemptions, requests, deposits,
    attestations or rewards; its open requests close and refund their escrow."""

    TYPE = "exchange/suspend_business"
    business: str
    reason: str

    def validate(self, params: Params) -> None:
        parse_address(self.business, field=f"{self.TYPE}.business")
        check_reason(self.TYPE, self.reason)


@dataclass(frozen=True, slots=True)
class LiftSuspension(BusinessMsg):
    """The operator lifts a suspension: the business may trade again."""

    TYPE = "exchange/lift_suspension"
