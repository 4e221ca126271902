"""OCR of phone-style SMS screenshots rendered here with Pillow and a CJK font, read by the bundled rapidocr models."""

from __future__ import annotations

import asyncio
import io
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from bot.sms.ocr import ImageRejected, OcrResult, RapidOcr, lines_to_paste
from bot.sms.parse import parse_paste


def _cjk_font() -> Path:
    try:
        import cvttf_NotoSansCJK_Regular as noto

        for path in Path(noto.__file__).parent.iterdir():
            if path.suffix.lower() in (".otf", ".ttf", ".ttc"):
                return path
    except ImportError:
        pass
    for pattern in ("*CJK*", "*wqy*", "*Hei*"):
        found = sorted(Path("/usr/share/fonts").rglob(pattern))
        if found:
            return found[0]
    pytest.skip("no CJK font installed", allow_module_level=True)


FONT = _cjk_font()
SENDER = "106905551234"
THREAD: list[tuple[str, list[str]]] = [
    ("11月2日 星期六 14:20", ["【某某商城】验证码 123456，", "5分钟内有效，请勿泄露。"]),
    ("11月2日 星期六 14:21", ["【速借宝】您的验证码为 884213，", "如非本人操作请忽略。"]),
    ("11月2日 星期六 14:35", ["你再不还钱，我们就把你的", "通讯录发给你全家和单位，", "让你身败名裂！"]),
]


def render(thread: Sequence[tuple[str, Sequence[str]]], width: int = 720) -> Image.Image:
    """A messages-app screenshot: status bar, title bar with the number, grey timestamps, grey bubbles, input bar."""
    body, small, title = (ImageFont.truetype(str(FONT), size) for size in (30, 24, 34))
    height = 320 + sum(100 + 44 * len(lines) for _, lines in thread)
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    draw.text((24, 14), "14:52", font=small, fill=(30, 30, 30))
    draw.text((width - 90, 14), "85%", font=small, fill=(30, 30, 30))
    draw.rectangle((0, 50, width, 150), fill=(247, 247, 247))
    draw.text((width // 2, 100), SENDER, font=title, fill=(20, 20, 20), anchor="mm")
    y = 190
    for stamp, lines in thread:
        draw.text((width // 2, y), stamp, font=small, fill=(150, 150, 150), anchor="mm")
        y += 40
        bubble_h = 20 + 44 * len(lines)
        bubble_w = max(draw.textlength(line, font=body) for line in lines) + 44
        draw.rounded_rectangle((30, y, 30 + bubble_w, y + bubble_h), radius=24, fill=(233, 233, 235))
        for i, line in enumerate(lines):
            draw.text((52, y + 12 + 44 * i), line, font=body, fill=(0, 0, 0))
        y += bubble_h + 40
    draw.rounded_rectangle((24, y + 10, width - 130, y + 70), radius=30, outline=(200, 200, 200), width=2)
    draw.text((50, y + 22), "短信/彩信", font=small, fill=(170, 170, 170))
    draw.text((width - 100, y + 22), "发送", font=small, fill=(80, 140, 250))
    return img.crop((0, 0, width, y + 90))


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def degraded_bytes(img: Image.Image) -> bytes:
    """60% size, JPEG quality 60: a screenshot forwarded through a chat app."""
    small = img.resize((round(img.width * 0.6), round(img.height * 0.6)), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=60)
    return buf.getvalue()


@pytest.fixture(scope="module")
def ocr() -> Iterator[RapidOcr]:
    engine = RapidOcr()
    engine.warm_up()
    yield engine


@pytest.fixture(scope="module")
def screenshot() -> Image.Image:
    return render(THREAD)


def squash(text: str) -> str:
    """OCR drops spaces and may mix full- and half-width commas; compare without them."""
    return "".join(text.split()).replace(",", "，")


def assert_key_strings(result: OcrResult) -> None:
    text = squash(result.text)
    for expected in (
        "123456",
        "884213",
        "【某某商城】验证码",
        "【速借宝】",
        SENDER,
        "通讯录",
        "全家",
        "单位",
        "身败名裂",
        "14:20",
    ):
        assert expected in text, (expected, result.lines)


def assert_three_messages(result: OcrResult) -> None:
    records = parse_paste(lines_to_paste(result))
    assert len(records) == 3, records
    assert "123456" in squash(records[0].text)
    assert "884213" in squash(records[1].text)
    assert "身败名裂" in squash(records[2].text)
    assert all(r.sender == SENDER for r in records)
    assert [(r.sent_at.hour, r.sent_at.minute) for r in records if r.sent_at] == [(14, 20), (14, 21), (14, 35)]
    assert not any("发送" in r.text or "彩信" in r.text for r in records)


def test_reads_a_clean_screenshot(ocr: RapidOcr, screenshot: Image.Image) -> None:
    result = ocr.read(png_bytes(screenshot))
    assert_key_strings(result)
    assert result.mean_confidence > 0.9
    assert result.text == "\n".join(result.lines)
    # reading order: title, then each timestamp above its bubble
    order = [
        next(i for i, line in enumerate(result.lines) if key in squash(line))
        for key in (SENDER, "14:20", "123456", "14:21", "884213", "身败名裂")
    ]
    assert order == sorted(order)
    assert_three_messages(result)


def test_reads_a_degraded_copy(ocr: RapidOcr, screenshot: Image.Image) -> None:
    result = ocr.read(degraded_bytes(screenshot))
    assert_key_strings(result)
    assert_three_messages(result)


def test_long_scrolling_screenshot_is_read_in_slices_without_duplicates(ocr: RapidOcr) -> None:
    thread = [
        (
            f"11月{day}日 星期六 14:{day:02d}",
            [f"【速借宝】您的验证码为 {100000 + day * 1111}，", "如非本人操作请忽略。"],
        )
        for day in range(1, 25)
    ]
    img = render(thread)
    assert img.height > 4000
    result = ocr.read(png_bytes(img))
    codes = [squash(line) for line in result.lines if "验证码" in line]
    assert len(codes) == 24, result.lines
    for day in range(1, 25):
        assert any(str(100000 + day * 1111) in line for line in codes), day
    assert len(parse_paste(lines_to_paste(result))) == 24


def test_png_name_with_text_inside_is_not_an_image(ocr: RapidOcr, tmp_path: Path) -> None:
    fake = tmp_path / "screenshot.png"
    fake.write_text("【速借宝】这不是图片，是一段文字。", encoding="utf-8")
    with pytest.raises(ImageRejected) as caught:
        ocr.read(fake.read_bytes())
    assert caught.value.reason == "not_an_image"
    truncated = png_bytes(render(THREAD[:1]))[:3000]
    with pytest.raises(ImageRejected) as caught:
        ocr.read(truncated)
    assert caught.value.reason == "not_an_image"


def test_blank_image_has_no_text_and_rapidocr_stays_quiet(capfd: pytest.CaptureFixture[str]) -> None:
    fresh = RapidOcr()  # its own engine, so that start-up logging would show here
    with pytest.raises(ImageRejected) as caught:
        fresh.read(png_bytes(Image.new("RGB", (720, 1280), "white")))
    assert caught.value.reason == "no_text"
    out, err = capfd.readouterr()
    assert "RapidOCR" not in out + err and "INFO" not in out + err


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a size without carrying its pixels (a decompression bomb's shape): refused before decoding."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(1024))) + chunk(b"IEND", b"")
    )


def test_oversized_images_are_refused(ocr: RapidOcr) -> None:
    for data in (
        _png_header_only(8000, 6000),
        _png_header_only(30000, 30000),
        b"\x89PNG\r\n\x1a\n" + bytes(21 * 1024 * 1024),
    ):
        with pytest.raises(ImageRejected) as caught:
            ocr.read(data)
        assert caught.value.reason == "too_large"


async def test_concurrent_reads_from_threads(ocr: RapidOcr, screenshot: Image.Image) -> None:
    data = degraded_bytes(screenshot)
    first, second = await asyncio.gather(asyncio.to_thread(ocr.read, data), asyncio.to_thread(ocr.read, data))
    assert first == second
    assert "884213" in squash(first.text)


def test_import_does_not_load_the_engine() -> None:
    code = "import sys, bot.sms.ocr; assert 'rapidocr' not in sys.modules and 'onnxruntime' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_lines_to_paste_without_timestamps_keeps_lines() -> None:
    result = OcrResult(
        text="【某某商城】验证码123456\n请勿泄露", lines=("【某某商城】验证码123456", "请勿泄露"), mean_confidence=1.0
    )
    assert lines_to_paste(result) == "【某某商城】验证码123456\n请勿泄露"


def test_a_screenshot_needing_too_many_passes_is_refused_before_any_is_run() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (1080, 12_000), (255, 255, 255)).save(buf, "PNG")
    reader = RapidOcr(max_slices=4)
    with pytest.raises(ImageRejected) as caught:
        reader.read(buf.getvalue())
    assert caught.value.reason == "too_long"
    assert reader._engine is None  # the models were never loaded: nothing was read
