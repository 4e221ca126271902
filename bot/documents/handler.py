"""Documents stage (④), chat handler: draft a document from what the person told us and their evidence log,
return it as text + DOCX + PDF, and let them fill or correct fields by replying "字段：内容"."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping

from bot.documents.facts import slots_from_evidence
from bot.documents.render import file_out, fill
from bot.documents.slots import validate_slot
from bot.documents.templates import Template
from bot.engine.messages import Button, Reply
from bot.engine.session import Session
from bot.evidence.stats import compute
from bot.flows.runner import DRAFT_PREFIX as DRAFT_FLOW_PREFIX  # the button payload and the open-draft state share it
from bot.knowledge import KnowledgeBase
from bot.storage.evidence_repo import EvidenceStore
from bot.texts import Texts

_FIELD = re.compile(r"^\s*([^：:\n]{1,12})\s*[：:]\s*(.+?)\s*$", re.M)


class DraftHandler:
    """Fills templates for the person; slot values live in the (encrypted) session and are never asked twice."""

    def __init__(
        self, templates: Mapping[str, Template], kb: KnowledgeBase, evidence: EvidenceStore, texts: Texts
    ) -> None:
        self.templates = templates
        self.kb = kb
        self.evidence = evidence
        self.texts = texts

    def titles(self) -> dict[str, str]:
        """Template name -> title, for menus and the guided journey."""
        return {name: t.title for name, t in self.templates.items()}

    def menu(self) -> Reply:
        """/draft without a name: the documents as buttons."""
        buttons = tuple(Button(t.title, DRAFT_FLOW_PREFIX + name) for name, t in self.templates.items())
        return Reply(self.texts.get("drafting.menu"), buttons=buttons)

    async def draft(self, user_key: str, session: Session, name: str) -> list[Reply]:
        """Render a document now, with 【待填写】 where something is still missing."""
        template = self.templates.get(name)
        if template is None:
            return [Reply(self.texts.get("drafting.unknown", name=name)), self.menu()]
        items = await self.evidence.items(user_key)
        slots = {**(slots_from_evidence(items, compute(items)) if items else {}), **session.slots}
        slots.pop("ocr_text", None)
        draft = fill(template, slots, self.kb)
        files = await asyncio.to_thread(lambda: tuple(file_out(draft, template.title, fmt) for fmt in ("docx", "pdf")))
        session.flow = DRAFT_FLOW_PREFIX + name
        lines = [draft.text.strip()]
        if draft.notices:
            lines.extend(draft.notices)
        if draft.missing:
            labels = "、".join(draft.missing)
            example = self._example(template)
            lines.append(self.texts.get("drafting.missing", labels=labels, example=example))
        else:
            lines.append(self.texts.get("drafting.complete"))
        return [Reply("\n\n".join(lines), files=files)]

    async def fields(self, user_key: str, session: Session, text: str) -> list[Reply] | None:
        """A reply of "字段：内容" lines while a draft is open: validate, store, re-render. None if it is not that."""
        name = (session.flow or "").removeprefix(DRAFT_FLOW_PREFIX)
        template = self.templates.get(name)
        pairs = _FIELD.findall(text)
        if template is None or not pairs:
            return None
        by_label = {s.label: s for s in template.slot_defs.values()} | {s.name: s for s in template.slot_defs.values()}
        problems: list[str] = []
        matched = False
        for label, value in pairs:
            slot = by_label.get(label.strip())
            if slot is None:
                continue
            matched = True
            cleaned, _problem = validate_slot(slot, value)
            if cleaned is None:
                problems.append(self.texts.get("drafting.invalid", label=slot.label, example=slot.example or ""))
                continue
            session.slots[slot.name] = cleaned
        if not matched:
            return None
        replies = await self.draft(user_key, session, name)
        if problems:
            replies.insert(0, Reply("\n".join(problems)))
        return replies

    def _example(self, template: Template) -> str:
        slot = next((s for s in template.slots if s.example), None)
        return f"{slot.label}：{slot.example}" if slot else "姓名：张某"
