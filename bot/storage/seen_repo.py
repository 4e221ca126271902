"""Storage, seen messages: platform message ids already taken on, shared by restarts and by every instance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.storage.crypto import Crypto
from bot.storage.db import Database, SeenRow
from bot.storage.group_commit import GroupCommit


class SeenMessages:
    """First-come claims on message ids (stored as keyed hashes, forgotten after `keep`), group-committed."""

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
        self._batches: GroupCommit[str, bool] = GroupCommit(self._claim, self._upkeep)

    async def first(self, key: str) -> bool:
        """Record `key`; True when nobody (no earlier process, no other instance) had taken it on before."""
        return await self._batches.submit(self.crypto.tag("seen", key.encode()).hex())

    async def _claim(self, tags: list[str]) -> list[bool]:
        """One transaction for the batch; one per claim if another instance inserted one of them meanwhile."""
        try:
            return await self._claim_together(tags)
        except IntegrityError:
            return [await self._claim_one(tag) for tag in tags]

    async def _claim_together(self, tags: list[str]) -> list[bool]:
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

    async def _upkeep(self, results: list[bool]) -> None:
        self._since_sweep += sum(results)
        if self._since_sweep >= self.sweep_every:
            self._since_sweep = 0
            await self.sweep()

    async def sweep(self) -> int:
        """Forget ids older than `keep` (WeChat retries within seconds); returns how many were removed."""
        async with self.db.sessions() as s, s.begin():
            result = await s.execute(delete(SeenRow).where(SeenRow.seen_at < self.now() - self.keep))
        return int(getattr(result, "rowcount", 0) or 0)
