"""Evidence exports: CSV round trip, DOCX structure and fonts, PDF text, chart PNG, hostile text."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import subprocess
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from docx import Document
from PIL import Image

from bot.evidence.chart import render_chart
from bot.evidence.export import ExportMeta, clean, export_csv, export_docx, export_pdf, purpose
from bot.evidence.export_pdf import EvidencePdf
from bot.evidence.model import Episode, EvidenceItem, Stats
from bot.office.fonts import FontNotFoundError, find_cjk_font
from bot.texts import Texts

CN = timezone(timedelta(hours=8))
NIGHT = datetime(2026, 11, 3, 2, 10, tzinfo=CN)
TEXTS = Texts()
PLATFORMS = ["美团", "拼多多", "滴滴出行", "京东", "携程旅行", "饿了么", "哈啰", "唯品会", "小红书", "抖音"]
THREATS = [
    "张某你再不还钱，明天就把你欠钱的事发到你所有通讯录联系人和你单位群里，让大家都知道你是老赖！",
    "最后通牒：今晚12点前不处理，我们的人直接上门找你家里人谈，后果自负。",
]
HOSTILE = "{{7*7}} <script>alert(1)</script> \x00\x07\x1b[31m \u202etxt.exe 😡\t" + "轰" * 10_000


def _hash(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def make_items(extra: list[str] | None = None) -> list[EvidenceItem]:
    """A night of verification codes from many platforms (three rounds of ten), then two threats."""
    items: list[EvidenceItem] = []
    previous = "0" * 64
    specs: list[tuple[str, str | None, str, tuple[str, ...], tuple[str, ...], str | None]] = []
    for n in range(28):
        platform = PLATFORMS[n % len(PLATFORMS)]
        text = f"【{platform}】您的验证码是{100000 + n * 7919 % 900000}，5分钟内有效，请勿泄露给他人。"
        specs.append(("verification_code", platform, text, ("night_time", "code_bombing_part"), (), "1069000" + str(n)))
    specs.append(
        (
            "collection_threat",
            None,
            THREATS[0],
            ("night_time", "third_party_contact"),
            ("civil-code:1033",),
            "+8613800000000",
        )
    )
    specs.append(
        ("collection_threat", None, THREATS[1], ("night_time", "home_visit_threat"), ("civil-code:1033",), None)
    )
    for text in extra or []:
        specs.append(("harassment_insult", None, text, (), (), "=cmd|' /C calc'!A0"))
    for n, (label, platform, text, signals, articles, sender) in enumerate(specs, 1):
        sent = NIGHT + timedelta(seconds=20 * n) if n <= 30 else None
        received = NIGHT + timedelta(seconds=20 * n + 5)
        item = _hash(text, str(sent), "forward")
        chain = hashlib.sha256((previous + item).encode()).hexdigest()
        items.append(
            EvidenceItem(n, received, sent, "forward", text, sender, label, platform, signals, articles, item, chain)
        )
        previous = chain
    return items


def make_stats(items: list[EvidenceItem]) -> Stats:
    per_hour = [0] * 24
    per_hour[2] = len(items)
    return Stats(
        total=len(items),
        by_label={
            "verification_code": 28,
            "collection_threat": 2,
            **({"harassment_insult": 1} if len(items) > 30 else {}),
        },
        per_day={"2026-11-01": 2, "2026-11-03": len(items)},
        per_hour=per_hour,
        night_share=1.0,
        platforms=sorted(PLATFORMS),
        episodes=[Episode(NIGHT, NIGHT + timedelta(minutes=9), 28, tuple(PLATFORMS))],
        first=items[0].sent_at,
        last=items[-1].received_at,
    )


META = ExportMeta(
    person="张某",
    generated_at=datetime(2026, 11, 4, 9, 0, tzinfo=CN),
    article_labels={"civil-code:1033": "《民法典》第一千零三十三条"},
    label_names={"verification_code": "验证码短信", "collection_threat": "催收威胁"},
)


@pytest.fixture(scope="module")
def items() -> list[EvidenceItem]:
    return make_items()


@pytest.fixture(scope="module")
def stats(items: list[EvidenceItem]) -> Stats:
    return make_stats(items)


def pdf_text(data: bytes, tmp_path: Path) -> str | None:
    """Text of a PDF by pdftotext, or None when poppler is not installed."""
    if shutil.which("pdftotext") is None:
        return None
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_csv_round_trips_with_bom_and_chinese(items: list[EvidenceItem], stats: Stats) -> None:
    data = export_csv(items, stats, TEXTS, META)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == [
        "序号", "接收时间", "发送时间", "来源", "发送方", "类别", "平台", "信号", "可能违反的条文", "原文", "条目哈希", "链哈希"
    ]  # fmt: skip
    assert len(rows) == len(items) + 1
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["原文"] == items[0].raw_text
    assert first["平台"] == "美团"
    assert first["类别"] == "验证码短信"
    assert first["发送时间"] == "2026-11-03 02:10:20"
    assert first["链哈希"] == items[0].chain_hash
    threat = dict(zip(rows[0], rows[29], strict=True))
    assert threat["可能违反的条文"] == "《民法典》第一千零三十三条"
    assert threat["发送方"] == "'+8613800000000"  # cannot start a spreadsheet formula


def test_csv_without_meta_uses_default_names(items: list[EvidenceItem], stats: Stats) -> None:
    rows = list(csv.reader(io.StringIO(export_csv(items, stats, TEXTS).decode("utf-8-sig"), newline="")))
    assert rows[29][8] == "civil-code:1033"
    assert rows[1][5] == "验证码短信"


def test_docx_has_title_rows_chain_head_and_east_asian_fonts(items: list[EvidenceItem], stats: Stats) -> None:
    data = export_docx(items, stats, TEXTS, META)
    document = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "证据清单" in text
    assert "张某" in text
    assert items[-1].chain_hash in text
    assert "anning evidence verify" in text
    assert "详单" in text
    table = document.tables[0]
    assert len(table.rows) == len(items) + 1
    assert table.rows[0].cells[1].text == "证据名称"
    assert table.rows[1].cells[1].text == "短信：验证码（美团）"
    assert "验证码轰炸" in table.rows[1].cells[5].text
    assert table.rows[30].cells[5].text.startswith("证明对方以上门催收相威胁")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = archive.read("word/styles.xml").decode("utf-8")
        body = archive.read("word/document.xml").decode("utf-8")
    assert 'w:eastAsia="宋体"' in styles
    assert 'w:eastAsia="黑体"' in styles
    assert "eastAsiaTheme" not in styles
    assert "asciiTheme" not in styles
    assert 'w:eastAsia="zh-CN"' in styles
    assert "w:pgSz" in body and 'w:w="11906"' in body  # A4


def test_pdf_contains_title_platform_and_chain_head(items: list[EvidenceItem], stats: Stats, tmp_path: Path) -> None:
    data = export_pdf(items, stats, TEXTS, META)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert "证据清单" in text
    assert "美团" in text
    assert "拼多多" in text
    assert items[-1].chain_hash in text
    assert "如何让证据更有力" in text
    assert "第 1 页" in text


def test_chart_png_opens_and_is_a4_sized(stats: Stats) -> None:
    png = render_chart(stats, find_cjk_font(), TEXTS)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert 1200 <= image.width <= 3000
    assert 0.4 < image.height / image.width < 1.2


def test_chart_without_data() -> None:
    empty = Stats(total=0, by_label={}, per_day={}, per_hour=[0] * 24, night_share=0.0, platforms=[])
    assert Image.open(io.BytesIO(render_chart(empty, find_cjk_font(), TEXTS))).width > 0


def test_hostile_text_is_written_literally_and_trimmed(tmp_path: Path) -> None:
    items = make_items([HOSTILE])
    stats = make_stats(items)
    rows = list(csv.reader(io.StringIO(export_csv(items, stats, TEXTS).decode("utf-8-sig"), newline="")))
    assert rows[-1][9] == HOSTILE  # the CSV keeps the exact raw text
    assert rows[-1][4].startswith("'=")
    document = Document(io.BytesIO(export_docx(items, stats, TEXTS, META)))
    cell = document.tables[0].rows[-1].cells[6].text
    assert cell.startswith("{{7*7}} <script>alert(1)</script> \\x00\\x07\\x1b[31m \\u202etxt.exe")
    assert len(cell) < 200 and "附录" in cell
    appendix = "\n".join(p.text for p in document.paragraphs)
    assert "轰" * 10_000 in appendix
    assert "49" not in cell
    data = export_pdf(items, stats, TEXTS, META)
    text = pdf_text(data, tmp_path)
    if text is not None:
        assert "{{7*7}}" in text
        assert "<script>" in text
        assert "〔U+1F621〕" in text  # a glyph the font lacks is named, not silently dropped
        assert "U+0009" not in text


def test_empty_log_exports() -> None:
    empty = Stats(total=0, by_label={}, per_day={}, per_hour=[0] * 24, night_share=0.0, platforms=[])
    assert export_csv([], empty, TEXTS).count(b"\n") == 1
    assert Document(io.BytesIO(export_docx([], empty, TEXTS))).tables[0].rows[0].cells[0].text == "序号"
    assert export_pdf([], empty, TEXTS).startswith(b"%PDF-")


def test_clean_escapes_controls_and_bidi() -> None:
    assert clean("a\x00b\r\nc\u202e") == "a\\x00b\nc\\u202e"
    assert clean("{{7*7}}") == "{{7*7}}"


def test_purpose_follows_label_and_signals(items: list[EvidenceItem]) -> None:
    assert "验证码轰炸" in purpose(items[0], TEXTS)
    assert "爆通讯录" in purpose(items[28], TEXTS)
    day = EvidenceItem(
        1,
        NIGHT.replace(hour=14),
        NIGHT.replace(hour=14),
        "paste",
        "x",
        None,
        "collection_threat",
        None,
        (),
        (),
        "a",
        "b",
    )
    night = EvidenceItem(1, NIGHT, NIGHT, "paste", "x", None, "collection_threat", None, ("night_time",), (), "a", "b")
    assert purpose(day, TEXTS) == "证明对方在催收中发送威胁信息"
    assert purpose(night, TEXTS) == "证明对方于深夜发送威胁信息，侵扰私人生活安宁"


def test_font_lookup(tmp_path: Path) -> None:
    path, index = find_cjk_font()
    assert path.is_file() and index >= 0
    font = tmp_path / "NotoSansCJK-Regular.ttc"
    font.write_bytes(b"")
    assert find_cjk_font(str(font)) == (font, 2)
    assert find_cjk_font(f"{font}#3") == (font, 3)
    with pytest.raises(FontNotFoundError):
        find_cjk_font(str(tmp_path / "missing.otf"))


def test_pdf_wrap_keeps_closing_marks_off_line_starts() -> None:
    pdf = EvidencePdf(find_cjk_font(), lambda page: "")
    pdf.add_page()
    pdf.set_font("cjk", size=7)
    text = "证明对方短时间内通过多个平台集中发送验证码（验证码轰炸），侵扰私人生活安宁。"
    for width in range(15, 60):
        lines = pdf.wrap(text, width)
        assert "".join(lines) == text
        assert not any(line[0] in "，。）" for line in lines[1:] if line)
        assert not any(line.endswith("（") for line in lines)
    assert pdf.wrap("please repay immediately", 25) == ["please repay", "immediately"]
    pdf.close_fonts()
