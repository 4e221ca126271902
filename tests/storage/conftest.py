"""Storage test fixtures: every test taking `db_url` runs on SQLite and on PostgreSQL (skipped without a server)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.databases import BACKENDS, database_url


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database: a SQLite file in tmp_path, or a new database on the test PostgreSQL server."""
    async with database_url(request.param, tmp_path) as url:
        yield url
