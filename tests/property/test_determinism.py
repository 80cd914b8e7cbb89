"""Determinism: same genesis and same blocks give the same app hash at every height.

Hypothesis draws blocks of registrations, invitations, attestations, business
registrations and junk. Two independent Applications must agree on every result and app
hash, the incremental app hash must equal the root recomputed from the key-value pairs
from scratch (what an auditor runs), and an app fed a different block must diverge.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import (
    AttestIdentity,
    CreateInvites,
    RegisterBusiness,
    RegisterResident,
)
from planet.core.app import Application, BlockHeader, BlockResult
from planet.core.encoding import b64encode
from planet.core.errors import NotFound
from planet.core.state import CommittedState, compute_state_root
from planet.sdk.wallet import Wallet
from tests.chain import BLOCK_MS, make_genesis, new_code, new_hash, wallet

GENESIS, OPERATOR, VERIFIER = make_genesis(label="determinism")
CHAIN_ID = GENESIS.chain_id
PEOPLE = [wallet(f"determinism/person/{i}") for i in range(6)]
FIRMS = [wallet(f"determinism/firm/{i}") for i in range(2)]
NULLIFIERS = [new_hash(f"determinism/nullifier/{i}") for i in range(4)]  # few: reuse happens


def new_app() -> Application:
    app = Application(GENESIS)
    app.init_chain()
    app.commit()
    return app


@dataclass
class Client:
    """What honest clients know: their next sequence, the codes they hold."""

    next_seq: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    codes: list[str] = field(default_factory=list)  # every code ever handed out
    usable: list[str] = field(default_factory=list)  # on chain and unused, as of last block
    residents: list[Wallet] = field(default_factory=list)  # registered, as of last block
    counter: int = 0

    def sign(self, w: Wallet, msgs: list, *, seq_offset: int = 0) -> bytes:
        seq = max(0, self.next_seq[w.address] + seq_offset)
        self.next_seq[w.address] = seq + 1
        return w.sign_tx(chain_id=CHAIN_ID, sequence=seq, messages=msgs)

    def label(self) -> str:
        self.counter += 1
        return f"determinism/{self.counter}"


@st.composite
def block_txs(draw: st.DrawFn, client: Client) -> list[bytes]:
    txs: list[bytes] = []
    for _ in range(draw(st.integers(0, 6), label="txs")):
        action = draw(st.sampled_from(
            ["invite_op", "invite_res", "register", "register", "attest", "business", "junk",
             "resend"]), label="action")
        offset = draw(st.sampled_from([0, 0, 0, 0, -1, 1]), label="seq offset")
        if action == "invite_op" or (action == "invite_res" and not client.residents):
            codes = [new_code(client.label()) for _ in range(draw(st.integers(1, 3)))]
            client.codes.extend(codes)
            txs.append(client.sign(OPERATOR, [CreateInvites(
                code_hashes=tuple(compute_invite_hash(c) for c in codes))], seq_offset=offset))
        elif action == "invite_res":
            who = draw(st.sampled_from(client.residents))
            codes = [new_code(client.label()) for _ in range(draw(st.integers(1, 4)))]
            client.codes.extend(codes)
            txs.append(client.sign(who, [CreateInvites(
                code_hashes=tuple(compute_invite_hash(c) for c in codes))], seq_offset=offset))
        elif action == "register":
            who = draw(st.sampled_from(PEOPLE))
            pool = client.usable if client.usable and draw(st.integers(0, 3)) else client.codes
            code = draw(st.sampled_from(pool)) if pool else new_code(client.label())
            txs.append(client.sign(who, [RegisterResident(
                invite_code=code, encryption_key=b64encode(who.encryption_public_key))],
                seq_offset=offset))
        elif action == "attest":
            who = draw(st.sampled_from(client.residents if client.residents and
                                       draw(st.integers(0, 3)) else PEOPLE))
            signer = draw(st.sampled_from([VERIFIER, VERIFIER, OPERATOR]))
            txs.append(client.sign(signer, [AttestIdentity(
                resident=who.address, nullifier=draw(st.sampled_from(NULLIFIERS)))],
                seq_offset=offset))
        elif action == "business":
            firm = draw(st.sampled_from(FIRMS))
            signer = draw(st.sampled_from([OPERATOR, OPERATOR, VERIFIER]))
            txs.append(client.sign(signer, [RegisterBusiness(
                business=firm.address, public_key=b64encode(firm.public_key),
                encryption_key=b64encode(firm.encryption_public_key),
                name=draw(st.sampled_from(["Firm", "星球 Café", "Ünï ☕"]), label="name"))],
                seq_offset=offset))
        elif action == "junk":
            txs.append(draw(st.one_of(st.binary(max_size=64), st.just(b"{}"),
                                      st.just(b'{"body":{}}')), label="junk"))
        elif txs:
            txs.append(draw(st.sampled_from(txs), label="resend"))
    return txs


def run_block(app: Application, header: BlockHeader, txs: list[bytes]) -> BlockResult:
    result = app.finalize_block(header, txs)
    app.commit()
    return result


def codes_of(result: BlockResult) -> list[tuple[int, str]]:
    return [(r.code, r.log) for r in result.tx_results]


def resync(client: Client, app: Application) -> None:
    """Clients re-read their sequences, codes and residents from the chain after each block."""
    client.usable = [c for c in client.codes if _unused(app, c)]
    client.residents = [p for p in PEOPLE if _exists(app, p.address)]
    for addr in list(client.next_seq):
        try:
            client.next_seq[addr] = app.query("accounts/account", {"address": addr})["sequence"]
        except NotFound:
            client.next_seq[addr] = 0


def _unused(app: Application, code: str) -> bool:
    try:
        return not app.query("accounts/invite", {"code": code})["used_by"]
    except NotFound:
        return False


def _exists(app: Application, address: str) -> bool:
    try:
        app.query("accounts/account", {"address": address})
    except NotFound:
        return False
    return True


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_two_apps_agree_and_the_root_is_recomputable(data: st.DataObject) -> None:
    a, b = new_app(), new_app()
    assert a.state.root() == b.state.root()
    client = Client()
    history: list[tuple[BlockHeader, list[bytes], BlockResult]] = []
    time = GENESIS.genesis_time
    for height in range(1, data.draw(st.integers(1, 6), label="blocks") + 1):
        txs = data.draw(block_txs(client))
        time += data.draw(st.sampled_from([0, 1, BLOCK_MS, 3_600_000]), label="dt")
        header = BlockHeader(height, time)
        # Only `a` sees the txs in its mempool first: what a node's mempool holds (and
        # remembers as verified) must not change what a block does.
        for raw in txs:
            a.check_tx(raw)
        ra, rb = run_block(a, header, txs), run_block(b, header, txs)
        assert ra.app_hash == rb.app_hash, f"apps disagree at height {height}"
        assert codes_of(ra) == codes_of(rb)
        assert [r.events for r in ra.tx_results] == [r.events for r in rb.tx_results]
        assert ra.app_hash == a.state.root() == a.info().app_hash
        assert a.info().height == height
        items = list(a.state.items())
        assert items == list(b.state.items())
        assert compute_state_root(items) == ra.app_hash, f"root not recomputable at {height}"
        # An auditor's node rebuilt from the stored pairs carries on with the same hash.
        assert CommittedState(items).root() == ra.app_hash
        history.append((header, txs, ra))
        resync(client, a)
        if data.draw(st.booleans(), label="restart b"):
            # b restarts from its stored pairs (values stay encoded until read) and goes on.
            b = Application(GENESIS, CommittedState(list(b.state.items())))
            assert b.info().app_hash == ra.app_hash and b.info().height == height

    # A third app fed one different block diverges from that height.
    at = data.draw(st.integers(0, len(history) - 1), label="diverge at")
    c = new_app()
    for i, (header, txs, result) in enumerate(history):
        if i < at:
            assert run_block(c, header, txs).app_hash == result.app_hash
            continue
        how = data.draw(st.sampled_from(["time", "extra tx"]), label="how")
        if how == "time":
            header = BlockHeader(header.height, header.time + 1)
            extra: list[bytes] = []
        else:
            code = new_code(f"determinism/diverge/{at}")
            extra = [OPERATOR.sign_tx(chain_id=CHAIN_ID, sequence=c.query(
                "accounts/account", {"address": OPERATOR.address})["sequence"], messages=[
                    CreateInvites(code_hashes=(compute_invite_hash(code),))])]
        diverged = run_block(c, header, extra + txs)
        if extra:
            assert diverged.tx_results[0].ok
        assert diverged.app_hash != result.app_hash
        assert compute_state_root(c.state.items()) == diverged.app_hash
        break


def test_replaying_a_recorded_chain_reproduces_every_hash() -> None:
    """A fixed scenario covering every message kind, replayed on a fresh app."""
    a = new_app()
    alice, bob = PEOPLE[0], PEOPLE[1]
    firm = FIRMS[0]
    c1, c2 = new_code("det/fixed/1"), new_code("det/fixed/2")
    blocks = [
        [OPERATOR.sign_tx(chain_id=CHAIN_ID, sequence=0, messages=[CreateInvites(
            code_hashes=(compute_invite_hash(c1), compute_invite_hash(c2)))])],
        [alice.sign_tx(chain_id=CHAIN_ID, sequence=0, messages=[RegisterResident(
            invite_code=c1, encryption_key=b64encode(alice.encryption_public_key))]),
         bob.sign_tx(chain_id=CHAIN_ID, sequence=0, messages=[RegisterResident(
             invite_code=c2.lower().replace("-", " "),
             encryption_key=b64encode(bob.encryption_public_key))])],
        [VERIFIER.sign_tx(chain_id=CHAIN_ID, sequence=0, messages=[
            AttestIdentity(resident=alice.address, nullifier=NULLIFIERS[0])]),
         OPERATOR.sign_tx(chain_id=CHAIN_ID, sequence=1, messages=[RegisterBusiness(
             business=firm.address, public_key=b64encode(firm.public_key),
             encryption_key=b64encode(firm.encryption_public_key), name="星球 Café")]),
         b"junk"],
    ]
    hashes = []
    for h, txs in enumerate(blocks, start=1):
        r = run_block(a, BlockHeader(h, GENESIS.genesis_time + h * BLOCK_MS), txs)
        assert [x.code for x in r.tx_results] == ([0] * len(txs) if h < 3 else [0, 0, 101])
        hashes.append(r.app_hash)
    assert len(set(hashes)) == 3
    b = new_app()
    for h, txs in enumerate(blocks, start=1):
        r = run_block(b, BlockHeader(h, GENESIS.genesis_time + h * BLOCK_MS), txs)
        assert r.app_hash == hashes[h - 1]
    assert list(a.state.items()) == list(b.state.items())
    assert b.query("accounts/account", {"address": alice.address})["verified"] is True
    assert b.query("accounts/account", {"address": firm.address})["kind"] == "business"
    # A node restarted from the stored pairs reads the same values back.
    restarted = Application(GENESIS, CommittedState(list(b.state.items())))
    assert restarted.info().app_hash == hashes[-1]
    firm_acct = restarted.query("accounts/account", {"address": firm.address})
    assert firm_acct["name"] == "星球 Café"
    assert firm_acct == a.query("accounts/account", {"address": firm.address})
