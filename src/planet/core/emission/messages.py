"""Messages of the emission module."""

from __future__ import annotations

from dataclasses import dataclass

from planet.core.messages import Msg


@dataclass(frozen=True, slots=True)
class Collect(Msg):
    """Tap the bubbles: move pending diamonds to the balance, and stay active."""

    TYPE = "emission/collect"
