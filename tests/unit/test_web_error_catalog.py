"""Every refusal the web app can show has a sentence in both of its catalogs.

The browser words a refusal by its numeric code (web/src/i18n/errors.js looks up
`error.<code>`), never by the node's English text, so a code added to core/errors.py
without its entries would reach a Chinese page as a generic "error 7xx". The catalogs are
plain `'key': "text",` lines, read here as text.
"""

from __future__ import annotations

import re
from pathlib import Path

from planet.core import errors

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = {name: ROOT / "web" / "src" / "i18n" / name for name in ("en.js", "zh-CN.js")}

# Refusals that never leave the node for a browser: an engine fed blocks out of order,
# stored state that does not hash to the app hash, CometBFT asking the impossible and a
# broken ABCI byte stream stop the node; no request of a page's causes them.
NODE_INTERNAL = {errors.BlockOrderError.code, errors.StateMismatch.code, errors.AbciRefused.code,
                 errors.FramingError.code}


def error_codes() -> set[int]:
    """Every code an error class in core/errors.py carries."""
    codes = set()
    for value in vars(errors).values():
        if isinstance(value, type) and issubclass(value, errors.PlanetError):
            codes.add(value.code)
    return codes


def catalog_codes(path: Path) -> dict[int, str]:
    """The `error.<code>` entries of one catalog, code → sentence."""
    entries = re.findall(r"^\s*'error\.(\d+)':\s*\"((?:[^\"\\]|\\.)*)\",\s*$", path.read_text(), re.M)
    return {int(code): text for code, text in entries}


def test_every_web_visible_code_has_a_sentence_in_both_languages() -> None:
    wanted = error_codes() - NODE_INTERNAL
    for name, path in CATALOGS.items():
        have = catalog_codes(path)
        assert sorted(wanted - have.keys()) == [], f"{name} lacks these codes"
        assert all(text.strip() for text in have.values()), name


def test_the_daily_limits_say_when_they_reset() -> None:
    for code in (errors.DailyLimitReached.code, errors.DailyCapReached.code, errors.TooManyAttempts.code):
        for name, path in CATALOGS.items():
            assert "{resetAt}" in catalog_codes(path)[code], (name, code)
