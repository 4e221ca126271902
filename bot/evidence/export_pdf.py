"""Evidence stage, PDF export: the evidence list as an A4 PDF with the CJK font embedded (same content as the DOCX)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.evidence.chart import render_chart
from bot.evidence.export_content import ExportMeta, build_content, t
from bot.evidence.model import EvidenceItem, Stats
from bot.office.fonts import find_cjk_font
from bot.office.pdf_text import FONT, CjkPdf
from bot.texts import Texts

PDF_MARGIN = 15.0
PDF_COL_MM = (8.0, 27.0, 9.0, 17.0, 22.0, 37.0, 60.0)  # 180 mm


class EvidencePdf(CjkPdf):
    """The evidence list: paragraphs, headings and a fast table on the shared CJK writer."""

    def __init__(self, font: tuple[Path, int], footer_text: Callable[[int], str]) -> None:
        super().__init__(font, footer_text, PDF_MARGIN, PDF_MARGIN, footer_y=-10)

    def paragraph(
        self, text: str, size: float = 10.0, line_height: float | None = None, gap: float = 1.5, keep: float = 0.0
    ) -> None:
        """Left-aligned, character-wrapped text across the page, breaking pages as needed (keep: room needed below)."""
        if keep and self.get_y() + keep > self.page_break_trigger:
            self.add_page()
        self.set_font(FONT, size=size)
        height = line_height or size * 0.55
        for line in self.wrap(text, self.epw):
            if self.get_y() + height > self.page_break_trigger:
                self.add_page()
            self.draw_line(self.l_margin, self.get_y(), height, line)
            self.set_y(self.get_y() + height)
        self.set_y(self.get_y() + gap)

    def heading(self, text: str, size: float = 13.0) -> None:
        """A section heading, kept with at least a few lines of what follows."""
        if self.get_y() + 20 > self.page_break_trigger:
            self.add_page()
        self.set_y(self.get_y() + 2)
        self.bold_paragraph(text, size=size, gap=1.0)

    def bold_paragraph(self, text: str, size: float = 10.0, gap: float = 0.5, keep: float = 0.0) -> None:
        """A paragraph in fake bold."""
        self.bold = True
        try:
            self.paragraph(text, size=size, gap=gap, keep=keep)
        finally:
            self.bold = False

    def grid(
        self, headings: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], size: float = 7.0
    ) -> None:
        """A compact bordered table with its header repeated on each page (fpdf2's table() is ~20x slower)."""
        pad, line_h = 0.8, size * 0.45
        self.set_line_width(0.1)
        self.set_draw_color(120)

        def draw_row(cells: Sequence[str], header: bool) -> None:
            wrapped = [self.wrap(value, w - 2 * pad) for value, w in zip(cells, widths, strict=True)]
            height = max(len(lines) for lines in wrapped) * line_h + 2 * pad
            if self.get_y() + height > self.page_break_trigger and not header:
                self.add_page()
                draw_row(headings, True)
            top, x = self.get_y(), self.l_margin
            for lines, w in zip(wrapped, widths, strict=True):
                self.rect(x, top, w, height, style="DF" if header else "D")
                for n, line in enumerate(lines):
                    self.draw_line(x + pad, top + pad + n * line_h, line_h, line)
                x += w
            self.set_y(top + height)

        self.set_font(FONT, size=size)
        self.set_fill_color(230)
        draw_row(headings, True)
        for cells in rows:
            draw_row(cells, False)


def export_pdf(items: Sequence[EvidenceItem], stats: Stats, texts: Texts, meta: ExportMeta | None = None) -> bytes:
    """The evidence list as an A4 PDF with the CJK font embedded (subset): the same content as the DOCX."""
    meta = meta or ExportMeta()
    content = build_content(items, stats, meta, texts)
    font = find_cjk_font(meta.font)
    pdf = EvidencePdf(font, lambda page: content.title + "    " + t(texts, "page_footer", page=page, pages="{nb}"))
    pdf.set_title(content.title)
    pdf.set_creator("Anning")
    pdf.set_lang("zh-CN")
    pdf.add_page()
    pdf.set_font(FONT, size=20)
    pdf.bold = True
    pdf.draw_line((pdf.w - sum(pdf.char_width(ch) for ch in content.title)) / 2, pdf.get_y(), 11, content.title)
    pdf.bold = False
    pdf.set_y(pdf.get_y() + 13)
    pdf.paragraph(content.byline, size=9.5, gap=2)
    pdf.heading(t(texts, "summary_heading"))
    for paragraph in content.summary:
        pdf.paragraph(paragraph, size=10, gap=1.2)
    pdf.heading(t(texts, "chart_heading"))
    chart_h = pdf.epw * 1260 / 1800
    if pdf.get_y() + chart_h > pdf.page_break_trigger:
        pdf.add_page()
    pdf.image(io.BytesIO(render_chart(stats, font, texts)), x=pdf.l_margin, y=pdf.get_y(), w=pdf.epw)
    pdf.set_y(pdf.get_y() + chart_h + 3)
    pdf.heading(t(texts, "table_heading"))
    pdf.grid(content.headings, [row.cells() for row in content.rows], PDF_COL_MM)
    pdf.set_y(pdf.get_y() + 3)
    pdf.heading(t(texts, "verify_heading"))
    pdf.paragraph(t(texts, "verify_head", count=content.count), size=10, gap=0.5)
    pdf.set_font("Courier", size=9)
    pdf.text(pdf.l_margin, pdf.get_y() + 3.5, content.chain_head)
    pdf.set_y(pdf.get_y() + 6.5)
    for text in content.verify:
        pdf.paragraph(text, size=10, gap=1.2)
    pdf.heading(t(texts, "tips_heading"))
    for tip in content.tips:
        pdf.paragraph("• " + tip, size=10, gap=1.0)
    if content.appendix:
        pdf.heading(t(texts, "appendix_heading"))
        pdf.paragraph(t(texts, "appendix_intro"), size=9, gap=1.5)
        for header, text in content.appendix:
            pdf.bold_paragraph(header, size=9, keep=16)
            pdf.paragraph(text, size=9, gap=2)
    return pdf.to_bytes()
