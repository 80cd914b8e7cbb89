"""Strict fields refuse a trailing newline: `re.match(r"^…$")` let `"<64 hex>\n"` through
as a digest (a record whose blob could then never be uploaded), a task id or a chain id."""

from __future__ import annotations

import pytest

from planet.core.accounts.codes import normalize_invite_code
from planet.core.accounts.messages import check_hex32
from planet.core.errors import InvalidField
from planet.core.force.catalog import LIMIT, TASK_ID
from planet.core.genesis import CHAIN_ID, TIMEZONE


@pytest.mark.parametrize("good", ["0" * 64, "ab" * 32])
def test_hex32_accepts_exactly_64_hex(good: str) -> None:
    check_hex32(good, "digest")


@pytest.mark.parametrize("bad", ["0" * 64 + "\n", "0" * 63 + "\n", "0" * 64 + " ", "\n" + "0" * 64])
def test_hex32_refuses_whitespace_around(bad: str) -> None:
    with pytest.raises(InvalidField):
        check_hex32(bad, "digest")


def test_invite_code_whitespace_is_stripped_before_the_check() -> None:
    assert normalize_invite_code("ABCD-EFGH-JKMN-PQRS\n") == "ABCDEFGHJKMNPQRS"


@pytest.mark.parametrize(("pattern", "text"), [
    (TASK_ID, "daily_checkin\n"), (LIMIT, "once\n"), (CHAIN_ID, "planet-1\n"),
    (TIMEZONE, "+08:00\n")])
def test_patterns_do_not_pass_a_final_newline(pattern: object, text: str) -> None:
    assert pattern.fullmatch(text.rstrip("\n"))  # type: ignore[attr-defined]
    assert not pattern.fullmatch(text)  # type: ignore[attr-defined]
