"""Mempool admission for the HTTP edge: concurrent POST /v1/txs requests are admitted
together.

While one batch is being admitted (on a worker thread), the requests that arrive queue
up and form the next batch, so a lone request pays one thread hop as before, and under
load the node checks many signatures at once on its verification pool
(`EmbeddedNode.submit_many`) instead of one thread hop and one check per request.
Arrival order is kept within and across batches, so a client's consecutive sequence
numbers are admitted in the order it sent them.
"""

from __future__ import annotations

import asyncio

from starlette.concurrency import run_in_threadpool

from planet.engines.base import Node, Submitted

MAX_BATCH = 512


class Admission:
    def __init__(self, node: Node, max_batch: int = MAX_BATCH) -> None:
        self.node, self.max_batch = node, max_batch
        self._queue: list[tuple[bytes, asyncio.Future[Submitted]]] = []
        self._draining = False

    async def submit(self, raw: bytes) -> Submitted:
        fut: asyncio.Future[Submitted] = asyncio.get_running_loop().create_future()
        self._queue.append((raw, fut))
        if not self._draining:
            self._draining = True
            asyncio.get_running_loop().create_task(self._drain())
        return await fut

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch = self._queue[:self.max_batch]
                del self._queue[:self.max_batch]
                raws = [raw for raw, _ in batch]
                try:
                    results = await run_in_threadpool(self.node.submit_many, raws)
                except Exception as err:  # never leave a request hanging
                    for _, fut in batch:
                        if not fut.done():
                            fut.set_exception(err)
                    continue
                for (_, fut), result in zip(batch, results, strict=True):
                    if not fut.done():
                        fut.set_result(result)
        finally:
            self._draining = False
