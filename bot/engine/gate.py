"""Engine, gate: what channels talk to; messages wait here until the engine is built, and each one is observed.

`anning serve` and `anning telegram` open the port and start the channels at once while the knowledge index and the
models load in the background. Channels record every message in the durable inbox as usual and hand it to the gate;
the gate holds it until `open(engine)` and then answers it, in each person's order (the engine's per-user lock).
Every answered message is reported to `observe` (channel, route, seconds, failed) for the metrics.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

from bot.contract.messages import Incoming, Reply
from bot.contract.outcome import Outcome
from bot.engine.engine import Engine

Observe = Callable[[str, str, float, bool], None]  # (channel, route, seconds, failed)


class Answers(Protocol):
    """What a channel needs from the core: answer one message; the largest file it may download."""

    max_file_bytes: int

    async def handle(self, msg: Incoming) -> list[Reply]:
        """The replies to one message."""
        ...

    async def respond(self, msg: Incoming) -> Outcome:
        """The replies to one message and how it was understood."""
        ...


def route_of(intent: str) -> str:
    """A bounded label for a message's route: the intent's family ("safety.danger" -> "safety"), "none" if unset."""
    return intent.split(".", 1)[0] or "none"


class EngineGate:
    """Answers messages through the engine once it is open; before that, they wait (nothing is refused)."""

    def __init__(
        self,
        max_file_bytes: int,
        observe: Observe | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.max_file_bytes = max_file_bytes
        self.observe = observe
        self.clock = clock
        self._engine: asyncio.Future[Engine] | None = None
        self.waiting = 0  # messages held until the engine is open

    def _future(self) -> asyncio.Future[Engine]:
        if self._engine is None:
            self._engine = asyncio.get_running_loop().create_future()
        return self._engine

    @property
    def is_open(self) -> bool:
        """True once the engine answers."""
        return self._engine is not None and self._engine.done() and not self._engine.cancelled()

    def open(self, engine: Engine) -> None:
        """Let every waiting and later message through to `engine`."""
        future = self._future()
        if not future.done():
            future.set_result(engine)

    def close(self) -> None:
        """Shutting down before the engine was built: messages still waiting are cancelled, not answered (their
        inbox entries stay unfinished, so the next start answers them)."""
        future = self._future()
        if not future.done():
            future.cancel()

    async def engine(self) -> Engine:
        """The engine, once open (waits until then)."""
        future = self._future()
        if not future.done():
            self.waiting += 1
            try:
                return await asyncio.shield(future)
            finally:
                self.waiting -= 1
        return future.result()

    async def handle(self, msg: Incoming) -> list[Reply]:
        """The replies to one message (after the engine is open)."""
        return list((await self.respond(msg)).replies)

    async def respond(self, msg: Incoming) -> Outcome:
        """The replies to one message and how it was understood; observed (route, seconds, failure)."""
        engine = await self.engine()
        started = self.clock()
        try:
            outcome = await engine.respond(msg)
        except Exception:
            self._report(msg.channel, "error", started, failed=True)
            raise
        self._report(msg.channel, route_of(outcome.intent), started, failed=False)
        return outcome

    def _report(self, channel: str, route: str, started: float, *, failed: bool) -> None:
        if self.observe is not None:
            self.observe(channel, route, self.clock() - started, failed)
