"""Storage, seen messages: platform message ids already taken on, shared by restarts and by every instance."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.storage.crypto import Crypto
from bot.storage.db import Database, SeenRow

Claim = tuple[str, "asyncio.Future[bool]"]


class SeenMessages:
    """First-come claims on message ids (stored as keyed hashes, forgotten after `keep`).

    Claims are group-committed: one writer at a time (SQLite's busy-wait backs off in long sleeps), and every claim
    that arrives while a write is running goes into the next transaction together.
    """

    def __init__(
        self,
        db: Database,
        crypto: Crypto,
        keep: timedelta = timedelta(days=1),
        sweep_every: int = 500,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.crypto = crypto
        self.keep = keep
        self.sweep_every = sweep_every
        self.now = now
        self._since_sweep = 0
        self._queue: list[Claim] = []
        self._writer: asyncio.Task[None] | None = None

    async def first(self, key: str) -> bool:
        """Record `key`; True when nobody (no earlier process, no other instance) had taken it on before."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((self.crypto.tag("seen", key.encode()).hex(), future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        return await asyncio.shield(future)  # a cancelled caller does not cancel the others' write

    async def _write(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                results = await self._claim(batch)
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), fresh in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(fresh)
            self._since_sweep += sum(results)
            if self._since_sweep >= self.sweep_every:
                self._since_sweep = 0
                await self.sweep()

    async def _claim(self, batch: list[Claim]) -> list[bool]:
        """One transaction for the batch; one per claim if another instance inserted one of them meanwhile."""
        try:
            return await self._claim_together(batch)
        except IntegrityError:
            return [await self._claim_one(tag) for tag, _ in batch]

    async def _claim_together(self, batch: list[Claim]) -> list[bool]:
        tags = [tag for tag, _ in batch]
        async with self.db.sessions() as s, s.begin():
            taken = set((await s.execute(select(SeenRow.key).where(SeenRow.key.in_(tags)))).scalars())
            results = []
            for tag in tags:
                results.append(tag not in taken)
                if tag not in taken:
                    taken.add(tag)  # the same id twice in one batch: the first wins
                    s.add(SeenRow(key=tag, seen_at=self.now()))
        return results

    async def _claim_one(self, tag: str) -> bool:
        try:
            async with self.db.sessions() as s, s.begin():
                s.add(SeenRow(key=tag, seen_at=self.now()))
        except IntegrityError:
            return False
        return True

    async def sweep(self) -> int:
        """Forget ids older than `keep` (WeChat retries within seconds); returns how many were removed."""
        async with self.db.sessions() as s, s.begin():
            result = await s.execute(delete(SeenRow).where(SeenRow.seen_at < self.now() - self.keep))
        return int(getattr(result, "rowcount", 0) or 0)
