"""Retention: `anning maintenance` erases what /forget erases for people inactive longer than the setting, on a
real SQLite database and a clock the test sets; active people and recent data stay."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.contract.messages import FileOut
from bot.contract.session import Session
from bot.ops import retention
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.db import Base, Database, EvidenceRow, InboxRow, OutboxRow, SessionRow
from bot.storage.evidence_repo import NewEvidence
from bot.storage.repositories import SqlSessionStore
from bot.wiring import Core, open_core

OLD, ACTIVE = "telegram:1001", "wechat_mp:o-active"
SMS = "【极速贷】你已逾期，今天不还就联系你的通讯录。"


def _settings(tmp_path: Path) -> Settings:
    s = Settings(data_dir=tmp_path, knowledge_dir=PROJECT_ROOT / "knowledge", encryption_key="B" * 43)
    s.database_url = f"sqlite+aiosqlite:///{tmp_path / 'anning.sqlite3'}"
    return s


async def _person(core: Core, user: str, now: datetime) -> None:
    """Everything a person leaves behind: a session, an evidence entry, a held reply, a file, a recorded message."""
    await sessions(core).save(Session(user, created_at=now.isoformat()))
    await core.evidence.append(user, [NewEvidence(SMS, None, "paste", now, label="threat")])
    await core.outbox.push(user, ["第二部分"])
    await core.files.put(user, FileOut("证据清单.pdf", b"%PDF-1.4 test", "application/pdf"), now + timedelta(days=90))
    await core.inbox.take("telegram", f"update-{user}", user, b'{"text": "hi"}')


def sessions(core: Core) -> SqlSessionStore:
    return SqlSessionStore(core.db, core.crypto)


async def _held(core: Core, user: str) -> dict[str, int]:
    return {
        "session": int(await sessions(core).load(user) is not None),
        "evidence": await core.evidence.count(user),
        "outbox": await core.outbox.count(user),
        "files": await core.files.count(user),
    }


async def _later(db: Database, uid: str, moment: datetime) -> None:
    """The person wrote again at `moment` (their rows say so)."""
    async with db.sessions() as s, s.begin():
        for table, column in ((SessionRow, "updated_at"), (EvidenceRow, "received_at"), (OutboxRow, "created_at")):
            await s.execute(update(table).where(table.user_id == uid).values({column: moment}))
        await s.execute(update(InboxRow).where(InboxRow.user_id == uid).values(received_at=moment))


async def test_inactive_peoples_data_is_erased_after_the_set_days_and_active_people_keep_theirs(
    tmp_path: Path,
) -> None:
    core = await open_core(_settings(tmp_path))
    try:
        start = datetime.now(UTC)
        await _person(core, OLD, start)
        await _person(core, ACTIVE, start)
        await _later(core.db, core.crypto.pseudonym(ACTIVE), start + timedelta(days=20))
        everything = {"session": 1, "evidence": 1, "outbox": 1, "files": 1}  # (the inbox: its own 2-day sweep)

        report = await retention.run(core.db, core.crypto, start + timedelta(days=29), 30)
        assert report.inactive_users == 0
        assert await _held(core, OLD) == everything  # 29 days: still kept

        off = await retention.run(core.db, core.crypto, start + timedelta(days=35), 0)
        assert off.inactive_users == 0 and await _held(core, OLD) == everything  # 0 = retention off

        dry = await retention.run(core.db, core.crypto, start + timedelta(days=31), 30, dry_run=True)
        assert dry.inactive_users == 1 and await _held(core, OLD) == everything

        report = await retention.run(core.db, core.crypto, start + timedelta(days=31), 30)
        assert report.inactive_users == 1
        assert await _held(core, OLD) == dict.fromkeys(everything, 0)
        assert await _held(core, ACTIVE) == everything  # wrote on day 20: 11 days ago
        assert await core.evidence.items(ACTIVE)  # and their log still reads back

        report = await retention.run(core.db, core.crypto, start + timedelta(days=51), 30)
        assert report.inactive_users == 1 and await _held(core, ACTIVE) == dict.fromkeys(everything, 0)
    finally:
        await core.close()


async def test_erasing_a_person_drops_their_recorded_messages_too(tmp_path: Path) -> None:
    core = await open_core(_settings(tmp_path))
    try:
        await _person(core, OLD, datetime.now(UTC))
        assert await core.inbox.count(OLD) == 1
        await retention.erase(core.db, core.crypto.pseudonym(OLD))
        assert await core.inbox.count(OLD) == 0
        assert await core.inbox.take("telegram", f"update-{OLD}", OLD, b"{}") is None  # a retry is still refused
    finally:
        await core.close()


def test_retention_covers_every_table_that_holds_a_persons_rows() -> None:
    personal = {t.name for t in Base.metadata.sorted_tables if "user_id" in t.columns}
    assert personal == {m.__tablename__ for m in retention.PERSONAL}


@pytest.mark.slow
async def test_anning_maintenance_erases_a_person_silent_for_longer_than_the_setting(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    core = await open_core(settings)
    try:
        await _person(core, OLD, datetime.now(UTC))
        await _later(core.db, core.crypto.pseudonym(OLD), datetime.now(UTC) - timedelta(days=40))
    finally:
        await core.close()
    env = {
        **os.environ,
        "ANNING_DATABASE_URL": settings.database_url,
        "ANNING_ENCRYPTION_KEY": "B" * 43,
        "ANNING_RETENTION__INACTIVE_DAYS": "30",
    }
    args = [sys.executable, "-m", "bot", "maintenance", "--data-dir", str(tmp_path)]
    run = subprocess.run(args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert "erased 1 people's data (inactive for more than 30 days)" in run.stdout
    core = await open_core(settings)
    try:
        assert await _held(core, OLD) == {"session": 0, "evidence": 0, "outbox": 0, "files": 0}
    finally:
        await core.close()
