"""The one table of error codes: every class of the tree has its own code, unique across the
whole package, and only core/errors.py writes a code down.

Codes are protocol (clients, the API and the CLI map on them), so two meanings must never
share a number, and a code defined beside its raiser is one nobody sees when adding the next.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import planet
from planet.api.errors import status_for
from planet.core import errors
from planet.core.errors import Missing, PlanetError

SRC = Path(planet.__file__).parent
TABLE = SRC / "core" / "errors.py"


def import_everything() -> None:
    """Every module of the package, so that every PlanetError subclass is defined."""
    for info in pkgutil.walk_packages(planet.__path__, "planet."):
        importlib.import_module(info.name)


def tree(cls: type[PlanetError]) -> Iterator[type[PlanetError]]:
    yield cls
    for sub in cls.__subclasses__():
        yield from tree(sub)


def test_every_error_class_has_its_own_unique_code() -> None:
    import_everything()
    classes = list(dict.fromkeys(tree(PlanetError)))
    inherited = [c.__qualname__ for c in classes if "code" not in vars(c)]
    assert not inherited, f"no code of their own (they would share their parent's): {inherited}"
    by_code: dict[int, list[str]] = {}
    for c in classes:
        by_code.setdefault(c.code, []).append(f"{c.__module__}.{c.__qualname__}")
    shared = {code: names for code, names in by_code.items() if len(names) > 1}
    assert not shared, f"codes used by more than one class: {shared}"
    outside = [f"{c.__module__}.{c.__qualname__}" for c in classes if c.__module__ != errors.__name__]
    assert not outside, f"error classes outside planet.core.errors: {outside}"


def _code_literals(path: Path) -> Iterator[str]:
    """Where a file writes a numeric error code: `code = …` in a class body, or a non-zero
    integer given as `code=` or under a "code" key."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                targets = (stmt.targets if isinstance(stmt, ast.Assign)
                           else [stmt.target] if isinstance(stmt, ast.AnnAssign) else [])
                value = getattr(stmt, "value", None)
                # A record's `code: int = 0` field (a tx result's) is no error code.
                if (any(isinstance(t, ast.Name) and t.id == "code" for t in targets)
                        and value is not None and not _zero(value)):
                    yield f"{path}:{stmt.lineno}: class {node.name} sets code"
        elif isinstance(node, ast.keyword) and node.arg == "code" and _nonzero_int(node.value):
            yield f"{path}:{node.value.lineno}: code={ast.unparse(node.value)}"
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (isinstance(key, ast.Constant) and key.value == "code"
                        and _nonzero_int(value)):
                    yield f"{path}:{value.lineno}: \"code\": {ast.unparse(value)}"


def _zero(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == 0


def _nonzero_int(node: ast.expr) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, int)
            and not isinstance(node.value, bool) and node.value != 0)


def test_no_code_is_written_down_outside_the_table() -> None:
    found = [hit for path in sorted(SRC.rglob("*.py")) if path != TABLE
             and not path.name.endswith("_pb2.py") for hit in _code_literals(path)]
    assert not found, "numeric error codes outside core/errors.py:\n" + "\n".join(found)


def test_the_scan_sees_each_way_of_writing_a_code(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("class E(Exception):\n    code = 7\n\n"
                      "class F(E):\n    code: int = CODE\n\n"
                      "class Result:\n    code: int = 0\n\n"
                      "x = {'code': 913, 'other': 1}\ny = f(code=5)\nz = f(code=0)\n")
    assert len(list(_code_literals(sample))) == 4


@pytest.mark.parametrize("cls", [c for c in vars(errors).values()
                                 if isinstance(c, type) and issubclass(c, Missing)
                                 and issubclass(c, PlanetError)],
                         ids=lambda c: c.__name__)
def test_every_not_found_error_is_a_404_by_its_type(cls: type[PlanetError]) -> None:
    assert status_for(cls("gone")) == 404


def test_missing_marks_only_what_names_an_absent_thing() -> None:
    assert not issubclass(errors.InvalidField, Missing)
    assert status_for(errors.InvalidField("x")) == 400
    assert status_for(errors.QueryError("x")) == 400


def test_a_query_that_hit_a_bug_is_a_500_not_the_callers_fault() -> None:
    assert status_for(errors.InternalQueryError("KeyError")) == 500
