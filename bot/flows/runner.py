"""Flows, runner: render a step as a reply (progress, backing articles, buttons) and apply navigation events."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.engine.messages import Button, Reply
from bot.engine.session import Session
from bot.evidence.model import Stats
from bot.flows.base import END, PAUSE, Flow
from bot.knowledge import KnowledgeBase
from bot.texts import Texts

FLOW_PREFIX = "flow:"
DRAFT_PREFIX = "draft:"
Quote = Callable[[str, str], str]


@dataclass(frozen=True)
class StepView:
    """What the chat shows for a step."""

    reply: Reply
    finished: bool = False


class FlowRunner:
    """Renders steps and moves a session through a flow; pure apart from reading the evidence stats it is given."""

    def __init__(self, flow: Flow, kb: KnowledgeBase, texts: Texts, quote: Quote, documents: Mapping[str, str]) -> None:
        self.flow = flow
        self.kb = kb
        self.texts = texts
        self.quote = quote
        self.documents = documents  # template name -> title, for templates that exist; steps offer only these

    def start(self, session: Session) -> str:
        """Enter the flow, resuming at the saved step when there is one; returns the step id."""
        step = self.flow.step(session.step)
        session.flow = self.flow.id
        session.step = step.id if step else self.flow.first.id
        return session.step

    def render(self, step_id: str, stats: Stats | None, prefix: str = "") -> Reply:
        """A step as text with progress, articles and buttons."""
        t = self.texts
        step = self.flow.step(step_id) or self.flow.first
        step_id = step.id
        n, total = self.flow.position(step_id)
        lines = [t.get("flows.progress", n=n, total=total, title=t.get(step.text_key + "_title"))]
        if prefix:
            lines.insert(0, prefix)
        lines.append(t.get(step.text_key))
        if step.uses_evidence:
            lines.append(self._stats_line(stats))
        refs = [r for r in (self.kb.get(a) for a in step.articles) if r is not None]
        if refs:
            lines.append(t.get("flows.articles_head"))
            for ref in refs:
                label = f"《{ref.instrument.short}》{ref.article.label}"
                lines.append(
                    t.get("flows.article_item", label=label, quote=self.quote(ref.article.text, t.get(step.text_key)))
                )
        return Reply("\n".join(lines), buttons=self.buttons(step_id))

    def buttons(self, step_id: str) -> tuple[Button, ...]:
        """Allowed events as buttons, plus the step's document when it exists."""
        t = self.texts
        out = []
        step = self.flow.step(step_id)
        if step and step.document and step.document in self.documents:
            out.append(
                Button(t.get("flows.draft", title=self.documents_title(step.document)), DRAFT_PREFIX + step.document)
            )
        out.extend(Button(t.get(f"flows.{e}"), FLOW_PREFIX + e) for e in self.flow.allowed(step_id))
        return tuple(out)

    def documents_title(self, name: str) -> str:
        """Display title of a document offered by a step."""
        return self.documents.get(name, name)

    def event(self, session: Session, event: str, stats: Stats | None) -> StepView:
        """Apply next/back/skip/pause to the session and show the result."""
        t = self.texts
        current = session.step or self.flow.first.id
        target = self.flow.transition(current, event)
        if target is None:
            return StepView(self.render(current, stats))
        if event == PAUSE:
            session.flow = None
            n, _ = self.flow.position(current)
            return StepView(Reply(t.get("flows.paused", n=n)))
        if target == END:
            session.flow = None
            session.step = None
            return StepView(Reply(t.get("flows.finished")), finished=True)
        session.flow = self.flow.id
        session.step = target
        return StepView(self.render(target, stats))

    def resume_hint(self, session: Session) -> str:
        """Reminder appended to an answer given in the middle of the flow."""
        n, _ = self.flow.position(session.step or self.flow.first.id)
        return self.texts.get("flows.resume_hint", n=n)

    def _stats_line(self, stats: Stats | None) -> str:
        t = self.texts
        if stats is None or stats.total == 0:
            return t.get("flows.evidence_none")
        episodes = t.get("flows.evidence_episodes", n=len(stats.episodes)) if stats.episodes else ""
        return t.get(
            "flows.evidence_stats",
            total=stats.total,
            codes=stats.by_label.get("verification_code", 0),
            threats=stats.by_label.get("collection_threat", 0),
            night=round(stats.night_share * 100),
            episodes=episodes,
        )
