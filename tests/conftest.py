"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from planet.engines.binary import COMETBFT_VERSION, find_cometbft
from tests.pg import PostgresServer, find_pg_bin
from tests.require import missing

# The properties are about the rules, not about how fast examples are drawn: on a loaded
# 2-core machine the too_slow health check fails a run that found nothing wrong, so it is
# off for every test, and so are deadlines (a step's wall time is not a property).
settings.register_profile("planet", suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("planet")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole session (see tests/pg.py).

    Without PostgreSQL binaries the tests using it are skipped, unless PLANET_REQUIRE_POSTGRES
    is set (as CI does), in which case they fail.
    """
    if find_pg_bin() is None:
        missing("POSTGRES",
                "no PostgreSQL server binaries found (install them with scripts/install-postgres)")
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="session")
def cometbft() -> str:
    """The pinned CometBFT binary; skipped without it unless PLANET_REQUIRE_COMETBFT is set."""
    binary = find_cometbft()
    if binary is None:
        missing("COMETBFT", f"CometBFT v{COMETBFT_VERSION} not found "
                "(scripts/install-cometbft installs it, or set PLANET_COMETBFT)")
    return binary
