"""CLI entry: `python -m bot` runs the `anning` command line (bot/cli)."""

from bot.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
