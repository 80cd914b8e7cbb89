"""The transaction envelope: decode, check its form, verify its signature.

Wire form (UTF-8 JSON, at most `max_tx_bytes`)::

    {"body": {"chain_id": str, "sender": address, "sequence": int, "messages": [msg…]},
     "public_key": base64(32-byte Ed25519 key), "signature": base64(64 bytes)}

The signature is Ed25519 over `SIGN_DOMAIN + RFC 8785(body)`, under the acceptance rule of
`planet.core.ed25519` (A and R canonical and neither of small order, S < L). The
sender's address must be derived from `public_key`, so signatures are checked without
reading state (engines may verify them in parallel). The sequence must equal the sender's
count of included transactions: a reused one is a replay, a skipped one is refused as well.
One tx has one meaning: no object in it may repeat a key (I-JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from planet.core import ed25519
from planet.core.address import compute_address, parse_address
from planet.core.encoding import (
    b64decode,
    canonical_json,
    parse_json,
    parse_json_unique,
    sha256,
)
from planet.core.errors import (
    AddressMismatch,
    BadSignature,
    DuplicateKey,
    InvalidField,
    MalformedTx,
    TxTooLarge,
    UnknownField,
    WrongChainId,
)
from planet.core.messages import MAX_SAFE_INTEGER, Msg, Router
from planet.core.params import Params
from planet.core.types import Address

SIGN_DOMAIN = b"planet/tx/v1\n"
ENVELOPE_FIELDS = frozenset({"body", "public_key", "signature"})
BODY_FIELDS = frozenset({"chain_id", "sender", "sequence", "messages"})


@dataclass(frozen=True, slots=True)
class Tx:
    hash: bytes
    chain_id: str
    sender: Address
    sequence: int
    messages: tuple[Msg, ...]
    public_key: bytes
    signature: bytes
    body: dict[str, Any]


def compute_sign_bytes(body: dict[str, Any]) -> bytes:
    return SIGN_DOMAIN + canonical_json(body)


def compute_tx_hash(raw: bytes) -> bytes:
    return sha256(raw)


def decode_tx(raw: bytes, *, params: Params, router: Router, chain_id: str) -> Tx:
    """Every stateless check: size, JSON shape, fields, chain id, messages, address."""
    if len(raw) > params.max_tx_bytes:
        raise TxTooLarge(f"transaction is {len(raw)} bytes; the limit is {params.max_tx_bytes}")
    try:
        doc = parse_json_unique(raw)
    except ValueError as err:
        raise MalformedTx(f"transaction is not valid UTF-8 JSON: {err}") from None
    except DuplicateKey as err:
        raise DuplicateKey(f"transaction: {err.message}") from None
    if not isinstance(doc, dict):
        raise MalformedTx("transaction must be a JSON object")
    extra = sorted(set(doc) - ENVELOPE_FIELDS)
    if extra:
        raise UnknownField(f"transaction: unknown field(s) {', '.join(extra)}")
    body = doc.get("body")
    if not isinstance(body, dict):
        raise MalformedTx("transaction.body: expected an object")
    extra = sorted(set(body) - BODY_FIELDS)
    if extra:
        raise UnknownField(f"body: unknown field(s) {', '.join(extra)}")
    missing = sorted(BODY_FIELDS - set(body))
    if missing:
        raise MalformedTx(f"body: missing field(s) {', '.join(missing)}")
    if not isinstance(body["sender"], str):
        raise InvalidField("body.sender: expected an address string")
    if body["chain_id"] != chain_id:
        raise WrongChainId(f"body.chain_id is {body['chain_id']!r}; this chain is {chain_id!r}")
    sender = body["sender"]
    sequence = body["sequence"]
    if not isinstance(sequence, int) or isinstance(sequence, bool) or not 0 <= sequence <= MAX_SAFE_INTEGER:
        raise InvalidField("body.sequence: expected a non-negative integer")
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        raise MalformedTx("body.messages: expected a non-empty list")
    if len(messages) > params.max_messages_per_tx:
        raise TxTooLarge(f"body.messages: at most {params.max_messages_per_tx} per transaction")
    msgs = tuple(router.parse(m, params, f"body.messages[{i}]") for i, m in enumerate(messages))
    public_key = b64decode(doc.get("public_key"), field="public_key", length=32)
    ed25519.check_public_key(public_key, field="public_key")
    signature = b64decode(doc.get("signature"), field="signature", length=64)
    if compute_address(public_key) != sender:
        parse_address(sender, field="body.sender")
        raise AddressMismatch(f"body.sender {sender} is not the address of public_key")
    return Tx(compute_tx_hash(raw), chain_id, Address(sender), sequence, msgs, public_key,
              signature, body)


def verify_tx_signature(tx: Tx) -> None:
    if not ed25519.verify(tx.public_key, tx.signature, compute_sign_bytes(tx.body)):
        raise BadSignature("signature does not verify for this body and public_key")


def verify_raw_signature(raw: bytes) -> bool:
    """Signature check alone, for engines that verify in parallel before `check_tx`.

    Form errors return False here and are reported properly by `decode_tx` afterwards.
    """
    try:
        doc = parse_json(raw)  # decode_tx refuses repeated keys, whatever this says
        return ed25519.verify(b64decode(doc["public_key"], field="k"),
                              b64decode(doc["signature"], field="s"),
                              compute_sign_bytes(doc["body"]))
    except Exception:
        return False
