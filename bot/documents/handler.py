"""Documents stage (④), chat handler: draft a document from what the person told us and their evidence log,
return it as text + DOCX + PDF, and let them fill or correct fields by replying "字段：内容"."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import replace

from bot.contract.messages import Button, Reply
from bot.contract.outcome import KEEP, Kind, Outcome, Owns, Turn
from bot.contract.session import Pending, Session
from bot.documents.facts import slots_from_evidence
from bot.documents.render import file_out, fill
from bot.documents.slots import validate_slot
from bot.documents.templates import Template
from bot.evidence.stats import compute
from bot.knowledge import KnowledgeBase
from bot.storage.evidence_repo import EvidenceStore
from bot.texts import Texts

DRAFT_PREFIX = "draft:"  # button payloads: draft:<template name>
DRAFT_FLOW = "draft"  # the pending flow while a document is open; its state is the template name
_ASKED = "#"  # pending state "template#slot": the item asked for last
_STOP = re.compile(r"^(先|我)?(不写了|不弄了|先不写|算了|不用写了|不做了|stop)")
_GO_ON = re.compile(r"^(好的?|嗯|行|ok)?[，,\s]*(继续|接着)(写|来|吧)*[。！!]?$", re.IGNORECASE)
_UNKNOWN = re.compile(r"找不到|不知道|不记得|忘了|没有|不清楚|记不清")
_NUMERIC = ("phone", "id_number", "amount", "date")
_QUESTION = re.compile(r"[?？]|吗|什么|怎么|为什么|能不能|可不可以|是不是|有没有")
_FIELD = re.compile(r"^\s*([^：:\n]{1,12})\s*[：:]\s*(.+?)\s*$", re.M)


class DraftHandler:
    """Fills templates for the person; slot values live in the (encrypted) session and are never asked twice."""

    owns = Owns(
        commands=frozenset({"draft"}),
        prefixes=(DRAFT_PREFIX,),
        flows=frozenset({DRAFT_FLOW}),
        intents=frozenset({"draft.request"}),
    )

    def __init__(
        self, templates: Mapping[str, Template], kb: KnowledgeBase, evidence: EvidenceStore, texts: Texts
    ) -> None:
        self.templates = templates
        self.kb = kb
        self.evidence = evidence
        self.texts = texts

    async def handle(self, turn: Turn) -> Outcome | None:
        """/draft [name], a document button, or "字段：内容" lines while a document is open."""
        session = turn.session
        if turn.kind is Kind.COMMAND:
            if not turn.text:
                return Outcome((self.menu(),), pending=KEEP)
            return await self.draft(session, self.find(turn.text) or turn.text)
        if turn.kind is Kind.BUTTON:
            pressed = turn.name.removeprefix(DRAFT_PREFIX)
            if pressed in self.templates:
                return await self.draft(session, pressed)
            return Outcome((self.menu(),), pending=KEEP)
        if turn.intent == "draft.request":
            named = turn.document if turn.document in self.templates else self.find(turn.text)
            return await self.draft(session, named) if named else Outcome((self.menu(),), pending=KEEP)
        filled = await self.fields(session, turn.text, dict(turn.details))
        if filled is not None or turn.ask is None:
            return filled
        answered = await turn.ask(turn.text, session)
        return replace(answered, pending=KEEP)

    def find(self, words: str) -> str | None:
        """The template a person named by its name or title (exactly, or as the only title containing the words)."""
        words = words.strip()
        if words in self.templates:
            return words
        hits = [n for n, t in self.templates.items() if words == t.title or (len(words) >= 2 and words in t.title)]
        return hits[0] if len(hits) == 1 else None

    def titles(self) -> dict[str, str]:
        """Template name -> title, for menus and the guided journey."""
        return {name: t.title for name, t in self.templates.items()}

    def menu(self) -> Reply:
        """/draft without a name: the documents as buttons."""
        buttons = tuple(Button(t.title, DRAFT_PREFIX + name) for name, t in self.templates.items())
        return Reply(self.texts.get("drafting.menu"), buttons=buttons)

    async def draft(self, session: Session, name: str, notes: tuple[Reply, ...] = (), skip: str = "") -> Outcome:
        """Render a document now, with 【待填写】 where something is still missing; the draft stays open for edits."""
        template = self.templates.get(name)
        if template is None:
            return Outcome((Reply(self.texts.get("drafting.unknown", name=name)), self.menu()), pending=KEEP)
        items = await self.evidence.items(session.user_key)
        slots = {**(slots_from_evidence(items, compute(items), self.texts) if items else {}), **session.slots}
        draft = fill(template, slots, self.kb, self.texts)
        files = await asyncio.to_thread(
            lambda: tuple(file_out(draft, template.title, fmt, self.texts) for fmt in ("docx", "pdf"))
        )
        lines = [draft.text.strip()]
        if draft.notices:
            lines.extend(draft.notices)
        state = name
        if draft.missing:
            labels = "、".join(draft.missing)
            example = self._example(template)
            lines.append(self.texts.get("drafting.missing", labels=labels, example=example))
            missing = [slot for slot in template.slots if slot.label in draft.missing]
            after = [slot for i, slot in enumerate(missing) if skip in {m.name for m in missing[:i]}]
            rest = after or [slot for slot in missing if slot.name != skip]
            asked = rest[0] if rest else None
            if asked is not None:  # guided: one question at a time, answered in plain words
                lines.append(self.texts.get("drafting.ask_one", label=asked.label, example=asked.example or "……"))
                state = f"{name}{_ASKED}{asked.name}"
        else:
            lines.append(self.texts.get("drafting.complete"))
        return Outcome((*notes, Reply("\n\n".join(lines), files=files)), Pending(DRAFT_FLOW, state), session)

    async def fields(self, session: Session, text: str, details: dict[str, str] | None = None) -> Outcome | None:
        """A reply of "字段：内容" lines while a draft is open: validate, store, re-render. None if it is not that."""
        name, _, asked = (session.pending.state if session.pending else "").partition(_ASKED)
        template = self.templates.get(name)
        pairs = _FIELD.findall(text)
        if template is None:
            return None
        if not pairs:  # details read from a plain sentence: "我叫刘洋，电话158…，借款平台是快易花"
            pairs = [(slot, value) for slot, value in (details or {}).items() if slot in template.slot_defs]
        answer = text.strip()
        if not pairs and _STOP.match(answer):  # "不写了": the draft stays saved, the flow closes
            return Outcome((Reply(self.texts.get("drafting.stopped")),), None, session)
        if not pairs and asked in template.slot_defs and _GO_ON.match(answer):
            return await self.draft(session, name)  # "好，继续写吧": ask the same item again
        if not pairs and asked in template.slot_defs and _UNKNOWN.search(answer) and len(answer) <= 20:
            return await self.draft(session, name, skip=asked)  # "找不到了": leave it 【待填写】, ask the next one
        takes = asked in template.slot_defs and len(answer) <= 80 and not _QUESTION.search(answer)
        if not pairs and takes and not (answer.isdigit() and template.slot_defs[asked].kind not in _NUMERIC):
            pairs = [(asked, answer)]  # the plain answer to the one item we asked for
        if not pairs:
            return None
        by_label = {s.label: s for s in template.slot_defs.values()} | {s.name: s for s in template.slot_defs.values()}
        problems: list[str] = []
        slots = dict(session.slots)
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
            slots[slot.name] = cleaned
        if not matched:
            return None
        notes = (Reply("\n".join(problems)),) if problems else ()
        return await self.draft(replace(session, slots=slots), name, notes)

    def _example(self, template: Template) -> str:
        slot = next((s for s in template.slots if s.example), None)
        if slot is None:
            return self.texts.get("drafting.example_fallback")
        return self.texts.get("drafting.example_line", label=slot.label, example=slot.example)
