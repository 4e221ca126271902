"""Scripted conversations in tests/transcripts/*.md: '> ' lines are the user (consecutive ones form one message),
'< ' lines must each appear in the bot's replies to that message."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.wiring import App
from tests.support import say

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.md"))


def parse(path: Path) -> list[tuple[str, list[str]]]:
    """[(user message, [expected substrings])] in order."""
    turns: list[tuple[str, list[str]]] = []
    user: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(">"):
            user.append(line[2:] if line.startswith("> ") else "")
        elif line.startswith("< "):
            if user:
                turns.append(("\n".join(user), []))
                user = []
            turns[-1][1].append(line[2:])
    if user:
        turns.append(("\n".join(user), []))
    return turns


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
async def test_transcript(app: App, path: Path) -> None:
    user = f"transcript:{path.stem}"
    for message, expected in parse(path):
        reply = await say(app.engine, message, user=user)
        for fragment in expected:
            assert fragment in reply, f"{path.name}: after {message[:40]!r} expected {fragment!r} in:\n{reply}"
