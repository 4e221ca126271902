"""Storage, migrations: the Alembic environment and revisions that create and change the schema (bot/storage/migrate.py)."""
