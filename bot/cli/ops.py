"""CLI, operations: `anning maintenance` (retention and sweeps; run it daily from cron or a systemd timer)."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime

from bot.cli.common import load_settings


def cmd_maintenance(args: argparse.Namespace) -> int:
    """Erase the data of people inactive for ANNING_RETENTION__INACTIVE_DAYS days; sweep expired rows."""
    from bot.ops.retention import run
    from bot.wiring import open_storage

    settings = load_settings(args)
    days = settings.retention.inactive_days if args.inactive_days is None else args.inactive_days

    async def main() -> int:
        db, crypto = await open_storage(settings)
        try:
            report = await run(db, crypto, datetime.now(UTC), days, dry_run=args.dry_run)
        finally:
            await db.close()
        verb = "would erase" if args.dry_run else "erased"
        rule = (
            f"inactive for more than {days} days" if days > 0 else "retention off (ANNING_RETENTION__INACTIVE_DAYS=0)"
        )
        print(f"{verb} {report.inactive_users} people's data ({rule})")
        if not args.dry_run:
            print(
                f"swept {report.files_expired} expired files, {report.inbox_swept} inbox entries, "
                f"{report.nonces_swept} callback nonces"
            )
        return 0

    return asyncio.run(main())
