"""Storage, seen messages: platform message ids already taken on, shared by restarts and by every instance."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.storage.crypto import Crypto
from bot.storage.db import Database, SeenRow


class SeenMessages:
    """First-come claims on message ids (stored as keyed hashes, forgotten after `keep`)."""

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
        self._write = asyncio.Lock()  # one writer at a time: SQLite's busy-wait backs off in long sleeps

    async def first(self, key: str) -> bool:
        """Record `key`; True when nobody (no earlier process, no other instance) had taken it on before."""
        tag = self.crypto.tag("seen", key.encode()).hex()
        try:
            async with self._write, self.db.sessions() as s, s.begin():
                s.add(SeenRow(key=tag, seen_at=self.now()))
        except IntegrityError:
            return False
        self._since_sweep += 1
        if self._since_sweep >= self.sweep_every:
            self._since_sweep = 0
            await self.sweep()
        return True

    async def sweep(self) -> int:
        """Forget ids older than `keep` (WeChat retries within seconds); returns how many were removed."""
        async with self.db.sessions() as s, s.begin():
            result = await s.execute(delete(SeenRow).where(SeenRow.seen_at < self.now() - self.keep))
        return int(getattr(result, "rowcount", 0) or 0)
