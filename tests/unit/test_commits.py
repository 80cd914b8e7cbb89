"""The commit board both engines share: waiters are told exactly once, stale ones expire,
and a failing listener does not stop the others."""

from __future__ import annotations

import time

from planet.engines.commits import Commits
from planet.storage.sqlite import BlockRecord, TxRecord


def block(height: int) -> BlockRecord:
    return BlockRecord(height, b"h" * 32, b"p" * 32, 1_000 * height, b"a" * 32, b"r" * 32, 1,
                       "test")


def record(tx_hash: bytes, height: int) -> TxRecord:
    return TxRecord(tx_hash, height, 0, b"raw", 0, {})


def test_announce_resolves_waiters_and_calls_listeners_despite_a_failing_one() -> None:
    commits = Commits()
    heard: list[int] = []

    def broken(_b: BlockRecord, _r: list[TxRecord]) -> None:
        raise RuntimeError("listener bug")

    commits.add_listener(broken)
    commits.add_listener(lambda b, _r: heard.append(b.height))
    first, second = commits.expect(b"t" * 32), commits.expect(b"t" * 32)
    other = commits.expect(b"u" * 32)
    rec = record(b"t" * 32, 1)
    commits.announce(block(1), [rec])
    assert first.result(0) == rec and second.result(0) == rec
    assert not other.done() and heard == [1]
    commits.drop([b"u" * 32])
    assert other.result(0) is None


def test_resolving_twice_keeps_the_first_answer() -> None:
    """The register-then-look-up pattern may resolve from both sides of a race."""
    commits = Commits()
    fut = commits.expect(b"t" * 32)
    rec = record(b"t" * 32, 3)
    commits.resolve(b"t" * 32, rec)
    commits.resolve(b"t" * 32, None)
    assert fut.result(0) == rec


def test_waiters_past_their_ttl_are_told_none_at_the_next_block() -> None:
    commits = Commits(waiter_ttl_s=0.0)
    fut = commits.expect(b"t" * 32)
    time.sleep(0.01)
    commits.announce(block(1), [])
    assert fut.result(0) is None


def test_without_a_ttl_waiters_stay_until_their_tx_settles() -> None:
    commits = Commits()
    fut = commits.expect(b"t" * 32)
    time.sleep(0.01)
    commits.announce(block(1), [])
    assert not fut.done()
