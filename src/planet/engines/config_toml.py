"""Set values in a CometBFT config.toml in place, keeping its comments and layout.

CometBFT writes the file with `cometbft init`; we change a few keys and leave the rest as
the engine's documented defaults. Only flat `key = value` lines are edited.
"""

from __future__ import annotations

import json
import re

Value = str | int | bool


def toml_value(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)  # a TOML basic string is a JSON string for these values


def set_keys(text: str, section: str, values: dict[str, Value]) -> str:
    """Set `values` in `[section]` ("" for the top level, before the first header). A key
    absent from the section is an error: it would mean another CometBFT version."""
    lines = text.splitlines(keepends=True)
    current = ""
    seen: set[str] = set()
    for i, line in enumerate(lines):
        header = re.match(r"^\s*\[([^\]]+)\]\s*$", line)
        if header:
            current = header.group(1).strip()
            continue
        if current != section:
            continue
        m = re.match(r"^(\s*)([A-Za-z0-9_.-]+)(\s*=\s*)", line)
        if m and m.group(2) in values:
            key = m.group(2)
            lines[i] = f"{m.group(1)}{key}{m.group(3)}{toml_value(values[key])}\n"
            seen.add(key)
    missing = set(values) - seen
    if missing:
        where = f"[{section}]" if section else "the top level"
        raise KeyError(f"config.toml has no {', '.join(sorted(missing))} in {where}")
    return "".join(lines)
