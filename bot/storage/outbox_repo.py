"""Storage, outbox: replies held for users whose channel cannot push, handed over in order with their next message."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, func, select

from bot.storage.crypto import Crypto
from bot.storage.db import Database, OutboxRow


class Outbox:
    """Per-user FIFO of message texts, encrypted at rest and keyed by the user's pseudonym."""

    name = "held_replies"  # /mydata label: replies waiting to be handed over

    def __init__(self, db: Database, crypto: Crypto) -> None:
        self.db = db
        self.crypto = crypto

    async def push(self, user_key: str, texts: list[str]) -> None:
        """Append texts, in order."""
        if not texts:
            return
        uid = self.crypto.pseudonym(user_key)
        now = datetime.now(UTC)
        async with self.db.writing() as s:
            for text in texts:
                s.add(OutboxRow(user_id=uid, created_at=now, payload=self.crypto.encrypt(text.encode(), uid.encode())))

    async def pop(self, user_key: str) -> tuple[str | None, int]:
        """The oldest held text (removed) and how many remain after it."""
        uid = self.crypto.pseudonym(user_key)
        async with self.db.writing() as s:
            rows = (
                await s.execute(select(OutboxRow).where(OutboxRow.user_id == uid).order_by(OutboxRow.id).limit(2))
            ).scalars()
            first = next(iter(rows), None)
            if first is None:
                return None, 0
            text = self.crypto.decrypt(first.payload, uid.encode()).decode()
            await s.delete(first)
            left = await s.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.user_id == uid))
        return text, int(left or 0)

    async def drain(self, user_key: str) -> list[str]:
        """Every held text, oldest first, removing them."""
        uid = self.crypto.pseudonym(user_key)
        if not await self.pending(user_key):  # the usual case: a read, no write transaction to queue for
            return []
        async with self.db.writing() as s:
            rows = list(
                (await s.execute(select(OutboxRow).where(OutboxRow.user_id == uid).order_by(OutboxRow.id))).scalars()
            )
            texts = [self.crypto.decrypt(row.payload, uid.encode()).decode() for row in rows]
            if rows:
                await s.execute(delete(OutboxRow).where(OutboxRow.id.in_([row.id for row in rows])))
        return texts

    async def pending(self, user_key: str) -> int:
        """How many texts are held for the user."""
        uid = self.crypto.pseudonym(user_key)
        async with self.db.sessions() as s:
            count = await s.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.user_id == uid))
        return int(count or 0)

    async def count(self, user_key: str) -> int:
        """Same as pending (for /mydata)."""
        return await self.pending(user_key)

    async def erase(self, user_key: str) -> int:
        """Forget everything held for the user (/forget)."""
        uid = self.crypto.pseudonym(user_key)
        async with self.db.writing() as s:
            result = await s.execute(delete(OutboxRow).where(OutboxRow.user_id == uid))
        await self.db.checkpoint()  # no copy of the deleted rows stays in the write-ahead log
        return int(getattr(result, "rowcount", 0) or 0)
