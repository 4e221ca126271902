"""Flows, journey handler: /steps and the step buttons move the person through the seven steps; text typed on the
way is answered, then the journey waits where it was."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.contract.messages import Reply
from bot.contract.outcome import KEEP, Kind, Outcome, Owns, Turn
from bot.contract.payloads import FLOW_PREFIX, parse_flow
from bot.contract.session import Pending, Session
from bot.evidence.model import Stats
from bot.evidence.stats import compute
from bot.flows.base import BACK, END, NEXT, PAUSE, SKIP
from bot.flows.runner import FlowRunner
from bot.storage.evidence_repo import EvidenceStore

_CONTINUE = ("继续", "继续步骤", "continue")
_EVENTS = {"journey.next": NEXT, "journey.back": BACK, "journey.skip": SKIP, "journey.pause": PAUSE}


class JourneyHandler:
    """The seven-step journey as a declared flow: its position lives in the session, so it survives restarts."""

    def __init__(self, runner: FlowRunner, evidence: EvidenceStore) -> None:
        self.runner = runner
        self.evidence = evidence
        self.owns = Owns(
            commands=frozenset({"steps"}),
            prefixes=(FLOW_PREFIX,),
            flows=frozenset({runner.flow.id}),
            intents=frozenset(
                {
                    "journey.start",
                    "journey.next",
                    "journey.back",
                    "journey.skip",
                    "journey.pause",
                    "journey.continue",
                    "journey.step",
                }
            ),
        )

    async def handle(self, turn: Turn) -> Outcome | None:
        """Start or resume (/steps), apply a step button, or answer text typed during the journey; every text in the
        turn's language (a press or a command has that of the person's last words)."""
        flow = self.runner.flow
        session = turn.session
        lang = turn.lang
        t = self.runner.texts
        step = flow.step(session.journey_step)
        current = step.id if step else flow.first.id
        in_journey = session.flow == flow.id
        navigation = turn.intent in ("journey.next", "journey.back", "journey.skip", "journey.continue")
        # Away from the journey, "继续" shows where it stands; "下一步" after a side trip moves on from there.
        resume = not in_journey and navigation and (turn.intent == "journey.continue" or not session.journey_step)
        if turn.kind is Kind.COMMAND or turn.intent == "journey.start" or resume:
            prefix = t.get("flows.resumed", lang) if session.journey_step else ""
            return self._show(session, current, await self._stats(session.user_key), lang, prefix)
        if turn.intent == "journey.pause" and not in_journey:  # "我不想弄了 明天再说": nothing lost, come back any time
            return Outcome((Reply(t.get("flows.later", lang)),), KEEP, intent="journey.pause")
        if turn.kind is Kind.BUTTON:
            event, shown_on = parse_flow(turn.name)
            if shown_on is not None and shown_on != current and event != "show":  # a button on an older message
                stale = t.get("flows.expired", lang)
                return self._show(session, current, await self._stats(session.user_key), lang, stale)
            return await self._event(session, current, event, lang)
        if turn.intent == "journey.step" and turn.step is not None and 1 <= turn.step <= len(flow.steps):
            return self._show(session, flow.steps[turn.step - 1].id, await self._stats(session.user_key), lang)
        if turn.intent in _EVENTS:
            return await self._event(session, current, _EVENTS[turn.intent], lang)
        if turn.intent == "journey.continue" or turn.text.strip().lower() in _CONTINUE:
            return self._show(session, current, await self._stats(session.user_key), lang)
        if turn.ask is None:
            return None
        answered = await turn.ask(turn.text, session)
        hint = self.runner.resume_hint(current, lang)
        if answered.intent == "clarify" or not answered.replies:  # "ok", "嗯": where they are, not a new menu
            buttons = self.runner.buttons(current, lang)
            return Outcome((Reply(hint, buttons=buttons),), Pending(flow.id), answered.session)
        *before, last = answered.replies
        last = Reply(
            f"{last.text}\n\n{hint}",
            buttons=self.runner.buttons(current, lang),
            files=last.files,
            citations=last.citations,
        )
        return Outcome((*before, last), Pending(flow.id), answered.session)

    async def _event(self, session: Session, current: str, event: str, lang: str) -> Outcome:
        flow = self.runner.flow
        t = self.runner.texts
        target = flow.transition(current, event)
        stats = await self._stats(session.user_key)
        if target is None:
            return self._show(session, current, stats, lang)
        if event == PAUSE:
            n, _ = flow.position(current)
            return Outcome((Reply(t.get("flows.paused", lang, n=n)),), None, replace(session, journey_step=current))
        if target == END:
            return Outcome((Reply(t.get("flows.finished", lang)),), None, replace(session, journey_step=None))
        return self._show(session, target, stats, lang)

    def _show(self, session: Session, step: str, stats: Stats | None, lang: str, prefix: str = "") -> Outcome:
        reply = self.runner.render(step, stats, prefix, lang)
        return Outcome((reply,), Pending(self.runner.flow.id), replace(session, journey_step=step))

    async def _stats(self, user_key: str) -> Stats | None:
        items = await self.evidence.items(user_key)
        return await asyncio.to_thread(compute, items) if items else None  # CPU work off the event loop
