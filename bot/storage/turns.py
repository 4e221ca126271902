"""Storage, per-person turns: one process at a time works on a person's messages, across replicas (PostgreSQL).

On PostgreSQL a turn is a session-level advisory lock on the person's pseudonym, held on a connection of its own
for as long as the work lasts: replicas sharing the database take turns, waiters are served in the order they
asked. Beside the lock, the holder keeps a lease row (turn_leases: owner, until) that it renews while it works: a
restart of PostgreSQL cuts every connection and so drops the lock while its holder is still sending, and the lease
is what keeps another replica from taking the person (and answering again) until the holder is done or has been
silent for LEASE_SECONDS (a replica killed with -9: its people are taken up after that). SQLite serves one process,
whose in-process per-user lock already orders the work: `LocalTurns` then.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

log = logging.getLogger(__name__)

LEASE_SECONDS = 30.0  # a turn's lease lasts this long unless renewed (longer than a database restart)
RENEW_SECONDS = 5.0  # the holder renews it this often
WAIT_SECONDS = 0.5  # a person on another replica's live lease: look again after this
_CLAIM = text(
    "INSERT INTO turn_leases (person, owner, until) VALUES (:person, :owner, now() + make_interval(secs => :secs)) "
    "ON CONFLICT (person) DO UPDATE SET owner = EXCLUDED.owner, until = EXCLUDED.until "
    "WHERE turn_leases.until < now() OR turn_leases.owner = EXCLUDED.owner RETURNING owner"
)
_RENEW = text(
    "UPDATE turn_leases SET until = now() + make_interval(secs => :secs) WHERE person = :person AND owner = :owner"
)
_RELEASE = text("DELETE FROM turn_leases WHERE person = :person AND owner = :owner")


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
    """Advisory locks on a pool of their own (`size` people at once; more wait for a connection), with leases."""

    shared = True

    def __init__(self, url: str, size: int = 20, lease_seconds: float = LEASE_SECONDS) -> None:
        self.engine = create_async_engine(
            url, pool_size=size, max_overflow=0, pool_timeout=600, pool_pre_ping=True, isolation_level="AUTOCOMMIT"
        )
        # renewing and giving up leases: a pool of their own, each statement on a connection for itself alone. On
        # the lock pool, every holder would wait for a connection to give up its lease while the pool is full of
        # holders and their waiters: with more people at once than `size`, the replica wedged until pool_timeout.
        self.upkeep = create_async_engine(
            url, pool_size=2, max_overflow=8, pool_timeout=60, pool_pre_ping=True, isolation_level="AUTOCOMMIT"
        )
        self.owner = uuid.uuid4().hex  # this process
        self.lease_seconds = lease_seconds

    @contextlib.asynccontextmanager
    async def hold(self, person: str) -> AsyncIterator[None]:
        """Wait for the person's advisory lock and lease, keep both for the block, then release them."""
        while True:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": lock_id(person)})
                try:
                    if await self._claim(conn, person):
                        async with self._leased(person):
                            yield
                        return
                finally:
                    await _unlock(conn, person)
            await asyncio.sleep(WAIT_SECONDS)  # another replica still works on them (its lock lost, its lease not)

    @contextlib.asynccontextmanager
    async def try_hold(self, person: str) -> AsyncIterator[bool]:
        """Take the person's advisory lock and lease if no one holds them."""
        async with self.engine.connect() as conn:
            got = bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:id)"), {"id": lock_id(person)}))
            try:
                if got and await self._claim(conn, person):
                    async with self._leased(person):
                        yield True
                else:
                    yield False
            finally:
                if got:
                    await _unlock(conn, person)

    async def _claim(self, conn: AsyncConnection, person: str) -> bool:
        """The lease, unless another replica's is still alive."""
        params = {"person": person, "owner": self.owner, "secs": self.lease_seconds}
        return await conn.scalar(_CLAIM, params) is not None

    @contextlib.asynccontextmanager
    async def _leased(self, person: str) -> AsyncIterator[None]:
        """Renew the lease while the block runs; give it up after (an outage meanwhile: it expires by itself)."""
        renewing = asyncio.create_task(self._renew(person))
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            try:
                async with self.upkeep.connect() as conn:
                    await conn.execute(_RELEASE, {"person": person, "owner": self.owner})
            except Exception as exc:  # the database away: the lease runs out on its own
                log.warning("turn: lease release failed (%s); it expires by itself", type(exc).__name__)

    async def _renew(self, person: str) -> None:
        params = {"person": person, "owner": self.owner, "secs": self.lease_seconds}
        while True:
            await asyncio.sleep(min(RENEW_SECONDS, self.lease_seconds / 3))
            try:
                async with self.upkeep.connect() as conn:
                    renewed = (await conn.execute(_RENEW, params)).rowcount
                if not renewed:
                    log.warning("turn: lease lost (expired and taken over); finishing the work in hand")
            except Exception as exc:  # the database restarting: try again at the next round
                log.warning("turn: lease renewal failed (%s)", type(exc).__name__)

    async def close(self) -> None:
        """Dispose of the lock connections (any lock still held goes with its session) and the lease ones."""
        await self.engine.dispose()
        await self.upkeep.dispose()


async def _unlock(conn: AsyncConnection, person: str) -> None:
    """Release a turn; a connection lost meanwhile released it already (PostgreSQL ended the session)."""
    try:
        await conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id(person)})
    except Exception as exc:  # the work is done; the lock died with its connection
        log.warning("turn: unlock failed (%s); the lock went with its connection", type(exc).__name__)
        await conn.invalidate()


# SQLSTATE classes of a server going away: 08 connection exceptions, 57P01-57P03 shutdown and "starting up"
_OUTAGE_STATES = ("08", "57P01", "57P02", "57P03")
_OUTAGE_NAMES = ("ConnectionDoesNotExistError", "InterfaceError", "ConnectionResetError")


def database_outage(exc: BaseException) -> bool:
    """True for a failure of the database or the connection to it (a restart, a network cut): work that met it can
    be taken up again once the database is back, instead of answering with an error. The driver's own error is
    looked at too (asyncpg's "terminating connection due to administrator command" arrives as a plain DBAPIError)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OperationalError | InterfaceError | ConnectionError | TimeoutError):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        state = str(getattr(current, "sqlstate", "") or getattr(current, "pgcode", "") or "")
        if state.startswith(_OUTAGE_STATES) or type(current).__name__ in _OUTAGE_NAMES:
            return True
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else (current.__cause__ or current.__context__)
    return False


def turns_for(url: str, size: int = 20, lease_seconds: float = LEASE_SECONDS) -> Turns:
    """PostgresTurns for a PostgreSQL URL, else LocalTurns."""
    return PostgresTurns(url, size, lease_seconds) if url.startswith("postgresql") else LocalTurns()
