"""Storage, repositories: the SessionStore on top of the database, encrypting every row."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import delete, select

from bot.contract.session import Session
from bot.storage.crypto import Crypto
from bot.storage.db import Database, SessionRow


class SqlSessionStore:
    """Sessions as encrypted JSON rows keyed by the user's pseudonym."""

    def __init__(self, db: Database, crypto: Crypto) -> None:
        self.db = db
        self.crypto = crypto

    async def load(self, user_key: str) -> Session | None:
        """The saved session, or None."""
        uid = self.crypto.pseudonym(user_key)
        async with self.db.sessions() as s:
            row = await s.get(SessionRow, uid)
        if row is None:
            return None
        data = json.loads(self.crypto.decrypt(row.data, uid.encode()))
        return Session.from_dict(user_key, data)

    async def save(self, session: Session) -> None:
        """Insert or replace."""
        uid = self.crypto.pseudonym(session.user_key)
        blob = self.crypto.encrypt(json.dumps(session.to_dict(), ensure_ascii=False).encode(), uid.encode())
        async with self.db.writing() as s:
            row = await s.get(SessionRow, uid)
            if row is None:
                s.add(SessionRow(user_id=uid, data=blob, updated_at=datetime.now(UTC)))
            else:
                row.data = blob
                row.updated_at = datetime.now(UTC)

    async def delete(self, user_key: str) -> bool:
        """Erase the user's row."""
        uid = self.crypto.pseudonym(user_key)
        async with self.db.writing() as s:
            result = await s.execute(delete(SessionRow).where(SessionRow.user_id == uid))
        await self.db.checkpoint()  # no copy of the deleted rows stays in the write-ahead log
        return bool(getattr(result, "rowcount", 0))

    async def count(self) -> int:
        """How many sessions are stored (for tests and operations)."""
        async with self.db.sessions() as s:
            return len((await s.execute(select(SessionRow.user_id))).all())
