"""Engine: Engine.handle(incoming) -> replies; per-user lock, load session, route, one dispatch, save."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from bot.engine.commands import Eraser
from bot.engine.dispatch import DispatchTable
from bot.engine.messages import Incoming, Reply
from bot.engine.outcome import KEEP, Handler, Keep, Kind, Outcome, Turn
from bot.engine.router import Decision, Route, decide
from bot.engine.session import Pending, Session, SessionStore
from bot.texts import Texts

_ROUTE_KINDS = {
    Route.COMMAND: Kind.COMMAND,
    Route.BUTTON: Kind.BUTTON,
    Route.PENDING: Kind.PENDING,
    Route.SMS: Kind.SMS,
    Route.ATTACHMENT: Kind.ATTACHMENT,
    Route.QUESTION: Kind.QUESTION,
}


class Engine:
    """The channel-agnostic core: every channel calls handle() and sends what it returns."""

    def __init__(
        self,
        store: SessionStore,
        handlers: Sequence[Handler],
        texts: Texts,
        max_text_chars: int = 4000,
        max_paste_chars: int = 200_000,
        max_file_bytes: int = 10 * 1024 * 1024,
        holders: Sequence[Eraser] = (),
    ) -> None:
        self.store = store
        self.table = DispatchTable(handlers)
        self.texts = texts
        self.max_text_chars = max_text_chars
        self.max_paste_chars = max_paste_chars
        self.max_file_bytes = max_file_bytes  # channels refuse bigger downloads before they reach a handler
        self.holders = tuple(holders)  # everything else holding the user's data, erased by /forget
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def _lock(self, user_key: str) -> asyncio.Lock:
        lock = self._locks.get(user_key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[user_key] = lock
        return lock

    async def handle(self, msg: Incoming) -> list[Reply]:
        """Process one message; messages of one user are handled one at a time, in order."""
        return list((await self.respond(msg)).replies)

    async def respond(self, msg: Incoming) -> Outcome:
        """Process one message and say how it was understood (the replies plus the intent)."""
        async with self._lock(msg.user_key):
            stored = await self.store.load(msg.user_key)
            session = stored or Session(msg.user_key, created_at=datetime.now(UTC).isoformat(timespec="seconds"))
            outcome = await self._dispatch(msg, session)
            if outcome.erase:
                for holder in self.holders:
                    await holder.erase(msg.user_key)
                await self.store.delete(msg.user_key)
                return outcome
            after = outcome.session or session
            after = replace(after, pending=next_pending(session.pending, outcome))
            if stored is not None or not after.is_blank():  # keep nothing about a user who left no state
                await self.store.save(after)
            return outcome

    async def _dispatch(self, msg: Incoming, session: Session) -> Outcome:
        decision = decide(msg, session, self.max_text_chars, self.max_paste_chars)
        problem = self._input_problem(decision)
        if problem is not None:
            return Outcome((Reply(problem),), pending=KEEP)
        kind = _ROUTE_KINDS[decision.route]
        text = decision.argument if kind is not Kind.BUTTON else ""
        name = decision.command if kind is Kind.COMMAND else decision.argument if kind is Kind.BUTTON else ""

        async def ask(question: str, current: Session) -> Outcome:
            turn = Turn(msg, current, Kind.QUESTION, text=question)
            return await self.table.for_kind(Kind.QUESTION).handle(turn) or Outcome(())

        handler = self.table.find(kind, name, session.flow)
        if handler is None:
            if kind is Kind.COMMAND:
                return Outcome((Reply(self.texts.get("commands.unknown", command="/" + name)),), pending=KEEP)
            text = decision.argument  # a stale button or an unknown flow: its words are answered as a question
            return await ask(text, session)
        outcome = await handler.handle(Turn(msg, session, kind, name, text, ask))
        return outcome if outcome is not None else await ask(text, session)

    def _input_problem(self, decision: Decision) -> str | None:
        t = self.texts
        route = decision.route
        if route is Route.EMPTY:
            return t.get("input.empty")
        if route is Route.TOO_LONG:
            limit = self.max_paste_chars if decision.command == "paste" else self.max_text_chars
            return t.get("input.too_long", size=decision.argument, limit=limit)
        if route is Route.BINARY:
            return t.get("input.binary")
        if route is Route.EMOJI_ONLY:
            return t.get("input.emoji_only")
        return None


def next_pending(previous: Pending | None, outcome: Outcome) -> Pending | None:
    """What the bot waits for after a turn: the handler's flow, with the choices its replies offer (by number)."""
    offered = next((r.buttons for r in reversed(outcome.replies) if r.buttons), ())
    choices = tuple((b.label, b.payload) for b in offered)
    if isinstance(outcome.pending, Keep):
        return replace(previous or Pending(), choices=choices) if choices else previous
    if choices:
        return replace(outcome.pending or Pending(), choices=choices)
    return replace(outcome.pending, choices=()) if outcome.pending and outcome.pending.flow else None
