"""Test support, databases: a fresh SQLite file or a fresh PostgreSQL database per test, and what each stores.

PostgreSQL tests need ANNING_TEST_DATABASE_URL (a server URL whose user may create databases, e.g. the one
`scripts/pg_throwaway.sh start DIR` prints; .ci/run sets it). Without it they skip, unless
ANNING_TEST_REQUIRE_POSTGRES is set (as .ci/run does): then they fail.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import make_url

from tests.support import stored_bytes

PG_ENV = "ANNING_TEST_DATABASE_URL"
REQUIRE_ENV = "ANNING_TEST_REQUIRE_POSTGRES"  # set by .ci/run
BACKENDS = ("sqlite", "postgresql")


def server_url() -> str | None:
    """The PostgreSQL server the tests may use, or None."""
    return os.environ.get(PG_ENV) or None


def plain_url(url: str) -> str:
    """A SQLAlchemy URL as asyncpg takes it (no +driver)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A new empty database on the test server (its SQLAlchemy URL), dropped afterwards; skips without a server."""
    server = server_url()
    if server is None:
        if os.environ.get(REQUIRE_ENV):  # CI: a PostgreSQL test that cannot run is a failure
            pytest.fail(f"{REQUIRE_ENV} is set but {PG_ENV} is not")
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (see scripts/pg_throwaway.sh)")
    name = f"anning_test_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(plain_url(server))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(plain_url(server))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@asynccontextmanager
async def database_url(backend: str, folder: Path) -> AsyncIterator[str]:
    """A fresh database of `backend` ("sqlite": a file in `folder`; "postgresql": a new database on the server)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'test.sqlite3'}"
        return
    async with postgres_database() as url:
        yield url


async def stored_data(url: str) -> bytes:
    """Everything the database keeps, as bytes: SQLite's file and write-ahead log; PostgreSQL's rows, every value of
    every table (bytes as they are, text encoded), so a test can check that nothing personal is stored in clear."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return stored_bytes(Path(parsed.database or ""))
    conn = await asyncpg.connect(plain_url(url))
    try:
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        parts: list[bytes] = []
        for table in tables:
            for row in await conn.fetch(f'SELECT * FROM "{table["tablename"]}"'):
                parts.extend(v if isinstance(v, bytes) else str(v).encode() for v in row.values())
        return b"\x00".join(parts)
    finally:
        await conn.close()
