"""Storage, database: SQLAlchemy 2 async engine and tables (SQLite file by default, PostgreSQL by URL)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, Integer, LargeBinary, String, UniqueConstraint, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

if TYPE_CHECKING:
    from bot.storage.migrate import Revisions


class Base(DeclarativeBase):
    """Declarative base for Anning's tables."""


class SessionRow(Base):
    """One user's conversation state, encrypted; keyed by a pseudonym, never the raw user id."""

    __tablename__ = "sessions"
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EvidenceRow(Base):
    """One evidence-log entry: hashes in clear (so the chain can be checked), everything personal encrypted."""

    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("user_id", "seq", name="uq_evidence_user_seq"),
        UniqueConstraint("user_id", "dedupe_key", name="uq_evidence_user_dedupe"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    dedupe_key: Mapped[str] = mapped_column(String(64))  # keyed hash: equal texts collide, contents stay hidden
    item_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class OutboxRow(Base):
    """A reply waiting for a user whose channel cannot push (handed over with their next message); encrypted."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class FileRow(Base):
    """A document offered as a download link; encrypted, erased with the user and swept after it expires."""

    __tablename__ = "files"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # random, 128 bits
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class InboxRow(Base):
    """A platform message recorded before it was acknowledged (storage/inbox_repo.py): its id as a keyed hash, the
    raw update and the computed answer encrypted until the answer has gone out, then the hash alone."""

    __tablename__ = "inbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(64), index=True)  # pseudonym; "" once done or erased
    state: Mapped[str] = mapped_column(String(16), index=True)  # received | answered | done
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    answer: Mapped[bytes] = mapped_column(LargeBinary)
    sent: Mapped[int] = mapped_column(Integer, default=0)


class CallbackNonceRow(Base):
    """A callback's (timestamp, nonce) already used, bound to the body it came with (keyed hashes only)."""

    __tablename__ = "callback_nonces"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ApiTokenRow(Base):
    """A platform access token shared by every process of one deployment; encrypted."""

    __tablename__ = "api_tokens"
    name: Mapped[str] = mapped_column(String(160), primary_key=True)  # "mp:<appid>" or "work:<corpid>"
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class TurnLeaseRow(Base):
    """Whose turn a person is on, for how long: the replica working on their messages renews it; another replica
    does not take the person while it is alive, even when the turn's advisory lock went with a lost connection."""

    __tablename__ = "turn_leases"
    person: Mapped[str] = mapped_column(String(64), primary_key=True)  # the pseudonym, as the inbox keeps it
    owner: Mapped[str] = mapped_column(String(64))  # the replica (one id per process)
    until: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RateCountRow(Base):
    """How many messages a person sent in one fixed window of the rate limit (storage/rates_repo.py), counted by
    every replica alike; keyed by a keyed hash of the channel's user key, swept once the window is over."""

    __tablename__ = "rate_counts"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # time // window length
    hits: Mapped[int] = mapped_column(Integer)


class ButtonPayloadRow(Base):
    """A button payload too long for Telegram's callback_data, behind the short key the button carries
    (storage/buttons_repo.py): whichever replica sent the keyboard, any replica can read the press. Encrypted."""

    __tablename__ = "button_payloads"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class Database:
    """Owns the engine and the session factory.

    A SQLite file is private: created with mode 0600 (its -wal and -shm files take the same mode), and erasure is
    real: deleted rows are overwritten (secure_delete) and `checkpoint()` empties the write-ahead log.
    """

    def __init__(self, url: str) -> None:
        # a server's pooled connections die when it restarts: test each before use (SQLite has no server)
        self.engine: AsyncEngine = create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"))
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time: this process's writers queue here, in order, rather than in SQLite's
        # busy handler, which sleeps in growing steps and lets a busy writer starve the others into "database is
        # locked" (seen under WeChat load). Other databases lock rows themselves.
        self._writes: contextlib.AbstractAsyncContextManager[Any] = contextlib.nullcontext()
        if self.engine.dialect.name == "sqlite":
            database = make_url(url).database
            if database and database != ":memory:" and not database.startswith("file:"):
                private_file(Path(database))
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            self._writes = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """A session in a write transaction, committed on exit (SQLite: one writer of this process at a time)."""
        async with self._writes, self.sessions() as session, session.begin():
            yield session

    def upsert(self, table: Any) -> Any:
        """An INSERT into `table` that takes ON CONFLICT (the dialect's own `insert`: SQLite's or PostgreSQL's)."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    async def checkpoint(self) -> None:
        """SQLite: copy the write-ahead log into the database file and truncate it to zero bytes, so rows just
        deleted leave no older copy behind (call after erasing a person's data). Other databases: nothing."""
        if self.engine.dialect.name != "sqlite":
            return
        async with self._writes, self.engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    async def upgrade(self) -> Revisions:
        """Bring the schema to the newest revision (bot/storage/migrate.py): the only way tables are made."""
        from bot.storage import migrate  # its revisions import this module

        return await migrate.upgrade(self.engine)

    async def create_all(self) -> None:
        """Same as `upgrade` (the name callers used before migrations)."""
        await self.upgrade()

    async def close(self) -> None:
        """Dispose of the connection pool."""
        await self.engine.dispose()


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL: readers never wait for the writer, and a commit is one append (synchronous=NORMAL is durable in WAL
    mode except for the last commits on power loss); writers queue for up to 10 s instead of failing."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")  # deleted content is overwritten with zeros, not left in free pages
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def private_file(path: Path) -> None:
    """Create the database file with mode 0600 if missing; make it (and its -wal, -shm) 0600 if it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(part, 0o600)
