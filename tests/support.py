"""Test helpers: build messages, talk to the engine, run transcripts."""

from __future__ import annotations

from bot.engine.engine import Engine
from bot.engine.messages import Incoming, Reply


def msg(text: str = "", user: str = "u1", button: str | None = None) -> Incoming:
    """A terminal message from a test user."""
    return Incoming(channel="test", user_key=user, text=text, button=button)


async def say(engine: Engine, text: str, user: str = "u1") -> str:
    """Send a line and return all reply texts joined."""
    replies: list[Reply] = await engine.handle(msg(text, user))
    return "\n".join(r.text for r in replies)
