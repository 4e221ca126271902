"""Documents stage, PDF: a Draft as an A4 letter with the CJK font embedded (centred title, indents, signature)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.documents.fill import Draft, t
from bot.documents.slots import clean_value
from bot.office.fonts import find_cjk_font
from bot.office.pdf_text import FONT, CjkPdf
from bot.texts import Texts

PDF_MARGIN_X = 22.0
PDF_MARGIN_Y = 20.0


class LetterPdf(CjkPdf):
    """A4 letter on the shared CJK writer: blocks left, centred or right-aligned, first-line indents."""

    def __init__(self, font: tuple[Path, int], footer_text: Callable[[int], str]) -> None:
        super().__init__(font, footer_text, PDF_MARGIN_X, PDF_MARGIN_Y, footer_y=-12)

    def write_block(
        self,
        text: str,
        size: float = 11.0,
        indent: float = 0.0,
        align: str = "L",
        bold: bool = False,
        gray: bool = False,
    ) -> None:
        """One block of text, wrapped: left-aligned with a first-line indent, centred or right-aligned."""
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


def render_pdf(draft: Draft, texts: Texts, title: str | None = None, font: str | None = None) -> bytes:
    """An A4 PDF with the CJK font embedded (subset): centred title, indented paragraphs, right-aligned signature."""
    title = clean_value(title or draft.title)
    pdf = LetterPdf(find_cjk_font(font), lambda page: t(texts, "page_footer", page=page, pages="{nb}"))
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
    return pdf.to_bytes()
