"""The genesis document: everything a network agrees on before its first block.

It is plain JSON so an auditor can read it; `parse_genesis` checks every field and
`genesis_hash` (over its RFC 8785 form) goes into the state, so the app hash of every
block also commits to the rules it was made under.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from planet.core.address import compute_address, parse_address
from planet.core.ed25519 import check_public_key
from planet.core.encoding import b64decode, canonical_json, sha256
from planet.core.errors import GenesisError, InvalidField, WeakPublicKey
from planet.core.force.catalog import Task, parse_catalog
from planet.core.params import Params
from planet.core.types import Address, Millis

CHAIN_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,47}")  # fullmatch ("$" passes a final "\n")
TIMEZONE = re.compile(r"([+-])(\d{2}):(\d{2})")  # fullmatch ("$" passes a final "\n")
GENESIS_FIELDS = {"chain_id", "genesis_time", "preset", "params", "timezone", "operator",
                  "identity_verifiers", "businesses", "tasks", "nullifier_scheme"}
KEY_FIELDS = {"address", "public_key", "encryption_key", "name"}


@dataclass(frozen=True, slots=True)
class GenesisKey:
    """An account fixed at genesis: the operator, a verifier or a business."""

    address: Address
    public_key: bytes
    encryption_key: bytes
    name: str


@dataclass(frozen=True, slots=True)
class Genesis:
    chain_id: str
    genesis_time: Millis
    params: Params
    operator: GenesisKey
    identity_verifiers: tuple[GenesisKey, ...]
    businesses: tuple[GenesisKey, ...]
    tasks: tuple[Task, ...]
    document: dict[str, Any]

    @property
    def hash(self) -> bytes:
        return sha256(canonical_json(self.document))


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MILLISECOND = timedelta(milliseconds=1)


def parse_time(text: object, *, field: str) -> Millis:
    """RFC 3339 time to integer milliseconds since the epoch (a finer fraction is floored).

    In integers throughout: `timestamp() * 1000` goes through a float and was 1 ms off for
    about 1% of instants, and every node must read the same genesis time."""
    if not isinstance(text, str):
        raise GenesisError(f"{field}: expected an RFC 3339 time string")
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise GenesisError(f"{field}: not an RFC 3339 time: {text!r}") from None
    if dt.tzinfo is None:
        raise GenesisError(f"{field}: the time must carry a zone, e.g. 'Z'")
    return Millis((dt - EPOCH) // MILLISECOND)


def format_time(ms: int) -> str:
    """Milliseconds since the epoch as RFC 3339 UTC, the inverse of `parse_time`."""
    return (EPOCH + ms * MILLISECOND).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_timezone(text: object) -> int:
    """'+08:00' to +480 minutes."""
    m = TIMEZONE.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        raise GenesisError("timezone: expected an offset like '+08:00'")
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    if minutes > 14 * 60 or int(m.group(3)) >= 60:
        raise GenesisError("timezone: offset out of range")
    return minutes if m.group(1) == "+" else -minutes


def parse_genesis_key(data: Any, *, field: str) -> GenesisKey:
    if not isinstance(data, dict):
        raise GenesisError(f"{field}: expected an object")
    unknown = sorted(set(data) - KEY_FIELDS)
    if unknown:
        raise GenesisError(f"{field}: unknown field(s) {', '.join(unknown)}")
    try:
        address = parse_address(data.get("address"), field=f"{field}.address")
        public_key = b64decode(data.get("public_key"), field=f"{field}.public_key", length=32)
        check_public_key(public_key, field=f"{field}.public_key")
        encryption_key = b64decode(data.get("encryption_key"), field=f"{field}.encryption_key",
                                   length=32)
    except (InvalidField, WeakPublicKey) as err:
        raise GenesisError(err.message) from None
    if compute_address(public_key) != address:
        raise GenesisError(f"{field}: address does not belong to public_key")
    name = data.get("name", "")
    if not isinstance(name, str) or len(name) > 80:
        raise GenesisError(f"{field}.name: a string of at most 80 characters")
    return GenesisKey(address, public_key, encryption_key, name)


def parse_genesis(doc: Any) -> Genesis:
    if not isinstance(doc, dict):
        raise GenesisError("genesis: expected a JSON object")
    unknown = sorted(set(doc) - GENESIS_FIELDS)
    if unknown:
        raise GenesisError(f"genesis: unknown field(s) {', '.join(unknown)}")
    chain_id = doc.get("chain_id")
    if not isinstance(chain_id, str) or not CHAIN_ID.fullmatch(chain_id):
        raise GenesisError("chain_id: lower-case letters, digits and '-', at most 48")
    params = Params.preset(doc.get("preset", "production"))
    overrides = doc.get("params", {})
    if not isinstance(overrides, dict):
        raise GenesisError("params: expected an object")
    params = params.with_overrides(overrides)
    if "timezone" in doc:
        params = dataclasses.replace(params, timezone_offset_minutes=parse_timezone(doc["timezone"]))
    verifiers = doc.get("identity_verifiers", [])
    businesses = doc.get("businesses", [])
    if not isinstance(verifiers, list) or not isinstance(businesses, list):
        raise GenesisError("identity_verifiers and businesses: expected lists")
    genesis = Genesis(
        chain_id=chain_id,
        genesis_time=parse_time(doc.get("genesis_time"), field="genesis_time"),
        params=params,
        operator=parse_genesis_key(doc.get("operator"), field="operator"),
        identity_verifiers=tuple(parse_genesis_key(v, field=f"identity_verifiers[{i}]")
                                 for i, v in enumerate(verifiers)),
        businesses=tuple(parse_genesis_key(b, field=f"businesses[{i}]")
                         for i, b in enumerate(businesses)),
        tasks=parse_catalog(doc.get("tasks", [])),
        document=doc,
    )
    addresses = [genesis.operator.address, *(k.address for k in genesis.identity_verifiers),
                 *(k.address for k in genesis.businesses)]
    if len(set(addresses)) != len(addresses):
        raise GenesisError("genesis: an address appears twice among operator, verifiers, businesses")
    return genesis
