"""Language model stage, guard: a deadline per call, a circuit breaker and per-user and global call limits, so a dead,
slow or busy model costs nothing but the offline answer."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)
WINDOW_SECONDS = 60.0


@dataclass
class Breaker:
    """Opens after `failures` errors in a row; while open no call is made; after `cooldown` one trial call may go."""

    failures: int = 3
    cooldown: float = 60.0
    streak: int = 0
    opened_at: float | None = None
    trial: bool = False

    def allow(self, now: float) -> bool:
        """Whether a call may go now (a half-open circuit lets one trial through)."""
        if self.opened_at is None:
            return True
        if now - self.opened_at >= self.cooldown and not self.trial:
            self.trial = True
            return True
        return False

    def record(self, ok: bool, now: float) -> None:
        """Count a call's result: success closes the circuit, enough failures (or a failed trial) open it."""
        self.trial = False
        if ok:
            self.streak, self.opened_at = 0, None
            return
        self.streak += 1
        if self.streak >= self.failures or self.opened_at is not None:
            self.opened_at = now

    @property
    def open(self) -> bool:
        """Whether the circuit is open (calls are skipped)."""
        return self.opened_at is not None


@dataclass
class Limits:
    """Sliding one-minute windows: calls per user and calls in all."""

    per_user: int = 6
    total: int = 120
    _users: dict[str, deque[float]] = field(default_factory=dict)
    _all: deque[float] = field(default_factory=deque)

    def take(self, user: str, now: float) -> bool:
        """Count a call for a user if both windows have room; False (nothing counted) when either is full."""
        mine = self._users.setdefault(user, deque())
        for window in (mine, self._all):
            while window and now - window[0] >= WINDOW_SECONDS:
                window.popleft()
        if len(mine) >= self.per_user or len(self._all) >= self.total:
            return False
        mine.append(now)
        self._all.append(now)
        if len(self._users) > 10_000:  # forget idle users
            self._users = {u: w for u, w in self._users.items() if w}
        return True


@dataclass
class Stats:
    """What the guard did (for the evaluation and the bench)."""

    calls: int = 0
    ok: int = 0
    failed: int = 0
    late: int = 0
    skipped_open: int = 0
    skipped_limit: int = 0


class Guard:
    """Runs model calls within a deadline, behind a circuit breaker and call limits; None means "answer offline"."""

    def __init__(
        self,
        breaker: Breaker,
        limits: Limits,
        clock: Callable[[], float] = time.monotonic,
        on_fallback: Callable[[str], None] = lambda reason: None,
    ) -> None:
        self.breaker = breaker
        self.limits = limits
        self.clock = clock
        self.on_fallback = on_fallback  # told why the offline answer goes out ("open", "limit", "late", "error")
        self.stats = Stats()

    async def call(self, user: str, make: Callable[[], Awaitable[T]], deadline: float) -> T | None:
        """The call's result, or None when it was skipped (circuit open, limits), failed or missed the deadline."""
        now = self.clock()
        if not self.breaker.allow(now):
            self.stats.skipped_open += 1
            self.on_fallback("open")
            return None
        if not self.limits.take(user, now):
            self.stats.skipped_limit += 1
            self.breaker.trial = False
            self.on_fallback("limit")
            return None
        self.stats.calls += 1
        try:
            result = await asyncio.wait_for(make(), deadline)
        except TimeoutError:
            self.stats.late += 1
            self.breaker.record(False, self.clock())
            log.warning("language model: no answer within %.1f s; the offline answer goes out", deadline)
            self.on_fallback("late")
            return None
        except Exception as exc:  # any failure of the model or its server means: answer offline
            self.stats.failed += 1
            self.breaker.record(False, self.clock())
            log.warning("language model failed (%s); the offline answer goes out", type(exc).__name__)
            self.on_fallback("error")
            return None
        self.stats.ok += 1
        self.breaker.record(True, self.clock())
        return result


def channel_of(user: str) -> str:
    """The channel of an engine user key ("wechat_mp:openid" -> "wechat_mp"; every channel prefixes its keys)."""
    return user.partition(":")[0]


@dataclass(frozen=True)
class Deadlines:
    """How long a model call may take, by purpose and by the channel the person writes on (the WeChat channels
    must answer within their reply budget; an answer streamed into Telegram may take longer, it is seen meanwhile)."""

    understand: float = 1.5
    answer: float = 2.5
    stream: float = 8.0
    sms: float = 2.0
    tight: frozenset[str] = frozenset({"wechat_mp", "wecom"})  # channels with a reply budget
    tight_understand: float = 1.0
    tight_answer: float = 2.0

    def for_understanding(self, user: str) -> float:
        """Reading a message in context."""
        return min(self.understand, self.tight_understand) if channel_of(user) in self.tight else self.understand

    def for_answer(self, user: str, streaming: bool = False) -> float:
        """Phrasing an answer (both attempts); `streaming`: the person sees its checked sentences as they come."""
        if channel_of(user) in self.tight:
            return min(self.answer, self.tight_answer)
        return self.stream if streaming else self.answer

    def for_sms(self, user: str) -> float:
        """A second opinion on an SMS."""
        return min(self.sms, self.tight_understand) if channel_of(user) in self.tight else self.sms
