"""Storage, button payloads: the long payloads behind Telegram buttons' short keys, readable by every replica.

Telegram's callback_data holds 64 bytes; a longer payload goes out as a short key (channels/telegram/outbound.py,
`PayloadMap`) and is kept here, encrypted, until `keep` after the keyboard was last sent: a button pressed on a
replica other than the one that sent its keyboard, or after a restart, still works.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from bot.storage.crypto import Crypto
from bot.storage.db import ButtonPayloadRow, Database


class ButtonPayloads:
    """Short key -> payload, shared through the database, each kept until `keep` after it was last stored."""

    def __init__(
        self,
        db: Database,
        crypto: Crypto,
        keep: timedelta = timedelta(days=30),
        sweep_every: int = 200,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.crypto = crypto
        self.keep = keep
        self.sweep_every = sweep_every
        self.now = now
        self._since_sweep = 0

    async def store(self, payloads: Mapping[str, str]) -> None:
        """Keep each key's payload (again: its time runs from now)."""
        if not payloads:
            return
        expires = self.now() + self.keep
        rows = [
            {"key": key, "expires_at": expires, "payload": self.crypto.encrypt(payload.encode(), key.encode())}
            for key, payload in sorted(payloads.items())
        ]
        statement = self.db.upsert(ButtonPayloadRow).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=["key"], set_={"expires_at": statement.excluded.expires_at}
        )
        async with self.db.writing() as s:
            await s.execute(statement)
        self._since_sweep += 1
        if self._since_sweep >= self.sweep_every:
            self._since_sweep = 0
            await self.sweep()

    async def recall(self, key: str) -> str | None:
        """The payload behind `key`, or None when it was never stored here or has expired."""
        async with self.db.sessions() as s:
            row = await s.scalar(
                select(ButtonPayloadRow).where(ButtonPayloadRow.key == key, ButtonPayloadRow.expires_at > self.now())
            )
        return self.crypto.decrypt(row.payload, key.encode()).decode() if row is not None else None

    async def sweep(self) -> int:
        """Forget expired payloads; how many went."""
        async with self.db.writing() as s:
            result = await s.execute(delete(ButtonPayloadRow).where(ButtonPayloadRow.expires_at < self.now()))
        return int(getattr(result, "rowcount", 0) or 0)
