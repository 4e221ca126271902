"""The inbox: the first record of a message id wins across processes; what is unfinished survives a restart with
its answer and progress; finished ids keep only their hash, and old ones are forgotten."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from bot.storage.crypto import Crypto
from bot.storage.db import Database
from bot.storage.inbox_repo import ANSWERED, RECEIVED, Inbox
from tests.databases import stored_data


async def test_first_record_wins_for_every_process_sharing_the_database(db_url: str) -> None:
    key = Crypto(os.urandom(32))
    one, two = Database(db_url), Database(db_url)
    await one.upgrade()
    first, second = Inbox(one, key), Inbox(two, key)  # two processes, one database
    msg = "wechat_mp:oUser|24600000000000001"
    assert await first.take("wechat_mp", msg, "wechat_mp:oUser", "我被轰炸了".encode()) is not None
    assert await second.take("wechat_mp", msg, "wechat_mp:oUser", b"again") is None
    assert await first.take("wechat_mp", msg, "wechat_mp:oUser", b"again") is None
    assert await second.take("wechat_mp", "wechat_mp:oUser|24600000000000002", "wechat_mp:oUser", b"x") is not None
    await one.close()
    await two.close()
    raw = await stored_data(db_url)
    assert b"oUser" not in raw and b"24600000000000001" not in raw  # only keyed hashes are stored
    assert "轰炸".encode() not in raw  # the message itself is encrypted


async def test_a_restart_finds_what_was_not_finished_with_its_answer_and_progress(db_url: str) -> None:
    key = Crypto(os.urandom(32))
    db = Database(db_url)
    await db.upgrade()
    inbox = Inbox(db, key)
    a = await inbox.take("telegram", "u1", "telegram:1", b'{"update_id": 1}')
    b = await inbox.take("telegram", "u2", "telegram:1", b'{"update_id": 2}')
    c = await inbox.take("telegram", "u3", "telegram:2", b'{"update_id": 3}')
    w = await inbox.take("wecom", "w1", "wecom:x", b"<xml/>")
    assert a and b and c and w
    await inbox.answered(b, b'[{"text": "hi"}]')
    await inbox.progress(b, 1)
    await inbox.done(c)
    await db.close()

    db = Database(db_url)  # the next run
    left = await Inbox(db, key).unfinished("telegram")
    assert [(e.id, e.state, e.payload, e.answer, e.sent) for e in left] == [
        (a, RECEIVED, b'{"update_id": 1}', b"", 0),
        (b, ANSWERED, b'{"update_id": 2}', b'[{"text": "hi"}]', 1),
    ]
    assert await Inbox(db, key).take("telegram", "u3", "telegram:2", b"redelivered") is None  # done, still known
    await db.close()


async def test_finished_ids_are_forgotten_after_keep_and_stale_ones_after_give_up(db_url: str) -> None:
    db = Database(db_url)
    await db.upgrade()
    now = [datetime(2026, 11, 29, 12, 0, tzinfo=UTC)]
    inbox = Inbox(db, Crypto(os.urandom(32)), keep=timedelta(hours=1), give_up=timedelta(hours=3), now=lambda: now[0])
    done = await inbox.take("telegram", "a", "telegram:1", b"a")
    assert done is not None and await inbox.take("telegram", "b", "telegram:1", b"b") is not None
    await inbox.done(done)
    now[0] += timedelta(hours=2)
    assert await inbox.sweep() == 1  # a is finished and past keep; b is unfinished and within give_up
    assert await inbox.take("telegram", "a", "telegram:1", b"a") is not None  # forgotten, so new again
    assert [e.payload for e in await inbox.unfinished("telegram")] == [b"b", b"a"]
    now[0] += timedelta(hours=2)
    assert [e.payload for e in await inbox.unfinished("telegram")] == [b"a"]  # b is too old to replay
    await db.close()


async def test_concurrent_records_are_committed_together_and_each_id_wins_once(db_url: str) -> None:
    key = Crypto(os.urandom(32))
    one, two = Database(db_url), Database(db_url)
    await one.upgrade()
    here, there = Inbox(one, key), Inbox(two, key)  # two instances racing for the same ids
    ids = [f"wechat_mp:o{i % 7}|2460000000000{i:04d}" for i in range(60)]
    takes = [inbox.take("wechat_mp", i, "", b"") for i in ids for inbox in (here, there, here)]
    results = await asyncio.gather(*takes)
    won = [i for i, entry in zip([i for i in ids for _ in range(3)], results, strict=True) if entry is not None]
    assert sorted(won) == sorted(ids)  # every id recorded exactly once, whichever instance won it
    await one.close()
    await two.close()


async def test_a_batch_colliding_with_another_instance_is_recorded_one_by_one(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(db_url)
    await db.upgrade()
    inbox = Inbox(db, Crypto(os.urandom(32)))
    assert await inbox.take("wecom", "a", "", b"") is not None

    async def collide(takes: list[object]) -> list[int | None]:  # another instance inserted one of them meanwhile
        raise IntegrityError("INSERT INTO inbox", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(inbox, "_write_together", collide)
    results = await asyncio.gather(
        inbox.take("wecom", "a", "", b""), *(inbox.take("wecom", "b", "", b"") for _ in "xy")
    )
    assert results[0] is None and sum(r is not None for r in results[1:]) == 1
    await db.close()


async def test_forget_drops_the_persons_unanswered_messages_but_keeps_their_ids(db_url: str) -> None:
    db = Database(db_url)
    await db.upgrade()
    inbox = Inbox(db, Crypto(os.urandom(32)))
    mine = await inbox.take("telegram", "m1", "telegram:7", "我叫王小明".encode())
    other = await inbox.take("telegram", "o1", "telegram:8", b"other")
    assert mine and other and await inbox.count("telegram:7") == 1
    assert await inbox.erase("telegram:7") == 1
    assert await inbox.count("telegram:7") == 0 and [e.id for e in await inbox.unfinished("telegram")] == [other]
    assert await inbox.take("telegram", "m1", "telegram:7", b"redelivered") is None  # not answered again
    await db.close()
    assert "王小明".encode() not in await stored_data(db_url)


async def test_a_persons_turn_sees_their_unfinished_messages_from_every_replica_oldest_first(db_url: str) -> None:
    key = Crypto(os.urandom(32))
    now = [datetime(2026, 12, 3, 12, 0, tzinfo=UTC)]
    one, two = Database(db_url), Database(db_url)
    await one.upgrade()
    here, there = (Inbox(db, key, now=lambda: now[0]) for db in (one, two))  # two replicas
    a = await here.take("telegram", "u1", "telegram:7", b"first")
    b = await there.take("telegram", "u2", "telegram:7", b"second")
    c = await there.take("telegram", "u3", "telegram:8", b"someone else")
    assert a and b and c
    await here.answered(a, b'[{"text": "hi"}]')
    person = here.person("telegram:7")
    assert person == there.person("telegram:7") != "telegram:7"  # a pseudonym, the same in every replica
    assert [(e.payload, e.state) for e in await there.unfinished_of("telegram", person)] == [
        (b"first", ANSWERED),
        (b"second", RECEIVED),
    ]
    assert await here.stranded("telegram", timedelta(seconds=10)) == []  # just recorded: their replica is at it
    now[0] += timedelta(minutes=1)
    await there.done(b)
    assert await here.stranded("telegram", timedelta(seconds=10)) == [person, here.person("telegram:8")]
    await here.done(a)
    assert await there.unfinished_of("telegram", person) == []
    await one.close()
    await two.close()
