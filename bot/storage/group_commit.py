"""Storage, group commit: many small writes that arrive together go into one transaction, one writer at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    """Queues items and writes them in batches with `write` (a batch's items -> one result each, in order).

    One writer at a time (SQLite's busy-wait backs off in long sleeps); every item that arrives while a write is
    running goes into the next batch. A failed batch fails each of its callers; a cancelled caller does not cancel
    the others' write.
    """

    def __init__(
        self,
        write: Callable[[list[T]], Awaitable[list[R]]],
        after: Callable[[list[R]], Awaitable[None]] | None = None,
    ) -> None:
        self.write = write
        self.after = after  # upkeep once a batch's callers have their results (e.g. sweeping old rows)
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """Queue one item and wait for its result."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                results = await self.write([item for item, _ in batch])
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
            if self.after is not None:
                await self.after(results)
