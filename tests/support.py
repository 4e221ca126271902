"""Test helpers: build messages, talk to the engine, run transcripts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.contract.messages import Incoming, Reply
from bot.engine.engine import Engine
from bot.settings import PROJECT_ROOT


def msg(text: str = "", user: str = "u1", button: str | None = None) -> Incoming:
    """A terminal message from a test user."""
    return Incoming(channel="test", user_key=user, text=text, button=button)


async def say(engine: Engine, text: str, user: str = "u1") -> str:
    """Send a line and return all reply texts joined."""
    replies: list[Reply] = await engine.handle(msg(text, user))
    return "\n".join(r.text for r in replies)


def run_cli(args: list[str], data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` as a separate process on a data folder, as a person or script would."""
    env = {**os.environ, "ANNING_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=300,
        check=False,
    )


def stored_bytes(db_file: Path) -> bytes:
    """Everything SQLite has on disk for a database: the file plus its write-ahead log (WAL mode), if any."""
    parts = [db_file, db_file.with_name(db_file.name + "-wal")]
    return b"".join(p.read_bytes() for p in parts if p.exists())
