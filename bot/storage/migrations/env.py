"""Storage, migrations: Alembic's environment, run on the connection bot/storage/migrate.py hands over."""

from __future__ import annotations

from alembic import context

from bot.storage.db import Base


def run() -> None:
    """Run the revisions on the connection in `config.attributes["connection"]` (never a URL of its own)."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `anning db upgrade` (bot/storage/migrate.py), not the alembic command")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite changes a table by copying it; PostgreSQL alters it in place
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
