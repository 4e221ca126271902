"""Per-person turns across replicas (PostgreSQL advisory locks): one holder at a time, waiters served after it,
and a replica whose connection dies gives its turns up at once."""

from __future__ import annotations

import asyncio
import logging

import asyncpg
import pytest

from bot.storage.turns import LocalTurns, PostgresTurns, lock_id, turns_for
from tests.databases import plain_url, postgres_database


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


async def test_a_dead_replicas_turns_are_free_at_once(caplog: pytest.LogCaptureFixture) -> None:
    async with postgres_database() as url:
        doomed, survivor = PostgresTurns(url), PostgresTurns(url)
        caplog.set_level(logging.WARNING)
        async with doomed.hold("person-a"):
            async with survivor.try_hold("person-a") as got:
                assert not got
            admin = await asyncpg.connect(plain_url(url))
            try:  # the replica's session ends, as when its process is killed
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1",
                    lock_id("person-a") & 0xFFFFFFFF,
                )
            finally:
                await admin.close()
            async with survivor.try_hold("person-a") as got:
                assert got
        assert "unlock failed" in caplog.text
        await doomed.close()
        await survivor.close()


async def test_sqlite_has_one_process_so_every_turn_is_its_own() -> None:
    turns = turns_for("sqlite+aiosqlite:///x.sqlite3")
    assert isinstance(turns, LocalTurns) and not turns.shared
    async with turns.hold("a"), turns.try_hold("a") as got:
        assert got
