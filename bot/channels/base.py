"""Channels, base: the Channel protocol, capabilities, the registry decorator, shared rendering helpers.

A channel is one class registered with `@register`: it names its settings section, says when it is enabled, builds
itself from `Deps` (what the composition root hands over), declares its webhook routes (mounted by bot/web.py) and
starts and stops its background work. `preview` is its pure render, as plain messages, for the contract test.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar, runtime_checkable

from bot.contract.messages import Reply

if TYPE_CHECKING:
    from aiohttp import ClientSession

    from bot.channels.file_links import FileLinks
    from bot.engine.gate import Answers
    from bot.settings import Settings
    from bot.storage.buttons_repo import ButtonPayloads
    from bot.storage.inbox_repo import Inbox
    from bot.storage.nonce_repo import CallbackNonces
    from bot.storage.outbox_repo import Outbox
    from bot.storage.rates_repo import RateCounts
    from bot.storage.tokens_repo import TokenStore
    from bot.storage.turns import Turns
    from bot.texts import Texts
    from bot.web import Route


@dataclass(frozen=True)
class Capabilities:
    """What a platform can show; renderers adapt replies to it."""

    buttons: bool
    files: bool
    max_chars: int | None = None
    max_bytes: int | None = None


@dataclass(frozen=True)
class Outgoing:
    """One message as the person sees it: its text, the labels on its keyboard (empty: none), or a file's name."""

    text: str = ""
    keyboard: tuple[str, ...] = ()
    file: str = ""


@dataclass(frozen=True)
class Deps:
    """What the composition root (bot/wiring.py) hands a channel's `build`: settings, engine, texts, shared stores."""

    settings: Settings
    engine: Answers
    texts: Texts
    outbox: Outbox
    inbox: Inbox  # every webhook message recorded before it is acknowledged
    tokens: TokenStore
    files_dir: Path
    http: ClientSession | None = None  # for channels that call a platform API
    links: FileLinks | None = None  # download links, for channels that cannot send files
    user: str | None = None  # the person at the keyboard (terminal chat)
    nonces: CallbackNonces | None = None  # signed callback (timestamp, nonce) pairs already used (WeChat)
    turns: Turns | None = None  # per-person turns shared by replicas (storage/turns.py); None: this process only
    rates: RateCounts | None = None  # rate-limit counts shared by replicas; None: each process counts its own
    buttons: ButtonPayloads | None = None  # long button payloads shared by replicas; None: this process's memory


class Channel(Protocol):
    """A platform adapter as the registry knows it."""

    name: ClassVar[str]  # the registry key, also Incoming.channel and the user-key prefix
    section: ClassVar[str | None]  # the Settings attribute with its settings (env ANNING_<SECTION>__...), if any
    capabilities: ClassVar[Capabilities]
    webhook: ClassVar[bool]  # served by `anning serve`
    requirement: ClassVar[str]  # what to set to enable it, for `anning serve`'s error message

    @classmethod
    def enabled(cls, settings: Settings) -> bool:
        """Whether the settings turn the channel on (for webhook channels: `anning serve` runs it)."""
        ...

    @classmethod
    def build(cls, deps: Deps) -> Channel:
        """The channel, built from what the composition root hands over."""
        ...

    @classmethod
    def preview(cls, reply: Reply, texts: Texts) -> list[Outgoing]:
        """The pure render of one reply, as the messages the person sees."""
        ...

    def routes(self) -> list[Route]:
        """Webhook routes relative to the web prefix (mounted by bot/web.py); none for polling channels."""
        ...

    async def start(self) -> None:
        """Start background work (connections, polling, webhook registration)."""
        ...

    async def stop(self) -> None:
        """Finish or hold whatever is in flight, then disconnect."""
        ...


@runtime_checkable
class Foreground(Protocol):
    """A channel that can run in the foreground until its input ends or SIGINT/SIGTERM (`anning chat|telegram`)."""

    async def run(self) -> None:
        """Run until done."""
        ...


C = TypeVar("C", bound=type[Channel])
REGISTRY: dict[str, type[Channel]] = {}


def register(cls: C) -> C:
    """Class decorator: make a channel available under its `name`."""
    REGISTRY[cls.name] = cls
    return cls


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


def numbered_buttons(reply: Reply, heading: str) -> str:
    """Buttons as numbered lines under `heading` (texts key channels.choose_number) for platforms without keyboards."""
    if not reply.buttons:
        return ""
    lines = [f"{i}. {b.label}" for i, b in enumerate(reply.buttons, 1)]
    return "\n".join([heading, *lines])


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


class Limiter(Protocol):
    """Per-person rate limit, as channels ask it: what to do with one more message of `key`'s."""

    async def check(self, key: str) -> Verdict:
        """Count one message of the person's, and say whether it goes through."""
        ...


class LocalLimiter:
    """The sliding window in this process's memory (`RateLimiter`): right for one process (SQLite), and the
    fastest; with several replicas each would count only what reached it."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.counter = RateLimiter(limit, window)
        self.clock = clock

    async def check(self, key: str) -> Verdict:
        """The in-memory verdict at the clock's now."""
        return self.counter.check(key, self.clock())


class SharedLimiter:
    """A fixed window counted in the database (storage/rates_repo.py), so replicas behind one URL share one limit:
    the first message past the limit in a window is told (WARN), later ones in that window are dropped."""

    def __init__(self, counts: RateCounts, limit: int) -> None:
        self.counts = counts
        self.limit = limit

    async def check(self, key: str) -> Verdict:
        """One upsert; the verdict from the window's count."""
        if self.limit <= 0:
            return Verdict.ALLOW
        hits = await self.counts.hit(key)
        if hits <= self.limit:
            return Verdict.ALLOW
        return Verdict.WARN if hits == self.limit + 1 else Verdict.DROP


def limiter_for(deps: Deps, limit: int, clock: Callable[[], float] = time.monotonic) -> Limiter:
    """The limiter the composition root chose: shared counts when it handed some over (several replicas), else
    this process's memory."""
    return SharedLimiter(deps.rates, limit) if deps.rates is not None else LocalLimiter(limit, clock=clock)
