"""/forget erases for real: no ciphertext of the person's rows stays in the SQLite file or its WAL; files are 0600."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bot.settings import Settings
from bot.storage.db import Database, EvidenceRow, SessionRow
from bot.wiring import App
from tests.support import say, stored_bytes

MARK = "【灯塔测试平台】您的验证码是 731946，请勿告诉他人。"


def db_file(settings: Settings) -> Path:
    return Path(settings.resolved_database_url().split("///", 1)[1])


async def test_forget_leaves_no_ciphertext_in_the_file_or_the_wal(app: App, settings: Settings) -> None:
    await say(app.engine, f"2026-11-03 02:14:00\n{MARK}", user="victim")
    await say(app.engine, "/mydata", user="victim")  # the session is saved too
    uid = app.crypto.pseudonym("victim")
    async with app.db.sessions() as s:
        payloads = list((await s.execute(select(EvidenceRow.payload).where(EvidenceRow.user_id == uid))).scalars())
        session_blob = (await s.execute(select(SessionRow.data).where(SessionRow.user_id == uid))).scalar_one()
    blobs = [*payloads, session_blob]
    assert payloads and all(b in stored_bytes(db_file(settings)) for b in blobs)  # they are there before

    await say(app.engine, "/forget", user="victim")
    await say(app.engine, "确认", user="victim")

    raw = stored_bytes(db_file(settings))  # the database file and its -wal, while the app still runs
    for blob in blobs:
        assert blob not in raw
        assert blob[:12] not in raw  # not even the nonce
        assert blob[-16:] not in raw  # nor the authentication tag
    assert MARK.encode() not in raw


async def test_database_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "private.sqlite3"
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.create_all()
    async with db.sessions() as s, s.begin():
        s.add(SessionRow(user_id="x", data=b"y", updated_at=datetime.now(UTC)))
    try:
        for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            assert part.exists(), part
            assert stat.S_IMODE(part.stat().st_mode) == 0o600, part
    finally:
        await db.close()


async def test_an_existing_database_file_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o644)
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.create_all()
    await db.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
