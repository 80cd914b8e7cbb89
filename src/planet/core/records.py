"""State records: frozen dataclasses with a deterministic byte encoding.

Records are immutable; a rule that changes one stores a `dataclasses.replace` copy. That
is what lets a failed transaction be dropped without undoing anything by hand.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Self, TypeVar

from planet.core.encoding import parse_json, state_json


class Record:
    """Base of every value kept in the state."""

    _field_names: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        names = cls.__dict__.get("_cached_field_names")
        if names is None:
            names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type,unused-ignore]
            cls._cached_field_names = names  # type: ignore[attr-defined]
        return names  # type: ignore[no-any-return,unused-ignore]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.field_names():
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def encode(self) -> bytes:
        return state_json(self.to_json())

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})

    @classmethod
    def decode(cls, raw: bytes) -> Self:
        return cls.from_json(parse_json(raw))


R = TypeVar("R", bound=Record)


@dataclasses.dataclass(frozen=True, slots=True)
class Marker(Record):
    """An index entry: the key carries the information, the value is empty."""
