"""A small in-process chain for tests: genesis, wallets, blocks, residents.

Everything is deterministic: wallets come from labelled seeds and invitation codes from
labelled hashes, so a failing Hypothesis example replays exactly.

    chain = make_chain()
    codes = chain.create_invites(chain.operator, 2)
    alice, bob = chain.register_residents(2)
    raw = chain.sign(alice, [CreateInvites(code_hashes=(new_hash("x"),))])
    result = chain.block([raw])
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from planet.core.accounts.codes import code_from_bytes, compute_invite_hash
from planet.core.accounts.messages import CreateInvites, RegisterResident
from planet.core.app import Application, BlockHeader, BlockResult
from planet.core.chain import META_KEY
from planet.core.emission.rules import get_holder
from planet.core.emission.state import CLOCK_KEY, POOL_KEY
from planet.core.encoding import b64encode
from planet.core.errors import NotFound
from planet.core.force.catalog import DEFAULT_CATALOG
from planet.core.genesis import Genesis, parse_genesis
from planet.core.messages import Msg
from planet.sdk.wallet import Wallet

CHAIN_ID = "planet-test"
GENESIS_TIME = "2026-01-01T00:00:00Z"
BLOCK_MS = 1_000

Snapshot = tuple[bytes, list[tuple[str, bytes]]]


def _seed(label: str, purpose: bytes) -> bytes:
    return hashlib.sha256(b"planet-tests/" + purpose + b"/" + label.encode()).digest()


def wallet(label: str) -> Wallet:
    """The same wallet for the same label, every run."""
    return Wallet.from_seeds(_seed(label, b"sign"), _seed(label, b"enc"))


def new_code(label: str) -> str:
    """A well-formed invitation code, derived from a label."""
    return code_from_bytes(_seed(label, b"code")[:10])


def new_hash(label: str) -> str:
    """64 lower-case hex characters derived from a label (code hashes, nullifiers)."""
    return _seed(label, b"hash").hex()


def genesis_doc(operator: Wallet, verifiers: Sequence[Wallet], *, chain_id: str = CHAIN_ID,
                params: dict[str, int] | None = None,
                businesses: Sequence[Wallet] = ()) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "chain_id": chain_id,
        "genesis_time": GENESIS_TIME,
        "preset": "test",
        "operator": operator.genesis_key("Operator"),
        "identity_verifiers": [v.genesis_key(f"Verifier {i}") for i, v in enumerate(verifiers)],
        "businesses": [b.genesis_key(f"Business {i}") for i, b in enumerate(businesses)],
        "tasks": [dict(t) for t in DEFAULT_CATALOG],
    }
    if params:
        doc["params"] = dict(params)
    return doc


PER_BLOCK_KEYS = frozenset({META_KEY, CLOCK_KEY, POOL_KEY})


@dataclass
class Chain:
    """An initialised Application plus the wallets and bookkeeping a test needs."""

    app: Application
    genesis: Genesis
    operator: Wallet
    verifier: Wallet
    businesses: list[Wallet] = field(default_factory=list)
    results: list[BlockResult] = field(default_factory=list)
    _labels: int = 0

    @property
    def chain_id(self) -> str:
        return self.genesis.chain_id

    @property
    def params(self) -> Any:
        return self.genesis.params

    @property
    def height(self) -> int:
        return self.app.meta().height

    def next_header(self, dt: int = BLOCK_MS) -> BlockHeader:
        meta = self.app.meta()
        block_hash = hashlib.sha256(f"{self.chain_id}/{meta.height + 1}/{meta.time + dt}".encode())
        return BlockHeader(meta.height + 1, meta.time + dt, "", block_hash.digest())

    def block(self, txs: Iterable[bytes], dt: int = BLOCK_MS) -> BlockResult:
        """Finalize and commit one block."""
        result = self.app.finalize_block(self.next_header(dt), list(txs))
        self.app.commit()
        self.results.append(result)
        return result

    # --- reads ---------------------------------------------------------------------------

    def account(self, address: str) -> dict[str, Any] | None:
        try:
            return self.app.query("accounts/account", {"address": address})  # type: ignore[no-any-return]
        except NotFound:
            return None

    def sequence(self, w: Wallet) -> int:
        acct = self.account(w.address)
        if acct is None:  # a new key, or an applicant's (counted without an account)
            return int(self.app.query("accounts/sequence", {"address": w.address})["sequence"])
        return int(acct["sequence"])

    def snapshot(self) -> Snapshot:
        """The committed state, byte for byte: root and every (key, value)."""
        return self.app.state.root(), list(self.app.state.items())

    def items_without_meta(self) -> list[tuple[str, bytes]]:
        """The state minus what every block moves on its own (height, time, emission)."""
        return [(k, v) for k, v in self.app.state.items() if k not in PER_BLOCK_KEYS]

    # --- writes --------------------------------------------------------------------------

    def sign(self, w: Wallet, messages: Sequence[Msg | dict[str, Any]],
             sequence: int | None = None) -> bytes:
        """Sign at the wallet's committed sequence unless one is given."""
        seq = self.sequence(w) if sequence is None else sequence
        return w.sign_tx(chain_id=self.chain_id, sequence=seq, messages=list(messages))

    def fresh_label(self, prefix: str) -> str:
        self._labels += 1
        return f"{prefix}-{self._labels}"

    def create_invites(self, creator: Wallet, n: int) -> list[str]:
        """Publish n new codes from `creator` in one block; returns the secret codes."""
        codes = [new_code(self.fresh_label("code")) for _ in range(n)]
        raw = self.sign(creator, [CreateInvites(code_hashes=tuple(
            compute_invite_hash(c) for c in codes))])
        result = self.block([raw])
        assert result.tx_results[0].ok, result.tx_results[0]
        return codes

    def register_tx(self, w: Wallet, code: str, sequence: int = 0) -> bytes:
        msg = RegisterResident(invite_code=code, encryption_key=b64encode(w.encryption_public_key))
        return w.sign_tx(chain_id=self.chain_id, sequence=sequence, messages=[msg])

    def register_residents(self, n: int, *, inviter: Wallet | None = None) -> list[Wallet]:
        """n new residents, registered with codes from `inviter` (the operator by default)."""
        codes = self.create_invites(inviter or self.operator, n)
        wallets = [wallet(self.fresh_label("resident")) for _ in range(n)]
        result = self.block([self.register_tx(w, c) for w, c in zip(wallets, codes, strict=True)])
        assert all(r.ok for r in result.tx_results), result.tx_results
        return wallets


def make_genesis(*, params: dict[str, int] | None = None, label: str = "chain",
                 chain_id: str = CHAIN_ID, businesses: int = 0) -> tuple[Genesis, Wallet, Wallet]:
    operator = wallet(f"{label}/operator")
    verifier = wallet(f"{label}/verifier")
    return (parse_genesis(genesis_doc(operator, [verifier], chain_id=chain_id, params=params,
                                      businesses=business_wallets(label, businesses))),
            operator, verifier)


def business_wallets(label: str, n: int) -> list[Wallet]:
    return [wallet(f"{label}/business-{i}") for i in range(n)]


def make_chain(*, params: dict[str, int] | None = None, label: str = "chain",
               chain_id: str = CHAIN_ID, businesses: int = 0) -> Chain:
    """A fresh Application after init_chain and its commit (height 0)."""
    genesis, operator, verifier = make_genesis(params=params, label=label, chain_id=chain_id,
                                               businesses=businesses)
    app = Application(genesis)
    app.init_chain()
    app.commit()
    return Chain(app=app, genesis=genesis, operator=operator, verifier=verifier,
                 businesses=business_wallets(label, businesses))


def b64(data: bytes) -> str:
    return b64encode(data)


# --- one-transaction steps the domain tests share ---------------------------------------


def run(chain: Chain, signer: Wallet, *msgs: Msg, dt: int = BLOCK_MS) -> tuple[int, str]:
    """One block holding one transaction of `msgs`: its code and log."""
    result = chain.block([chain.sign(signer, list(msgs))], dt=dt).tx_results[0]
    return result.code, result.log


def ok(chain: Chain, signer: Wallet, *msgs: Msg, dt: int = BLOCK_MS) -> None:
    code, log = run(chain, signer, *msgs, dt=dt)
    assert code == 0, log


def q(chain: Chain, path: str, **args: Any) -> Any:
    return chain.app.query(path, args)


def now(chain: Chain) -> int:
    return chain.app.meta().time


def balance(chain: Chain, w: Wallet | str) -> int:
    """A resident's diamonds in µBD (0 before their first collect)."""
    holder = get_holder(chain.app.state, w if isinstance(w, str) else w.address)
    return holder.balance if holder else 0


def force(chain: Chain, w: Wallet) -> int:
    return int(q(chain, "force/force", address=w.address)["force"])


def purse(chain: Chain, w: Wallet) -> int:
    return int(q(chain, "exchange/purse", business=w.address)["balance"])


def random_digest() -> str:
    """A record's digest: random, since the ledger holds only commitments."""
    return os.urandom(32).hex()


class Clock:
    """A node's block clock for tests: a second later at every call, from a fixed start, so
    block times never depend on the wall clock."""

    def __init__(self) -> None:
        self.now = 1_800_000_000_000

    def __call__(self) -> int:
        self.now += 1_000
        return self.now
