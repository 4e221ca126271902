"""Engine: Engine.handle(incoming) -> replies; per-user lock, load session, route, run, save."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from bot.documents.handler import DraftHandler
from bot.engine import commands
from bot.engine.messages import Incoming, Reply
from bot.engine.router import Route, decide
from bot.engine.safety import Concern, check
from bot.engine.session import Session, SessionStore
from bot.evidence.model import Stats
from bot.evidence.stats import compute
from bot.flows.runner import DRAFT_PREFIX, FLOW_PREFIX, FlowRunner
from bot.legal_qa.answer import is_english
from bot.legal_qa.service import LegalQA
from bot.sms import handler as sms
from bot.sms.handler import SmsHandler
from bot.storage.evidence_repo import EvidenceStore
from bot.texts import Texts


class Eraser(Protocol):
    """Anything else holding a user's data: /mydata counts it, /forget erases it (held replies, download files)."""

    name: str  # how /mydata labels it

    async def count(self, user_key: str) -> int:
        """How many items are held for the user."""
        ...

    async def erase(self, user_key: str) -> int:
        """Erase the user's data; returns how many items went."""
        ...


_DECLINE_KEYS = {
    Concern.COUNTER_ATTACK: "safety.counter_attack",
    Concern.DOXXING: "safety.doxxing",
    Concern.FORGERY: "safety.forgery",
    Concern.EVADE: "safety.evade",
}


class Engine:
    """The channel-agnostic core: every channel calls handle() and sends what it returns."""

    def __init__(
        self,
        store: SessionStore,
        evidence: EvidenceStore,
        qa: LegalQA,
        sms_handler: SmsHandler,
        journey: FlowRunner,
        drafts: DraftHandler,
        texts: Texts,
        max_text_chars: int = 4000,
        max_file_bytes: int = 10 * 1024 * 1024,
        max_paste_chars: int = 200_000,
        erasers: Sequence[Eraser] = (),
    ) -> None:
        self.store = store
        self.evidence = evidence
        self.qa = qa
        self.sms = sms_handler
        self.journey = journey
        self.drafts = drafts
        self.texts = texts
        self.max_text_chars = max_text_chars
        self.max_file_bytes = max_file_bytes
        self.max_paste_chars = max_paste_chars
        self.erasers = tuple(erasers)
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
                for eraser in self.erasers:
                    await eraser.erase(msg.user_key)
                await self.store.delete(msg.user_key)
            elif stored is not None or not session.is_blank():  # keep nothing about a user who left no state
                await self.store.save(session)
            return replies

    async def _dispatch(self, msg: Incoming, session: Session) -> tuple[list[Reply], bool]:
        decision = decide(msg, session, self.max_text_chars, self.max_paste_chars)
        t = self.texts
        route = decision.route
        if route is Route.EMPTY:
            return [Reply(t.get("input.empty"))], False
        if route is Route.TOO_LONG:
            limit = self.max_paste_chars if decision.command == "paste" else self.max_text_chars
            return [Reply(t.get("input.too_long", size=decision.argument, limit=limit))], False
        if route is Route.BINARY:
            return [Reply(t.get("input.binary"))], False
        if route is Route.EMOJI_ONLY:
            return [Reply(t.get("input.emoji_only"))], False
        if route is Route.ATTACHMENT:
            return await self.sms.attachment(msg.user_key, session, msg.attachments[0], self.max_file_bytes), False
        if route is Route.SMS:
            source = "forward" if msg.forwarded_at else "paste"
            return await self.sms.paste(msg.user_key, decision.argument, source, msg.forwarded_at), False
        if route is Route.COMMAND:
            return await self._command(msg, decision.command, decision.argument, session)
        if route is Route.BUTTON:
            return await self._button(msg, decision.argument, session)
        if route is Route.PENDING:
            flow = session.flow
            if flow == sms.OCR_FLOW:
                return await self.sms.confirm_ocr(msg.user_key, session, decision.argument), False
            if flow == self.journey.flow.id:
                return await self._in_journey(msg, decision.argument, session), False
            if flow and flow.startswith(DRAFT_PREFIX):
                filled = await self.drafts.fields(msg.user_key, session, decision.argument)
                if filled is not None:
                    return filled, False
                return await self._question(decision.argument, session), False
            session.flow = None
            session.buttons = []
            if flow == commands.FORGET_FLOW and decision.argument in ("确认", "确认删除", "是", "yes"):
                return [Reply(t.get("commands.forget_done"))], True
        return await self._question(decision.argument, session), False

    async def _command(self, msg: Incoming, command: str, argument: str, session: Session) -> tuple[list[Reply], bool]:
        t = self.texts
        if command == "mydata":
            count = await self.evidence.count(msg.user_key)
            extra = {e.name: await e.count(msg.user_key) for e in self.erasers}
            return [Reply(commands.mydata_text(session, t, count, extra))], False
        if command == "evidence":
            fmt = argument.lower().lstrip(".")
            if fmt:
                return await self.sms.export(msg.user_key, fmt), False
            return await self.sms.summary(msg.user_key), False
        if command == "steps":
            resumed = session.step is not None
            step = self.journey.start(session)
            stats = await self._stats(msg.user_key)
            prefix = t.get("flows.resumed") if resumed else ""
            reply = self.journey.render(step, stats, prefix)
            session.buttons = [[b.label, b.payload] for b in reply.buttons]
            return [reply], False
        if command == "draft":
            if argument:
                return await self.drafts.draft(msg.user_key, session, argument), False
            menu = self.drafts.menu()
            session.buttons = [[b.label, b.payload] for b in menu.buttons]
            return [menu], False
        if command == "sms":
            if not argument:
                return [Reply(t.get("sms.empty"))], False
            return await self.sms.paste(msg.user_key, argument, "paste", None), False
        if command == "cancel":
            session.slots.pop("ocr_text", None)
        out = commands.run(command, session, t)
        return out.replies, out.erase

    async def _button(self, msg: Incoming, payload: str, session: Session) -> tuple[list[Reply], bool]:
        btn = commands.button(payload, session, self.texts)
        if btn is not None:
            return btn.replies, btn.erase
        if payload == sms.OCR_YES and session.flow == sms.OCR_FLOW:
            return await self.sms.confirm_ocr(msg.user_key, session, None), False
        if payload == sms.OCR_NO:
            return self.sms.cancel_ocr(session), False
        session.buttons = []
        if payload.startswith(FLOW_PREFIX):
            view = self.journey.event(session, payload.removeprefix(FLOW_PREFIX), await self._stats(msg.user_key))
            session.buttons = [[b.label, b.payload] for b in view.reply.buttons]
            return [view.reply], False
        if payload.startswith(DRAFT_PREFIX):
            return await self.drafts.draft(msg.user_key, session, payload.removeprefix(DRAFT_PREFIX)), False
        if payload == sms.EVIDENCE_SUMMARY:
            return await self.sms.summary(msg.user_key), False
        if payload.startswith(sms.EXPORT_PREFIX):
            return await self.sms.export(msg.user_key, payload.removeprefix(sms.EXPORT_PREFIX)), False
        return await self._question(payload, session), False

    async def _stats(self, user_key: str) -> Stats | None:
        items = await self.evidence.items(user_key)
        return compute(items) if items else None

    async def _in_journey(self, msg: Incoming, text: str, session: Session) -> list[Reply]:
        """Text typed during the guided journey: 继续 shows the step again; anything else is answered, then the
        journey waits where it was."""
        step = session.step or self.journey.flow.first.id
        if text.strip() in ("继续", "继续步骤", "continue"):
            reply = self.journey.render(step, await self._stats(msg.user_key))
            session.buttons = [[b.label, b.payload] for b in reply.buttons]
            return [reply]
        answers = await self._question(text, session)
        session.flow = self.journey.flow.id
        buttons = self.journey.buttons(step)
        session.buttons = [[b.label, b.payload] for b in buttons]
        last = answers[-1]
        hint = self.journey.resume_hint(session)
        return [
            *answers[:-1],
            Reply(f"{last.text}\n\n{hint}", buttons=buttons, files=last.files, citations=last.citations),
        ]

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
