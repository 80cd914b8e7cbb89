"""Skip a test whose outside part (server, binary, browser) is missing, unless the run
requires it.

Locally a missing PostgreSQL, CometBFT, Chromium or web build skips the tests that need it;
CI sets PLANET_REQUIRE_<PART>=1 so the same absence fails loudly instead of passing quietly.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def is_required(part: str) -> bool:
    """Whether PLANET_REQUIRE_<PART> is set to anything but empty or 0."""
    return os.environ.get(f"PLANET_REQUIRE_{part}", "").strip() not in ("", "0")


def missing(part: str, message: str) -> NoReturn:
    """Fail when the part is required, else skip; either way say what is missing."""
    if is_required(part):
        pytest.fail(f"PLANET_REQUIRE_{part} is set but {message}", pytrace=False)
    pytest.skip(message)
