"""Verify processes decode each tx for the node (engines/embedded.py `_decode_chunk`): a
node admitting through them gives every tx the result a node verifying on threads gives,
refusals included, and the two reach the same blocks and app hashes."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites, RegisterResident
from planet.core.encoding import b64encode
from planet.core.genesis import parse_genesis
from planet.engines.base import Submitted
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.node.home import make_genesis_document
from planet.sdk.client import new_invite_codes
from planet.sdk.wallet import Wallet
from tests.chain import Clock

CHAIN = "planet-verify-processes"


def _tampered(raw: bytes, change: str) -> bytes:
    doc = orjson.loads(raw)
    if change == "signature":
        sig = bytearray(doc["signature"].encode())
        sig[3] = ord("A") if sig[3] != ord("A") else ord("B")
        doc["signature"] = sig.decode()
    elif change == "chain":
        doc["body"]["chain_id"] = "another-chain"
    elif change == "sender":
        doc["body"]["sender"] = Wallet.generate().address
    return orjson.dumps(doc)


def _outcome(s: Submitted) -> tuple[bytes, int, str]:
    return s.hash, s.result.code, s.result.log


@pytest.fixture(scope="module")
def txs() -> tuple[Wallet, list[bytes], list[bytes]]:
    """The operator, its invitations, then registrations mixed with refusals of every kind:
    a broken signature, another chain, a sender not the key's, bytes that are no JSON, a
    repeated key, and a tx sent twice."""
    operator = Wallet.generate()
    codes = new_invite_codes(12)
    setup = [operator.sign_tx(chain_id=CHAIN, sequence=0, messages=[
        CreateInvites(code_hashes=tuple(compute_invite_hash(c) for c in codes))])]
    regs = []
    for code in codes:
        w = Wallet.generate()
        regs.append(w.sign_tx(chain_id=CHAIN, sequence=0, messages=[
            RegisterResident(invite_code=code, encryption_key=b64encode(w.encryption_public_key))]))
    mixed = [regs[0], _tampered(regs[1], "signature"), regs[2], _tampered(regs[3], "chain"),
             _tampered(regs[4], "sender"), b"{not json", regs[5],
             regs[6].replace(b'{"body":', b'{"signature":"x","body":', 1), regs[7], regs[7],
             *regs[8:]]
    return operator, setup, mixed


def _run(tmp: Path, operator: Wallet, setup: list[bytes], mixed: list[bytes],
         config: EngineConfig, *, break_pool: bool = False
         ) -> tuple[list[tuple[bytes, int, str]], list[bytes], bytes]:
    genesis = parse_genesis(make_genesis_document(CHAIN, operator, [],
                                                  genesis_time="2027-01-15T00:00:00Z"))
    node = EmbeddedNode(tmp / "node.db", genesis, config, clock=Clock())
    try:
        assert all(s.accepted for s in node.submit_many(setup))
        node.produce_block()
        if break_pool:
            node._pool.shutdown(wait=True)
        outcomes = [_outcome(s) for s in node.submit_many(mixed)]
        blocks = [node.produce_block().hash]
        return outcomes, blocks, node.app.state.root()
    finally:
        node.close()


def test_verify_processes_admit_and_refuse_as_threads_do(
        tmp_path: Path, txs: tuple[Wallet, list[bytes], list[bytes]]) -> None:
    operator, setup, mixed = txs
    (tmp_path / "p").mkdir()
    (tmp_path / "t").mkdir()
    processes = _run(tmp_path / "p", operator, setup, mixed, EngineConfig(verify_processes=1))
    threads = _run(tmp_path / "t", operator, setup, mixed, EngineConfig(verify_threads=2))
    outcomes, blocks, app_hash = processes
    assert outcomes == threads[0]
    assert blocks == threads[1] and app_hash == threads[2]
    codes = [code for _h, code, _log in outcomes]
    # Accepted: regs 0, 2, 5, 7 (once) and 8-11; the rest refused, each for its own reason.
    assert [c == 0 for c in codes] == [True, False, True, False, False, False, True, False,
                                       True, False, True, True, True, True]
    assert len({c for c in codes if c}) >= 5


def test_without_its_verify_processes_the_node_checks_txs_itself(
        tmp_path: Path, txs: tuple[Wallet, list[bytes], list[bytes]]) -> None:
    operator, setup, mixed = txs
    (tmp_path / "p").mkdir()
    (tmp_path / "t").mkdir()
    broken = _run(tmp_path / "p", operator, setup, mixed, EngineConfig(verify_processes=1),
                  break_pool=True)
    assert broken == _run(tmp_path / "t", operator, setup, mixed, EngineConfig(verify_threads=2))
