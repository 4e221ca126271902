"""Channels (⑥), Telegram live answers: one message that shows an answer while a model writes it, by edits.

`LiveMessage` is the `Draft` the Telegram channel hands the engine with a text message. The engine shows on it only
what has passed the grounding checks (bot/llm/grounding.py `Preview`). The first text is sent as a new message, later
texts edit it, at most one edit per `every` seconds (the latest text wins; Telegram limits edits). All of it is best
effort and never journaled: one attempt per call, and any error (flood control included) ends the preview. The
final answer is delivered through the durable inbox as an edit of this message (its id is kept with the answer).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Send = Callable[[str], Awaitable[int | None]]  # a new message with this text: its id, or None when refused
Edit = Callable[[int, str], Awaitable[bool]]  # edit message `id` to this text: whether it was done


class LiveMessage:
    """One chat's message being written: show() is non-blocking; settle() ends it and says which message it was."""

    def __init__(self, send: Send, edit: Edit, every: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._send = send
        self._edit = edit
        self.every = every
        self.clock = clock
        self.message_id: int | None = None
        self.shown = ""  # the text the person sees now
        self.first_at: float | None = None  # clock() when the first text went out
        self.edits = 0
        self._latest: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._busy = False  # a Bot API call in flight
        self._over = False  # settled, or a call failed: nothing more is shown

    def show(self, text: str) -> None:
        """Show this text as soon as the edit rate allows (a later text replaces one still waiting)."""
        if self._over or not text.strip():
            return
        self._latest = text
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._pump())

    async def _pump(self) -> None:
        while self._latest is not None and not self._over:
            text, self._latest = self._latest, None
            if text == self.shown:
                continue
            self._busy = True
            try:
                if self.message_id is None:
                    self.message_id = await self._send(text)
                    ok = self.message_id is not None
                    self.first_at = self.clock() if ok else None
                else:
                    ok = await self._edit(self.message_id, text)
                    self.edits += ok
            except Exception as exc:  # best effort: the final answer still goes out through the inbox
                log.info("live answer: %s; the final answer follows", type(exc).__name__)
                ok = False
            finally:
                self._busy = False
            if not ok:
                self._over = True
                return
            self.shown = text
            if not self._over:
                await asyncio.sleep(self.every)

    async def settle(self) -> int | None:
        """Show nothing more: a call in flight is waited for (so the message's id is known), a waiting edit is
        dropped. The id of the message the final answer should replace, or None when nothing was shown."""
        self._over = True
        self._latest = None
        task = self._task
        if task is not None and not task.done():
            if self._busy:
                with contextlib.suppress(Exception):
                    await task
            else:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        return self.message_id
