"""Shared fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.pg import PostgresServer, find_pg_bin


def _postgres_required() -> bool:
    return os.environ.get("PLANET_REQUIRE_POSTGRES", "").strip() not in ("", "0")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole session (see tests/pg.py).

    Without PostgreSQL binaries the tests using it are skipped, unless PLANET_REQUIRE_POSTGRES
    is set (as CI does), in which case they fail.
    """
    if find_pg_bin() is None:
        message = "no PostgreSQL server binaries found (install them with scripts/install-postgres)"
        if _postgres_required():
            pytest.fail(f"PLANET_REQUIRE_POSTGRES is set but {message}", pytrace=False)
        pytest.skip(message)
    with PostgresServer() as server:
        yield server
