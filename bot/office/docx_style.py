"""Office stage, DOCX style: East-Asian fonts and the zh-CN language through XML, and page-number footers.

python-docx cannot set these itself; documents/ and evidence/ share these helpers. Imported only when a DOCX is
rendered (it loads python-docx).
"""

from __future__ import annotations

import re

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph

THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
PAGE = "\x00"  # in a footer template: the current page number
PAGES = "\x01"  # in a footer template: the number of pages


def drop_theme_fonts(fonts: BaseOxmlElement) -> bool:
    """Remove the theme attributes of a w:rFonts so its font names win; True when it named a major (heading) theme."""
    major = any("major" in (fonts.get(qn(a)) or "") for a in THEME_ATTRIBUTES)
    for attribute in THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    return major


def set_east_asian_font(r_pr: BaseOxmlElement, font: str) -> None:
    """The font used for Chinese characters of a run or style (w:rPr)."""
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


def set_east_asian_lang(r_pr: BaseOxmlElement) -> None:
    """Mark East-Asian text of a run or style (w:rPr) as zh-CN."""
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")  # w:val (Latin text) is left alone so English is not spell-checked as Chinese


def add_field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) at the end of a paragraph."""
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def page_footer(document: DocxDocument, template: str) -> None:
    """A centred footer from a template in which PAGE and PAGES stand for the Word page-number fields."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for piece in re.split(f"([{PAGE}{PAGES}])", template):
        if piece == PAGE:
            add_field(paragraph, "PAGE")
        elif piece == PAGES:
            add_field(paragraph, "NUMPAGES")
        elif piece:
            paragraph.add_run(piece)
