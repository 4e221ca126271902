"""Engine: Engine.handle(incoming) -> replies; per-user lock, load session, route, run, save."""

from __future__ import annotations

import asyncio
import weakref
from datetime import UTC, datetime

from bot.engine import commands
from bot.engine.messages import Incoming, Reply
from bot.engine.router import Route, decide
from bot.engine.safety import Concern, check
from bot.engine.session import Session, SessionStore
from bot.legal_qa.answer import is_english
from bot.legal_qa.service import LegalQA
from bot.storage.evidence_repo import EvidenceStore
from bot.texts import Texts

_DECLINE_KEYS = {
    Concern.COUNTER_ATTACK: "safety.counter_attack",
    Concern.DOXXING: "safety.doxxing",
    Concern.FORGERY: "safety.forgery",
    Concern.EVADE: "safety.evade",
}


class Engine:
    """The channel-agnostic core: every channel calls handle() and sends what it returns."""

    def __init__(
        self, store: SessionStore, evidence: EvidenceStore, qa: LegalQA, texts: Texts, max_text_chars: int = 4000
    ) -> None:
        self.store = store
        self.evidence = evidence
        self.qa = qa
        self.texts = texts
        self.max_text_chars = max_text_chars
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def _lock(self, user_key: str) -> asyncio.Lock:
        lock = self._locks.get(user_key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[user_key] = lock
        return lock

    async def handle(self, msg: Incoming) -> list[Reply]:
        """Process one message; messages of one user are handled one at a time, in order."""
        async with self._lock(msg.user_key):
            stored = await self.store.load(msg.user_key)
            session = stored or Session(
                user_key=msg.user_key, created_at=datetime.now(UTC).isoformat(timespec="seconds")
            )
            replies, erase = await self._dispatch(msg, session)
            if erase:
                await self.evidence.erase(msg.user_key)
                await self.store.delete(msg.user_key)
            elif stored is not None or not session.is_blank():  # keep nothing about a user who left no state
                await self.store.save(session)
            return replies

    async def _dispatch(self, msg: Incoming, session: Session) -> tuple[list[Reply], bool]:
        t = self.texts
        decision = decide(msg, session, self.max_text_chars)
        route = decision.route
        if route is Route.EMPTY:
            return [Reply(t.get("input.empty"))], False
        if route is Route.TOO_LONG:
            return [Reply(t.get("input.too_long", size=decision.argument, limit=self.max_text_chars))], False
        if route is Route.BINARY:
            return [Reply(t.get("input.binary"))], False
        if route is Route.EMOJI_ONLY:
            return [Reply(t.get("input.emoji_only"))], False
        if route is Route.COMMAND:
            if decision.command == "mydata":
                count = await self.evidence.count(msg.user_key)
                return [Reply(commands.mydata_text(session, t, count))], False
            out = commands.run(decision.command, session, t)
            return out.replies, out.erase
        if route is Route.BUTTON:
            btn = commands.button(decision.argument, session, t)
            if btn is not None:
                return btn.replies, btn.erase
            session.buttons = []
            return await self._question(decision.argument, session), False
        if route is Route.PENDING:
            session.flow = None
            session.buttons = []
            if decision.argument in ("确认", "确认删除", "是", "yes"):
                btn = commands.button(commands.FORGET_YES, Session(session.user_key, flow=commands.FORGET_FLOW), t)
                if btn is not None:
                    return btn.replies, btn.erase
        return await self._question(decision.argument, session), False

    async def _question(self, text: str, session: Session) -> list[Reply]:
        t = self.texts
        en = is_english(text)
        verdict = check(text)
        prefix: list[str] = []
        if Concern.DANGER in verdict.concerns:
            prefix.append(t.get("safety.danger_en" if en else "safety.danger"))
        if Concern.SELF_HARM in verdict.concerns:
            prefix.append(t.get("safety.self_harm_en" if en else "safety.self_harm"))
        blocking = verdict.blocking
        if blocking is not None:
            body = t.get(_DECLINE_KEYS[blocking])
            if Concern.INJECTION in verdict.concerns:
                body += "\n" + t.get("safety.injection")
            body += "\n\n" + t.get("common.legit_debt")
            return [Reply("\n\n".join([*prefix, body]))]
        session.questions += 1
        answer = await asyncio.to_thread(self.qa.ask, text)
        parts = [*prefix, answer.text]
        if Concern.INJECTION in verdict.concerns:
            parts.append(t.get("safety.injection"))
        return [Reply("\n\n".join(parts), citations=tuple(answer.citations))]
