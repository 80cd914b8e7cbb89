"""The ABCI socket framing and our protobuf types' wire form."""

from __future__ import annotations

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from hypothesis import given
from hypothesis import strategies as st

from planet.engines.abci import abci_pb2 as pb
from planet.engines.abci.codec import (
    FrameDecoder,
    FramingError,
    decode_uvarint,
    encode_uvarint,
    frame,
)


@pytest.mark.parametrize(("n", "wire"), [
    (0, b"\x00"), (1, b"\x01"), (127, b"\x7f"), (128, b"\x80\x01"), (300, b"\xac\x02"),
    (16_384, b"\x80\x80\x01"), (2**64 - 1, b"\xff" * 9 + b"\x01"),
])
def test_uvarint_known_encodings(n: int, wire: bytes) -> None:
    assert encode_uvarint(n) == wire
    assert decode_uvarint(wire) == (n, len(wire))


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_uvarint_round_trip(n: int) -> None:
    wire = encode_uvarint(n)
    assert decode_uvarint(wire) == (n, len(wire))
    assert decode_uvarint(wire[:-1]) is None  # cut inside: wait for more


def test_uvarint_refuses_negative_and_overlong() -> None:
    with pytest.raises(ValueError):
        encode_uvarint(-1)
    with pytest.raises(FramingError):
        decode_uvarint(b"\x80" * 11)


@pytest.mark.parametrize("wire", [
    b"\x80\x00",  # 0 in two bytes: the report's case
    b"\x81\x00",  # 1
    b"\xac\x82\x00",  # 300 in three bytes
    b"\x80" * 9 + b"\x00",
    b"\xff" * 9 + b"\x02",  # 2^64 + …: past 64 bits
])
def test_uvarint_refuses_non_minimal_and_overlong_encodings(wire: bytes) -> None:
    """One length, one encoding (as Go's encoding/binary reads them): otherwise the same
    frame could be written several ways, and a trailing 0x00 hides where a length ends."""
    with pytest.raises(FramingError):
        decode_uvarint(wire)
    with pytest.raises(FramingError):
        FrameDecoder().feed(wire + b"\x00" * 8)


def _requests() -> list[bytes]:
    return [pb.Request(echo=pb.EchoRequest(message="hello")).SerializeToString(),
            pb.Request(flush=pb.FlushRequest()).SerializeToString(),
            pb.Request(check_tx=pb.CheckTxRequest(tx=b"x" * 300)).SerializeToString(),
            b""]


def test_several_messages_in_one_read() -> None:
    messages = _requests()
    decoder = FrameDecoder()
    assert decoder.feed(b"".join(frame(m) for m in messages)) == messages
    assert decoder.pending == 0


def test_a_message_split_across_reads_byte_by_byte() -> None:
    messages = _requests()
    stream = b"".join(frame(m) for m in messages)
    decoder = FrameDecoder()
    out: list[bytes] = []
    for i in range(len(stream)):
        out += decoder.feed(stream[i:i + 1])
    assert out == messages


@given(st.lists(st.binary(max_size=400), max_size=8), st.lists(st.integers(1, 50), min_size=1))
def test_any_chunking_gives_the_same_messages(messages: list[bytes], cuts: list[int]) -> None:
    stream = b"".join(frame(m) for m in messages)
    decoder = FrameDecoder()
    out: list[bytes] = []
    pos, i = 0, 0
    while pos < len(stream):
        step = cuts[i % len(cuts)]
        out += decoder.feed(stream[pos:pos + step])
        pos += step
        i += 1
    assert out == messages
    assert decoder.pending == 0


@pytest.mark.parametrize("length", [0, 1, 127, 128, 129, 300, 16_383, 16_384, 70_000])
def test_lengths_at_each_varint_width_frame_and_unframe(length: int) -> None:
    """One-, two- and three-byte lengths (the decoder reads the first two kinds inline),
    whole and with the length's bytes split across reads."""
    message = bytes(range(256)) * (length // 256) + bytes(length % 256)
    stream = frame(message) + frame(b"after")
    assert stream[:len(encode_uvarint(length))] == encode_uvarint(length)
    assert FrameDecoder().feed(stream) == [message, b"after"]
    for cut in range(1, len(encode_uvarint(length)) + (length > 0)):  # inside the first frame
        decoder = FrameDecoder()
        assert decoder.feed(stream[:cut]) == []
        assert decoder.feed(stream[cut:]) == [message, b"after"]


def test_an_oversized_frame_is_refused() -> None:
    decoder = FrameDecoder(max_message_bytes=10)
    with pytest.raises(FramingError):
        decoder.feed(encode_uvarint(11))


def test_field_numbers_on_the_wire() -> None:
    """Spot checks of the v0.38 numbering: oneof tags and a few fields, byte for byte."""
    # Request.finalize_block = 20 (tag 0xa2 0x01), FinalizeBlockRequest.height = 5
    req = pb.Request(finalize_block=pb.FinalizeBlockRequest(height=7))
    assert req.SerializeToString() == b"\xa2\x01\x02\x28\x07"
    # Response.finalize_block = 21, FinalizeBlockResponse.app_hash = 5
    resp = pb.Response(finalize_block=pb.FinalizeBlockResponse(app_hash=b"\x01"))
    assert resp.SerializeToString() == b"\xaa\x01\x03\x2a\x01\x01"
    # Response.info = 4, InfoResponse.last_block_height = 4, last_block_app_hash = 5
    info = pb.Response(info=pb.InfoResponse(last_block_height=5, last_block_app_hash=b"\xff"))
    assert info.SerializeToString() == b"\x22\x05\x20\x05\x2a\x01\xff"
    # Request.check_tx = 8, type RECHECK = 1 in field 2
    check = pb.Request(check_tx=pb.CheckTxRequest(tx=b"t", type=pb.CHECK_TX_TYPE_RECHECK))
    assert check.SerializeToString() == b"\x42\x05\x0a\x01t\x10\x01"
    # Response.exception = 1, Response.commit = 12 (retain_height = 3)
    assert pb.Response(exception=pb.ExceptionResponse(error="e")).SerializeToString() == \
        b"\x0a\x03\x0a\x01e"
    assert pb.Response(commit=pb.CommitResponse(retain_height=2)).SerializeToString() == \
        b"\x62\x02\x18\x02"


def test_unknown_fields_from_the_engine_are_skipped() -> None:
    """CometBFT sends fields we do not declare (consensus params = 3 in InitChain,
    misbehavior = 3 in FinalizeBlock): they must parse and be ignored."""
    ts = Timestamp(seconds=1_800_000_000, nanos=5_000_000)
    known = pb.InitChainRequest(chain_id="c", time=ts, initial_height=1).SerializeToString()
    with_params = known + b"\x1a\x04\x0a\x02\x08\x01"  # field 3, a nested message
    parsed = pb.InitChainRequest.FromString(with_params)
    assert parsed.chain_id == "c" and parsed.initial_height == 1
    assert parsed.time.seconds == 1_800_000_000
    fin = pb.FinalizeBlockRequest(height=3).SerializeToString() + b"\x1a\x00"
    assert pb.FinalizeBlockRequest.FromString(fin).height == 3
