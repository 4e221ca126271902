"""Sessions saved by many people at the same moment: every save lands (written together), the latest one wins."""

from __future__ import annotations

import asyncio
import os

from bot.contract.session import Session
from bot.storage.crypto import Crypto
from bot.storage.db import Database
from bot.storage.repositories import SqlSessionStore


async def test_saves_arriving_together_all_land_and_the_latest_wins(db_url: str) -> None:
    db = Database(db_url)
    await db.upgrade()
    store = SqlSessionStore(db, Crypto(os.urandom(32)))
    people = [f"telegram:{n}" for n in range(60)]
    await asyncio.gather(*(store.save(Session(user_key=p, questions=1)) for p in people))
    await asyncio.gather(*(store.save(Session(user_key=p, questions=2, slots={"name": "王小明"})) for p in people[::2]))
    for n, person in enumerate(people):
        session = await store.load(person)
        assert session is not None
        assert (session.questions, session.slots.get("name")) == ((2, "王小明") if n % 2 == 0 else (1, None))
    assert await store.count() == 60
    assert await store.delete(people[0]) and await store.load(people[0]) is None
    await db.close()
