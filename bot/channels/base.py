"""Channels, base: capabilities, the registry decorator, and shared rendering helpers (splitting, button text)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
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
