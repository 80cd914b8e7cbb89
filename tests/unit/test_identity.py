"""The identity verifier: each check, the nullifier, and that it keeps and leaks nothing."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from planet.core.accounts.messages import AttestIdentity
from planet.core.errors import PlanetError
from planet.core.params import Params
from planet.identity import IdentityRejected, new_nullifier_key
from planet.identity.verifier import verify_identity
from planet.sdk.wallet import Wallet

KEY = bytes(range(32))
RESIDENT = Wallet.from_seeds(b"\x01" * 32, b"\x02" * 32).address
NAME = "张三"
PHONE = "13800138000"


def make_id(body17: str) -> str:
    # calc_check_digit ignores the last character it is given, so pass a placeholder.
    return body17 + ric.calc_check_digit(body17 + "0")


VALID_ID = make_id("11010519491231002")  # the GB 11643 textbook example
assert VALID_ID == "11010519491231002X"


def verify(resident: str = RESIDENT, name: str = NAME, id_number: str = VALID_ID,
           phone: str = PHONE, key: bytes = KEY) -> AttestIdentity:
    return verify_identity(resident, name, id_number, phone, key)


def rejected(match: str, **kwargs: Any) -> None:
    with pytest.raises(IdentityRejected, match=match):
        verify(**kwargs)


# --- resident ID number ------------------------------------------------------------------------


@pytest.mark.parametrize("id_number", [VALID_ID, make_id("44030819990101001"),
                                       " 11010519491231002X ", "11010519491231002x"])
def test_valid_id_numbers_are_accepted(id_number: str) -> None:
    msg = verify(id_number=id_number)
    assert msg.resident == RESIDENT
    msg.validate(Params())


def test_bad_checksum() -> None:
    wrong = VALID_ID[:-1] + "5"
    rejected("check digit", id_number=wrong)
    rejected("check digit", id_number="21010519491231002X")  # one mistyped digit


@pytest.mark.parametrize("body", ["11010519491331002", "11010519490230002", "11010519490001002"])
def test_impossible_birth_date(body: str) -> None:
    rejected("birth date is not a real date", id_number=make_id(body))


def test_birth_date_in_the_future() -> None:
    year = datetime.date.today().year + 1
    rejected("in the future", id_number=make_id(f"110105{year}0101002"))


def test_unknown_region() -> None:
    rejected("unknown region", id_number=make_id("00000019900101001"))


@pytest.mark.parametrize("id_number", ["", VALID_ID[:-1], VALID_ID + "1", "1101051949"])
def test_wrong_length(id_number: str) -> None:
    rejected("18 characters", id_number=id_number)


@pytest.mark.parametrize("id_number", ["1101051949123100AX", "11010519491231002Y",
                                       "X10105194912310021", "11010519491231002١"])
def test_bad_characters(id_number: str) -> None:
    rejected("17 digits then a digit or X", id_number=id_number)


# --- phone -------------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["13800138000", "+86 138 0013 8000", "+8613800138000",
                                   "138-0013-8000", "0086 17012345678"])
def test_mobile_numbers_are_accepted(phone: str) -> None:
    verify(phone=phone)


def test_landline_rejected() -> None:
    rejected("mobile number, not a landline", phone="+86 10 1234 5678")
    rejected("mobile number, not a landline", phone="010 1234 5678")


@pytest.mark.parametrize("phone", ["+1 650 253 0000", "+852 5123 4567", "+44 7400 123456"])
def test_numbers_outside_mainland_rejected(phone: str) -> None:
    rejected("mainland China", phone=phone)


@pytest.mark.parametrize("phone", ["", "garbage", "+", "1380013800", "138001380001"])
def test_garbage_phone_rejected(phone: str) -> None:
    rejected("phone: not a", phone=phone)


# --- name and resident -------------------------------------------------------------------------


def test_name_checks() -> None:
    verify(name="x" * 64)
    rejected("name: must not be empty", name="")
    rejected("name: must not be empty", name="   ")
    rejected("name: at most 64", name="x" * 65)
    rejected("name: contains non-printable", name="Zhang\nSan")


def test_bad_resident_address() -> None:
    rejected("resident", resident="planet1notanaddress")
    rejected("resident", resident=RESIDENT.upper())


def test_error_is_a_planet_error_with_its_own_code() -> None:
    with pytest.raises(IdentityRejected) as info:
        verify(phone="garbage")
    assert isinstance(info.value, PlanetError)
    assert info.value.to_dict()["code"] == 350
    assert info.value.to_dict()["codespace"] == "identity"


# --- nullifier ---------------------------------------------------------------------------------


def test_nullifier_matches_the_specification() -> None:
    expected = hmac.new(KEY, b"planet/nullifier/v1\n" + VALID_ID.encode(), hashlib.sha256).hexdigest()
    assert verify().nullifier == expected


def test_nullifier_is_deterministic_per_key_and_id() -> None:
    first = verify().nullifier
    assert len(first) == 64 and first == first.lower()
    assert verify(name="李四", phone="+86 139 0000 0000").nullifier == first  # only the ID counts
    assert verify(id_number=VALID_ID.lower()).nullifier == first
    assert verify(key=bytes(32)).nullifier != first
    assert verify(id_number=make_id("44030819990101001")).nullifier != first


def test_phone_nullifier_matches_the_specification() -> None:
    """Keyed like the ID's, over the E.164 form under its own domain tag."""
    expected = hmac.new(KEY, b"planet/phone-nullifier/v1\n+8613800138000",
                        hashlib.sha256).hexdigest()
    assert verify().phone_nullifier == expected
    for form in ("+86 138 0013 8000", "0086 138-0013-8000", "138 0013 8000"):
        assert verify(phone=form).phone_nullifier == expected  # one phone, one nullifier
    assert verify(name="李四", id_number=make_id("44030819990101001")).phone_nullifier == expected
    assert verify(key=bytes(32)).phone_nullifier != expected
    assert verify(phone="13900000000").phone_nullifier != expected
    assert verify().phone_nullifier != verify().nullifier


def test_nullifier_key() -> None:
    key = new_nullifier_key()
    assert len(key) == 32 and key != new_nullifier_key()
    with pytest.raises(ValueError, match="32 bytes"):
        verify(key=b"short")


# --- keeps and leaks nothing -------------------------------------------------------------------

# Inputs shaped like real ones, so none can be mistaken for message text by chance (messages
# are ASCII with at most four digits in a row; Hypothesis also tries the module's own strings,
# so free text could "leak" just by equalling a message).
_REGIONS = ["110105", "310104", "440308", "510107"]
id_numbers = st.one_of(
    st.builds(lambda region, born, seq: make_id(f"{region}{born:%Y%m%d}{seq:03d}"),
              st.sampled_from(_REGIONS),
              st.dates(datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)),
              st.integers(0, 999)),
    st.from_regex(r"\A ?[0-9]{5,20}[0-9Xx]? ?\Z"),
    st.from_regex(r"\A[0-9]{5,12}[A-Za-z ./-][0-9]{5,12}\Z"),
)
phones = st.one_of(st.from_regex(r"\A(\+86 ?|0086 ?)?1[0-9]{4,12}\Z"),
                   st.from_regex(r"\A\+?[0-9]{1,4}[ -]?[0-9]{5,12}\Z"),
                   st.from_regex(r"\A[0-9]{3} [0-9]{5,8}[a-z#]?\Z"))
names = st.one_of(st.text(alphabet="张王李赵刘陈杨黄三四五伟芳娜敏静\n\t ", min_size=2, max_size=70),
                  st.from_regex(r"\A[A-Z][a-z]{1,30} [A-Z][a-z]{1,40}\Z"))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(name=names, id_number=id_numbers, phone=phones)
def test_error_messages_never_contain_the_inputs(name: str, id_number: str, phone: str) -> None:
    try:
        verify(name=name, id_number=id_number, phone=phone)
    except IdentityRejected as err:
        text = str(err) + repr(err.to_dict())
        for secret in (name.strip(), id_number.strip(), phone.strip()):
            assert not secret or secret not in text


_writes: list[tuple[object, ...]] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _writes is None or event not in {"open", "os.rename", "os.replace", "os.remove",
                                        "os.mkdir", "os.truncate"}:
        return
    if event == "open":
        _path, mode, flags = args
        writing = (any(c in mode for c in "wax+") if isinstance(mode, str)
                   else isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if not writing:
            return
    _writes.append((event, *args))


sys.addaudithook(_audit)


@pytest.fixture
def watch_writes() -> Iterator[list[tuple[object, ...]]]:
    global _writes
    _writes = []
    try:
        yield _writes
    finally:
        _writes = None


def test_write_watch_sees_writes(tmp_path: Path, watch_writes: list[tuple[object, ...]]) -> None:
    (tmp_path / "f").write_text("x")
    os.close(os.open(tmp_path / "g", os.O_WRONLY | os.O_CREAT))
    (tmp_path / "f").read_text()
    assert len(watch_writes) == 2


@pytest.mark.parametrize("phone", [PHONE, "+86 10 1234 5678"])
def test_verify_writes_and_logs_nothing(phone: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch,
                                        caplog: pytest.LogCaptureFixture,
                                        watch_writes: list[tuple[object, ...]]) -> None:
    monkeypatch.chdir(tmp_path)
    caplog.set_level(logging.DEBUG)
    name, id_number = "Zhang Wei", make_id("31010419800101123")
    try:
        verify(name=name, id_number=id_number, phone=phone)
    except IdentityRejected:
        assert phone != PHONE
    assert watch_writes == []
    assert list(tmp_path.iterdir()) == []
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in (name, id_number, phone, phone.replace(" ", "")):
        assert secret not in logged
