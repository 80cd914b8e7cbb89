"""Replay protection: a transaction is accepted iff its sequence is the sender's next one.

Hypothesis draws blocks of transactions from several wallets with sequences that are right,
reused or skipped, and re-submits earlier raw bytes. A small model of the rules predicts
every result code, in check_tx (mempool) and in finalize_block (block), and the final
sequence of each account is compared with the count of its included transactions.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites, RegisterResident
from planet.core.encoding import b64encode
from planet.core.errors import (
    AccountExists,
    NoInvitesLeft,
    NotResident,
    SequenceReused,
    SequenceSkipped,
    UnknownAccount,
)
from planet.sdk.wallet import Wallet
from tests.chain import Chain, make_chain, new_code, new_hash, wallet

AUTH_FAILURES = {SequenceReused.code, SequenceSkipped.code, UnknownAccount.code}
NAMES = ("operator", "verifier", "res0", "res1", "new0", "new1")


@dataclass
class Model:
    """What the rules say about the accounts this test touches."""

    seq: dict[str, int] = field(default_factory=dict)  # existing accounts only
    kind: dict[str, str] = field(default_factory=dict)
    invites_left: dict[str, int] = field(default_factory=dict)

    def predict(self, sender: str, kind: str, n_hashes: int, sequence: int, *,
                in_block: bool) -> int:
        """Expected result code; updates the model as the app should."""
        exists = sender in self.seq
        if not exists and kind != "register":
            return UnknownAccount.code
        expected = self.seq.get(sender, 0)
        if sequence < expected:
            return SequenceReused.code
        if sequence > expected:
            return SequenceSkipped.code
        code = self._message_code(sender, kind, n_hashes)
        if code == 0:
            if kind == "register":
                self.seq[sender] = 0
                self.kind[sender] = "resident"
                self.invites_left[sender] = 3
            elif self.kind[sender] == "resident":
                self.invites_left[sender] -= n_hashes
            self.seq[sender] += 1
        elif in_block and exists:
            self.seq[sender] += 1
        return code

    def _message_code(self, sender: str, kind: str, n_hashes: int) -> int:
        if kind == "register":
            return AccountExists.code if sender in self.seq else 0
        role = self.kind[sender]
        if role == "operator":
            return 0
        if role != "resident":
            return NotResident.code
        return NoInvitesLeft.code if n_hashes > self.invites_left[sender] else 0


@dataclass
class World:
    chain: Chain
    wallets: dict[str, Wallet]
    codes: dict[str, str]  # newcomer name -> its own unused invitation code
    model: Model
    included: Counter[str]  # sender address -> included txs (sequence consumed)


def setup_world(tag: str) -> World:
    chain = make_chain(label=f"replay/{tag}")
    wallets = {"operator": chain.operator, "verifier": chain.verifier,
               **{n: wallet(f"replay/{tag}/{n}") for n in NAMES[2:]}}
    codes = {n: new_code(f"replay/{tag}/{n}") for n in NAMES[2:]}
    invites = CreateInvites(code_hashes=tuple(compute_invite_hash(c) for c in codes.values()))
    r1 = chain.block([chain.sign(chain.operator, [invites])])
    assert r1.tx_results[0].ok
    r2 = chain.block([chain.register_tx(wallets[n], codes[n]) for n in ("res0", "res1")])
    assert all(r.ok for r in r2.tx_results), r2.tx_results
    model = Model()
    for name in NAMES[:4]:
        addr = wallets[name].address
        acct = chain.account(addr)
        assert acct is not None
        model.seq[addr] = acct["sequence"]
        model.kind[addr] = acct["kind"]
        model.invites_left[addr] = acct["invites_left"]
    included = Counter({chain.operator.address: 1, wallets["res0"].address: 1,
                        wallets["res1"].address: 1})
    return World(chain, wallets, codes, model, included)


@dataclass(frozen=True)
class Spec:
    name: str
    sender: str
    kind: str  # "register" or "invites"
    n_hashes: int
    sequence: int
    raw: bytes


def make_tx(world: World, name: str, kind: str, n_hashes: int, sequence: int, label: str) -> Spec:
    w = world.wallets[name]
    if kind == "register":
        code = world.codes.get(name, new_code(f"{label}/unused"))
        msg = RegisterResident(invite_code=code, encryption_key=b64encode(w.encryption_public_key))
        n_hashes = 0
    else:
        msg = CreateInvites(code_hashes=tuple(new_hash(f"{label}/{i}") for i in range(n_hashes)))
    raw = w.sign_tx(chain_id=world.chain.chain_id, sequence=sequence, messages=[msg])
    return Spec(name, w.address, kind, n_hashes, sequence, raw)


OFFSETS = st.sampled_from([0, 0, 0, 0, -1, -2, -5, 1, 2, 7])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_sequence_rule_in_mempool_and_blocks(data: st.DataObject) -> None:
    world = setup_world("seq")
    chain = world.chain
    pool: list[Spec] = []
    raw_applied: Counter[bytes] = Counter()
    n_blocks = data.draw(st.integers(1, 4), label="blocks")
    for b in range(n_blocks):
        block_model = copy.deepcopy(world.model)
        specs: list[Spec] = []
        expected_block: list[int] = []
        for t in range(data.draw(st.integers(1, 8), label="txs")):
            if pool and data.draw(st.integers(0, 4), label="dup?") == 0:
                spec = data.draw(st.sampled_from(pool), label="duplicate")
            else:
                name = data.draw(st.sampled_from(NAMES), label="sender")
                addr = world.wallets[name].address
                newcomer = addr not in block_model.seq
                kind = data.draw(st.sampled_from(
                    ["register", "register", "invites"] if newcomer else
                    ["register", "invites", "invites", "invites"]), label="kind")
                n_hashes = data.draw(st.integers(1, 3), label="hashes")
                base = block_model.seq.get(addr, 0)
                sequence = max(0, base + data.draw(OFFSETS, label="offset"))
                spec = make_tx(world, name, kind, n_hashes, sequence, f"b{b}t{t}")
                pool.append(spec)
            specs.append(spec)
            expected_block.append(block_model.predict(
                spec.sender, spec.kind, spec.n_hashes, spec.sequence, in_block=True))

        # The mempool usually sees the same transactions first; it refuses what would fail.
        # (Accepted ones are remembered and not re-verified by the block; skipping the
        # check exercises the block's own decoding too.)
        before = chain.snapshot()
        check_model = copy.deepcopy(world.model)
        for spec in specs if data.draw(st.integers(0, 3), label="check first?") else []:
            result, _tx = chain.app.check_tx(spec.raw)
            expected = check_model.predict(spec.sender, spec.kind, spec.n_hashes,
                                           spec.sequence, in_block=False)
            assert result.code == expected, (spec, result)
        assert chain.snapshot() == before, "check_tx changed the committed state"

        block = chain.block([s.raw for s in specs])
        got = [r.code for r in block.tx_results]
        assert got == expected_block, list(zip(specs, block.tx_results, strict=True))
        world.model = block_model
        for spec, result in zip(specs, block.tx_results, strict=True):
            if result.code == SequenceReused.code:
                assert "already used" in result.log
            if result.code == SequenceSkipped.code:
                assert "skips ahead" in result.log
            if result.code not in AUTH_FAILURES:
                world.included[spec.sender] += 1
                raw_applied[spec.raw] += 1

    # The same signed bytes never run twice, however often they are submitted.
    assert all(n == 1 for n in raw_applied.values()), raw_applied
    # Each account's sequence is exactly the number of its included transactions.
    for name, w in world.wallets.items():
        acct = chain.account(w.address)
        if acct is None:
            assert world.included[w.address] == 0, name
            assert w.address not in world.model.seq
        else:
            assert acct["sequence"] == world.included[w.address], (name, acct)
            assert acct["sequence"] == world.model.seq[w.address]
            assert acct["invites_left"] == world.model.invites_left[w.address]


def test_resubmitting_an_included_tx_is_refused_forever() -> None:
    world = setup_world("resubmit")
    chain = world.chain
    res0 = world.wallets["res0"]
    raw = res0.sign_tx(chain_id=chain.chain_id, sequence=1,
                       messages=[CreateInvites(code_hashes=(new_hash("resubmit/a"),))])
    first = chain.block([raw, raw])
    assert [r.code for r in first.tx_results] == [0, SequenceReused.code]
    for _ in range(3):
        result, _tx = chain.app.check_tx(raw)
        assert result.code == SequenceReused.code
        assert chain.block([raw]).tx_results[0].code == SequenceReused.code
    assert chain.sequence(res0) == 2


def test_message_failure_in_block_consumes_the_sequence_but_not_in_mempool() -> None:
    world = setup_world("consume")
    chain = world.chain
    verifier = chain.verifier  # not allowed to create invites: NotResident
    raw = verifier.sign_tx(chain_id=chain.chain_id, sequence=0,
                           messages=[CreateInvites(code_hashes=(new_hash("consume/a"),))])
    before = chain.snapshot()
    result, _tx = chain.app.check_tx(raw)
    assert result.code == NotResident.code
    assert chain.snapshot() == before
    block = chain.block([raw, raw])
    assert [r.code for r in block.tx_results] == [NotResident.code, SequenceReused.code]
    assert chain.sequence(verifier) == 1
    # The failed message left nothing behind but the sequence.
    assert chain.app.query("accounts/invites_of", {"address": verifier.address}) == []


def test_failed_registration_of_unknown_sender_consumes_nothing() -> None:
    world = setup_world("unknown")
    chain = world.chain
    stranger = wallet("replay/unknown/stranger")
    bad = chain.register_tx(stranger, new_code("never-created"))
    assert chain.block([bad]).tx_results[0].code == 302
    assert chain.account(stranger.address) is None
    # Sequence 1 before any account exists skips ahead; 0 is still the one to use.
    skip = chain.register_tx(stranger, world.codes["new0"], sequence=1)
    assert chain.block([skip]).tx_results[0].code == SequenceSkipped.code
    good = chain.register_tx(stranger, world.codes["new0"], sequence=0)
    assert chain.block([good]).tx_results[0].ok
    assert chain.sequence(stranger) == 1
