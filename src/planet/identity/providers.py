"""Who the verifier asks: an identity authority (does this name go with this ID number?)
and a code sender (deliver a one-time code to a phone), each behind an interface.

The development defaults check nothing beyond the checksum and write codes to the node's
log, and say so wherever the node reports its settings; a deployment points both at real
providers over HTTPS. The HTTP adapters speak plain JSON with an API key header and keep
nothing: no request or answer is logged, and no error repeats what was sent, so an error
is safe to show and log.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from planet.core.errors import AuthorityRefused, IdentityUnavailable
from planet.sdk.urls import check_url

log = logging.getLogger("planet.identity")

KEY_HEADER = "X-Api-Key"
TIMEOUT_S = 10.0
CHECKSUM_NOTE = "checksum only — not for production"
CONSOLE_NOTE = "the node's log — development only"


class IdentityAuthority(Protocol):
    """Decides whether a name belongs to an ID number (both already checked for form)."""

    kind: str  # "checksum" or "http"
    production: bool

    def check(self, name: str, id_number: str) -> None:
        """Return on a match; raise AuthorityRefused (no match) or IdentityUnavailable."""

    def describe(self) -> str:
        """What the node reports as its identity authority (no secret in it)."""


class CodeSender(Protocol):
    """Delivers a one-time code to a phone."""

    kind: str  # "console" or "http"
    production: bool

    def send(self, phone: str, code: str, valid_s: int) -> None:
        """Deliver `code` to the E.164 `phone`, or raise IdentityUnavailable."""

    def describe(self) -> str: ...


class ChecksumAuthority:
    """The development default: the ID number's checksum (checked before it gets here) is
    all; any name passes. Anyone who knows a valid ID number can claim it."""

    kind = "checksum"
    production = False

    def check(self, name: str, id_number: str) -> None:
        return None

    def describe(self) -> str:
        return CHECKSUM_NOTE


class ConsoleSender:
    """The development default: writes the code to the node's log, naming the phone only
    by its last four digits, so a developer can finish a verification without an SMS."""

    kind = "console"
    production = False

    def send(self, phone: str, code: str, valid_s: int) -> None:
        log.warning("development code sender: the code for the phone ending %s is %s "
                    "(valid %d s)", phone[-4:], code, valid_s)

    def describe(self) -> str:
        return CONSOLE_NOTE


class JsonEndpoint:
    """One provider URL: JSON POSTs with the API key header, over a kept-alive client."""

    def __init__(self, url: str, key: str, what: str, *, key_header: str = KEY_HEADER,
                 timeout_s: float = TIMEOUT_S, transport: httpx.BaseTransport | None = None
                 ) -> None:
        if not key:
            raise ValueError(f"{what}: an API key is required")
        # https (plain http only to this machine): personal data never crosses a network in clear
        self.url, self.what = check_url(url, what), what
        self.host = urlsplit(url).hostname or ""
        # trust_env off: a proxy named in the environment must never see names, ID
        # numbers or phone numbers (in clear for the http://localhost development stub)
        self._http = httpx.Client(timeout=timeout_s, headers={key_header: key},
                                  transport=transport, follow_redirects=False, trust_env=False)

    def post(self, payload: dict[str, Any]) -> httpx.Response:
        try:
            r = self._http.post(self.url, json=payload)
        except httpx.HTTPError:
            raise IdentityUnavailable(f"{self.what} did not answer; try again later") from None
        if r.status_code // 100 != 2:
            raise IdentityUnavailable(f"{self.what} answered HTTP {r.status_code}; "
                                      "try again later")
        return r

    def close(self) -> None:
        self._http.close()


class HttpAuthority:
    """A real-name verification provider: POST {"name", "id_number"}, answered
    {"result": "match"} or {"result": "no_match"}; anything else decides nothing."""

    kind = "http"
    production = True

    def __init__(self, url: str, key: str, **kwargs: Any) -> None:
        self.endpoint = JsonEndpoint(url, key, "the identity authority", **kwargs)

    def check(self, name: str, id_number: str) -> None:
        r = self.endpoint.post({"name": name, "id_number": id_number})
        try:
            result = r.json().get("result")
        except (ValueError, AttributeError):
            result = None
        if result == "match":
            return
        if result == "no_match":
            raise AuthorityRefused("name and ID number: the identity authority found no person "
                                   "with this name and ID number")
        raise IdentityUnavailable("the identity authority gave an answer this verifier does "
                                  "not understand; try again later")

    def describe(self) -> str:
        return f"HTTP authority at {self.endpoint.host}"


class HttpSender:
    """An SMS gateway: POST {"phone" (E.164), "code", "valid_s"}; any 2xx means sent."""

    kind = "http"
    production = True

    def __init__(self, url: str, key: str, **kwargs: Any) -> None:
        self.endpoint = JsonEndpoint(url, key, "the SMS gateway", **kwargs)

    def send(self, phone: str, code: str, valid_s: int) -> None:
        self.endpoint.post({"phone": phone, "code": code, "valid_s": valid_s})

    def describe(self) -> str:
        return f"HTTP SMS gateway at {self.endpoint.host}"
