"""The idempotency keys' memory (planet.api.idempotency): one answer per key and request,
the first; a key reused for another request refused; bounded in time, count and bytes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from planet.api.idempotency import IdempotencyKeys, fingerprint, parse_key
from planet.core.errors import IdempotencyKeyInvalid, IdempotencyKeyReused


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def counting(answer: dict[str, Any]) -> tuple[Any, list[int]]:
    calls: list[int] = []

    async def compute() -> tuple[int, dict[str, Any]]:
        calls.append(1)
        await asyncio.sleep(0)
        return 200, answer

    return compute, calls


@pytest.mark.parametrize("values", [[b"a"], [b"0b3f-uuid:v1_x.y"], [b"K" * 128]])
def test_well_formed_keys(values: list[bytes]) -> None:
    assert parse_key(values) == values[0].decode()


@pytest.mark.parametrize("values,words", [
    ([b""], "1 to 128"), ([b"K" * 129], "1 to 128"), ([b"a b"], "1 to 128"),
    ([b"\xe9t\xe9"], "1 to 128"), ([b"a", b"b"], "one header, got 2")])
def test_malformed_keys_are_refused(values: list[bytes], words: str) -> None:
    with pytest.raises(IdempotencyKeyInvalid) as err:
        parse_key(values)
    assert words in err.value.message and err.value.code == 960


def test_no_header_is_no_key() -> None:
    assert parse_key([]) is None


def test_the_first_answer_is_kept_and_another_request_is_refused() -> None:
    async def go() -> None:
        keys = IdempotencyKeys()
        compute, calls = counting({"n": 1})
        request = fingerprint("/v1/txs/batch", b"{}")
        assert await keys.run("k", request, compute) == (200, {"n": 1}, False)
        assert await keys.run("k", request, compute) == (200, {"n": 1}, True)
        assert calls == [1]
        with pytest.raises(IdempotencyKeyReused) as err:
            await keys.run("k", fingerprint("/v1/txs/batch", b"{ }"), compute)
        assert err.value.code == 961 and "different request" in err.value.message
        with pytest.raises(IdempotencyKeyReused):
            await keys.run("k", fingerprint("/v1/txs", b"{}"), compute)

    asyncio.run(go())


def test_a_retry_while_the_first_runs_waits_for_its_answer() -> None:
    async def go() -> None:
        keys = IdempotencyKeys()
        release = asyncio.Event()
        calls: list[int] = []

        async def slow() -> tuple[int, dict[str, Any]]:
            calls.append(1)
            await release.wait()
            return 202, {"slow": True}

        request = fingerprint("/v1/txs", b"x")
        first = asyncio.ensure_future(keys.run("k", request, slow))
        second = asyncio.ensure_future(keys.run("k", request, slow))
        await asyncio.sleep(0)
        release.set()
        assert await first == (202, {"slow": True}, False)
        assert await second == (202, {"slow": True}, True)
        assert calls == [1]

    asyncio.run(go())


def test_a_client_that_goes_away_does_not_cancel_the_answer() -> None:
    async def go() -> None:
        keys = IdempotencyKeys()
        release = asyncio.Event()

        async def slow() -> tuple[int, dict[str, Any]]:
            await release.wait()
            return 200, {"done": True}

        request = fingerprint("/v1/txs", b"x")
        gone = asyncio.ensure_future(keys.run("k", request, slow))
        await asyncio.sleep(0)
        gone.cancel()
        release.set()
        compute, calls = counting({"again": True})
        assert await keys.run("k", request, compute) == (200, {"done": True}, True)
        assert calls == []

    asyncio.run(go())


def test_a_failed_computation_is_not_kept() -> None:
    async def go() -> None:
        keys = IdempotencyKeys()

        async def broken() -> tuple[int, dict[str, Any]]:
            raise RuntimeError("bug")

        request = fingerprint("/v1/txs", b"x")
        with pytest.raises(RuntimeError):
            await keys.run("k", request, broken)
        assert len(keys) == 0
        compute, calls = counting({"ok": 1})
        assert (await keys.run("k", request, compute))[2] is False and calls == [1]

    asyncio.run(go())


def test_keys_expire_and_memory_is_bounded_in_count_and_bytes() -> None:
    async def go() -> None:
        clock = Clock()
        keys = IdempotencyKeys(ttl_s=60, max_keys=3, max_bytes=2_000, clock=clock)
        request = fingerprint("/v1/txs", b"x")
        for k in "abc":
            await keys.run(k, request, counting({"k": k})[0])
        await keys.run("d", request, counting({"k": "d"})[0])
        assert len(keys) == 3  # "a", the oldest, was forgotten
        compute, calls = counting({"k": "a2"})
        assert (await keys.run("a", request, compute))[2] is False and calls == [1]
        clock.now = 61
        compute, calls = counting({"k": "d2"})
        assert (await keys.run("d", request, compute)) == (200, {"k": "d2"}, False)
        assert len(keys) == 1  # every key older than the lifetime went
        await keys.run("big", request, counting({"pad": "x" * 1_700})[0])
        assert keys.bytes <= 2_000 and len(keys) == 1  # the big answer pushed "d" out
        assert keys.bytes > 0

    asyncio.run(go())
