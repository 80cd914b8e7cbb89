"""Mempool admission for the HTTP edge: concurrent submissions are admitted together.

While one batch is being admitted (on the admission thread), the requests that arrive
queue up and form the next batch, so a lone request pays one thread hop, and under load
the node checks many signatures at once on its verification pool
(`EmbeddedNode.submit_many`) instead of one thread hop and one check per request. A
request may carry several txs (`POST /v1/txs/batch`); a batch takes whole requests, so
the txs of one request are admitted in one `submit_many` unless the request alone holds
more than `max_batch`.

Arrival order is kept within and across batches, so a client's consecutive sequence
numbers are admitted in the order it sent them. The batches run on a thread of their own
rather than the shared worker pool: admission then never queues behind slow reads, and
pays no per-call bookkeeping of the pool's capacity limiter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from planet.engines.base import Node, Submitted

MAX_BATCH = 512

_Pending = tuple[Sequence[bytes], asyncio.Future[list[Submitted]]]


class Admission:
    def __init__(self, node: Node, max_batch: int = MAX_BATCH) -> None:
        self.node, self.max_batch = node, max_batch
        self._queue: list[_Pending] = []
        self._draining = False
        self._task: asyncio.Task[None] | None = None
        self._thread: ThreadPoolExecutor | None = None  # started by the first submission

    async def submit(self, raw: bytes) -> Submitted:
        """One tx's CheckTx answer."""
        return (await self.submit_many([raw]))[0]

    async def submit_many(self, raws: Sequence[bytes]) -> list[Submitted]:
        """CheckTx's answers to `raws`, in order, admitted together."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[list[Submitted]] = loop.create_future()
        self._queue.append((raws, fut))
        if not self._draining:
            self._draining = True
            self._task = loop.create_task(self._drain())  # kept: the loop holds tasks weakly
        return await fut

    def _take(self) -> list[_Pending]:
        """The next batch: whole requests in arrival order, up to `max_batch` txs (at least
        one request, however many txs it holds)."""
        count = 0
        end = 0
        while end < len(self._queue) and (end == 0 or count + len(self._queue[end][0])
                                          <= self.max_batch):
            count += len(self._queue[end][0])
            end += 1
        batch = self._queue[:end]
        del self._queue[:end]
        return batch

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="admission")
        try:
            while self._queue:
                batch = self._take()
                raws = [raw for request, _ in batch for raw in request]
                try:
                    results = await loop.run_in_executor(self._thread, self.node.submit_many,
                                                         raws)
                except Exception as err:  # never leave a request hanging
                    for _, fut in batch:
                        if not fut.done():
                            fut.set_exception(err)
                    continue
                start = 0
                for request, fut in batch:
                    if not fut.done():
                        fut.set_result(results[start:start + len(request)])
                    start += len(request)
        finally:
            self._draining = False

    def close(self) -> None:
        """Stop the admission thread (after the batch under way, if any); a later
        submission starts another, as an app started again by its server does."""
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.shutdown(wait=False)
