"""Documents stage, fill: a template and slot values -> a Draft (plain text and layout blocks), values inserted literally."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from bot.clock import CHINA
from bot.documents.slots import SPECIAL_PLACEHOLDERS, Slot, clean_value, mask_id, split_list, validate_slot
from bot.documents.templates import PLACEHOLDER, BodyLine, Template
from bot.knowledge import KnowledgeBase, chinese_numeral
from bot.texts import Texts, nest_quotes

QUOTE_LINE_CHARS = 160  # a quoted statute line longer than this is cut after its last full sentence within the limit
QUOTE_ARTICLE_CHARS = 300  # an article quoted without a line selection is cut to its first line beyond this
VALUE_ECHO_CHARS = 30  # how much of an invalid value an error message repeats
BlockKind = Literal["para", "flush", "right", "heading", "gap", "quote", "note_heading", "note"]


def t(texts: Texts, key: str, /, **values: object) -> str:
    """One text of the documents.* keys."""
    return texts.get(f"documents.{key}", **values)


@dataclass(frozen=True)
class Block:
    """One paragraph of a filled document with its layout role."""

    kind: BlockKind
    text: str


@dataclass(frozen=True)
class Draft:
    """A filled document: plain text (title first), what is still missing, notices about the input, and the blocks."""

    text: str
    missing: list[str]
    notices: list[str]
    title: str = ""
    name: str = ""
    blocks: tuple[Block, ...] = field(default=())


def cn_index(n: int) -> str:
    """（一）… （十）, （十一）… for the numbered items of a letter."""
    return f"（{chinese_numeral(n)}）"


def _trim_sentence(text: str, limit: int, texts: Texts) -> str:
    """A statute line cut after its last 。 or ； within limit, marked with ……; short lines unchanged."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind("。", 0, limit), text.rfind("；", 0, limit))
    return (text[: cut + 1] if cut > 0 else text[:limit]) + t(texts, "quote_gap")


def citation_texts(template: Template, kb: KnowledgeBase, texts: Texts) -> list[str]:
    """The {{citations}} block: 《法名》第X条：“exact text” per cited article (selected lines, gaps shown as ……)."""
    out: list[str] = []
    gap = t(texts, "quote_gap")
    for spec in template.citations:
        ref = kb.get(spec.id)
        if ref is None:  # load_templates rejects this; a kb swapped underneath is skipped rather than invented
            continue
        lines = ref.article.text.splitlines()
        chosen = sorted(set(spec.lines)) if spec.lines else list(range(1, len(lines) + 1))
        if not spec.lines and len(ref.article.text) > QUOTE_ARTICLE_CHARS:
            chosen = [1]
        pieces: list[str] = []
        if chosen[0] > 1:
            pieces.append(gap)
        previous = 0
        for n in chosen:
            if previous and n != previous + 1:
                pieces.append(gap)
            pieces.append(_trim_sentence(lines[n - 1], QUOTE_LINE_CHARS, texts))
            previous = n
        if chosen[-1] < len(lines) and not pieces[-1].endswith(gap):
            pieces.append(gap)
        out.append(
            t(texts, "citation", law=ref.instrument.title, label=ref.article.label, text=nest_quotes("".join(pieces)))
        )
    return out


def _accept(
    template: Template, slots: Mapping[str, str], today: date, texts: Texts
) -> tuple[dict[str, str], list[str]]:
    """Validated, normalised values of the template's slots, and the notices (trimmed, rejected) about them."""
    values: dict[str, str] = {}
    notices: list[str] = []
    for name, raw in slots.items():
        slot = template.slot_defs.get(name)
        if slot is None or raw is None:
            continue  # a shared slot set fills many templates; values this one does not use are simply not used
        value, key = validate_slot(slot, str(raw), today)
        if value is None:
            if key and key != "documents.error.empty":
                shown = clean_value(str(raw))[:VALUE_ECHO_CHARS]
                reason = texts.get(key, label=slot.label, example=slot.example, value=shown)
                notices.append(t(texts, "notice.invalid", label=slot.label, reason=reason))
            continue
        if key == "documents.notice.trimmed":
            notices.append(
                t(texts, "notice.trimmed", label=slot.label, limit=slot.max_length, length=len(clean_value(raw)))
            )
        if slot.kind == "id_number" and name not in template.reveal:
            value = mask_id(value)
        values[name] = value
    return values, notices


def fill(
    template: Template, slots: Mapping[str, str], kb: KnowledgeBase, texts: Texts, today: date | None = None
) -> Draft:
    """Fill a template: every {{slot}} replaced in a single regex pass with its value inserted literally (a value that
    contains {{x}} or {% %} stays text; control characters are removed); a missing required slot becomes
    【待填写：<label>】 and is listed; a "? " line whose slot is missing is left out; values are validated and
    normalised (phones, dates, amounts; ID numbers masked unless the template reveals them) with notices."""
    today = today or datetime.now(CHINA).date()
    values, notices = _accept(template, slots, today, texts)
    missing: list[str] = []
    today_text = t(texts, "today", year=today.year, month=today.month, day=today.day)

    def value_of(name: str, inline: bool) -> str:
        if name == "today":
            return today_text
        if name in values:
            slot = template.slot_defs[name]
            if slot.kind == "list" and inline:
                return t(texts, "list_sep").join(split_list(slot, values[name]))
            return values[name]
        label = template.slot_defs[name].label if name in template.slot_defs else name
        if label not in missing:
            missing.append(label)
        return t(texts, "missing_mark", label=label)

    blocks: list[Block] = []
    missing_at: int | None = None
    counter = 0
    skipped = False  # the optional line just before was left out: its "?: " line stands in for it
    previous: BodyLine | None = None  # that optional line
    for line in template.body:
        if line.otherwise and not skipped:
            continue
        own = [n for n in line.slots if n not in SPECIAL_PLACEHOLDERS]
        if line.otherwise and previous is not None and own and all(n not in values for n in own):
            line, skipped = previous, False  # neither is known: the line it stands in for, with its 【待填写】
        else:
            skipped = line.optional and any(n not in values for n in own)
        previous = line if line.optional else None
        if skipped:
            continue
        if line.kind not in ("numbered", "cn_numbered"):
            counter = 0
        if line.kind == "gap":
            blocks.append(Block("gap", ""))
        elif line.kind == "citations":
            blocks.extend(Block("quote", text) for text in citation_texts(template, kb, texts))
        elif line.kind == "missing":
            missing_at = len(blocks)
        else:
            counter = _render_line(line, values, template.slot_defs, value_of, blocks, counter, texts)
    tail = _missing_blocks(missing, texts)
    if missing_at is None:
        blocks.extend([Block("gap", ""), *tail] if tail else [])
    else:
        blocks[missing_at:missing_at] = tail
    text = "\n".join([template.title, "", *_text_lines(blocks)]).rstrip() + "\n"
    return Draft(text, missing, notices, template.title, template.name, tuple(blocks))


def _render_line(
    line: BodyLine,
    values: Mapping[str, str],
    slot_defs: Mapping[str, Slot],
    value_of: Callable[[str, bool], str],
    blocks: list[Block],
    counter: int,
    texts: Texts,
) -> int:
    """Append the blocks of one body line; returns the running item number of numbered lines."""
    whole = PLACEHOLDER.fullmatch(line.text.strip())
    name = whole.group(1) if whole else None
    if name and name in values and slot_defs[name].kind == "list" and line.kind in ("para", "flush"):
        for n, item in enumerate(split_list(slot_defs[name], values[name]), 1):
            blocks.append(Block(line.kind, t(texts, "numbered", n=n, text=item)))
        return counter
    filled = PLACEHOLDER.sub(lambda m: value_of(m.group(1), True), line.text)  # one pass: values are never rescanned
    parts = [p.strip() for p in filled.split("\n") if p.strip()] or [filled.strip()]
    for part in parts:
        if line.kind == "numbered":
            counter += 1
            blocks.append(Block("para", t(texts, "numbered", n=counter, text=part)))
        elif line.kind == "cn_numbered":
            counter += 1
            blocks.append(Block("para", cn_index(counter) + part))
        else:
            kind: BlockKind = line.kind if line.kind in ("para", "flush", "right", "heading") else "para"
            blocks.append(Block(kind, part))
    return counter


def _missing_blocks(missing: list[str], texts: Texts) -> list[Block]:
    if not missing:
        return []
    return [
        Block("note_heading", t(texts, "missing_heading")),
        *(Block("note", t(texts, "missing_item", n=n, label=label)) for n, label in enumerate(missing, 1)),
    ]


def _text_lines(blocks: tuple[Block, ...] | list[Block]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        if block.kind == "gap":
            if lines and lines[-1]:
                lines.append("")
            continue
        if block.kind in ("heading", "note_heading") and lines and lines[-1]:
            lines.append("")
        lines.append(block.text)
    return lines
