"""The exchange module's records, under `exchange/`. Only this module writes them.

    exchange/counters                          Counters (ids of requests, offers, redemptions)
    exchange/purse/<business>                  Purse (a business's diamonds)
    exchange/request/<id:10>                   DataRequest (with its escrow)
    exchange/expiry/<expires_at:16>/<id:10>    Marker (requests still holding escrow)
    exchange/grant/<request:10>/<resident>     Grant
    exchange/grant_of/<resident>/<request:10>  Marker
    exchange/waiting/<request:10>/<resident>   Marker (a grant waiting for its cohort)
    exchange/access/<owner>/<digest>/<request:10>  Marker (a grant that covers a record)
    exchange/offer/<id:10>                     Offer
    exchange/daily/<offer:10>/<resident>       DailyCount (redemptions on a local day)
    exchange/redemption/<id:10>                Redemption
    exchange/redemption_of/<address>/<id:10>   Marker (for the resident and the business)
    exchange/received/<resident>               Receipts (µBD from businesses on a local day)
    exchange/suspended/<business>              Suspension (by the operator, until lifted)

Diamonds live in three places besides residents' balances (emission's holders): business
purses, and the escrow of requests (reward × residents − paid − refunded).
"""

from __future__ import annotations

from dataclasses import dataclass

from planet.core.records import Record

PREFIX = "exchange/"
COUNTERS_KEY = f"{PREFIX}counters"
EXPIRY_PREFIX = f"{PREFIX}expiry/"

OPEN = "open"
CLOSED = "closed"  # by the business, before expiry
EXPIRED = "expired"

PENDING = "pending"
FULFILLED = "fulfilled"
REFUNDED = "refunded"

LISTED = "listed"  # an offer as its business left it: on sale within its window and stock
PAUSED = "paused"  # by its business, until it resumes it
STOPPED = "stopped"  # by its business, for good


@dataclass(frozen=True, slots=True)
class Counters(Record):
    requests: int = 0
    offers: int = 0
    redemptions: int = 0


@dataclass(frozen=True, slots=True)
class Purse(Record):
    """A business's diamonds: earned from redemptions, spent on data access and bonuses."""

    balance: int = 0


@dataclass(frozen=True, slots=True)
class DataRequest(Record):
    id: int
    business: str
    categories: tuple[str, ...]
    period_start: int  # ms; records whose time falls in [period_start, period_end]
    period_end: int
    purpose: str
    reward: int  # µBD to each resident who grants
    residents: int  # places, in whole cohorts
    expires_at: int  # block time after which no one may accept; escrow left is refunded
    access_ms: int  # how long each grant gives access, from the moment its cohort opens
    created_at: int
    accepted: int = 0  # grants opened and paid (whole cohorts)
    refunded: int = 0
    status: str = OPEN
    ended_at: int = 0
    cohort: int = 1  # acceptances open and are paid this many at once, never fewer
    waiting: int = 0  # acceptances waiting for their cohort: recorded, unpaid, unreadable

    @property
    def escrowed(self) -> int:
        return self.reward * self.residents

    @property
    def paid(self) -> int:
        return self.reward * self.accepted

    @property
    def escrow(self) -> int:
        """µBD still held for this request."""
        return self.escrowed - self.paid - self.refunded


@dataclass(frozen=True, slots=True)
class Grant(Record):
    """A resident's consent: which records, their data keys resealed to the business.

    A key is blanked when its record is erased or the grant is revoked: what ends access
    is then visible in the state itself.
    """

    request: int
    resident: str
    business: str
    purpose: str
    records: tuple[str, ...]  # digests
    keys: tuple[str, ...]  # base64 HPKE-sealed data keys to the business, "" once ended
    reward: int
    granted_at: int  # when the resident signed it
    access_until: int  # 0 until its cohort opens
    revoked_at: int = 0
    opened_at: int = 0  # when its cohort completed: paid, readable from then on
    lapsed_at: int = 0  # its request ended before the cohort completed: never opened

    @property
    def waits(self) -> bool:
        """Signed, waiting for its cohort: neither paid nor readable."""
        return not (self.opened_at or self.revoked_at or self.lapsed_at)

    def is_active(self, time_ms: int) -> bool:
        return bool(self.opened_at) and not self.revoked_at and time_ms < self.access_until


@dataclass(frozen=True, slots=True)
class Receipts(Record):
    """What a resident received from businesses on local day `day` (the daily cap's count)."""

    day: int
    micro: int


@dataclass(frozen=True, slots=True)
class Suspension(Record):
    reason: str
    since: int


@dataclass(frozen=True, slots=True)
class Offer(Record):
    id: int
    business: str
    item: str
    price: int  # µBD
    stock: int
    starts_at: int
    ends_at: int
    min_force: int
    daily_limit: int  # per resident per local day; 0 = no limit
    created_at: int
    sold: int = 0  # redeemed and not refunded
    status: str = LISTED
    changed_at: int = 0  # when its business last edited, paused, resumed or stopped it


@dataclass(frozen=True, slots=True)
class DailyCount(Record):
    day: int
    count: int


@dataclass(frozen=True, slots=True)
class Redemption(Record):
    id: int
    offer: int
    business: str
    resident: str
    item: str
    price: int
    redeemed_at: int
    status: str = PENDING
    voucher: str = ""  # base64 HPKE-sealed to the resident; only they can read it
    settled_at: int = 0


def _n(value: int, digits: int = 10) -> str:
    return f"{value:0{digits}d}"


def purse_key(business: str) -> str:
    return f"{PREFIX}purse/{business}"


def request_key(request_id: int) -> str:
    return f"{PREFIX}request/{_n(request_id)}"


def expiry_key(expires_at: int, request_id: int) -> str:
    return f"{EXPIRY_PREFIX}{_n(expires_at, 16)}/{_n(request_id)}"


def parse_expiry_key(key: str) -> tuple[int, int]:
    expires_at, request_id = key.removeprefix(EXPIRY_PREFIX).split("/")
    return int(expires_at), int(request_id)


def grant_key(request_id: int, resident: str) -> str:
    return f"{PREFIX}grant/{_n(request_id)}/{resident}"


def grants_of_request_prefix(request_id: int) -> str:
    return f"{PREFIX}grant/{_n(request_id)}/"


def waiting_key(request_id: int, resident: str) -> str:
    return f"{PREFIX}waiting/{_n(request_id)}/{resident}"


def waiting_prefix(request_id: int) -> str:
    return f"{PREFIX}waiting/{_n(request_id)}/"


def grant_of_key(resident: str, request_id: int) -> str:
    return f"{PREFIX}grant_of/{resident}/{_n(request_id)}"


def access_key(owner: str, digest: str, request_id: int) -> str:
    return f"{PREFIX}access/{owner}/{digest}/{_n(request_id)}"


def access_prefix(owner: str, digest: str) -> str:
    return f"{PREFIX}access/{owner}/{digest}/"


def offer_key(offer_id: int) -> str:
    return f"{PREFIX}offer/{_n(offer_id)}"


def daily_key(offer_id: int, resident: str) -> str:
    return f"{PREFIX}daily/{_n(offer_id)}/{resident}"


def redemption_key(redemption_id: int) -> str:
    return f"{PREFIX}redemption/{_n(redemption_id)}"


def redemption_of_key(address: str, redemption_id: int) -> str:
    return f"{PREFIX}redemption_of/{address}/{_n(redemption_id)}"


def receipts_key(resident: str) -> str:
    return f"{PREFIX}received/{resident}"


def suspension_key(business: str) -> str:
    return f"{PREFIX}suspended/{business}"


SUSPENDED_PREFIX = f"{PREFIX}suspended/"
