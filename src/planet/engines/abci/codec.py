"""The ABCI socket framing: each message is an unsigned-varint length, then that many bytes
of protobuf (a Request from CometBFT, a Response from the application)."""

from __future__ import annotations

from planet.core.errors import FramingError

__all__ = ["FrameDecoder", "FramingError", "decode_uvarint", "encode_uvarint", "frame"]

MAX_MESSAGE_BYTES = 64 << 20
"""Refuse a frame longer than this: a block of transactions is far smaller, and a corrupt
length must not make the server buffer without bound."""


def encode_uvarint(n: int) -> bytes:
    if 0 <= n < 0x4000:  # every length of a CheckTx or short answer: one or two bytes
        return bytes((n,)) if n < 0x80 else bytes(((n & 0x7F) | 0x80, n >> 7))
    if n < 0:
        raise ValueError("a length is never negative")
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def decode_uvarint(buf: bytes | bytearray | memoryview, pos: int = 0) -> tuple[int, int] | None:
    """(value, position after it), or None if `buf` ends inside the varint.

    Only the one minimal encoding of each length is accepted (`80 00` is not 0, `81 00`
    not 1): a stream has one reading, as Go's binary.Uvarint also refuses lengths past
    64 bits.
    """
    value = shift = 0
    while pos < len(buf):
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            if b == 0 and shift:
                raise FramingError("length varint is not minimal (a trailing 0x00 byte)")
            if value >> 64:
                raise FramingError("length varint exceeds 64 bits")
            return value, pos
        shift += 7
        if shift >= 70:
            raise FramingError("length varint longer than 10 bytes")
    return None


def frame(message: bytes) -> bytes:
    return encode_uvarint(len(message)) + message


class FrameDecoder:
    """Feed it bytes as they arrive; it returns every message completed so far.

    A message split across reads waits for its remaining bytes; several messages in one
    read all come out, in order.
    """

    def __init__(self, max_message_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self._buf = bytearray()
        self.max_message_bytes = max_message_bytes

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        out: list[bytes] = []
        pos = 0
        buf = self._buf
        size = len(buf)
        while pos < size:
            first = buf[pos]
            if first < 0x80:  # one-byte and two-byte lengths read inline (most messages)
                length, start = first, pos + 1
            elif pos + 1 < size and 0 < buf[pos + 1] < 0x80:
                length, start = (first & 0x7F) | (buf[pos + 1] << 7), pos + 2
            else:
                head = decode_uvarint(buf, pos)
                if head is None:
                    break
                length, start = head
            if length > self.max_message_bytes:
                raise FramingError(f"message of {length} bytes exceeds the "
                                   f"{self.max_message_bytes}-byte limit")
            end = start + length
            if end > size:
                break
            out.append(bytes(buf[start:end]))
            pos = end
        if pos:
            del self._buf[:pos]
        return out

    @property
    def pending(self) -> int:
        """Bytes held for a message not yet complete."""
        return len(self._buf)
