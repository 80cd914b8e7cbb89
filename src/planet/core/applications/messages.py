"""Messages of the applications module.

Each text field has its own bound, below the ledger-wide `max_string_bytes` (256), so that
an application stays small on the ledger: over it is `ApplicationFieldTooLong`; a string
over 256 bytes is refused earlier by the parser, as for every message (`InvalidField`).
"""

from __future__ import annotations

from dataclasses import dataclass

from planet.core.accounts.messages import check_name
from planet.core.encoding import b64decode
from planet.core.errors import ApplicationFieldTooLong, InvalidField
from planet.core.messages import Msg
from planet.core.params import Params

MAX_NAME_CHARS = 80
MAX_CONTACT_BYTES = 120
MAX_OFFERS_BYTES = 240
MAX_REASON_BYTES = 240


def check_text(type_: str, field: str, value: str, max_bytes: int) -> None:
    """One line of printable text, 1 to `max_bytes` bytes of UTF-8."""
    size = len(value.encode())
    if size > max_bytes:
        raise ApplicationFieldTooLong(f"{type_}.{field}: at most {max_bytes} bytes of UTF-8, "
                                      f"got {size}")
    if not value.strip() or not value.isprintable():
        raise InvalidField(f"{type_}.{field}: one line of printable text, not empty")


@dataclass(frozen=True, slots=True)
class ApplyBusiness(Msg):
    """A business applies, signed by its new key (no account needed): the operator reads
    the name, the contact and what it offers; the keys become the business's if approved."""

    TYPE = "applications/apply"
    name: str
    contact: str  # a business's public contact (phone, e-mail, site): not personal data
    offers: str  # what it offers residents, in a line
    encryption_key: str  # base64 X25519: residents seal grants and vouchers to it

    def validate(self, params: Params) -> None:
        if len(self.name) > MAX_NAME_CHARS:
            raise ApplicationFieldTooLong(f"{self.TYPE}.name: at most {MAX_NAME_CHARS} "
                                          f"characters, got {len(self.name)}")
        check_name(self.name, f"{self.TYPE}.name")
        check_text(self.TYPE, "contact", self.contact, MAX_CONTACT_BYTES)
        check_text(self.TYPE, "offers", self.offers, MAX_OFFERS_BYTES)
        b64decode(self.encryption_key, field=f"{self.TYPE}.encryption_key", length=32)


@dataclass(frozen=True, slots=True)
class ApproveApplication(Msg):
    """The operator approves: the applicant's key is registered as a business."""

    TYPE = "applications/approve"
    application: int


@dataclass(frozen=True, slots=True)
class DeclineApplication(Msg):
    """The operator declines, saying why (on the ledger, for the applicant to read)."""

    TYPE = "applications/decline"
    application: int
    reason: str

    def validate(self, params: Params) -> None:
        check_text(self.TYPE, "reason", self.reason, MAX_REASON_BYTES)


@dataclass(frozen=True, slots=True)
class WithdrawApplication(Msg):
    """The applicant withdraws its pending application (signed by the key that applied)."""

    TYPE = "applications/withdraw"
    application: int


KEYLESS = (ApplyBusiness, WithdrawApplication)
"""Messages a key without an account may open a transaction with (besides a resident's
registration): `transition.authenticate_tx`."""
