"""Channels (⑥), WeChat pace: how fast answers are finishing now, to tell whether a new message can make the 5 s.

Past capacity, waiting out the reply budget for an answer that cannot be ready only keeps WeChat's callback open
while the backlog's work slows the event loop, until the "working on it" acknowledgement itself is late. `Pace`
counts the answers finished in the last `window` seconds; `wait(ahead)` is how long a message queued behind `ahead`
others would take at that rate (None until enough have finished to tell). Pure: the caller gives the clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable


class Pace:
    """Answers finished recently; the expected wait for the next one."""

    def __init__(self, clock: Callable[[], float], *, window: float = 10.0, least: int = 5) -> None:
        self.clock = clock
        self.window = window
        self.least = least  # fewer finishes than this in the window: too few to tell
        self._done: deque[float] = deque()

    def finished(self) -> None:
        """One answer finished now."""
        self._done.append(self.clock())
        self._forget()

    def rate(self) -> float | None:
        """Answers per second between the oldest and newest finish in the window, or None when too few to tell."""
        self._forget()
        if len(self._done) < self.least:
            return None
        span = self._done[-1] - self._done[0]
        return (len(self._done) - 1) / span if span > 0 else None

    def wait(self, ahead: int) -> float | None:
        """Seconds until a message queued behind `ahead` unfinished others would be answered, at the recent rate
        (0 with nothing ahead: an idle bot answers at once, whatever the rate was)."""
        if ahead <= 0:
            return 0.0
        rate = self.rate()
        return None if rate is None else (ahead + 1) / rate

    def _forget(self) -> None:
        horizon = self.clock() - self.window
        while self._done and self._done[0] < horizon:
            self._done.popleft()
