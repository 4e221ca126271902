"""Flows, runner: render a step of a declared flow as a reply (progress, backing articles, buttons); pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.contract.messages import Button, Reply
from bot.contract.payloads import draft_payload, flow_payload
from bot.evidence.model import Stats
from bot.flows.base import NEXT, Flow, validate_texts
from bot.knowledge import KnowledgeBase
from bot.texts import BASE, Texts

Quote = Callable[[str, str], str]


class FlowRunner:
    """Renders the steps of a flow; pure (the evidence statistics are given)."""

    def __init__(self, flow: Flow, kb: KnowledgeBase, texts: Texts, quote: Quote, documents: Mapping[str, str]) -> None:
        self.flow = validate_texts(flow, texts)  # a step naming a missing text fails at startup
        self.kb = kb
        self.texts = texts
        self.quote = quote
        self.documents = documents  # template name -> title, for templates that exist; steps offer only these

    def render(self, step_id: str, stats: Stats | None, prefix: str = "", lang: str = BASE) -> Reply:
        """A step as text with progress, articles and buttons, in lang (the articles are quoted in Chinese)."""
        t = self.texts
        step = self.flow.step(step_id) or self.flow.first
        step_id = step.id
        n, total = self.flow.position(step_id)
        title = t.get(step.text_key + "_title", lang)
        lines = [t.get("flows.progress", lang, n=n, total=total, title=title)]
        if prefix:
            lines.insert(0, prefix)
        lines.append(t.get(step.text_key, lang))
        if step.uses_evidence:
            lines.append(self._stats_line(stats, lang))
        refs = [r for r in (self.kb.get(a) for a in step.articles) if r is not None]
        if refs:
            lines.append(t.get("flows.articles_head", lang))
            for ref in refs:
                label = f"《{ref.instrument.short}》{ref.article.label}"
                quote = self.quote(ref.article.text, t.get(step.text_key))  # the Chinese step picks the sentence
                lines.append(t.get("flows.article_item", lang, label=label, quote=quote))
        return Reply("\n".join(lines), buttons=self.buttons(step_id, lang))

    def buttons(self, step_id: str, lang: str = BASE) -> tuple[Button, ...]:
        """Allowed events as buttons, the way forward first (so typing 1 keeps moving), then the step's document when
        it exists (its title in Chinese, as the document is); each stamped with the step it is shown on."""
        t = self.texts
        step = self.flow.step(step_id)
        events = self.flow.allowed(step_id)
        forward = [Button(t.get(f"flows.{e}", lang), flow_payload(e, step_id)) for e in events if e == NEXT]
        rest = [Button(t.get(f"flows.{e}", lang), flow_payload(e, step_id)) for e in events if e != NEXT]
        document = []
        if step and step.document and step.document in self.documents:
            title = t.get("flows.draft", lang, title=self.documents_title(step.document))
            document.append(Button(title, draft_payload(step.document, step_id)))
        return (*forward, *document, *rest)

    def documents_title(self, name: str) -> str:
        """Display title of a document offered by a step."""
        return self.documents.get(name, name)

    def resume_hint(self, step_id: str | None, lang: str = BASE) -> str:
        """Reminder appended to an answer given in the middle of the flow."""
        step = self.flow.step(step_id) or self.flow.first
        n, _ = self.flow.position(step.id)
        return self.texts.get("flows.resume_hint", lang, n=n)

    def _stats_line(self, stats: Stats | None, lang: str = BASE) -> str:
        t = self.texts
        if stats is None or stats.total == 0:
            return t.get("flows.evidence_none", lang)
        episodes = t.get("flows.evidence_episodes", lang, n=len(stats.episodes)) if stats.episodes else ""
        return t.get(
            "flows.evidence_stats",
            lang,
            total=stats.total,
            codes=stats.by_label.get("verification_code", 0),
            threats=stats.by_label.get("collection_threat", 0),
            night=t.get("flows.evidence_night", lang, night=round(stats.night_share * 100)) if stats.timed else "",
            episodes=episodes,
        )
