"""Storage, migrations: bring a database to the newest schema with Alembic (the only thing that creates tables).

The revisions live in bot/storage/migrations/versions/. A database made before migrations existed (tables created
by SQLAlchemy's create_all, no alembic_version table) is adopted: the first revision creates only the tables that
are missing, so its rows stay, and it is stamped from then on. On PostgreSQL the upgrade holds an advisory lock, so
replicas starting together migrate once and the others wait for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x616E6E696E67  # "anning": the advisory lock id replicas take while one of them migrates


@dataclass(frozen=True)
class Revisions:
    """Where a database stood and stands: revision ids (None: no migration applied), and whether it was adopted."""

    before: str | None
    after: str | None
    head: str
    adopted: bool = False  # tables were there without a revision (made by create_all before migrations)


def config() -> Config:
    """The Alembic configuration: the revisions shipped in the package, no alembic.ini."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head() -> str:
    """The newest revision id."""
    found = ScriptDirectory.from_config(config()).get_current_head()
    if found is None:
        raise RuntimeError(f"no migration revisions in {MIGRATIONS}")
    return found


async def upgrade(engine: AsyncEngine, revision: str = "head") -> Revisions:
    """Apply every revision up to `revision` in one transaction (PostgreSQL: under the migration lock)."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        return await conn.run_sync(_upgrade, revision)


async def current(engine: AsyncEngine) -> Revisions:
    """Where the database stands, changing nothing."""
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


def _upgrade(conn: Connection, revision: str) -> Revisions:
    before = MigrationContext.configure(conn).get_current_revision()
    adopted = before is None and bool(set(inspect(conn).get_table_names()) - {"alembic_version"})
    cfg = config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)
    return Revisions(before, MigrationContext.configure(conn).get_current_revision(), head(), adopted)


def _current(conn: Connection) -> Revisions:
    rev = MigrationContext.configure(conn).get_current_revision()
    return Revisions(rev, rev, head())
