"""Messages are plain frozen dataclasses; every entry point builds the same ones.

`parse_message` is strict: the `type` must be known, every field present with the exact
JSON type, no unknown field, strings and lists within the preset's limits. A message's own
`validate` then checks formats (addresses, keys, codes). Rules never see a bad message.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from planet.core.address import parse_address
from planet.core.errors import InvalidField, UnknownField, UnknownMessage
from planet.core.params import Params

MAX_SAFE_INTEGER = 2**53 - 1
"""RFC 8785 (and every browser) represents integers exactly only up to 2^53-1."""


class Msg:
    """Base of every message. Subclasses are frozen dataclasses with a `TYPE`."""

    TYPE: ClassVar[str]
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()

    def validate(self, params: Params) -> None:
        """Format checks beyond JSON types; overridden where a field has a format."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.TYPE}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def spec(cls) -> dict[str, Any]:
        cached = cls.__dict__.get("_spec")
        if cached is None:
            hints = typing.get_type_hints(cls)
            cached = {f.name: hints[f.name] for f in dataclasses.fields(cls)}  # type: ignore[arg-type,unused-ignore]
            cls._spec = cached  # type: ignore[attr-defined]
        return cached  # type: ignore[no-any-return,unused-ignore]

    @classmethod
    def parse(cls, data: Mapping[str, Any], params: Params) -> Self:
        spec = cls.spec()
        unknown = sorted(set(data) - set(spec) - {"type"})
        if unknown:
            raise UnknownField(f"{cls.TYPE}: unknown field(s) {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name, hint in spec.items():
            where = f"{cls.TYPE}.{name}"
            if name not in data:
                if name in cls.OPTIONAL:
                    continue
                raise InvalidField(f"{where}: missing")
            values[name] = _coerce(data[name], hint, where, params)
        msg = cls(**values)
        msg.validate(params)
        return msg


@dataclass(frozen=True, slots=True)
class BusinessMsg(Msg):
    """A message whose one field names the business it is about."""

    business: str

    def validate(self, params: Params) -> None:
        parse_address(self.business, field=f"{self.TYPE}.business")


def _coerce(value: Any, hint: Any, where: str, params: Params) -> Any:
    if hint is bool:
        if not isinstance(value, bool):
            raise InvalidField(f"{where}: expected true or false")
        return value
    if hint is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidField(f"{where}: expected an integer")
        if not 0 <= value <= MAX_SAFE_INTEGER:
            raise InvalidField(f"{where}: must be between 0 and 2^53-1")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise InvalidField(f"{where}: expected a string")
        try:
            size = len(value.encode())
        except UnicodeEncodeError:
            raise InvalidField(f"{where}: not valid Unicode (lone surrogate)") from None
        if size > params.max_string_bytes:
            raise InvalidField(f"{where}: at most {params.max_string_bytes} bytes")
        return value
    if typing.get_origin(hint) is tuple:
        (item_hint, _ellipsis) = typing.get_args(hint)
        if not isinstance(value, list):
            raise InvalidField(f"{where}: expected a list")
        if len(value) > params.max_list_items:
            raise InvalidField(f"{where}: at most {params.max_list_items} items")
        return tuple(_coerce(v, item_hint, f"{where}[{i}]", params) for i, v in enumerate(value))
    raise TypeError(f"unsupported message field type {hint!r} at {where}")


@dataclass
class Event:
    type: str
    attributes: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "attributes": self.attributes}


@dataclass
class Ctx:
    """What a rule may see and touch while one transaction runs."""

    state: Any  # planet.core.state.Layer; typed loosely to keep this module import-light
    params: Params
    chain_id: str
    height: int
    time: int
    sender: str
    public_key: bytes
    events: list[Event] = field(default_factory=list)
    block_hash: bytes = b""  # set in a block's begin step; empty while running a tx

    def emit(self, type_: str, **attributes: Any) -> None:
        self.events.append(Event(type_, attributes))


Handler = Callable[[Ctx, Any], None]


@dataclass(frozen=True)
class Module:
    """A domain: its messages and handlers, genesis, per-block step and queries."""

    name: str
    messages: tuple[tuple[type[Msg], Handler], ...] = ()
    init_genesis: Callable[[Any, Any], None] | None = None
    begin_block: Callable[[Ctx], None] | None = None
    queries: Mapping[str, Callable[[Any, Mapping[str, Any], Params], Any]] = field(
        default_factory=dict)


class Router:
    """Message type to (class, handler), gathered from the modules."""

    def __init__(self, modules: tuple[Module, ...]) -> None:
        self.routes: dict[str, tuple[type[Msg], Handler]] = {}
        for module in modules:
            for cls, handler in module.messages:
                if not cls.TYPE.startswith(module.name + "/"):
                    raise TypeError(f"{cls.TYPE} must live under {module.name}/")
                self.routes[cls.TYPE] = (cls, handler)

    def parse(self, data: Any, params: Params, where: str) -> Msg:
        if not isinstance(data, dict):
            raise InvalidField(f"{where}: expected a message object")
        type_ = data.get("type")
        if not isinstance(type_, str):
            raise InvalidField(f"{where}.type: missing")
        route = self.routes.get(type_)
        if route is None:
            raise UnknownMessage(f"{where}: unknown message type '{type_}'")
        return route[0].parse(data, params)

    def handler(self, msg: Msg) -> Handler:
        return self.routes[msg.TYPE][1]
