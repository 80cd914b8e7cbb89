"""HTTP client for a Planet node, and the actions every surface builds on.

Each action builds core messages, signs them with the caller's wallet at the right
sequence number and submits them, waiting for the commit.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from planet.core.accounts.codes import code_from_bytes, compute_invite_hash
from planet.core.accounts.messages import (
    AddVerifier,
    CreateInvites,
    RegisterBusiness,
    RegisterResident,
)
from planet.core.applications.messages import (
    ApplyBusiness,
    ApproveApplication,
    DeclineApplication,
    WithdrawApplication,
)
from planet.core.emission.messages import Collect
from planet.core.encoding import b64decode, b64encode
from planet.core.errors import SequenceReused
from planet.core.force.messages import CompleteTask, SetBusinessQuota, SetTaskEnabled
from planet.core.messages import Msg
from planet.sdk.blobauth import sign_blob_request
from planet.sdk.invites import MatchedInvites, derive_invite_codes, invite_seed, match_invite_codes
from planet.sdk.wallet import Wallet

SEQUENCE_REUSED = SequenceReused.code


class NodeError(Exception):
    """The node refused a request; carries the core's code and message."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        check = body.get("check") or {}
        self.code = int(body.get("code") or check.get("code") or 0)
        self.error = str(body.get("error") or check.get("error") or "")
        self.message = str(body.get("message") or check.get("log") or body.get("detail") or body)
        self.status = status
        self.body = body
        super().__init__(self.message)


@dataclass
class TxOutcome:
    hash: str
    height: int | None
    code: int
    log: str
    events: list[dict[str, Any]]

    @property
    def ok(self) -> bool:
        return self.code == 0


class PlanetClient:
    def __init__(self, url: str = "http://127.0.0.1:7070", timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url + "/v1", timeout=timeout)
        self._chain_id: str | None = None

    def close(self) -> None:
        self.http.close()

    def _get(self, path: str, **params: Any) -> Any:
        try:
            r = self.http.get(path, params=params or None)
        except httpx.TransportError as err:
            raise NodeError(0, {"message": f"cannot reach the node at {self.url}: {err}"}) from None
        if r.status_code >= 400:
            raise NodeError(r.status_code, _json(r))
        return r.json()

    # --- reads -------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        return self._get("/status")  # type: ignore[no-any-return]

    @property
    def chain_id(self) -> str:
        if self._chain_id is None:
            self._chain_id = str(self.status()["chain_id"])
        return self._chain_id

    def query(self, path: str, **args: Any) -> Any:
        return self._get(f"/query/{path}", **args)

    def account(self, address: str) -> dict[str, Any] | None:
        try:
            return self.query("accounts/account", address=address)  # type: ignore[no-any-return]
        except NodeError as err:
            if err.status == 404:
                return None
            raise

    def block(self, height: int | None = None) -> dict[str, Any]:
        return self._get("/blocks/latest" if height is None else f"/blocks/{height}")  # type: ignore[no-any-return]

    def tx(self, tx_hash: str) -> dict[str, Any]:
        return self._get(f"/txs/{tx_hash}")  # type: ignore[no-any-return]

    def next_sequence(self, address: str) -> int:
        account = self.account(address)
        if account is None:  # a new key (0), or an applicant's, counted without an account
            return int(self.query("accounts/sequence", address=address)["sequence"])
        return int(account["sequence"])

    # --- writes ------------------------------------------------------------------------------

    def submit(self, raw: bytes, *, wait: bool = True, idempotency_key: str | None = None
               ) -> TxOutcome:
        """Submit one signed tx; with `idempotency_key`, a retry of the same tx with the same
        key gets the first answer (see `submit_batch`)."""
        try:
            r = self.http.post("/txs", content=raw, params={"wait": str(wait).lower()},
                               headers=_headers(idempotency_key))
        except httpx.TransportError as err:
            raise NodeError(0, {"message": f"cannot reach the node at {self.url}: {err}"}) from None
        body = _json(r)
        if r.status_code >= 400:
            raise NodeError(r.status_code, body)
        committed = body.get("committed")
        if committed is None:
            return TxOutcome(body["hash"], None, 0, "accepted, not yet committed", [])
        result = committed["result"]
        return TxOutcome(body["hash"], committed["height"], committed["code"], result["log"],
                         result["events"])

    def submit_batch(self, raws: Sequence[bytes], *, wait: bool = True,
                     timeout: float | None = None, idempotency_key: str | None = None
                     ) -> list[TxOutcome | NodeError]:
        """Submit signed txs in one request (`POST /v1/txs/batch`, at most 1,000 and 1 MiB):
        the node admits them together, in order. Per tx, in order, what `submit` would
        return (a TxOutcome), or the NodeError it would raise (refused by check_tx: 400;
        dropped from the mempool before inclusion: 409); a malformed batch raises.

        `idempotency_key` (1 to 128 of A-Z a-z 0-9 . _ : -; `new_idempotency_key()` makes
        one): send the same batch again with the same key after a timeout or a lost
        connection and the node answers what it answered the first time (with commits made
        since), instead of a "sequence reused" refusal per tx; the same key with another
        batch raises NodeError 422 (code 961). Keys live 24 h on the node that got them."""
        params: dict[str, str] = {"wait": str(wait).lower()}
        if timeout is not None:
            params["timeout"] = str(timeout)
        payload = {"txs": [raw.decode("utf-8", "surrogateescape") for raw in raws]}
        try:
            r = self.http.post("/txs/batch", content=json.dumps(payload).encode(),
                               params=params, headers=_headers(idempotency_key))
        except httpx.TransportError as err:
            raise NodeError(0, {"message": f"cannot reach the node at {self.url}: {err}"}) from None
        body = _json(r)
        if r.status_code >= 400:
            raise NodeError(r.status_code, body)
        return [_batch_outcome(item) for item in body["results"]]

    def send(self, wallet: Wallet, *messages: Msg, sequence: int | None = None,
             settle_s: float = 30.0) -> TxOutcome:
        """Sign `messages` as one transaction and wait for its commit; raise on failure.

        Without `sequence`, the committed one is used; if another writer of the same key has
        a transaction waiting in the mempool (the node's Lucky Drill rounds sign with the
        operator's key), that sequence is refused as used (107): the transaction is signed
        again once the committed sequence has moved past it, for up to `settle_s` seconds."""
        seq = self.next_sequence(wallet.address) if sequence is None else sequence
        deadline = time.monotonic() + settle_s
        while True:
            try:
                outcome = self.submit(wallet.sign_tx(chain_id=self.chain_id, sequence=seq,
                                                     messages=list(messages)))
                break
            except NodeError as err:
                if sequence is not None or err.code != SEQUENCE_REUSED \
                        or time.monotonic() > deadline:
                    raise
            while (fresh := self.next_sequence(wallet.address)) <= seq:
                if time.monotonic() > deadline:
                    raise NodeError(409, {"code": SEQUENCE_REUSED, "message":
                                          f"sequence {seq} stays taken by a pending transaction"})
                time.sleep(0.05)
            seq = fresh
        if not outcome.ok:
            raise NodeError(400, {"code": outcome.code, "message": outcome.log})
        return outcome

    # --- actions -----------------------------------------------------------------------------

    def create_invites(self, wallet: Wallet, count: int, *, derived: bool = False) -> list[str]:
        """New codes, their hashes committed. `derived`: the wallet's next codes
        (planet.sdk.invites, as the web app makes them), found again by `invite_codes` on
        any machine holding the wallet; else random ones, kept only by the caller (two
        concurrent derived calls of one wallet would pick the same codes: one is refused)."""
        if derived:
            seed = invite_seed(wallet)
            start = match_invite_codes(seed, self.query("accounts/invites_of",
                                                        address=wallet.address)).next
            codes = derive_invite_codes(seed, start, count)
        else:
            codes = new_invite_codes(count)
        self.send(wallet, CreateInvites(code_hashes=tuple(compute_invite_hash(c) for c in codes)))
        return codes

    def invite_codes(self, wallet: Wallet) -> MatchedInvites:
        """The wallet's derived codes on the ledger, used or not, and its other invites."""
        return match_invite_codes(invite_seed(wallet), self.query("accounts/invites_of",
                                                                  address=wallet.address))

    def register_resident(self, wallet: Wallet, invite_code: str, *,
                          own_invites: int = 0) -> tuple[TxOutcome, list[str]]:
        """Register with a code; optionally create the resident's own codes in the same tx."""
        msgs: list[Msg] = [RegisterResident(invite_code=invite_code,
                                            encryption_key=b64encode(wallet.encryption_public_key))]
        codes = derive_invite_codes(invite_seed(wallet), 0, own_invites)  # a new account: from 0
        if codes:
            msgs.append(CreateInvites(code_hashes=tuple(compute_invite_hash(c) for c in codes)))
        return self.send(wallet, *msgs, sequence=0), codes

    def register_business(self, operator: Wallet, business: Wallet, name: str) -> TxOutcome:
        return self.send(operator, RegisterBusiness(
            business=business.address, public_key=b64encode(business.public_key),
            encryption_key=b64encode(business.encryption_public_key), name=name))

    def add_verifier(self, operator: Wallet, verifier: Wallet, name: str) -> TxOutcome:
        return self.send(operator, AddVerifier(
            verifier=verifier.address, public_key=b64encode(verifier.public_key),
            encryption_key=b64encode(verifier.encryption_public_key), name=name))


    # --- business applications ----------------------------------------------------------

    def apply_business(self, applicant: Wallet, name: str, contact: str, offers: str
                       ) -> int:
        """Apply as a business with `applicant`'s new key (no account needed); returns the
        application's id. The operator approves or declines it (`application_of`)."""
        outcome = self.send(applicant, ApplyBusiness(
            name=name, contact=contact, offers=offers,
            encryption_key=b64encode(applicant.encryption_public_key)))
        return int(_event(outcome, "applications/applied")["application"])

    def approve_application(self, operator: Wallet, application: int,
                            daily_force: int | None = None) -> TxOutcome:
        """(Operator) Register the applicant as a business; with `daily_force`, set its
        daily Force quota in the same transaction."""
        msgs: list[Msg] = [ApproveApplication(application=application)]
        if daily_force is not None:
            business = self.application(application)["applicant"]
            msgs.append(SetBusinessQuota(business=business, daily_force=daily_force))
        return self.send(operator, *msgs)

    def decline_application(self, operator: Wallet, application: int, reason: str
                            ) -> TxOutcome:
        return self.send(operator, DeclineApplication(application=application, reason=reason))

    def withdraw_application(self, applicant: Wallet, application: int) -> TxOutcome:
        return self.send(applicant, WithdrawApplication(application=application))

    def applications(self, limit: int = 50, after: int = 0) -> dict[str, Any]:
        """The operator's queue, oldest first: {pending, items, next_after}."""
        return self._get("/applications", limit=limit, after=after)  # type: ignore[no-any-return]

    def application(self, application: int) -> dict[str, Any]:
        return self._get(f"/applications/{application}")  # type: ignore[no-any-return]

    def application_of(self, address: str) -> dict[str, Any]:
        """A key's latest application (None if it never applied) and its next sequence."""
        return self._get(f"/applications/of/{address}")  # type: ignore[no-any-return]

    # --- typed reads (the REST endpoints over the same queries) -------------------------

    def holder(self, address: str, *, prove: bool = False) -> dict[str, Any]:
        """Balance, pending diamonds and the 48-hour dormancy countdown; with `prove`, also
        `proof` (check it with `planet.sdk.proofs.verified_holder`, which calls this)."""
        if prove:
            return self._get(f"/accounts/{address}/holder", prove="true")  # type: ignore[no-any-return]
        return self._get(f"/accounts/{address}/holder")  # type: ignore[no-any-return]

    def proof(self, key: str) -> dict[str, Any]:
        """One state record (or its absence) with its proof; `planet.sdk.proofs.verify_proof`
        checks it against an app hash."""
        return self._get(f"/proofs/{quote(key, safe='/')}")  # type: ignore[no-any-return]

    def genesis(self) -> dict[str, Any]:
        """The genesis document (its hash is in the proven chain/meta record)."""
        return self._get("/genesis")  # type: ignore[no-any-return]

    def history(self, address: str, limit: int = 20, offset: int = 0) -> list[dict[str, Any]]:
        """Transactions `address` signed, newest first."""
        body = self._get(f"/accounts/{address}/txs", limit=limit, offset=offset)
        return body["items"]  # type: ignore[no-any-return]

    def activity(self, address: str, limit: int = 20, before: str | None = None
                 ) -> dict[str, Any]:
        """Every event that concerns `address` (rewards, refunds, drill prizes, expiries…),
        newest first, with what it moved for it; the next page is `before=next_before`."""
        params: dict[str, Any] = {"limit": limit}
        if before is not None:
            params["before"] = before
        return self._get(f"/accounts/{address}/activity", **params)  # type: ignore[no-any-return]

    def supply_schedule(self, points: int = 200) -> dict[str, Any]:
        return self._get("/supply/schedule", points=points)  # type: ignore[no-any-return]

    def census(self) -> dict[str, Any]:
        return self._get("/census")  # type: ignore[no-any-return]

    # --- identity (the node's verifier; see planet.identity.service) -----------------------

    def identity_verifier(self) -> dict[str, Any]:
        return self._get("/identity/verifier")  # type: ignore[no-any-return]

    def send_identity_code(self, wallet: Wallet, phone: str) -> dict[str, Any]:
        """Have the node's verifier send a one-time code to `phone` (sealed to it, so the
        number is read by the verifier alone). Returns {sent, phone_ending, valid_s}."""
        return self._identity_post(wallet, "/identity/code", {"phone": phone})

    def verify_identity(self, wallet: Wallet, name: str, id_number: str, phone: str,
                        code: str) -> dict[str, Any]:
        """Seal the details and the code sent to the phone to the node's verifier and have
        them checked and attested.

        Only the verifier's key opens them; the node keeps nothing. Returns {hash, height}.
        """
        return self._identity_post(wallet, "/identity/verify", {
            "name": name, "id_number": id_number, "phone": phone, "code": code})

    def _identity_post(self, wallet: Wallet, path: str, details: dict[str, str]
                       ) -> dict[str, Any]:
        from planet.sdk.envelope import identity_info, seal_to

        verifier = self.identity_verifier()
        body = seal_to(json.dumps(details).encode(), b64decode(
            verifier["encryption_key"], field="encryption_key", length=32),
            identity_info(wallet.address))
        headers = sign_blob_request(wallet, chain_id=self.chain_id,
                                    digest=hashlib.sha256(body).hexdigest(), method="POST")
        try:
            r = self.http.post(path, content=body, headers={
                **headers, "content-type": "application/octet-stream"})
        except httpx.TransportError as err:
            raise NodeError(0, {"message": f"cannot reach the node at {self.url}: {err}"}) from None
        if r.status_code >= 400:
            raise NodeError(r.status_code, _json(r))
        return r.json()  # type: ignore[no-any-return]

    # --- blobs (the vault's ciphertext; see planet.sdk.blobauth) -------------------------

    def put_blob(self, wallet: Wallet, digest: str, blob: bytes) -> dict[str, Any]:
        headers = sign_blob_request(wallet, chain_id=self.chain_id, digest=digest, method="PUT")
        return self._blob("PUT", digest, headers, blob).json()  # type: ignore[no-any-return]

    def get_blob(self, wallet: Wallet, digest: str) -> bytes:
        """The ciphertext, checked against its digest: a node cannot swap a record."""
        headers = sign_blob_request(wallet, chain_id=self.chain_id, digest=digest, method="GET")
        blob = self._blob("GET", digest, headers).content
        if hashlib.sha256(blob).hexdigest() != digest:
            raise NodeError(0, {"message": f"the node returned bytes that are not record {digest}"})
        return blob

    def _blob(self, method: str, digest: str, headers: dict[str, str],
              content: bytes | None = None) -> httpx.Response:
        try:
            r = self.http.request(method, f"/blobs/{digest}", headers=headers, content=content)
        except httpx.TransportError as err:
            raise NodeError(0, {"message": f"cannot reach the node at {self.url}: {err}"}) from None
        if r.status_code >= 400:
            raise NodeError(r.status_code, _json(r))
        return r

    def complete_task(self, resident: Wallet, task_id: str) -> TxOutcome:
        return self.send(resident, CompleteTask(task_id=task_id))

    def collect(self, resident: Wallet) -> TxOutcome:
        return self.send(resident, Collect())

    def set_task_enabled(self, operator: Wallet, task_id: str, enabled: bool) -> TxOutcome:
        return self.send(operator, SetTaskEnabled(task_id=task_id, enabled=enabled))


def _event(outcome: TxOutcome, kind: str) -> dict[str, Any]:
    """The attributes of the first event of `kind` a committed tx emitted."""
    for event in outcome.events:
        if event.get("type") == kind:
            return event["attributes"]  # type: ignore[no-any-return]
    raise NodeError(0, {"message": f"the node's answer lacks the {kind} event"})


def new_idempotency_key() -> str:
    """A fresh key for `submit_batch`: 128 random bits, as hex."""
    return os.urandom(16).hex()


def _headers(idempotency_key: str | None) -> dict[str, str]:
    headers = {"content-type": "application/json"}
    if idempotency_key is not None:
        headers["idempotency-key"] = idempotency_key
    return headers


def new_invite_codes(count: int) -> list[str]:
    return [code_from_bytes(os.urandom(10)) for _ in range(count)]


def _batch_outcome(item: dict[str, Any]) -> TxOutcome | NodeError:
    if not item["accepted"]:
        return NodeError(400, item)
    if "message" in item:  # dropped before inclusion
        return NodeError(409, item)
    committed = item.get("committed")
    if committed is None:
        return TxOutcome(item["hash"], None, 0, "accepted, not yet committed", [])
    result = committed["result"]
    return TxOutcome(item["hash"], committed["height"], committed["code"], result["log"],
                     result["events"])


def _json(r: httpx.Response) -> dict[str, Any]:
    try:
        body = r.json()
    except ValueError:
        return {"message": r.text[:500]}
    return body if isinstance(body, dict) else {"message": str(body)}
