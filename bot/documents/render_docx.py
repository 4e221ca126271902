"""Documents stage, DOCX: a Draft as a Word document (A4, 宋体 body, 黑体 headings, page numbers in the footer)."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.run import Run

from bot.documents.fill import Draft, t
from bot.documents.slots import clean_value
from bot.office.docx_style import PAGE, PAGES, drop_theme_fonts, page_footer, set_east_asian_font, set_east_asian_lang
from bot.texts import Texts


def render_docx(draft: Draft, texts: Texts, title: str | None = None) -> bytes:
    """A Word document: A4, 宋体 body with first-line indents, 黑体 title and headings, page numbers in the footer."""

    title = clean_value(title or draft.title)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(22)
    _docx_fonts(document)
    document.core_properties.title = title
    _docx_footer(document, texts)
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

    styles = document.styles
    for fonts in styles.element.iter(qn("w:rFonts")):
        drop_theme_fonts(fonts)
    normal = styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    r_pr = normal.element.get_or_add_rPr()
    set_east_asian_font(r_pr, "宋体")
    set_east_asian_lang(r_pr)
    normal.paragraph_format.line_spacing = 1.3
    normal.paragraph_format.space_after = Pt(0)


def _east_asian(run: Run, font: str) -> None:
    set_east_asian_font(run._r.get_or_add_rPr(), font)


def _docx_footer(document: DocxDocument, texts: Texts) -> None:
    """第 PAGE 页，共 NUMPAGES 页, centred, as Word fields."""
    page_footer(document, t(texts, "page_footer", page=PAGE, pages=PAGES))
