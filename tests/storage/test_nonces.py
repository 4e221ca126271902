"""Callback nonces: a signed (timestamp, nonce) is bound to its first body, across processes; old pairs are forgotten."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta

from bot.storage.crypto import Crypto
from bot.storage.db import Database
from bot.storage.nonce_repo import CallbackNonces
from tests.databases import stored_data

TS = "1764750000"


async def test_a_pair_is_good_for_one_body_in_every_process(db_url: str) -> None:
    key = Crypto(os.urandom(32))
    one, two = Database(db_url), Database(db_url)
    await one.upgrade()
    first, second = CallbackNonces(one, key), CallbackNonces(two, key)  # two processes, one database
    body = b"<xml><Content>oVictim /help</Content></xml>"
    assert await first.admit("wechat_mp", TS, "1320562132", body)
    assert await second.admit("wechat_mp", TS, "1320562132", body)  # WeChat's retry: the same request again
    assert not await second.admit("wechat_mp", TS, "1320562132", b"<xml>/forget</xml>")  # a replay, another body
    assert not await first.admit("wechat_mp", TS, "1320562132", b"<xml>/forget</xml>")
    assert await first.admit("wecom", TS, "1320562132", b"<xml>/forget</xml>")  # another channel's pair
    assert await first.admit("wechat_mp", TS, "1320562133", b"<xml>/forget</xml>")  # another nonce
    await one.close()
    await two.close()
    raw = await stored_data(db_url)
    assert b"1320562132" not in raw and b"oVictim" not in raw  # keyed hashes only


async def test_concurrent_bodies_for_one_pair_only_the_first_wins(db_url: str) -> None:
    db = Database(db_url)
    await db.upgrade()
    nonces = CallbackNonces(db, Crypto(os.urandom(32)))
    bodies = [b"genuine", b"forged-1", b"genuine", b"forged-2"]
    results = await asyncio.gather(*(nonces.admit("wechat_mp", TS, "42", b) for b in bodies))
    assert results == [True, False, True, False]  # one transaction: the first body binds the pair
    await db.close()


async def test_old_pairs_are_swept(db_url: str) -> None:
    db = Database(db_url)
    await db.upgrade()
    now = [datetime(2026, 12, 3, 12, 0, tzinfo=UTC)]
    nonces = CallbackNonces(db, Crypto(os.urandom(32)), keep=timedelta(minutes=15), sweep_every=2, now=lambda: now[0])
    assert await nonces.admit("wecom", TS, "1", b"a")
    now[0] += timedelta(hours=1)
    assert await nonces.admit("wecom", TS, "2", b"b")  # the second binding sweeps: the first is past `keep`
    assert await nonces.admit("wecom", TS, "1", b"other")  # forgotten (its timestamp is long refused as stale)
    assert await nonces.sweep() == 0
    await db.close()
