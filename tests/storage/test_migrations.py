"""Migrations: they alone make the schema, it matches the models on SQLite and PostgreSQL, and a database made by
create_all before migrations existed is adopted with its data."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from bot.contract.session import Session
from bot.settings import PROJECT_ROOT
from bot.storage import migrate
from bot.storage.crypto import Crypto
from bot.storage.db import Base, Database
from bot.storage.outbox_repo import Outbox
from bot.storage.repositories import SqlSessionStore

LEGACY_SCHEMA = PROJECT_ROOT / "tests" / "data" / "schema_before_migrations.sqlite.sql"


def _differences(conn: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata))


async def _differences_of(db: Database) -> list[Any]:
    async with db.engine.connect() as conn:
        return await conn.run_sync(_differences)


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_migrations_make_exactly_the_schema_the_models_declare(db_url: str) -> None:
    db = Database(db_url)
    assert await _tables(db) == set()
    revisions = await db.upgrade()
    assert (revisions.before, revisions.after, revisions.adopted) == (None, migrate.head(), False)
    assert await _differences_of(db) == []  # a model changed without a migration shows up here
    assert await _tables(db) == {*Base.metadata.tables, "alembic_version"}
    again = await db.upgrade()
    assert (again.before, again.after) == (migrate.head(), migrate.head())
    assert (await migrate.current(db.engine)).after == migrate.head()
    await db.close()


async def test_replicas_starting_together_migrate_once(db_url: str) -> None:
    dbs = [Database(db_url) for _ in range(3)]
    if dbs[0].engine.dialect.name == "sqlite":  # SQLite is one process: its replicas do not start together
        dbs = dbs[:1]
    results = await asyncio.gather(*(db.upgrade() for db in dbs))
    assert sorted(r.before is None for r in results) == [False] * (len(dbs) - 1) + [True]
    assert await _differences_of(dbs[0]) == []
    for db in dbs:
        await db.close()


async def test_a_sqlite_file_made_before_migrations_is_adopted_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "anning.sqlite3"
    with sqlite3.connect(path) as conn:  # what main's create_all left in a data dir
        conn.executescript(LEGACY_SCHEMA.read_text())
        conn.execute("CREATE TABLE seen_messages (key VARCHAR(64) NOT NULL PRIMARY KEY, seen_at DATETIME NOT NULL)")
    crypto = Crypto(os.urandom(32))
    db = Database(f"sqlite+aiosqlite:///{path}")
    sessions, outbox = SqlSessionStore(db, crypto), Outbox(db, crypto)
    await sessions.save(Session(user_key="telegram:7", questions=3, slots={"name": "王小明"}))
    await outbox.push("wechat_mp:a", ["（1/2）第一段", "（2/2）第二段"])
    tag = crypto.tag("seen", b"telegram-update|1|5").hex()
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO inbox (key, channel, user_id, state, received_at, payload, answer, sent) "
                "VALUES (:key, 'telegram', '', 'received', :at, :payload, x'', 0)"
            ),
            {"key": tag, "at": datetime.now(UTC), "payload": crypto.encrypt(b'{"update_id": 5}', tag.encode())},
        )

    revisions = await db.upgrade()

    assert revisions.adopted and revisions.before is None and revisions.after == migrate.head()
    assert await _differences_of(db) == []
    assert "seen_messages" not in await _tables(db)  # the inbox replaced it
    loaded = await sessions.load("telegram:7")
    assert loaded is not None and (loaded.questions, loaded.slots) == (3, {"name": "王小明"})
    assert await outbox.drain("wechat_mp:a") == ["（1/2）第一段", "（2/2）第二段"]
    async with db.sessions() as s:
        assert (await s.execute(text("SELECT count(*) FROM inbox WHERE key = :k"), {"k": tag})).scalar_one() == 1
    await db.close()


async def test_a_database_made_before_migrations_is_adopted_on_either_backend(db_url: str) -> None:
    crypto = Crypto(os.urandom(32))
    db = Database(db_url)
    await migrate.upgrade(db.engine, "0001")  # the first revision makes what create_all made
    async with db.engine.begin() as conn:
        await conn.execute(text("DROP TABLE alembic_version"))
    await Outbox(db, crypto).push("wecom:z", ["留着"])
    revisions = await db.upgrade()
    assert revisions.adopted and revisions.after == migrate.head()
    assert await Outbox(db, crypto).drain("wecom:z") == ["留着"]
    assert await _differences_of(db) == []
    await db.close()


def test_anning_db_upgrade_adopts_an_old_data_dir_and_current_says_where_it_stands(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "anning.sqlite3") as conn:
        conn.executescript(LEGACY_SCHEMA.read_text())

    def anning(*args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANNING_")}
        command = [sys.executable, "-m", "bot", *args, "--data-dir", str(tmp_path)]
        return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)

    before = anning("db", "current")
    assert before.returncode == 1 and "anning db upgrade" in before.stdout
    upgraded = anning("db", "upgrade")
    assert upgraded.returncode == 0 and "adopted" in upgraded.stdout and f"{migrate.head()} (head)" in upgraded.stdout
    after = anning("db", "current")
    assert (after.returncode, after.stdout.strip()) == (0, f"{migrate.head()} (head)")
