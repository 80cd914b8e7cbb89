"""Both state trees for the tests that exercise the tree: the Python `StateTree` (the
specification) and the Rust one of native/ (`planet_native`), chosen by PLANET_NATIVE.

A module that imports `both_trees` and marks itself `pytest.mark.usefixtures("both_trees")`
runs every test twice, once per tree; the native run skips when `planet_native` is not
installed, and fails instead under PLANET_REQUIRE_NATIVE=1 (as CI sets).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from types import ModuleType

import pytest

from tests.require import missing


def planet_native() -> ModuleType:
    """The native module; skips (or fails under PLANET_REQUIRE_NATIVE) when it is missing."""
    try:
        return importlib.import_module("planet_native")
    except ImportError:
        missing("NATIVE", "the native state tree (planet_native) is not installed: scripts/install "
                "builds it from native/ with cargo")


@pytest.fixture(scope="module", params=["python", "native"])
def both_trees(request: pytest.FixtureRequest) -> Iterator[str]:
    """Module-scoped, so hypothesis tests can use it: it only sets PLANET_NATIVE."""
    if request.param == "native":
        planet_native()
    before = os.environ.get("PLANET_NATIVE")
    os.environ["PLANET_NATIVE"] = "1" if request.param == "native" else "0"
    try:
        yield request.param
    finally:
        if before is None:
            os.environ.pop("PLANET_NATIVE", None)
        else:
            os.environ["PLANET_NATIVE"] = before
