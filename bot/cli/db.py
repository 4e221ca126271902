"""CLI, database: `anning db upgrade` (migrate to the newest schema) and `anning db current` (where it stands)."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import load_settings


def cmd_db(args: argparse.Namespace) -> int:
    """Run one database action on ANNING_DATABASE_URL (default: the SQLite file under --data-dir)."""
    from bot.storage import migrate
    from bot.storage.db import Database

    settings = load_settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    async def main() -> int:
        db = Database(settings.resolved_database_url())
        try:
            if args.action == "upgrade":
                done = await db.upgrade()
                if done.adopted:
                    print("adopted a database made before migrations (its tables and rows are kept)")
                if done.before != done.after:
                    print(f"upgraded: {done.before or 'none'} -> {done.after}")
                print(f"{done.after} (head)")
                return 0
            now = await migrate.current(db.engine)
            if now.after == now.head:
                print(f"{now.after} (head)")
                return 0
            print(f"{now.after or 'no revision'} (head is {now.head}: run `anning db upgrade`)")
            return 1
        finally:
            await db.close()

    return asyncio.run(main())
