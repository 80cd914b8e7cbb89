"""Small interfaces between modules, wired once in `transition` (as Cosmos SDK hooks).

The force module must tell emission when a resident's Force changes, but must not import
it (emission reads Force). So force calls `force_changed`, and the transition registers
emission's handler. Registration happens at import, in a fixed order: deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ForceChanged = Callable[[Any, Any, str, int], None]
"""(state, params, resident, time_ms) -> None"""

_force_changed: list[ForceChanged] = []


def on_force_changed(fn: ForceChanged) -> None:
    if fn not in _force_changed:
        _force_changed.append(fn)


def force_changed(state: Any, params: Any, resident: str, time_ms: int) -> None:
    for fn in _force_changed:
        fn(state, params, resident, time_ms)
