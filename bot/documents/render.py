"""Documents, render: fill a template with slot values (literally, in one regex pass) and produce text, DOCX and PDF."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bot.documents.templates import (
    PLACEHOLDER,
    SPECIAL_PLACEHOLDERS,
    BodyLine,
    Format,
    Slot,
    Template,
    clean_value,
    mask_id,
    split_list,
    validate_slot,
)
from bot.engine.messages import FileOut
from bot.legal_qa.knowledge import KnowledgeBase
from bot.texts import Texts

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.text.run import Run

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
QUOTE_LINE_CHARS = 160  # a quoted statute line longer than this is cut after its last full sentence within the limit
QUOTE_ARTICLE_CHARS = 300  # an article quoted without a line selection is cut to its first line beyond this
VALUE_ECHO_CHARS = 30  # how much of an invalid value an error message repeats
MIME: dict[str, str] = {
    "txt": "text/plain; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
BlockKind = Literal["para", "flush", "right", "heading", "gap", "quote", "note_heading", "note"]
_CN_NUMERALS = "一二三四五六七八九十"
_FILE_NAME_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


@functools.cache
def _texts() -> Texts:
    return Texts()


def _t(key: str, **values: object) -> str:
    return _texts().get(f"documents.{key}", **values)


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
    if n <= 10:
        word = _CN_NUMERALS[n - 1]
    elif n < 20:
        word = "十" + _CN_NUMERALS[n - 11]
    else:
        word = _CN_NUMERALS[n // 10 - 1] + "十" + (_CN_NUMERALS[n % 10 - 1] if n % 10 else "")
    return f"（{word}）"


def _trim_sentence(text: str, limit: int) -> str:
    """A statute line cut after its last 。 or ； within limit, marked with ……; short lines unchanged."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind("。", 0, limit), text.rfind("；", 0, limit))
    return (text[: cut + 1] if cut > 0 else text[:limit]) + _t("quote_gap")


def citation_texts(template: Template, kb: KnowledgeBase) -> list[str]:
    """The {{citations}} block: 《法名》第X条：“exact text” per cited article (selected lines, gaps shown as ……)."""
    out: list[str] = []
    gap = _t("quote_gap")
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
            pieces.append(_trim_sentence(lines[n - 1], QUOTE_LINE_CHARS))
            previous = n
        if chosen[-1] < len(lines) and not pieces[-1].endswith(gap):
            pieces.append(gap)
        out.append(_t("citation", law=ref.instrument.title, label=ref.article.label, text="".join(pieces)))
    return out


def _accept(template: Template, slots: Mapping[str, str], today: date) -> tuple[dict[str, str], list[str]]:
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
                reason = _texts().get(key, label=slot.label, example=slot.example, value=shown)
                notices.append(_t("notice.invalid", label=slot.label, reason=reason))
            continue
        if key == "documents.notice.trimmed":
            notices.append(_t("notice.trimmed", label=slot.label, limit=slot.max_length, length=len(clean_value(raw))))
        if slot.kind == "id_number" and name not in template.reveal:
            value = mask_id(value)
        values[name] = value
    return values, notices


def fill(template: Template, slots: Mapping[str, str], kb: KnowledgeBase, today: date | None = None) -> Draft:
    """Fill a template: every {{slot}} replaced in a single regex pass with its value inserted literally (a value that
    contains {{x}} or {% %} stays text; control characters are removed); a missing required slot becomes
    【待填写：<label>】 and is listed; a "? " line whose slot is missing is left out; values are validated and
    normalised (phones, dates, amounts; ID numbers masked unless the template reveals them) with notices."""
    today = today or datetime.now(CHINA).date()
    values, notices = _accept(template, slots, today)
    missing: list[str] = []
    today_text = _t("today", year=today.year, month=today.month, day=today.day)

    def value_of(name: str, inline: bool) -> str:
        if name == "today":
            return today_text
        if name in values:
            slot = template.slot_defs[name]
            if slot.kind == "list" and inline:
                return _t("list_sep").join(split_list(slot, values[name]))
            return values[name]
        label = template.slot_defs[name].label if name in template.slot_defs else name
        if label not in missing:
            missing.append(label)
        return _t("missing_mark", label=label)

    blocks: list[Block] = []
    missing_at: int | None = None
    counter = 0
    for line in template.body:
        if line.optional and any(n not in values for n in line.slots if n not in SPECIAL_PLACEHOLDERS):
            continue
        if line.kind not in ("numbered", "cn_numbered"):
            counter = 0
        if line.kind == "gap":
            blocks.append(Block("gap", ""))
        elif line.kind == "citations":
            blocks.extend(Block("quote", text) for text in citation_texts(template, kb))
        elif line.kind == "missing":
            missing_at = len(blocks)
        else:
            counter = _render_line(line, values, template.slot_defs, value_of, blocks, counter)
    tail = _missing_blocks(missing)
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
) -> int:
    """Append the blocks of one body line; returns the running item number of numbered lines."""
    whole = PLACEHOLDER.fullmatch(line.text.strip())
    name = whole.group(1) if whole else None
    if name and name in values and slot_defs[name].kind == "list" and line.kind in ("para", "flush"):
        for n, item in enumerate(split_list(slot_defs[name], values[name]), 1):
            blocks.append(Block(line.kind, _t("numbered", n=n, text=item)))
        return counter
    filled = PLACEHOLDER.sub(lambda m: value_of(m.group(1), True), line.text)  # one pass: values are never rescanned
    parts = [p.strip() for p in filled.split("\n") if p.strip()] or [filled.strip()]
    for part in parts:
        if line.kind == "numbered":
            counter += 1
            blocks.append(Block("para", _t("numbered", n=counter, text=part)))
        elif line.kind == "cn_numbered":
            counter += 1
            blocks.append(Block("para", cn_index(counter) + part))
        else:
            kind: BlockKind = line.kind if line.kind in ("para", "flush", "right", "heading") else "para"
            blocks.append(Block(kind, part))
    return counter


def _missing_blocks(missing: list[str]) -> list[Block]:
    if not missing:
        return []
    return [
        Block("note_heading", _t("missing_heading")),
        *(Block("note", _t("missing_item", n=n, label=label)) for n, label in enumerate(missing, 1)),
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


# ---------------------------------------------------------------------------------------------------------------------
# DOCX


def to_docx(draft: Draft, title: str | None = None) -> bytes:
    """A Word document: A4, 宋体 body with first-line indents, 黑体 title and headings, page numbers in the footer."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    title = clean_value(title or draft.title)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(22)
    _docx_fonts(document)
    document.core_properties.title = title
    _docx_footer(document)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.space_after = Pt(12)
    run = heading.add_run(title)
    run.bold = True
    run.font.size = Pt(18)
    _east_asian(run, "黑体")
    gap = False
    for block in draft.blocks:
        if block.kind == "gap":
            gap = True
            continue
        paragraph = document.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.space_before = Pt(6 if gap else 0)
        gap = False
        run = paragraph.add_run(block.text)
        if block.kind in ("para", "quote"):
            fmt.first_line_indent = Pt(24)
        if block.kind == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if block.kind == "quote":
            run.font.size = Pt(10.5)
        if block.kind in ("heading", "note_heading"):
            run.bold = True
            _east_asian(run, "黑体")
            fmt.space_before = Pt(6)
        if block.kind in ("note", "note_heading"):
            run.font.size = Pt(10.5)
            run.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_fonts(document: DocxDocument) -> None:
    """Normal style in 宋体 / Times New Roman 12 pt, theme font attributes removed so the names win, zh-CN."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    styles = document.styles
    for fonts in styles.element.iter(qn("w:rFonts")):
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attribute), None)
    normal = styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    r_pr = normal.element.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.paragraph_format.line_spacing = 1.3
    normal.paragraph_format.space_after = Pt(0)


def _east_asian(run: Run, font: str) -> None:
    from docx.oxml.ns import qn

    r_pr = run._r.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _docx_footer(document: DocxDocument) -> None:
    """第 PAGE 页，共 NUMPAGES 页, centred, as Word fields."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for piece in re.split("([\x00\x01])", _t("page_footer", page="\x00", pages="\x01")):
        if piece in ("\x00", "\x01"):
            simple = OxmlElement("w:fldSimple")
            simple.set(qn("w:instr"), "PAGE" if piece == "\x00" else "NUMPAGES")
            run = OxmlElement("w:r")
            text = OxmlElement("w:t")
            text.text = "1"
            run.append(text)
            simple.append(run)
            paragraph._p.append(simple)
        elif piece:
            paragraph.add_run(piece)


# ---------------------------------------------------------------------------------------------------------------------
# PDF

PDF_MARGIN_X = 22.0
PDF_MARGIN_Y = 20.0


def _make_pdf_class() -> type:
    from bot.documents.pdf_text import FONT, CjkPdf

    class LetterPdf(CjkPdf):
        """A4 letter on the shared CJK writer: blocks left, centred or right-aligned, first-line indents."""

        def __init__(self, font: tuple[Path, int]) -> None:
            super().__init__(
                font,
                lambda page: _t("page_footer", page=page, pages="{nb}"),
                PDF_MARGIN_X,
                PDF_MARGIN_Y,
                footer_y=-12,
            )

        def write_block(
            self,
            text: str,
            size: float = 11.0,
            indent: float = 0.0,
            align: str = "L",
            bold: bool = False,
            gray: bool = False,
        ) -> None:
            self.set_font(FONT, size=size)
            height = size * 0.3528 * 1.55
            if gray:
                self.set_text_color(100)
            for n, line in enumerate(self.wrap(text, self.epw, indent if align == "L" else 0.0)):
                if self.get_y() + height > self.page_break_trigger:
                    self.add_page()
                    self.set_font(FONT, size=size)
                    if gray:
                        self.set_text_color(100)
                if align == "C":
                    x = self.l_margin + (self.epw - sum(self.char_width(c) for c in line)) / 2
                elif align == "R":
                    x = self.l_margin + self.epw - sum(self.char_width(c) for c in line)
                else:
                    x = self.l_margin + (indent if n == 0 else 0.0)
                self.bold = bold
                self.draw_line(x, self.get_y(), height, line)
                self.bold = False
                self.set_y(self.get_y() + height)
            self.set_text_color(0)

    return LetterPdf


@functools.cache
def _pdf_class() -> type:
    return _make_pdf_class()


def to_pdf(draft: Draft, title: str | None = None, font: str | None = None) -> bytes:
    """An A4 PDF with the CJK font embedded (subset): centred title, indented paragraphs, right-aligned signature."""
    from bot.evidence.fonts import find_cjk_font

    title = clean_value(title or draft.title)
    pdf = _pdf_class()(find_cjk_font(font))
    pdf.set_title(title)
    pdf.set_creator("Anning")
    pdf.set_lang("zh-CN")
    pdf.add_page()
    pdf.write_block(title, size=18, align="C", bold=True)
    pdf.set_y(pdf.get_y() + 4)
    indent = 11.0 * 0.3528 * 2  # two characters
    for block in draft.blocks:
        if block.kind == "gap":
            pdf.set_y(pdf.get_y() + 2.5)
        elif block.kind == "para":
            pdf.write_block(block.text, indent=indent)
        elif block.kind == "quote":
            pdf.write_block(block.text, size=10.5, indent=10.5 * 0.3528 * 2)
        elif block.kind == "flush":
            pdf.write_block(block.text)
        elif block.kind == "right":
            pdf.write_block(block.text, align="R")
        elif block.kind == "heading":
            pdf.set_y(pdf.get_y() + 1.5)
            pdf.write_block(block.text, bold=True)
        elif block.kind == "note_heading":
            pdf.set_y(pdf.get_y() + 1.5)
            pdf.write_block(block.text, size=10, bold=True, gray=True)
        else:
            pdf.write_block(block.text, size=10, gray=True)
    data: bytes = pdf.to_bytes()
    return data


def to_txt(draft: Draft) -> bytes:
    """The plain text, UTF-8."""
    return draft.text.encode("utf-8")


def file_name(title: str, fmt: str) -> str:
    """A safe file name from a title: 停止催收骚扰告知函.pdf."""
    stem = _FILE_NAME_UNSAFE.sub("_", clean_value(title)).strip("._") or "document"
    return f"{stem[:60]}.{fmt}"


def file_out(draft: Draft, title: str | None, fmt: Format | str) -> FileOut:
    """The draft as a file for a reply: txt, docx or pdf."""
    title = title or draft.title
    renderers: dict[str, Callable[[], bytes]] = {
        "txt": lambda: to_txt(draft),
        "docx": lambda: to_docx(draft, title),
        "pdf": lambda: to_pdf(draft, title),
    }
    if fmt not in renderers:
        raise ValueError(_t("format_unsupported", fmt=fmt))
    return FileOut(file_name(title, fmt), renderers[fmt](), MIME[fmt])
