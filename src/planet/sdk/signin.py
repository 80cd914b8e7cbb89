"""Sign in with Planet: a website learns which resident a visitor is, from a message the
resident's wallet signs (modelled on EIP-4361, "Sign-In with Ethereum").

The site makes a message naming itself (domain, the URI to return to), the chain, a fresh
nonce, when it was issued and when it expires, and an optional statement; the resident's
wallet shows it in plain words, fills in the resident's address and signs it with the
resident's Ed25519 key. The message is plain text, one field a line::

    shop.example wants you to sign in with your Planet account:
    planet1…

    Buy coffee with your Planet account.

    URI: https://shop.example/signin/callback
    Version: 1
    Chain ID: planet-1
    Nonce: 8f3kq2x9Lm
    Issued At: 2025-03-01T08:00:00Z
    Expiration Time: 2025-03-01T08:10:00Z

Without a statement, its line is left empty (EIP-4361 spells it so). A site that does
not know the resident yet leaves the address line empty; the wallet fills it in. Every
message has one spelling (times in whole UTC seconds, nothing optional spelt two ways),
so parsing and building are inverses and the bytes signed are the bytes shown.

The signature is Ed25519 over ``SIGNIN_SIGN_DOMAIN + UTF-8(message)``. Transactions sign
under ``planet/tx/v1\\n`` and blob requests under their own tag, so no signature made for
one can ever verify as another. The browser SDK (web/src/sdk/signin.js) builds, parses
and verifies the same bytes; web/test/fixtures/signin-vectors.json holds both to it.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from planet.core import ed25519
from planet.core.address import compute_address, parse_address
from planet.core.encoding import b64decode, b64encode
from planet.core.errors import PlanetError

if TYPE_CHECKING:
    from planet.sdk.client import PlanetClient
    from planet.sdk.wallet import Wallet

SIGNIN_SIGN_DOMAIN = b"planet/signin/v1\n"
VERSION = "1"
HEADER_SUFFIX = " wants you to sign in with your Planet account:"
MAX_MESSAGE_BYTES = 4096
MAX_STATEMENT_CHARS = 500
MAX_URI_CHARS = 2048
DEFAULT_SKEW_S = 300
DEFAULT_MAX_VALIDITY_S = 3600
DEFAULT_NONCE_CAPACITY = 100_000

DOMAIN_RE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
                       r"(?::[0-9]{1,5})?")
URI_RE = re.compile(r"(https?)://(" + DOMAIN_RE.pattern + r")(?:[/?#][\x21-\x7e]*)?")
CHAIN_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,47}")  # the genesis's rule
NONCE_RE = re.compile(r"[A-Za-z0-9]{8,64}")
TIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
FIELD_LINES = ("URI", "Version", "Chain ID", "Nonce", "Issued At", "Expiration Time")


class SigninError(ValueError):
    """A sign-in that must be refused. `reason` names the failed check in one word, the
    same in the browser SDK: malformed, domain, uri, chain_id, not_yet_valid, expired,
    too_long, signature, address, nonce, nonce_used, nonce_store_full, not_resident."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SigninMessage:
    """The fields of a sign-in message; `address` is None in a site's request, before the
    wallet fills it in."""

    domain: str
    uri: str
    chain_id: str
    nonce: str
    issued_at: datetime
    expiration_time: datetime
    address: str | None = None
    statement: str | None = None

    def text(self) -> str:
        """The message as signed (checks every field first)."""
        check_fields(self)
        lines = [self.domain + HEADER_SUFFIX, self.address or "", ""]
        lines += [""] if self.statement is None else [self.statement, ""]
        lines += [f"URI: {self.uri}", f"Version: {VERSION}", f"Chain ID: {self.chain_id}",
                  f"Nonce: {self.nonce}", f"Issued At: {format_time(self.issued_at)}",
                  f"Expiration Time: {format_time(self.expiration_time)}"]
        return "\n".join(lines)

    def for_address(self, address: str) -> SigninMessage:
        return replace(self, address=address)


def format_time(moment: datetime) -> str:
    """RFC 3339 in whole UTC seconds, the one spelling a message uses."""
    if moment.tzinfo is None:
        raise SigninError("malformed", "times must carry a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str, field: str) -> datetime:
    if not TIME_RE.fullmatch(text):
        raise SigninError("malformed", f"{field}: expected YYYY-MM-DDTHH:MM:SSZ (UTC, whole seconds)")
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise SigninError("malformed", f"{field}: not a real date and time") from None


def statement_problem(statement: str) -> str | None:
    if not statement:
        return "empty (leave it out instead)"
    if len(statement) > MAX_STATEMENT_CHARS:
        return f"longer than {MAX_STATEMENT_CHARS} characters"
    if any(unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") for c in statement):
        return "control characters and line breaks are not allowed"
    return None


def uri_authority(uri: str) -> str | None:
    """The host[:port] of an http(s) URI of the allowed form, else None."""
    match = URI_RE.fullmatch(uri)
    return match.group(2) if match and len(uri) <= MAX_URI_CHARS else None


def check_fields(message: SigninMessage) -> None:
    """Raise SigninError("malformed") naming the first field not of its form."""
    if len(message.domain) > 253 or not DOMAIN_RE.fullmatch(message.domain):
        raise SigninError("malformed", "domain: expected a lower-case host name, with a port if any")
    if message.address is not None:
        try:
            parse_address(message.address)
        except PlanetError as err:
            raise SigninError("malformed", err.message) from None
    if message.statement is not None and (problem := statement_problem(message.statement)):
        raise SigninError("malformed", f"statement: {problem}")
    if uri_authority(message.uri) is None:
        raise SigninError("malformed", "URI: expected http(s)://host[:port] (as a domain is written) "
                          f"and a path of printable ASCII, at most {MAX_URI_CHARS} characters")
    if not CHAIN_ID_RE.fullmatch(message.chain_id):
        raise SigninError("malformed", "Chain ID: lower-case letters, digits and '-', at most 48")
    if not NONCE_RE.fullmatch(message.nonce):
        raise SigninError("malformed", "Nonce: 8 to 64 letters and digits")
    for moment in (message.issued_at, message.expiration_time):
        if moment.tzinfo is None or moment.microsecond or not 1970 <= moment.astimezone(UTC).year <= 9999:
            raise SigninError("malformed", "times: whole seconds with a time zone, years 1970 to 9999")
    if message.expiration_time <= message.issued_at:
        raise SigninError("malformed", "Expiration Time must be after Issued At")


def parse_message(text: str, *, require_address: bool = True) -> SigninMessage:
    """The fields of `text`, which must be a message in its one spelling."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES:
        raise SigninError("malformed", f"the message is longer than {MAX_MESSAGE_BYTES} bytes")
    lines = text.split("\n")
    if not lines[0].endswith(HEADER_SUFFIX) or len(lines) < 9:
        raise SigninError("malformed", "not a Sign in with Planet message")
    domain = lines[0].removesuffix(HEADER_SUFFIX)
    address = lines[1] or None
    if lines[2] != "":
        raise SigninError("malformed", "expected a blank line after the address")
    statement = None
    rest = lines[4:]
    if lines[3] != "":
        statement = lines[3]
        if len(lines) < 5 or lines[4] != "":
            raise SigninError("malformed", "expected a blank line after the statement")
        rest = lines[5:]
    if len(rest) != len(FIELD_LINES):
        raise SigninError("malformed", f"expected the {len(FIELD_LINES)} lines {', '.join(FIELD_LINES)}")
    values = {}
    for name, line in zip(FIELD_LINES, rest, strict=True):
        if not line.startswith(f"{name}: "):
            raise SigninError("malformed", f"expected the line '{name}: …', got {line[:40]!r}")
        values[name] = line.removeprefix(f"{name}: ")
    if values["Version"] != VERSION:
        raise SigninError("malformed", f"Version: only {VERSION} is known")
    message = SigninMessage(
        domain=domain, uri=values["URI"], chain_id=values["Chain ID"], nonce=values["Nonce"],
        issued_at=parse_time(values["Issued At"], "Issued At"),
        expiration_time=parse_time(values["Expiration Time"], "Expiration Time"),
        address=address, statement=statement)
    if message.text() != text:  # also checks every field's form
        raise SigninError("malformed", "the message is not in its one spelling")
    if require_address and address is None:
        raise SigninError("malformed", "the message names no address: the wallet fills it in")
    return message


def new_message(*, domain: str, uri: str, chain_id: str, statement: str | None = None,
                address: str | None = None, valid_for_s: int = 600, nonce: str | None = None,
                now: float | None = None) -> SigninMessage:
    """A site's fresh request: a random nonce, issued now, expiring `valid_for_s` later."""
    issued = datetime.fromtimestamp(int(time.time() if now is None else now), UTC)
    message = SigninMessage(domain=domain, uri=uri, chain_id=chain_id,
                            nonce=nonce or secrets.token_hex(12), issued_at=issued,
                            expiration_time=issued + timedelta(seconds=valid_for_s),
                            address=address, statement=statement)
    check_fields(message)
    return message


def compute_signin_sign_bytes(text: str) -> bytes:
    """The exact bytes a sign-in signature covers."""
    return SIGNIN_SIGN_DOMAIN + text.encode()


@dataclass(frozen=True, slots=True)
class SignedSignin:
    """What the wallet hands back to the site: the message with its address, the signature
    and the key (base64), as the query parameters `message`, `signature`, `public_key`."""

    message: str
    signature: str
    public_key: str


def sign_message(wallet: Wallet, message: SigninMessage) -> SignedSignin:
    """The wallet's side: fill in its address (refusing a message made for another) and sign."""
    if message.address not in (None, wallet.address):
        raise SigninError("address", f"this sign-in is for {message.address}, not {wallet.address}")
    text = message.for_address(wallet.address).text()
    signature = wallet.signing_key.sign(compute_signin_sign_bytes(text))
    return SignedSignin(text, b64encode(signature), b64encode(wallet.public_key))


# --- the site's side: nonces and the verifier ------------------------------------------------


class NonceStore(Protocol):
    """Remembers used nonces until they expire (a site with several servers shares one, e.g.
    in Redis with SET NX and an expiry)."""

    def use(self, nonce: str, expires_at: float) -> bool:
        """Record `nonce` as used until `expires_at` (Unix seconds); False if it already was."""
        ...


class MemoryNonceStore:
    """Used nonces in memory, each forgotten once its message has expired. At most
    `capacity` at a time: when that many unexpired ones are held, further sign-ins are
    refused (`nonce_store_full`) rather than an unexpired nonce forgotten and made
    replayable."""

    def __init__(self, capacity: int = DEFAULT_NONCE_CAPACITY,
                 clock: Callable[[], float] = time.time) -> None:
        self.capacity = capacity
        self.clock = clock
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._expiry)

    def use(self, nonce: str, expires_at: float) -> bool:
        with self._lock:
            now = self.clock()
            if nonce in self._expiry and self._expiry[nonce] >= now:
                return False
            if len(self._expiry) >= self.capacity:
                self._expiry = {n: t for n, t in self._expiry.items() if t >= now}
                if len(self._expiry) >= self.capacity:
                    raise SigninError("nonce_store_full", "too many sign-ins in flight; try again "
                                      "in a few minutes")
            self._expiry[nonce] = expires_at
            return True


def residents_on(client: PlanetClient) -> Callable[[str], bool]:
    """An `is_resident` check that asks the node (`PlanetClient.account`)."""

    def is_resident(address: str) -> bool:
        account = client.account(address)
        return account is not None and account.get("kind") == "resident"

    return is_resident


class SigninVerifier:
    """A site's check of what the wallet returned: the signature under the sign-in tag by
    the key of the message's address, the site's own domain (and a URI on it), its chain,
    the time window (issued at most `max_skew_s` in the future, not expired, valid for at
    most `max_validity_s`), the nonce the site issued if given and never used before, and
    that the address is a registered resident (`is_resident`; None skips it)."""

    def __init__(self, *, domain: str, chain_id: str, is_resident: Callable[[str], bool] | None,
                 nonce_store: NonceStore | None = None, max_skew_s: int = DEFAULT_SKEW_S,
                 max_validity_s: int = DEFAULT_MAX_VALIDITY_S,
                 clock: Callable[[], float] = time.time) -> None:
        self.domain = domain
        self.chain_id = chain_id
        self.is_resident = is_resident
        self.nonces = nonce_store if nonce_store is not None else MemoryNonceStore(clock=clock)
        self.max_skew_s = max_skew_s
        self.max_validity_s = max_validity_s
        self.clock = clock

    def verify(self, message: str, signature: str, public_key: str, *,
               nonce: str | None = None) -> SigninMessage:
        """The message's fields if every check passes; else SigninError with its reason.
        The nonce is spent only by a sign-in that passed every other check."""
        parsed = parse_message(message)
        if parsed.domain != self.domain:
            raise SigninError("domain", f"this sign-in is for {parsed.domain}, not {self.domain}")
        if uri_authority(parsed.uri) != self.domain:
            raise SigninError("uri", f"the URI {parsed.uri} is not on {self.domain}")
        if parsed.chain_id != self.chain_id:
            raise SigninError("chain_id", f"this sign-in is for chain {parsed.chain_id}, not "
                              f"{self.chain_id}")
        try:
            key = b64decode(public_key, field="public_key", length=32)
            sig = b64decode(signature, field="signature", length=64)
        except PlanetError as err:
            raise SigninError("signature", err.message) from None
        if compute_address(key) != parsed.address:
            raise SigninError("address", f"the key is not the key of {parsed.address}")
        if not verify_signin_signature(key, sig, message):
            raise SigninError("signature", "the signature does not verify for this message and key")
        now = self.clock()
        issued, expires = parsed.issued_at.timestamp(), parsed.expiration_time.timestamp()
        if issued > now + self.max_skew_s:
            raise SigninError("not_yet_valid", f"issued {int(issued - now)} s in the future; at "
                              f"most {self.max_skew_s} s of clock skew is accepted")
        if expires <= now:
            raise SigninError("expired", f"expired {int(now - expires)} s ago")
        if expires - issued > self.max_validity_s:
            raise SigninError("too_long", f"valid for {int(expires - issued)} s; at most "
                              f"{self.max_validity_s} s is accepted")
        if nonce is not None and parsed.nonce != nonce:
            raise SigninError("nonce", "this is not the nonce this site issued for the visitor")
        assert parsed.address is not None  # parse_message required it
        if self.is_resident is not None and not self.is_resident(parsed.address):
            raise SigninError("not_resident", f"{parsed.address} is not a resident of this planet")
        if not self.nonces.use(parsed.nonce, expires):
            raise SigninError("nonce_used", "this sign-in was used already (its nonce is spent)")
        return parsed


def verify_signin_signature(public_key: bytes, signature: bytes, text: str) -> bool:
    """The signature check alone, under the nodes' Ed25519 acceptance rule."""
    return ed25519.verify(public_key, signature, compute_signin_sign_bytes(text))
