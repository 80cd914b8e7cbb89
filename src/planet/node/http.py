"""uvicorn's httptools protocol with bounded request heads (limits in planet.api.limits).

uvicorn bounds neither a request's head nor the time it takes: httptools keeps a header
line whole, however long, before handing it over (and grows it by concatenation, so a
64 MiB line costs more than its size), and a connection that sends its head one byte a
second, or nothing at all, is never closed. This subclass keeps httptools' speed and adds,
per connection:

- a byte count of the head, from a request's first byte until its headers complete: past
  `max_header_bytes` the request is answered 431 and the connection closed, having held at
  most that plus one socket read;
- a deadline for the head (`header_timeout_s`): from the connection for its first request
  (so a connection that never sends a byte is closed too), from the first byte for later
  ones (between requests uvicorn's keep-alive timeout applies); past it, 408 and closed;
- a deadline for the body (`body_timeout_s`), armed only when a request's body did not
  arrive with its head: a client that sends its body a byte a second is answered 408 (or,
  once its answer has started, cut off) and closed;
- a bounded linger: when the answer goes out before its request's body has ended (a
  refusal), the rest is read and dropped up to `linger_bytes` or `linger_s`, then the
  connection is closed. Closing at once would reset the connection under a client still
  sending, and it could lose the refusal; reading on without end would let it stream
  forever.

A request whose head arrives in one read, the usual case, arms no timer.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import httptools
import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from planet.api.limits import DEFAULT_LIMITS, HttpLimits
from planet.core.errors import HeaderTooLarge, HttpError, RequestTimeout


class _HeadRefused(Exception):
    """Raised from a parser callback to stop parsing a refused request."""


class BoundedHttpTools(HttpToolsProtocol):
    limits: ClassVar[HttpLimits] = DEFAULT_LIMITS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = False  # a request's first byte came, its headers have not ended
        self._head_bytes = 0  # bytes read while a head was awaited (whole socket reads)
        self._head_uncounted = False  # the head began inside a read that was not counted
        self._head_timer: asyncio.TimerHandle | None = None
        self._refusal: tuple[int, HttpError] | None = None
        self._linger_left = 0
        self._linger_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None

    # --- connection -------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        for timer in (self._head_timer, self._linger_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._linger_timer = self._body_timer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        if self.cycle is None or not self.cycle.more_body:  # no body under way: a head
            self._head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError:
            if self._refusal is not None:
                self._refuse(*self._refusal)
            else:
                self.send_400_response("Invalid HTTP request received.")
            return
        if self._head_bytes and not self.transport.is_closing():  # a head is unfinished
            if self._head_bytes > self.limits.max_header_bytes:
                self._refuse(431, self._too_large())
            elif self._head_timer is None:
                self._arm_head_timer()
        cycle = self.cycle
        if (cycle is not None and cycle.more_body and not cycle.response_complete
                and self._body_timer is None and not self.transport.is_closing()):
            self._body_timer = self.loop.call_later(self.limits.body_timeout_s,
                                                    self._body_deadline)

    # --- parser callbacks -------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        # Zero: this head follows the previous request inside one read (pipelined), which
        # was counted as that request's, so only an exact count can bound it.
        self._head_uncounted = self._head_bytes == 0

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        limit = self.limits.max_header_bytes
        # The reads that held the head bound its size; count exactly only when they
        # were over the limit (the head may have shared them with a body) or not counted.
        if (self._head_bytes > limit or self._head_uncounted) and limit < (
                len(self.url) + sum(len(n) + len(v) + 4 for n, v in self.headers)):
            self._refusal = (431, self._too_large())
            raise _HeadRefused
        self._head_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        super().on_message_complete()

    def on_body(self, body: bytes) -> None:
        if not self.cycle.response_complete:
            super().on_body(body)
            return
        # Answered before its body ended (a refusal): drop the rest, within bounds.
        if self._linger_timer is None:
            self._linger_left = self.limits.linger_bytes
            self._linger_timer = self.loop.call_later(self.limits.linger_s,
                                                      self.transport.close)
        self._linger_left -= len(body)
        if self._linger_left < 0:
            self.transport.close()

    # --- refusals ---------------------------------------------------------------------------

    def _too_large(self) -> HttpError:
        return HeaderTooLarge(f"request line and headers over {self.limits.max_header_bytes} "
                              "bytes")

    def _arm_head_timer(self) -> None:
        self._head_timer = self.loop.call_later(self.limits.header_timeout_s,
                                                self._head_deadline)

    def _head_deadline(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self._arm_head_timer()  # a pipelined head waits for the response under way
        elif self._in_head:
            self._refuse(408, RequestTimeout(
                f"the request's headers did not arrive within {self.limits.header_timeout_s:g} s"))
        else:
            self.transport.close()  # a connection that never sent a request

    def _body_deadline(self) -> None:
        self._body_timer = None
        if self.transport.is_closing() or self.cycle is None or not self.cycle.more_body:
            return
        self._refuse(408, RequestTimeout(
            f"the request's body did not arrive within {self.limits.body_timeout_s:g} s"),
            unanswered=not self.cycle.response_started)

    def _refuse(self, status: int, err: HttpError, unanswered: bool = False) -> None:
        """Answer `status` with the error's JSON (unless another answer is under way) and
        close: the rest of what this connection sends is not read. `unanswered`: the app
        still waits for the body and has not begun its answer, so ours goes first."""
        if unanswered or self.cycle is None or self.cycle.response_complete:
            body = orjson.dumps(err.to_dict())
            head = [STATUS_LINE[status]]
            head += [name + b": " + value + b"\r\n"
                     for name, value in self.server_state.default_headers]
            head.append(b"content-type: application/json\r\ncontent-length: %d\r\n"
                        b"x-content-type-options: nosniff\r\nconnection: close\r\n\r\n"
                        % len(body))
            self.transport.write(b"".join(head) + body)
        self.transport.close()


def bounded_protocol(limits: HttpLimits) -> type[BoundedHttpTools]:
    """The protocol class to pass uvicorn as `http=`, holding `limits`."""

    class Bounded(BoundedHttpTools):
        pass

    Bounded.limits = limits
    return Bounded
