"""Storage, repositories: the SessionStore on top of the database, encrypting every row; saves that arrive together
are written in one statement (group commit), so a busy SQLite write lane is held once for many people."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import delete, select

from bot.contract.session import Session
from bot.storage.crypto import Crypto
from bot.storage.db import Database, SessionRow
from bot.storage.group_commit import GroupCommit


class SqlSessionStore:
    """Sessions as encrypted JSON rows keyed by the user's pseudonym."""

    def __init__(self, db: Database, crypto: Crypto) -> None:
        self.db = db
        self.crypto = crypto
        self._saves: GroupCommit[tuple[str, bytes], None] = GroupCommit(self._write)

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
        """Insert or replace (encrypted here; written with the other saves waiting at the same moment)."""
        uid = self.crypto.pseudonym(session.user_key)
        blob = self.crypto.encrypt(json.dumps(session.to_dict(), ensure_ascii=False).encode(), uid.encode())
        await self._saves.submit((uid, blob))

    async def _write(self, batch: list[tuple[str, bytes]]) -> list[None]:
        """One upsert for a batch of saves (a person saved twice in it: the later one)."""
        now = datetime.now(UTC)
        rows = [{"user_id": uid, "data": blob, "updated_at": now} for uid, blob in dict(batch).items()]
        stmt = self.db.upsert(SessionRow)
        stmt = stmt.on_conflict_do_update(
            index_elements=[SessionRow.user_id],
            set_={"data": stmt.excluded.data, "updated_at": stmt.excluded.updated_at},
        )
        async with self.db.writing() as s:
            await s.execute(stmt, rows)
        return [None] * len(batch)

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
