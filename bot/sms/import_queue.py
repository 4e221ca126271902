"""SMS analysis stage (③a), import queue: backup-file imports run a few at a time, with bounds per person and in all.

A 9 MB backup is 49,000 messages: seconds of parsing, classifying and sealing, and a hundred megabytes while it
runs. Twenty at once used to starve everyone else and keep the memory. Here at most `workers` imports run at a time
(the rest wait their turn), at most `per_user` imports of one person and `total` in all are admitted (running or
waiting); more get `ImportBusy`, which the handler turns into a kind "please wait" reply. An import whose caller went
away keeps its place until it finishes (what it logs stays logged), so resending does not pile up work. After each
import the freed memory is handed back to the system (`release_memory`).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Literal, TypeVar

from bot.memory import release_memory

T = TypeVar("T")
BusyReason = Literal["user", "all"]


class ImportBusy(Exception):
    """No room for another import now: the person's own (`user`) or everyone's (`all`) are still running."""

    def __init__(self, reason: BusyReason) -> None:
        super().__init__(reason)
        self.reason: BusyReason = reason


class ImportQueue:
    """Admit an import, run it when a worker slot is free, release and give memory back when it is over."""

    def __init__(self, *, workers: int = 2, per_user: int = 1, total: int = 20) -> None:
        self.per_user = per_user
        self.total = total
        self._running = asyncio.Semaphore(max(1, workers))
        self._pending: Counter[str] = Counter()

    def pending(self, user_key: str | None = None) -> int:
        """Imports admitted and not finished: one person's, or everyone's."""
        return self._pending[user_key] if user_key is not None else self._pending.total()

    async def run(self, user_key: str, job: Callable[[], Awaitable[T]]) -> T:
        """Run a person's import job in turn; ImportBusy when their own or everyone's limit is reached."""
        if self._pending[user_key] >= self.per_user:
            raise ImportBusy("user")
        if self.pending() >= self.total:
            raise ImportBusy("all")
        self._pending[user_key] += 1
        task = asyncio.ensure_future(self._turn(job))
        task.add_done_callback(lambda done: self._release(user_key, done))
        return await asyncio.shield(task)  # a caller that gives up does not stop an import halfway

    async def _turn(self, job: Callable[[], Awaitable[T]]) -> T:
        async with self._running:
            try:
                return await job()
            finally:
                await asyncio.to_thread(release_memory)

    def _release(self, user_key: str, done: asyncio.Future[T]) -> None:
        if not done.cancelled():
            done.exception()  # retrieved here too: a caller that went away never sees it
        self._pending[user_key] -= 1
        if self._pending[user_key] <= 0:
            del self._pending[user_key]
