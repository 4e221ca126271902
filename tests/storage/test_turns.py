"""Per-person turns across replicas (PostgreSQL advisory locks and leases): one holder at a time, waiters served
after it; a holder whose lock connection is cut (a database restart) keeps the person while its lease lives, and a
dead replica's people are free once its lease runs out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import text

from bot.storage.db import Database
from bot.storage.turns import LocalTurns, PostgresTurns, database_outage, lock_id, turns_for
from tests.databases import plain_url
from tests.databases import postgres_database as _empty_database


@contextlib.asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A new PostgreSQL database with the schema made by the migrations, as every replica finds it."""
    async with _empty_database() as url:
        db = Database(url)
        await db.upgrade()
        await db.close()
        yield url


async def _cut_lock_connections(url: str, person: str) -> None:
    """End the sessions holding the person's advisory lock, as a database restart or a killed process does."""
    admin = await asyncpg.connect(plain_url(url))
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1",
            lock_id(person) & 0xFFFFFFFF,
        )
    finally:
        await admin.close()


async def _waiting(url: str) -> int:
    """How many sessions wait for an advisory lock right now."""
    conn = await asyncpg.connect(plain_url(url))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"))
    finally:
        await conn.close()


async def test_one_replica_at_a_time_holds_a_persons_turn_and_the_waiter_goes_next() -> None:
    async with postgres_database() as url:
        one, two = PostgresTurns(url), PostgresTurns(url)  # two replicas
        events: list[str] = []

        async def second() -> None:
            async with two.hold("person-a"):
                events.append("two")

        async with one.hold("person-a"):
            events.append("one")
            async with two.try_hold("person-a") as got:
                assert not got
            async with two.try_hold("person-b") as other:
                assert other  # another person's turn is free
            waiter = asyncio.create_task(second())
            while await _waiting(url) == 0:  # the second replica now waits for the turn
                await asyncio.sleep(0.01)
            events.append("one done")
        await waiter
        assert events == ["one", "one done", "two"]
        await one.close()
        await two.close()


async def test_a_holder_whose_lock_connection_is_cut_keeps_the_person_until_done(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with postgres_database() as url:
        holder, other = PostgresTurns(url, lease_seconds=3.0), PostgresTurns(url, lease_seconds=3.0)
        caplog.set_level(logging.WARNING)
        async with holder.hold("person-a"):
            await _cut_lock_connections(url, "person-a")  # a database restart: the advisory lock is gone
            for _ in range(4):  # longer than the lease: the holder renews it while it works
                async with other.try_hold("person-a") as got:
                    assert not got  # another replica must not answer this person again meanwhile
                await asyncio.sleep(1.0)
        assert "unlock failed" in caplog.text  # the lock went with its connection
        async with other.try_hold("person-a") as got:
            assert got  # the holder is done: its lease is given up at once
        await holder.close()
        await other.close()


async def test_a_dead_replicas_people_are_taken_up_once_its_lease_runs_out() -> None:
    async with postgres_database() as url:
        admin = await asyncpg.connect(plain_url(url))
        try:  # a replica killed outright leaves its lease behind, renewed by nobody
            await admin.execute(
                "INSERT INTO turn_leases (person, owner, until) VALUES ('person-a', 'dead', now() + interval '1.5 s')"
            )
        finally:
            await admin.close()
        survivor = PostgresTurns(url)
        async with survivor.try_hold("person-a") as got:
            assert not got
        async with asyncio.timeout(10):
            async with survivor.hold("person-a"):  # waits out the lease, then works on them
                pass
        await survivor.close()


async def test_sqlite_has_one_process_so_every_turn_is_its_own() -> None:
    turns = turns_for("sqlite+aiosqlite:///x.sqlite3")
    assert isinstance(turns, LocalTurns) and not turns.shared
    async with turns.hold("a"), turns.try_hold("a") as got:
        assert got


async def test_a_server_shutting_down_counts_as_an_outage_not_an_error() -> None:
    async with postgres_database() as url:
        db = Database(url)
        async with db.engine.connect() as conn:
            admin = await asyncpg.connect(plain_url(url))
            try:  # what a restart does to every session: terminated by the administrator
                pid = await conn.scalar(text("SELECT pg_backend_pid()"))
                await admin.execute("SELECT pg_terminate_backend($1)", pid)
            finally:
                await admin.close()
            with pytest.raises(Exception) as caught:
                await conn.execute(text("SELECT 1"))
        assert database_outage(caught.value)
        assert not database_outage(ValueError("a bug is not an outage"))
        await db.close()


async def test_more_people_than_lock_connections_are_all_served_without_wedging() -> None:
    async with postgres_database() as url:
        turns = PostgresTurns(url, size=2)  # two people at once; the others wait for a lock connection
        done: list[str] = []

        async def work(person: str) -> None:
            async with turns.hold(person):
                await asyncio.sleep(0.05)
                done.append(person)

        try:  # giving up a lease must not need a lock connection the waiters are queued for
            await asyncio.wait_for(asyncio.gather(*(work(f"person-{i}") for i in range(8))), timeout=20)
        finally:
            await turns.close()
        assert sorted(done) == sorted(f"person-{i}" for i in range(8))
