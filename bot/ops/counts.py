"""Operations, counts: database totals the metrics report (held replies, messages not yet fully answered)."""

from __future__ import annotations

from sqlalchemy import func, select, text

from bot.storage.db import Database, InboxRow, OutboxRow
from bot.storage.inbox_repo import DONE


async def ping(db: Database) -> None:
    """Raise unless the database answers a trivial query."""
    async with db.sessions() as s:
        await s.execute(text("SELECT 1"))


async def held_replies(db: Database) -> int:
    """Reply parts held in the outbox for people's next messages."""
    async with db.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(OutboxRow)) or 0)


async def unfinished(db: Database) -> int:
    """Messages recorded in the inbox and not yet fully answered."""
    async with db.sessions() as s:
        found = await s.scalar(select(func.count()).select_from(InboxRow).where(InboxRow.state != DONE))
        return int(found or 0)
