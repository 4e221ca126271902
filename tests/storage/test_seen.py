"""Seen message ids: the first claim wins, across processes sharing the database; old ids are forgotten."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from bot.storage.crypto import Crypto
from bot.storage.db import Database
from bot.storage.seen_repo import SeenMessages
from tests.support import stored_bytes


async def test_first_claim_wins_for_every_process_sharing_the_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 's.sqlite3'}"
    key = Crypto(os.urandom(32))
    one, two = Database(url), Database(url)
    await one.create_all()
    first, second = SeenMessages(one, key), SeenMessages(two, key)  # two processes, one database
    assert await first.first("wechat_mp:oUser|24600000000000001")
    assert not await second.first("wechat_mp:oUser|24600000000000001")
    assert not await first.first("wechat_mp:oUser|24600000000000001")
    assert await second.first("wechat_mp:oUser|24600000000000002")
    await one.close()
    await two.close()
    raw = stored_bytes(tmp_path / "s.sqlite3")
    assert b"oUser" not in raw and b"24600000000000001" not in raw  # only keyed hashes are stored


async def test_old_ids_are_swept(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 's.sqlite3'}")
    await db.create_all()
    now = [datetime(2026, 11, 29, 12, 0, tzinfo=UTC)]
    seen = SeenMessages(db, Crypto(os.urandom(32)), keep=timedelta(hours=1), sweep_every=3, now=lambda: now[0])
    assert await seen.first("a") and await seen.first("b")
    now[0] += timedelta(hours=2)
    assert await seen.first("c")  # the third claim sweeps: a and b are past `keep`
    assert await seen.first("a")  # forgotten, so new again
    assert await seen.sweep() == 0
    await db.close()


async def test_concurrent_claims_are_committed_together_and_each_id_wins_once(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 's.sqlite3'}"
    key = Crypto(os.urandom(32))
    one, two = Database(url), Database(url)
    await one.create_all()
    here, there = SeenMessages(one, key), SeenMessages(two, key)  # two instances racing for the same ids
    ids = [f"wechat_mp:o{i % 7}|2460000000000{i:04d}" for i in range(60)]
    claims = [store.first(i) for i in ids for store in (here, there, here)]
    results = await asyncio.gather(*claims)
    won = [i for i, fresh in zip([i for i in ids for _ in range(3)], results, strict=True) if fresh]
    assert sorted(won) == sorted(ids)  # every id claimed exactly once, whichever instance won it
    await one.close()
    await two.close()


async def test_a_batch_colliding_with_another_instance_is_claimed_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 's.sqlite3'}")
    await db.create_all()
    store = SeenMessages(db, Crypto(os.urandom(32)))
    assert await store.first("a")

    async def collide(tags: list[str]) -> list[bool]:  # another instance inserted one of them meanwhile
        raise IntegrityError("INSERT INTO seen_messages", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(store, "_claim_together", collide)
    assert await asyncio.gather(store.first("a"), store.first("b"), store.first("b")) == [False, True, False]
    await db.close()
