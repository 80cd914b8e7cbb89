"""Both state trees for the tests that exercise the tree: the Python `StateTree` (the
specification) and the Rust one of native/ (`planet_native`).

A module that imports `both_trees` and marks itself `pytest.mark.usefixtures("both_trees")`
runs every test twice, once per tree; the native run skips when `planet_native` is not
installed, and fails instead under PLANET_REQUIRE_NATIVE=1 (as CI sets). Its tests open
trees and states with `tree_under_test()`, the run's tree class; the node's own code paths choose by
PLANET_NATIVE (`planet.storage.state_store.tree_class`), which the fixture sets too.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from types import ModuleType

import pytest

from planet.core.state.tree import TreeClass, python_tree
from tests.require import missing

_current: list[TreeClass] = [python_tree]


def tree_under_test() -> TreeClass:
    """The tree class of the `both_trees` run under way (Python's outside one)."""
    return _current[0]


def planet_native() -> ModuleType:
    """The native module; skips (or fails under PLANET_REQUIRE_NATIVE) when it is missing."""
    try:
        return importlib.import_module("planet_native")
    except ImportError:
        missing("NATIVE", "the native state tree (planet_native) is not installed: scripts/install "
                "builds it from native/ with cargo")


@pytest.fixture(scope="module", params=["python", "native"])
def both_trees(request: pytest.FixtureRequest) -> Iterator[str]:
    """Module-scoped, so hypothesis tests can use it: it only sets `tree_under_test()` and
    PLANET_NATIVE."""
    _current[0] = planet_native().Tree if request.param == "native" else python_tree
    before = os.environ.get("PLANET_NATIVE")
    os.environ["PLANET_NATIVE"] = "1" if request.param == "native" else "0"
    try:
        yield request.param
    finally:
        _current[0] = python_tree
        if before is None:
            os.environ.pop("PLANET_NATIVE", None)
        else:
            os.environ["PLANET_NATIVE"] = before
