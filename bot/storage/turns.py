"""Storage, per-person turns: one process at a time works on a person's messages, across replicas (PostgreSQL).

On PostgreSQL a turn is a session-level advisory lock on the person's pseudonym, held on a connection of its own
for as long as the work lasts: replicas sharing the database take turns, waiters are served in the order they
asked, and a replica that dies (kill -9, lost connection) releases its turns at once, because PostgreSQL ends its
session. SQLite serves one process, whose in-process per-user lock already orders the work: `LocalTurns` then.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

log = logging.getLogger(__name__)


class Turns(Protocol):
    """Mutual exclusion per person (by pseudonym) among every process sharing the database."""

    shared: bool  # True when other processes may work on the same people (the inbox is then the queue)

    def hold(self, person: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Wait for the person's turn and keep it for the block."""
        ...

    def try_hold(self, person: str) -> contextlib.AbstractAsyncContextManager[bool]:
        """Take the person's turn if it is free (True) and keep it for the block; False at once if it is not."""
        ...

    async def close(self) -> None:
        """Release the connections."""
        ...


def lock_id(person: str) -> int:
    """The advisory lock id of a person: 64 bits of a hash (signed, as PostgreSQL's bigint)."""
    return int.from_bytes(hashlib.sha256(b"anning-turn|" + person.encode()).digest()[:8], "big", signed=True)


class LocalTurns:
    """One process owns the database (SQLite): nothing to coordinate beyond its own per-user locks."""

    shared = False

    @contextlib.asynccontextmanager
    async def hold(self, person: str) -> AsyncIterator[None]:
        """Always this process's turn."""
        yield

    @contextlib.asynccontextmanager
    async def try_hold(self, person: str) -> AsyncIterator[bool]:
        """Always this process's turn."""
        yield True

    async def close(self) -> None:
        """Nothing to release."""


class PostgresTurns:
    """Advisory locks on a pool of their own (`size` people at once; more wait for a connection)."""

    shared = True

    def __init__(self, url: str, size: int = 20) -> None:
        self.engine = create_async_engine(
            url, pool_size=size, max_overflow=0, pool_timeout=600, pool_pre_ping=True, isolation_level="AUTOCOMMIT"
        )

    @contextlib.asynccontextmanager
    async def hold(self, person: str) -> AsyncIterator[None]:
        """Wait for the person's advisory lock, keep it for the block, then release it."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": lock_id(person)})
            try:
                yield
            finally:
                await _unlock(conn, person)

    @contextlib.asynccontextmanager
    async def try_hold(self, person: str) -> AsyncIterator[bool]:
        """Take the person's advisory lock if no one holds it."""
        async with self.engine.connect() as conn:
            got = bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:id)"), {"id": lock_id(person)}))
            try:
                yield got
            finally:
                if got:
                    await _unlock(conn, person)

    async def close(self) -> None:
        """Dispose of the lock connections (any lock still held goes with its session)."""
        await self.engine.dispose()


async def _unlock(conn: AsyncConnection, person: str) -> None:
    """Release a turn; a connection lost meanwhile released it already (PostgreSQL ended the session)."""
    try:
        await conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id(person)})
    except Exception as exc:  # the work is done; the lock died with its connection
        log.warning("turn: unlock failed (%s); the lock went with its connection", type(exc).__name__)
        await conn.invalidate()


def database_outage(exc: BaseException) -> bool:
    """True for a failure of the database or the connection to it (a restart, a network cut): work that met it can
    be taken up again once the database is back, instead of answering with an error."""
    if isinstance(exc, OperationalError | InterfaceError | ConnectionError | TimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def turns_for(url: str, size: int = 20) -> Turns:
    """PostgresTurns for a PostgreSQL URL, else LocalTurns."""
    return PostgresTurns(url, size) if url.startswith("postgresql") else LocalTurns()
