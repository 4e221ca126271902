"""Engine, questions: a question in the person's own words -> safety first, then a cited answer from legal_qa."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.engine.messages import Reply
from bot.engine.outcome import Kind, Outcome, Owns, Turn
from bot.engine.safety import Concern, check
from bot.engine.session import Session
from bot.legal_qa.answer import is_english
from bot.legal_qa.service import LegalQA
from bot.texts import Texts

_DECLINE_KEYS = {
    Concern.COUNTER_ATTACK: "safety.counter_attack",
    Concern.DOXXING: "safety.doxxing",
    Concern.FORGERY: "safety.forgery",
    Concern.EVADE: "safety.evade",
}


class QuestionHandler:
    """Answers questions: danger and self-harm notes first, unlawful requests declined, else retrieval + citations."""

    owns = Owns(kinds=frozenset({Kind.QUESTION}))

    def __init__(self, qa: LegalQA, texts: Texts) -> None:
        self.qa = qa
        self.texts = texts

    async def handle(self, turn: Turn) -> Outcome:
        """Answer the turn's text."""
        return await self.ask(turn.text, turn.session)

    async def ask(self, text: str, session: Session) -> Outcome:
        """Answer a text for a session (flows call this for text that is not theirs)."""
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
            return Outcome((Reply("\n\n".join([*prefix, body])),))
        answer = await asyncio.to_thread(self.qa.ask, text)
        parts = [*prefix, answer.text]
        if Concern.INJECTION in verdict.concerns:
            parts.append(t.get("safety.injection"))
        reply = Reply("\n\n".join(parts), citations=tuple(answer.citations))
        return Outcome((reply,), session=replace(session, questions=session.questions + 1))
