"""Held replies (outbox) and download files: in order, encrypted at rest, erased by /forget, swept when expired."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from bot.contract.messages import FileOut
from bot.settings import Settings
from bot.storage.crypto import Crypto
from bot.storage.db import Database
from bot.storage.files_repo import FileStore
from bot.storage.outbox_repo import Outbox
from bot.wiring import App
from tests.databases import stored_data
from tests.support import say


async def _db(url: str) -> Database:
    db = Database(url)
    await db.upgrade()
    return db


async def test_outbox_is_fifo_per_user_and_encrypted(db_url: str) -> None:
    db = await _db(db_url)
    box = Outbox(db, Crypto(os.urandom(32)))
    await box.push("wechat_mp:a", ["（1/2）张某的第一段", "（2/2）第二段"])
    await box.push("wechat_mp:b", ["别人的"])
    await box.push("wechat_mp:a", ["第三段"])
    assert await box.pending("wechat_mp:a") == 3
    assert await box.pop("wechat_mp:a") == ("（1/2）张某的第一段", 2)
    assert await box.drain("wechat_mp:a") == ["（2/2）第二段", "第三段"]
    assert await box.pop("wechat_mp:a") == (None, 0)
    await db.close()
    raw = await stored_data(db_url)
    assert "别人的".encode() not in raw and b"wechat_mp:b" not in raw  # content and user ids are not in clear


async def test_files_round_trip_expire_and_erase(db_url: str) -> None:
    db = await _db(db_url)
    store = FileStore(db, Crypto(os.urandom(32)))
    later = datetime.now(UTC) + timedelta(hours=1)
    file_id, owner = await store.put("wecom:z", FileOut("证据清单.pdf", b"%PDF-1.7 secret", "application/pdf"), later)
    stored = await store.get(file_id)
    assert stored is not None and stored.file.name == "证据清单.pdf" and stored.file.data == b"%PDF-1.7 secret"
    assert stored.user_id == owner and len(file_id) == 32
    assert await store.sweep(datetime.now(UTC)) == 0
    assert await store.sweep(later + timedelta(seconds=1)) == 1
    assert await store.get(file_id) is None
    again, _ = await store.put("wecom:z", FileOut("a.pdf", b"x", "application/pdf"), later)
    assert await store.erase("wecom:z") == 1 and await store.get(again) is None
    await db.close()
    assert b"secret" not in await stored_data(db_url)


async def test_mydata_counts_and_forget_erases_held_replies_too(app: App, settings: Settings) -> None:
    await app.outbox.push("u1", ["held answer"])
    assert "等你回复“继续”才发的消息：1 条" in await say(app.engine, "/mydata")
    await say(app.engine, "/forget")
    await say(app.engine, "确认")
    assert await app.outbox.pending("u1") == 0
