"""Office stage, PDF text: an A4 writer with an embedded CJK font, Chinese line breaking, fake bold and a footer.

The letters (documents/) and the evidence list (evidence/) both build on it.
Imported only when a PDF is rendered (it loads fpdf2).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import TTFFont

FONT = "cjk"
NO_LINE_START = frozenset("，。、；：？！）》」』】〕”’…,.;:!?)]}%")  # CJK line-start rule: these never begin a line
NO_LINE_END = frozenset("（《「『【〔“‘([{")  # and these never end one
_WIDTHS: dict[tuple[str, int], dict[str, float]] = {}  # per font: character -> width in mm at 1 pt, across documents


def carry(line: list[str], nxt: str) -> list[str]:
    """The tail of a full line that moves to the next line: a Latin word, or a character before a closing mark."""
    if nxt in NO_LINE_START and len(line) > 1:
        keep = 1  # move the last character too, and any closing marks right before it (…炸）| ，)
        while keep < min(len(line) - 1, 4) and line[-keep] in NO_LINE_START:
            keep += 1
        return line[-keep:]
    if line[-1] in NO_LINE_END and len(line) > 1:
        return line[-1:]
    if nxt.isascii() and nxt != " " and line[-1].isascii() and line[-1] != " ":
        for cut in range(len(line) - 1, 0, -1):
            if line[cut - 1] == " " or not line[cut - 1].isascii():
                return line[cut:] if len(line) - cut < 30 else []
    return []


class CjkPdf(FPDF):
    """A4 with the CJK font embedded (subset), a footer, and character-wrapped text drawn line by line."""

    def __init__(
        self,
        font: tuple[Path, int],
        footer_text: Callable[[int], str],
        margin_x: float,
        margin_y: float,
        footer_y: float,
    ) -> None:
        super().__init__(format="A4", unit="mm")
        self.footer_text = footer_text
        self.footer_y = footer_y
        path, index = font
        self.add_font(FONT, fname=path, collection_font_number=index)
        self.set_margins(margin_x, margin_y, margin_x)
        self.set_auto_page_break(True, margin=margin_y)
        self.bold = False  # fake bold (the text drawn twice, slightly shifted): the CJK font has no bold face
        self._unit_widths = _WIDTHS.setdefault((str(path), index), {})
        embedded = self.fonts[FONT]
        if not isinstance(embedded, TTFFont):  # add_font above always loads a TTF/OTF font from a file
            raise TypeError("the CJK font did not load as an embeddable font")
        self._cmap = embedded.cmap
        # Recomputing every glyph's bounding box when the subset is saved is a third of the PDF time with CFF fonts
        # (Noto CJK) and changes nothing a reader uses (the PDF carries its own metrics).
        embedded.ttfont.recalcBBoxes = False

    def visible(self, text: str) -> str:
        """Characters the font lacks (emoji, rare ideographs) as 〔U+XXXX〕 rather than silently dropped."""
        cmap = self._cmap
        if all(ord(ch) in cmap or ch == "\n" for ch in text):
            return text
        return "".join(ch if ord(ch) in cmap or ch == "\n" else f"〔U+{ord(ch):04X}〕" for ch in text)

    def footer(self) -> None:
        """The page footer, e.g. 第 n 页，共 m 页."""
        self.set_y(self.footer_y)
        size = self.font_size_pt
        self.set_font(FONT, size=8)
        self.set_text_color(110)
        self.cell(0, 4, self.footer_text(self.page_no()), align="C")
        self.set_text_color(0)
        self.set_font(FONT, size=size)

    def char_width(self, ch: str) -> float:
        """Width of one character at the current size (mm), cached per character at size 1."""
        unit = self._unit_widths.get(ch)
        if unit is None:
            size = self.font_size_pt
            self.set_font_size(10)
            unit = self.get_string_width(ch) / 10
            self.set_font_size(size)
            self._unit_widths[ch] = unit
        return unit * self.font_size_pt

    def wrap(self, text: str, width: float, indent: float = 0.0) -> list[str]:
        """Lines of at most width (the first one indented): breaks anywhere in Chinese, between words in Latin text,
        never before ，。 and the like; newlines start new lines."""
        lines: list[str] = []
        first = True
        for paragraph in self.visible(text.replace("\t", "    ")).split("\n"):
            line: list[str] = []
            used = indent if first else 0.0
            first = False
            for ch in paragraph:
                w = self.char_width(ch)
                if line and used + w > width:
                    tail = carry(line, ch)
                    lines.append("".join(line[: len(line) - len(tail)]).rstrip())
                    line = [c for c in tail if c != " "]
                    used = sum(self.char_width(c) for c in line)
                    if ch == " " and not line:
                        continue
                line.append(ch)
                used += w
            lines.append("".join(line))
        return lines

    def draw_line(self, x: float, top: float, height: float, text: str) -> None:
        """One line of text vertically centred in a line box (fake bold when self.bold)."""
        if text:
            # baseline so that the ideograph box (about 0.88 em above to 0.12 em below) sits centred in the line
            baseline = top + height / 2 + self.font_size * 0.36
            self.text(x, baseline, text)
            if self.bold:
                self.text(x + self.font_size * 0.03, baseline, text)

    def to_bytes(self) -> bytes:
        """The finished PDF; then the font files are closed."""
        try:
            return bytes(self.output())
        finally:
            self.close_fonts()

    def close_fonts(self) -> None:
        """Close the font files fpdf2 opened lazily (else they leak until garbage collection)."""
        for font in self.fonts.values():
            if isinstance(font, TTFFont):
                font.ttfont.close()
