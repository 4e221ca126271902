"""Storage, rate counts: how many messages a person sent in the current minute, counted by every replica alike.

A fixed-window counter per person (keyed by a keyed hash of the channel's user key) and window: one upsert per
message (`INSERT ... ON CONFLICT DO UPDATE SET hits = hits + 1 RETURNING hits`, on SQLite and PostgreSQL alike)
says how many messages this one makes in its window. Unlike a sliding window, a burst straddling two windows may
pass up to twice the limit in one window's time; in exchange each message costs one statement and no read.
Windows that are over are swept every `sweep_every` counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import delete

from bot.storage.crypto import Crypto
from bot.storage.db import Database, RateCountRow


class RateCounts:
    """Messages per person per fixed window of `window` seconds, in the database shared by the replicas."""

    def __init__(
        self,
        db: Database,
        crypto: Crypto,
        window: float = 60.0,
        sweep_every: int = 1000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.crypto = crypto
        self.window = window
        self.sweep_every = sweep_every
        self.clock = clock  # wall-clock seconds: every replica must agree on the window a moment falls in
        self._since_sweep = 0

    async def hit(self, user_key: str) -> int:
        """Count one message of the person's; how many they have sent in this window, this one included."""
        period = int(self.clock() // self.window)
        key = self.crypto.tag("rate-count", f"{self.window:g}|{user_key}".encode()).hex()
        statement = (
            self.db.upsert(RateCountRow)
            .values(key=key, period=period, hits=1)
            .on_conflict_do_update(index_elements=["key", "period"], set_={"hits": RateCountRow.hits + 1})
            .returning(RateCountRow.hits)
        )
        async with self.db.writing() as s:
            hits = int((await s.execute(statement)).scalar_one())
        self._since_sweep += 1
        if self._since_sweep >= self.sweep_every:
            self._since_sweep = 0
            await self.sweep()
        return hits

    async def sweep(self) -> int:
        """Forget the windows that are over; how many rows went."""
        period = int(self.clock() // self.window)
        async with self.db.writing() as s:
            result = await s.execute(delete(RateCountRow).where(RateCountRow.period < period))
        return int(getattr(result, "rowcount", 0) or 0)
