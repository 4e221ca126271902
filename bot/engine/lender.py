"""Engine, lender kind: asks once, where it matters, what kind of lender the loan is from, and keeps the answer."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.contract.messages import Button, Reply
from bot.contract.outcome import KEEP, Outcome, Owns, Turn
from bot.contract.payloads import LENDER_PREFIX
from bot.contract.session import Session
from bot.texts import Texts, language_of
from bot.understand.lender import ASKED, KINDS, SLOT, either_or, said_kind

UNKNOWN = "unknown"
MATTERS = frozenset({"channels", "regulator_by_lender"})  # answers whose advice depends on whom the lender answers to
# A question about where to complain: the either-or regulator advice in its answer is worth making one.
_WHERE = re.compile(
    r"投诉|举报|找谁|找哪|哪个部门|什么部门|哪里告|去哪告|监管|12378|complain|report|regulator", re.IGNORECASE
)


class LenderHandler:
    """A pressed lender-kind choice: kept in the session, and the regulator to go to said at once."""

    owns = Owns(prefixes=(LENDER_PREFIX,))

    def __init__(self, texts: Texts) -> None:
        self.texts = texts

    async def handle(self, turn: Turn) -> Outcome | None:
        """Keep the kind (the engine routes every later answer by it) and say where to complain."""
        kind = turn.name.removeprefix(LENDER_PREFIX)
        if kind not in (*KINDS, UNKNOWN):
            return None
        t = self.texts
        memory = turn.session.memory
        lang = language_of(memory[-1].text) if memory and memory[-1].text else turn.lang  # a press has no words
        if kind == UNKNOWN:
            return Outcome((Reply(t.get("lender.unknown", lang)),), pending=KEEP, intent="lender")
        session = replace(turn.session, slots={**turn.session.slots, SLOT: kind})
        text = t.get("lender.noted", lang, route=t.get(f"lender.route.{kind}", lang))
        return Outcome((Reply(text),), session=session, intent="lender")


def ask_once(outcome: Outcome, session: Session, texts: Texts, text: str, lang: str) -> Outcome:
    """After an answer on where to complain, the question "what kind of lender is it?" with choices, once per person
    (the kind decides between 12378, the local financial regulator and the police)."""
    base = outcome.session or session
    if base.slots.get(SLOT) or outcome.intent != "question" or said_kind(text):  # known, asked, or just said
        return outcome
    where = outcome.topic in MATTERS or (_WHERE.search(text) and any(either_or(r.text) for r in outcome.replies))
    if not where:
        return outcome
    buttons = tuple(
        Button(texts.get(f"lender.choice.{kind}", lang), LENDER_PREFIX + kind) for kind in (*KINDS, UNKNOWN)
    )
    question = Reply(texts.get("lender.ask", lang), buttons=buttons)
    after = replace(base, slots={**base.slots, SLOT: ASKED})
    return replace(outcome, replies=(*outcome.replies, question), session=after)
