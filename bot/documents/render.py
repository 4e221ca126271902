"""Documents stage, render: a filled Draft as a file for a reply (text, DOCX or PDF; python-docx and fpdf2 load on use).

fill.py fills a template into a Draft; render_docx.py and render_pdf.py lay a Draft out.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.documents.fill import Block, Draft, citation_texts, fill, t
from bot.documents.slots import clean_value
from bot.documents.templates import Format
from bot.office.files import FileOut
from bot.texts import Texts

__all__ = ["MIME", "Block", "Draft", "citation_texts", "file_name", "file_out", "fill", "to_docx", "to_pdf", "to_txt"]

MIME: dict[str, str] = {
    "txt": "text/plain; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
_FILE_NAME_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def to_docx(draft: Draft, texts: Texts, title: str | None = None) -> bytes:
    """A Word document: A4, 宋体 body with first-line indents, 黑体 title and headings, page numbers in the footer."""
    from bot.documents.render_docx import render_docx

    return render_docx(draft, texts, title)


def to_pdf(draft: Draft, texts: Texts, title: str | None = None, font: str | None = None) -> bytes:
    """An A4 PDF with the CJK font embedded (subset): centred title, indented paragraphs, right-aligned signature."""
    from bot.documents.render_pdf import render_pdf

    return render_pdf(draft, texts, title, font)


def to_txt(draft: Draft) -> bytes:
    """The plain text, UTF-8."""
    return draft.text.encode("utf-8")


def file_name(title: str, fmt: str) -> str:
    """A safe file name from a title: 停止催收骚扰告知函.pdf."""
    stem = _FILE_NAME_UNSAFE.sub("_", clean_value(title)).strip("._") or "document"
    return f"{stem[:60]}.{fmt}"


def file_out(draft: Draft, title: str | None, fmt: Format | str, texts: Texts) -> FileOut:
    """The draft as a file for a reply: txt, docx or pdf."""
    title = title or draft.title
    renderers: dict[str, Callable[[], bytes]] = {
        "txt": lambda: to_txt(draft),
        "docx": lambda: to_docx(draft, texts, title),
        "pdf": lambda: to_pdf(draft, texts, title),
    }
    if fmt not in renderers:
        raise ValueError(t(texts, "format_unsupported", fmt=fmt))
    return FileOut(file_name(title, fmt), renderers[fmt](), MIME[fmt])
