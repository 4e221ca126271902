"""Evidence, export: the evidence list (证据清单) as CSV, DOCX and PDF, with a summary, a chart and how to verify it."""

from __future__ import annotations

import copy
import csv
import functools
import io
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import CharacterStyle
from docx.text.paragraph import Paragraph

from bot.documents.pdf_text import FONT, CjkPdf
from bot.evidence.chart import render_chart
from bot.evidence.fonts import find_cjk_font
from bot.evidence.model import EvidenceItem, Stats
from bot.texts import Texts

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")  # no DST since 1991, so a fixed offset is exact
TABLE_TEXT_CHARS = 120  # 原文 in the table is trimmed to this; the full text goes to the appendix
APPENDIX_TEXT_CHARS = 20_000  # beyond this even the appendix cuts (the CSV keeps everything)
SENDER_CHARS = 40
MAX_LISTED_PLATFORMS = 30
MAX_LISTED_EPISODES = 10
# The most specific signal decides 证明目的; the label decides otherwise.
PURPOSE_SIGNALS = (
    "code_bombing_part",
    "third_party_contact",
    "exposure_threat",
    "fake_legal_threat",
    "credit_threat",
    "home_visit_threat",
    "workplace_threat",
    "insult",
)
NIGHT_SIGNAL = "night_time"
THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")

# C0/C1 controls (but tab and newline), lone surrogates, non-characters and bidi overrides are shown as \xNN escapes:
# they are invalid in XML, invisible in print, or (bidi) could make a message read differently from what it is.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@functools.cache
def _texts() -> Texts:
    return Texts()


def _t(key: str, **values: object) -> str:
    return _texts().get(f"evidence.{key}", **values)


@dataclass(frozen=True, kw_only=True)
class ExportMeta:
    """What the documents say besides the items: title, whose list it is, when, and how to read citations and labels."""

    title: str = field(default_factory=lambda: _t("title"))
    person: str = field(default_factory=lambda: _t("person_unknown"))  # e.g. "张某"
    generated_at: datetime = field(default_factory=lambda: datetime.now(CHINA))
    chain_head: str = ""  # final chain hash; empty = the last item's chain hash
    verify_hint: str = ""  # an extra sentence on how to verify (e.g. the chat command), shown under 如何核验
    article_labels: dict[str, str] = field(default_factory=dict)  # "civil-code:1033" -> "《民法典》第一千零三十三条"
    label_names: dict[str, str] = field(default_factory=dict)  # "verification_code" -> "验证码短信"
    font: str | None = None  # a configured font file ("path" or "path#index"); None = find one


# ---------------------------------------------------------------------------------------------------------------------
# Shared content


def clean(text: str) -> str:
    r"""Text safe to print and to put into XML: CR LF to LF, and unsafe characters as visible \xNN / \uNNNN escapes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(CHINA) if moment.tzinfo else moment


def _fmt(moment: datetime | None, seconds: bool = True) -> str:
    if moment is None:
        return ""
    return _local(moment).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _is_night(item: EvidenceItem) -> bool:
    hour = _local(item.sent_at or item.received_at).hour
    return NIGHT_SIGNAL in item.signals or hour < 8 or hour >= 21


def _label_name(label: str, meta: ExportMeta | None) -> str:
    if meta and label in meta.label_names:
        return meta.label_names[label]
    key = f"label.{label}"
    return _t(key) if _texts().has(f"evidence.{key}") else label


def _kind(label: str, meta: ExportMeta | None) -> str:
    key = f"kind.{label}"
    return _t(key) if _texts().has(f"evidence.{key}") else _label_name(label, meta)


def _signal_name(signal: str) -> str:
    key = f"signal.{signal}"
    return _t(key) if _texts().has(f"evidence.{key}") else signal


def _article_label(article: str, meta: ExportMeta | None) -> str:
    return meta.article_labels.get(article, article) if meta else article


def evidence_name(item: EvidenceItem, meta: ExportMeta | None = None) -> str:
    """证据名称, e.g. 短信：验证码（美团）."""
    kind = _kind(item.label, meta)
    if item.platform:
        return _t("item_name_platform", kind=kind, platform=clean(item.platform))
    return _t("item_name", kind=kind)


def purpose(item: EvidenceItem) -> str:
    """证明目的, chosen by the most specific signal, else by the label, with the night noted."""
    texts = _texts()
    night = _is_night(item)
    signal = ""
    for signal in PURPOSE_SIGNALS:
        if signal in item.signals and texts.has(f"evidence.purpose.{signal}"):
            text = _t(f"purpose.{signal}")
            break
    else:
        if night and texts.has(f"evidence.purpose.{item.label}_night"):
            return _t(f"purpose.{item.label}_night")
        text = _t(f"purpose.{item.label}") if texts.has(f"evidence.purpose.{item.label}") else _t("purpose.other")
    # a bombing is night-time harassment by itself; the time column shows the hour
    return text + _t("purpose.night_suffix") if night and signal != "code_bombing_part" else text


@dataclass(frozen=True)
class _Row:
    seq: str
    name: str
    source: str
    time: str
    sender: str
    purpose: str
    text: str

    def cells(self) -> tuple[str, ...]:
        return (self.seq, self.name, self.source, self.time, self.sender, self.purpose, self.text)


@dataclass(frozen=True)
class _Content:
    """Everything both documents show, already in words."""

    title: str
    byline: str
    summary: list[str]
    headings: tuple[str, ...]
    rows: list[_Row]
    appendix: list[tuple[str, str]]
    chain_head: str
    verify: list[str]
    tips: list[str]


def _source_name(source: str) -> str:
    key = f"source.{source}"
    return _t(key) if _texts().has(f"evidence.{key}") else clean(source)


def _row(item: EvidenceItem, meta: ExportMeta) -> tuple[_Row, str | None]:
    """A table row, and the full text when the table shows it trimmed."""
    moment = item.sent_at or item.received_at
    when = _fmt(moment).replace(" ", "\n", 1)
    if item.sent_at is None:
        when += "\n" + _t("received_mark")
    full = clean(item.raw_text)
    short = _SPACES.sub(" ", full).strip()
    trimmed = len(short) > TABLE_TEXT_CHARS
    if trimmed:
        short = short[:TABLE_TEXT_CHARS] + _t("trimmed_mark", seq=item.seq)
    sender = _SPACES.sub(" ", clean(item.sender)).strip()[:SENDER_CHARS] if item.sender else _t("sender_unknown")
    row = _Row(str(item.seq), evidence_name(item, meta), _source_name(item.source), when, sender, purpose(item), short)
    return row, full if trimmed else None


def _summary(items: Sequence[EvidenceItem], stats: Stats, meta: ExportMeta) -> list[str]:
    if not stats.total and not items:
        return [_t("summary_empty")]
    sep = _t("list_sep")
    first = _t("summary_total", total=stats.total)
    if stats.first and stats.last:
        first += _t("summary_range", first=_fmt(stats.first, False), last=_fmt(stats.last, False))
    first += _t("summary_end")
    labels = sorted(stats.by_label.items(), key=lambda kv: (-kv[1], kv[0]))
    if labels:
        parts = sep.join(_t("summary_label_part", name=_label_name(k, meta), count=v) for k, v in labels)
        first += _t("summary_by_label", parts=parts)
    first += _t("summary_night", percent=f"{stats.night_share:.0%}")
    paragraphs = [first]
    if stats.platforms:
        names = sep.join(clean(p) for p in stats.platforms[:MAX_LISTED_PLATFORMS])
        if len(stats.platforms) > MAX_LISTED_PLATFORMS:
            names += _t("summary_platforms_more")
        paragraphs.append(_t("summary_platforms", count=len(stats.platforms), names=names))
    if stats.episodes:
        listed = []
        for episode in stats.episodes[:MAX_LISTED_EPISODES]:
            start, end = _local(episode.start), _local(episode.end)
            end_text = end.strftime("%H:%M") if end.date() == start.date() else _fmt(end, False)
            listed.append(
                _t(
                    "summary_episode",
                    start=_fmt(start, False),
                    end=end_text,
                    count=episode.count,
                    platforms=len(episode.platforms),
                )
            )
        text = _t("summary_episodes", count=len(stats.episodes)) + _t("clause_sep").join(listed)
        if len(stats.episodes) > MAX_LISTED_EPISODES:
            text += _t("summary_episodes_more", count=len(stats.episodes) - MAX_LISTED_EPISODES)
        paragraphs.append(text + _t("summary_end"))
    else:
        paragraphs.append(_t("summary_no_episode"))
    articles = Counter(a for item in items for a in dict.fromkeys(item.articles))
    if articles:
        ordered = sorted(articles.items(), key=lambda kv: (-kv[1], kv[0]))
        parts = sep.join(_t("summary_article_part", label=_article_label(a, meta), count=n) for a, n in ordered)
        paragraphs.append(_t("summary_articles", parts=parts))
    return paragraphs


def _content(items: Sequence[EvidenceItem], stats: Stats, meta: ExportMeta) -> _Content:
    rows: list[_Row] = []
    appendix: list[tuple[str, str]] = []
    for item in items:
        row, full = _row(item, meta)
        rows.append(row)
        if full is not None:
            if len(full) > APPENDIX_TEXT_CHARS:
                full = full[:APPENDIX_TEXT_CHARS] + _t("appendix_cut", count=len(full) - APPENDIX_TEXT_CHARS)
            appendix.append((_t("appendix_item", seq=item.seq, time=_fmt(item.sent_at or item.received_at)), full))
    head = meta.chain_head or (items[-1].chain_hash if items else "")
    verify = [_t("verify_how"), _t("verify_cmd")]
    if meta.verify_hint:
        verify.append(clean(meta.verify_hint))
    verify.append(_t("verify_hashes_where"))
    headings = tuple(
        _t(k) for k in ("col_seq", "col_name", "col_source", "col_time", "col_sender", "col_purpose", "col_text")
    )
    byline = (
        _t("person_line", person=clean(meta.person))
        + "    "
        + _t("generated_line", when=_fmt(meta.generated_at, False))
    )
    return _Content(
        title=clean(meta.title),
        byline=byline,
        summary=_summary(items, stats, meta),
        headings=headings,
        rows=rows,
        appendix=appendix,
        chain_head=head,
        verify=verify,
        tips=[line.strip() for line in _t("tips").splitlines() if line.strip()],
    )


# ---------------------------------------------------------------------------------------------------------------------
# CSV


def _csv_safe(value: str) -> str:
    """Free text that cannot start a spreadsheet formula (CSV injection): a leading =, +, -, @ gets a quote mark."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_csv(items: Sequence[EvidenceItem], stats: Stats, meta: ExportMeta | None = None) -> bytes:
    """One row per item, UTF-8 with a BOM so that Excel opens the Chinese correctly; stats are not repeated here."""
    del stats  # the CSV is the item table; the summary lives in the DOCX/PDF
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    keys = (
        "col_seq",
        "col_received",
        "col_sent",
        "col_source",
        "col_sender",
        "col_label",
        "col_platform",
        "col_signals",
        "col_articles",
        "col_text",
        "col_item_hash",
        "col_chain_hash",
    )
    writer.writerow([_t(k) for k in keys])
    sep = _t("list_sep")
    for item in items:
        writer.writerow(
            [
                item.seq,
                _fmt(item.received_at),
                _fmt(item.sent_at),
                _source_name(item.source),
                _csv_safe(item.sender or ""),
                _label_name(item.label, meta),
                _csv_safe(item.platform or ""),
                sep.join(_signal_name(s) for s in item.signals),
                sep.join(_article_label(a, meta) for a in item.articles),
                _csv_safe(item.raw_text),
                item.item_hash,
                item.chain_hash,
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# ---------------------------------------------------------------------------------------------------------------------
# DOCX

DOCX_COL_MM = (9, 25, 11, 19, 20, 36, 50)  # 170 mm between 20 mm margins


def _fix_fonts(document: DocxDocument) -> None:
    """East-Asian fonts through XML (python-docx cannot), with theme attributes removed so the names win; zh-CN."""
    styles = document.styles.element
    for fonts in styles.iter(qn("w:rFonts")):
        major = any("major" in (fonts.get(qn(a)) or "") for a in THEME_ATTRIBUTES)
        for attribute in THEME_ATTRIBUTES:
            fonts.attrib.pop(qn(attribute), None)
        latin, chinese = ("Arial", "黑体") if major else ("Times New Roman", "宋体")
        for attribute, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", chinese)):
            if fonts.get(qn(attribute)) is None:
                fonts.set(qn(attribute), value)
    run_defaults = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if run_defaults is not None:
        _set_lang(run_defaults)
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
        r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), chinese)
        _set_lang(r_pr)
        if name != "Normal":
            style.font.color.rgb = RGBColor(0, 0, 0)


def _set_lang(r_pr: BaseOxmlElement) -> None:
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")  # w:val (Latin text) is left alone so English is not spell-checked as Chinese


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) at the end of a paragraph."""
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def _footer(document: DocxDocument, title: str) -> None:
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    template = title + "    " + _t("page_footer", page="\x00", pages="\x01")
    for piece in re.split("([\x00\x01])", template):
        if piece == "\x00":
            _field(paragraph, "PAGE")
        elif piece == "\x01":
            _field(paragraph, "NUMPAGES")
        elif piece:
            paragraph.add_run(piece)


def _docx_table(document: DocxDocument, content: _Content) -> None:
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


def export_docx(items: Sequence[EvidenceItem], stats: Stats, meta: ExportMeta | None = None) -> bytes:
    """The evidence list as a Word document: summary, chart, table, appendix, how to verify, how to strengthen."""
    meta = meta or ExportMeta()
    content = _content(items, stats, meta)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)
    _fix_fonts(document)
    _footer(document, content.title)
    document.add_paragraph(content.title, style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(content.byline)
    document.add_heading(_t("summary_heading"), level=1)
    for paragraph in content.summary:
        document.add_paragraph(paragraph)
    document.add_heading(_t("chart_heading"), level=1)
    chart = render_chart(stats, find_cjk_font(meta.font))
    document.add_picture(io.BytesIO(chart), width=Mm(170))
    document.add_heading(_t("table_heading"), level=1)
    _docx_table(document, content)
    _docx_verify(document, content)
    document.add_heading(_t("tips_heading"), level=1)
    for tip in content.tips:
        document.add_paragraph(tip, style="List Bullet")
    if content.appendix:
        document.add_heading(_t("appendix_heading"), level=1)
        document.add_paragraph(_t("appendix_intro"))
        for header, text in content.appendix:
            document.add_paragraph().add_run(header).bold = True
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_verify(document: DocxDocument, content: _Content) -> None:
    document.add_heading(_t("verify_heading"), level=1)
    document.add_paragraph(_t("verify_head"))
    run = document.add_paragraph().add_run(content.chain_head)
    run.font.name = "Courier New"
    run.font.size = Pt(9)
    for text in content.verify:
        document.add_paragraph(text)


# ---------------------------------------------------------------------------------------------------------------------
# PDF

PDF_MARGIN = 15.0
PDF_COL_MM = (8.0, 27.0, 9.0, 17.0, 22.0, 37.0, 60.0)  # 180 mm
_FONT = FONT


class _Pdf(CjkPdf):
    """The evidence list: paragraphs, headings and a fast table on the shared CJK writer."""

    def __init__(self, font: tuple[Path, int], footer_text: Callable[[int], str]) -> None:
        super().__init__(font, footer_text, PDF_MARGIN, PDF_MARGIN, footer_y=-10)

    def paragraph(
        self, text: str, size: float = 10.0, line_height: float | None = None, gap: float = 1.5, keep: float = 0.0
    ) -> None:
        """Left-aligned, character-wrapped text across the page, breaking pages as needed (keep: room needed below)."""
        if keep and self.get_y() + keep > self.page_break_trigger:
            self.add_page()
        self.set_font(_FONT, size=size)
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

        self.set_font(_FONT, size=size)
        self.set_fill_color(230)
        draw_row(headings, True)
        for cells in rows:
            draw_row(cells, False)


def export_pdf(items: Sequence[EvidenceItem], stats: Stats, meta: ExportMeta | None = None) -> bytes:
    """The evidence list as an A4 PDF with the CJK font embedded (subset): the same content as the DOCX."""
    meta = meta or ExportMeta()
    content = _content(items, stats, meta)
    font = find_cjk_font(meta.font)
    pdf = _Pdf(font, lambda page: content.title + "    " + _t("page_footer", page=page, pages="{nb}"))
    pdf.set_title(content.title)
    pdf.set_creator("Anning")
    pdf.set_lang("zh-CN")
    pdf.add_page()
    pdf.set_font(_FONT, size=20)
    pdf.bold = True
    pdf.draw_line((pdf.w - sum(pdf.char_width(ch) for ch in content.title)) / 2, pdf.get_y(), 11, content.title)
    pdf.bold = False
    pdf.set_y(pdf.get_y() + 13)
    pdf.paragraph(content.byline, size=9.5, gap=2)
    pdf.heading(_t("summary_heading"))
    for paragraph in content.summary:
        pdf.paragraph(paragraph, size=10, gap=1.2)
    pdf.heading(_t("chart_heading"))
    chart_h = pdf.epw * 1260 / 1800
    if pdf.get_y() + chart_h > pdf.page_break_trigger:
        pdf.add_page()
    pdf.image(io.BytesIO(render_chart(stats, font)), x=pdf.l_margin, y=pdf.get_y(), w=pdf.epw)
    pdf.set_y(pdf.get_y() + chart_h + 3)
    pdf.heading(_t("table_heading"))
    pdf.grid(content.headings, [row.cells() for row in content.rows], PDF_COL_MM)
    pdf.set_y(pdf.get_y() + 3)
    pdf.heading(_t("verify_heading"))
    pdf.paragraph(_t("verify_head"), size=10, gap=0.5)
    pdf.set_font("Courier", size=9)
    pdf.text(pdf.l_margin, pdf.get_y() + 3.5, content.chain_head)
    pdf.set_y(pdf.get_y() + 6.5)
    for text in content.verify:
        pdf.paragraph(text, size=10, gap=1.2)
    pdf.heading(_t("tips_heading"))
    for tip in content.tips:
        pdf.paragraph("• " + tip, size=10, gap=1.0)
    if content.appendix:
        pdf.heading(_t("appendix_heading"))
        pdf.paragraph(_t("appendix_intro"), size=9, gap=1.5)
        for header, text in content.appendix:
            pdf.bold_paragraph(header, size=9, keep=16)
            pdf.paragraph(text, size=9, gap=2)
    return pdf.to_bytes()
