"""Arguments of queries, read the same way by every module (they arrive as HTTP query
strings or as Python values): missing, malformed and out-of-range give one kind of error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planet.core.address import parse_address
from planet.core.errors import InvalidField
from planet.core.types import Address


def require_arg(args: Mapping[str, Any], name: str) -> Any:
    if name not in args:
        raise InvalidField(f"query argument '{name}' is required")
    return args[name]


def address_arg(args: Mapping[str, Any], name: str = "address") -> Address:
    return parse_address(require_arg(args, name), field=name)


def int_arg(args: Mapping[str, Any], name: str, default: int | None = None) -> int:
    """A non-negative integer, given as an int or as decimal digits."""
    value = require_arg(args, name) if default is None else args.get(name, default)
    if isinstance(value, str) and value.isdecimal():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidField(f"query argument '{name}' must be a non-negative integer")
    return value


def bool_arg(args: Mapping[str, Any], name: str) -> bool:
    """A flag: true, 1 or yes (any case) as a query string, or a Python bool; absent is false."""
    value = args.get(name, False)
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
