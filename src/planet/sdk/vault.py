"""The vault and the exchange from the client's side: everything that touches plaintext or
keys happens here, on the owner's (or the granted business's) machine.

    add_record       seal to the owner, commit the digest, upload the ciphertext
    deposit_record   a business seals a record to a resident and deposits it
    read_record      the owner downloads, checks the digest, opens
    accept_request   the owner reseals each chosen record's data key to the business
    read_granted     the business downloads and opens what a grant covers
    fulfil / read_voucher   a voucher sealed to the resident, opened by them alone

The node never sees a plaintext or a data key in the clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from planet.core.encoding import b64decode, b64encode
from planet.core.exchange.messages import AcceptRequest, FulfilRedemption
from planet.core.vault.messages import AddRecord, DepositRecord, EraseRecord
from planet.sdk.client import NodeError, PlanetClient, TxOutcome
from planet.sdk.envelope import (
    VOUCHER_INFO,
    open_granted,
    open_record,
    open_sealed,
    reseal_for,
    seal_record,
    seal_to,
)
from planet.sdk.wallet import Wallet


@dataclass(frozen=True)
class Granted:
    resident: str
    digest: str
    category: str
    plaintext: bytes
    time: int = 0  # ms, the record's time as its owner committed it


def encryption_key_of(client: PlanetClient, address: str) -> bytes:
    account = client.account(address)
    if account is None:
        raise NodeError(404, {"message": f"{address} is not an account on this chain"})
    return b64decode(account["encryption_key"], field="encryption_key", length=32)


def add_record(client: PlanetClient, owner: Wallet, plaintext: bytes, category: str,
               time_ms: int) -> str:
    """Commit first, then upload: the store accepts only ciphertext the ledger expects."""
    sealed = seal_record(plaintext, owner.encryption_public_key)
    client.send(owner, AddRecord(digest=sealed.digest, category=category, time=time_ms,
                                 size=len(sealed.blob)))
    client.put_blob(owner, sealed.digest, sealed.blob)
    return sealed.digest


def deposit_record(client: PlanetClient, business: Wallet, owner: str, plaintext: bytes,
                   category: str, time_ms: int, task: str = "") -> str:
    sealed = seal_record(plaintext, encryption_key_of(client, owner))
    client.send(business, DepositRecord(owner=owner, digest=sealed.digest, category=category,
                                        time=time_ms, size=len(sealed.blob), task=task))
    client.put_blob(business, sealed.digest, sealed.blob)
    return sealed.digest


def read_record(client: PlanetClient, owner: Wallet, digest: str) -> bytes:
    return open_record(client.get_blob(owner, digest), owner.encryption_key)


def erase_record(client: PlanetClient, owner: Wallet, digest: str) -> TxOutcome:
    return client.send(owner, EraseRecord(digest=digest))


def accept_request(client: PlanetClient, resident: Wallet, request_id: int,
                   digests: list[str]) -> TxOutcome:
    """Reseal each chosen record's data key to the requesting business, then sign the grant."""
    request = client.query("exchange/request", id=request_id)
    business_key = encryption_key_of(client, request["business"])
    keys = tuple(b64encode(reseal_for(client.get_blob(resident, d), resident.encryption_key,
                                      business_key)) for d in digests)
    return client.send(resident, AcceptRequest(request=request_id, records=tuple(digests),
                                               keys=keys))


def read_granted(client: PlanetClient, business: Wallet, request_id: int) -> list[Granted]:
    """Every record still shared on a request, opened with the keys the residents resealed."""
    out = []
    for grant in iter_pages(client, "exchange/grants", request=request_id):
        if grant["state"] != "active":
            continue
        for item in grant["records"]:
            if not item["live"]:
                continue
            blob = client.get_blob(business, item["digest"])
            record = client.query("vault/record", digest=item["digest"])
            plaintext = open_granted(blob, b64decode(item["key"], field="key"),
                                     business.encryption_key)
            out.append(Granted(grant["resident"], item["digest"], record["category"], plaintext,
                               int(record["time"])))
    return out


def iter_pages(client: PlanetClient, path: str, **args: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = client.query(path, offset=len(items), limit=500, **args)
        items.extend(page["items"])
        if len(items) >= page["total"] or not page["items"]:
            return items


def fulfil(client: PlanetClient, business: Wallet, redemption_id: int,
           voucher: str) -> TxOutcome:
    resident = client.query("exchange/redemption", id=redemption_id)["resident"]
    sealed = seal_to(voucher.encode(), encryption_key_of(client, resident), VOUCHER_INFO)
    return client.send(business, FulfilRedemption(redemption=redemption_id,
                                                  voucher=b64encode(sealed)))


def read_voucher(resident: Wallet, redemption: dict[str, Any]) -> str:
    sealed = b64decode(redemption["voucher"], field="voucher")
    return open_sealed(sealed, resident.encryption_key, VOUCHER_INFO).decode()
