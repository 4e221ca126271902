"""Channels, base: capabilities, the registry decorator, and shared rendering helpers (splitting, button text)."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from bot.engine.messages import Reply


@dataclass(frozen=True)
class Capabilities:
    """What a platform can show; renderers adapt replies to it."""

    buttons: bool
    files: bool
    max_chars: int | None = None
    max_bytes: int | None = None


ChannelFactory = Callable[..., Any]
REGISTRY: dict[str, ChannelFactory] = {}


def register(name: str) -> Callable[[ChannelFactory], ChannelFactory]:
    """Class decorator: make a channel available by name."""

    def wrap(factory: ChannelFactory) -> ChannelFactory:
        REGISTRY[name] = factory
        return factory

    return wrap


_BREAK = re.compile(r"(?<=[。！？!?；;\n])")


def _size(text: str, caps: Capabilities) -> int:
    return len(text.encode()) if caps.max_bytes else len(text)


def split_text(text: str, caps: Capabilities) -> list[str]:
    """Split at sentence boundaries so every part fits the platform's limit (chars or UTF-8 bytes)."""
    limit = caps.max_bytes or caps.max_chars
    if not limit or _size(text, caps) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for piece in _BREAK.split(text):
        while _size(piece, caps) > limit:  # a single over-long sentence: cut by characters
            cut = len(piece)
            while _size(piece[:cut], caps) > limit:
                cut -= max(1, cut // 10)
            if current:
                parts.append(current)
                current = ""
            parts.append(piece[:cut])
            piece = piece[cut:]
        if _size(current + piece, caps) > limit:
            parts.append(current)
            current = piece
        else:
            current += piece
    if current:
        parts.append(current)
    return [p for p in parts if p.strip()]


def numbered_buttons(reply: Reply) -> str:
    """Buttons as numbered lines for platforms without keyboards."""
    if not reply.buttons:
        return ""
    lines = [f"{i}. {b.label}" for i, b in enumerate(reply.buttons, 1)]
    return "\n".join(["回复数字选择：", *lines])


class Verdict(Enum):
    """What the rate limiter says about one more message."""

    ALLOW = "allow"
    WARN = "warn"  # over the limit: tell the person once
    DROP = "drop"  # still over the limit, already told


class RateLimiter:
    """Sliding-window limit per user: at most `limit` messages in any `window` seconds (0 disables it)."""

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._warned: set[str] = set()

    def check(self, key: str, now: float) -> Verdict:
        """Count one message at `now` (seconds, monotonic) unless it is over the limit."""
        if self.limit <= 0:
            return Verdict.ALLOW
        if len(self._hits) > self.max_keys:
            self._sweep(now)
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            self._warned.discard(key)
            return Verdict.ALLOW
        if key in self._warned:
            return Verdict.DROP
        self._warned.add(key)
        return Verdict.WARN

    def _sweep(self, now: float) -> None:
        for key in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.window]:
            del self._hits[key]
            self._warned.discard(key)
