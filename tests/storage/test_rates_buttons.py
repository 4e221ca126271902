"""Rate counts and long button payloads in the database: what one replica writes, another one reads."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from bot.channels.base import SharedLimiter, Verdict
from bot.storage.buttons_repo import ButtonPayloads
from bot.storage.crypto import Crypto
from bot.storage.db import Database
from bot.storage.rates_repo import RateCounts
from tests.databases import stored_data


async def test_two_replicas_count_one_persons_messages_together_per_window(db_url: str) -> None:
    db = Database(db_url)
    await db.upgrade()
    crypto, now = Crypto(os.urandom(32)), [1_000_000.0]
    one, two = (RateCounts(db, crypto, window=60, clock=lambda: now[0]) for _ in range(2))
    counts = [await (one if n % 2 else two).hit("telegram:7") for n in range(5)]
    assert counts == [1, 2, 3, 4, 5]
    assert await one.hit("telegram:8") == 1  # another person
    limiter = SharedLimiter(two, 5)
    assert [await limiter.check("telegram:7") for _ in range(2)] == [Verdict.WARN, Verdict.DROP]
    now[0] += 60  # the next window
    assert await one.hit("telegram:7") == 1
    assert await one.sweep() == 2  # the windows that are over
    assert b"telegram:7" not in await stored_data(db_url)  # keyed hashes only
    await db.close()


async def test_a_long_payload_stored_by_one_replica_is_read_by_another_until_it_expires(db_url: str) -> None:
    db = Database(db_url)
    await db.upgrade()
    crypto, now = Crypto(os.urandom(32)), [datetime(2026, 12, 1, tzinfo=UTC)]
    one, two = (ButtonPayloads(db, crypto, keep=timedelta(days=1), now=lambda: now[0]) for _ in range(2))
    payload = "draft:complaint_letter@" + "秘密" * 20
    await one.store({"~abc": payload})
    await one.store({"~abc": payload})  # sent again: kept longer, not an error
    assert await two.recall("~abc") == payload
    assert await two.recall("~nope") is None
    assert "秘密".encode() not in await stored_data(db_url)  # encrypted
    now[0] += timedelta(days=2)
    assert await two.recall("~abc") is None
    assert await two.sweep() == 1
    await db.close()
