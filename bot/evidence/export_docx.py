"""Evidence stage, DOCX export: the evidence list as a Word document (summary, chart, table, appendix, verify)."""

from __future__ import annotations

import copy
import io
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import CharacterStyle

from bot.evidence.chart import render_chart
from bot.evidence.export_content import Content, ExportMeta, build_content, t
from bot.evidence.model import EvidenceItem, Stats
from bot.office.docx_style import PAGE, PAGES, drop_theme_fonts, page_footer, set_east_asian_font, set_east_asian_lang
from bot.office.fonts import find_cjk_font
from bot.texts import Texts

DOCX_COL_MM = (9, 25, 11, 19, 20, 36, 50)  # 170 mm between 20 mm margins


def _fix_fonts(document: DocxDocument) -> None:
    """East-Asian fonts through XML (python-docx cannot), with theme attributes removed so the names win; zh-CN."""
    styles = document.styles.element
    for fonts in styles.iter(qn("w:rFonts")):
        major = drop_theme_fonts(fonts)
        latin, chinese = ("Arial", "黑体") if major else ("Times New Roman", "宋体")
        for attribute, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", chinese)):
            if fonts.get(qn(attribute)) is None:
                fonts.set(qn(attribute), value)
    run_defaults = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if run_defaults is not None:
        set_east_asian_lang(run_defaults)
    for name, chinese, latin, size in (
        ("Normal", "宋体", "Times New Roman", 10.5),
        ("Title", "黑体", "Arial", 20),
        ("Heading 1", "黑体", "Arial", 13),
    ):
        style = document.styles[name]
        assert isinstance(style, CharacterStyle)  # paragraph styles subclass it
        style.font.name = latin
        style.font.size = Pt(size)
        r_pr = style.element.get_or_add_rPr()
        set_east_asian_font(r_pr, chinese)
        set_east_asian_lang(r_pr)
        if name != "Normal":
            style.font.color.rgb = RGBColor(0, 0, 0)


def _footer(document: DocxDocument, title: str, texts: Texts) -> None:
    page_footer(document, title + "    " + t(texts, "page_footer", page=PAGE, pages=PAGES))


def _docx_table(document: DocxDocument, content: Content) -> None:
    table = document.add_table(rows=2, cols=len(content.headings))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl = table._tbl  # autofit = False above made the layout fixed, so the grid widths below hold
    for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), DOCX_COL_MM, strict=True):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, DOCX_COL_MM, strict=True):
            cell.width = Mm(width)
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.line_spacing = 1.0
    header = table.rows[0]
    header_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    header_pr.append(repeat)
    for cell, heading in zip(header.cells, content.headings, strict=True):
        run = cell.paragraphs[0].add_run(heading)
        run.font.size = Pt(8.5)
        run.font.bold = True
        shade = OxmlElement("w:shd")
        shade.set(qn("w:val"), "clear")
        shade.set(qn("w:fill"), "E6E6E6")
        cell._tc.get_or_add_tcPr().append(shade)
    # Fill a template row once, then copy its XML per item: 10x faster than python-docx's cell API for long lists.
    template_tr = table.rows[1]._tr
    for cell in table.rows[1].cells:
        run = cell.paragraphs[0].add_run("x")
        run.font.size = Pt(8)
    tbl.remove(template_tr)
    for row in content.rows:
        tr = copy.deepcopy(template_tr)
        for tc, value in zip(tr.findall(qn("w:tc")), row.cells(), strict=True):
            _set_cell_text(tc, value)
        tbl.append(tr)


def _set_cell_text(tc: BaseOxmlElement, value: str) -> None:
    """Put text (with line breaks) into the single run of a template cell."""
    run = tc.find(f"{qn('w:p')}/{qn('w:r')}")
    assert run is not None  # the template row has one run per cell
    for child in list(run):
        if child.tag in (qn("w:t"), qn("w:br")):
            run.remove(child)
    for n, line in enumerate(value.split("\n")):
        if n:
            run.append(OxmlElement("w:br"))
        text = OxmlElement("w:t")
        text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        text.text = line
        run.append(text)


def export_docx(items: Sequence[EvidenceItem], stats: Stats, texts: Texts, meta: ExportMeta | None = None) -> bytes:
    """The evidence list as a Word document: summary, chart, table, appendix, how to verify, how to strengthen."""
    meta = meta or ExportMeta()
    content = build_content(items, stats, meta, texts)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)
    _fix_fonts(document)
    _footer(document, content.title, texts)
    document.add_paragraph(content.title, style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(content.byline)
    document.add_heading(t(texts, "summary_heading"), level=1)
    for paragraph in content.summary:
        document.add_paragraph(paragraph)
    document.add_heading(t(texts, "chart_heading"), level=1)
    chart = render_chart(stats, find_cjk_font(meta.font), texts)
    document.add_picture(io.BytesIO(chart), width=Mm(170))
    document.add_heading(t(texts, "table_heading"), level=1)
    _docx_table(document, content)
    _docx_verify(document, content, texts)
    document.add_heading(t(texts, "tips_heading"), level=1)
    for tip in content.tips:
        document.add_paragraph(tip, style="List Bullet")
    if content.appendix:
        document.add_heading(t(texts, "appendix_heading"), level=1)
        document.add_paragraph(t(texts, "appendix_intro"))
        for header, text in content.appendix:
            document.add_paragraph().add_run(header).bold = True
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_verify(document: DocxDocument, content: Content, texts: Texts) -> None:
    document.add_heading(t(texts, "verify_heading"), level=1)
    document.add_paragraph(t(texts, "verify_head", count=content.count))
    run = document.add_paragraph().add_run(content.chain_head)
    run.font.name = "Courier New"
    run.font.size = Pt(9)
    for text in content.verify:
        document.add_paragraph(text)
