"""Every bound the node's HTTP server puts on what a client may send or hold, in one place.

A node is reachable by anyone, so no input may make it hold memory or connections without
end. The limits, what each refuses and how:

=============================  ===========  ===============================================
limit                          default      refusal
=============================  ===========  ===============================================
``max_header_bytes``           16 KiB       request line + headers over it: 431, closed
``header_timeout_s``           5 s          head not complete in time (counted from the
                                            connection, or from a later request's first
                                            byte): 408 if any byte came, then closed; an
                                            idle new connection is just closed
``body_timeout_s``             60 s         a body not complete this long after its head
                                            (a slow-sending client): 408, closed
``max_body_bytes``             1 MiB        any declared ``Content-Length`` over it, and
                                            any chunked body past it: 413
``linger_bytes``/``linger_s``  8 MiB / 5 s  a request body still arriving after its answer
                                            (a refusal) is read and dropped up to these,
                                            then the connection is closed
``sse_max_streams``            1000         ``/v1/events`` streams open at once: 503
``sse_max_streams_per_client`` 16           streams from one client address: 429
=============================  ===========  ===============================================

Each route that reads a body has its own, smaller limit, for ``Content-Length`` and chunked
bodies alike (``planet.api.body.read_body``), refused with 413 as soon as it is passed:
``POST /v1/txs`` the chain's ``max_tx_bytes`` (genesis), ``POST /v1/txs/batch``
``max_body_bytes`` itself (and 1,000 txs, over which it is a 400; ``planet.api.txs_edge``),
``POST /v1/identity/code`` and ``/verify`` 4 KiB each
(``planet.identity.service.MAX_SEALED_BYTES``), the webhook routes' JSON bodies their own
small limit (``planet.api.routes.webhooks``),
``PUT /v1/blobs/{digest}`` the record's committed size, checked with the signature before
the body is read (at most the chain's ``vault_max_record_bytes``). No other route reads a
body.

A deployment changes the table's limits in its config.json (``"http_limits": {...}``, see
`HttpLimits.from_config`); the route limits follow the chain's rules.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class HttpLimits:
    max_header_bytes: int = 16 * 1024
    header_timeout_s: float = 5.0
    body_timeout_s: float = 60.0
    max_body_bytes: int = 1 << 20
    linger_bytes: int = 8 << 20
    linger_s: float = 5.0
    sse_max_streams: int = 1000
    sse_max_streams_per_client: int = 16

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"http_limits.{f.name}: expected a positive number, "
                                 f"got {value!r}")

    @classmethod
    def from_config(cls, overrides: dict[str, Any] | None) -> HttpLimits:
        """The defaults with config.json's `http_limits` applied; an unknown name is an
        error rather than a limit silently not applied."""
        overrides = overrides or {}
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"http_limits: unknown limit(s) {', '.join(unknown)}; known: "
                             f"{', '.join(sorted(known))}")
        return replace(cls(), **overrides)


DEFAULT_LIMITS = HttpLimits()
