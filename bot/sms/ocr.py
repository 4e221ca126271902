"""SMS analysis stage (③a), OCR: phone screenshots of an SMS thread -> text lines in reading order.

The person sends a screenshot of their messages app instead of pasting text. `RapidOcr.read` checks the
bytes really are an image (Pillow, a short list of formats), refuses oversized ones, shrinks very wide
images, cuts long scrolling screenshots (长截图) into overlapping slices so text stays legible, runs
rapidocr (PP-OCRv6 small, ONNX models bundled in the wheel, never downloaded) and groups the detected boxes
into rows: top to bottom, left to right. `lines_to_paste` turns the result into text that
`bot.sms.parse.parse_paste` splits into messages like a paste.

Nothing here judges the content; nothing is written to disk. The engine is created on first use, not at
import, and calls are serialised by a lock; the handler runs them on OCR's own bounded worker threads
(ocr_queue.py), never on the threads that answering uses. `slice_count` tells from the header alone how many
passes an image would take, so an over-long screenshot is refused before it waits for a worker.
"""

from __future__ import annotations

import importlib
import io
import logging
import math
import re
import statistics
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = [
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "ImageRejected",
    "OcrResult",
    "RapidOcr",
    "RejectReason",
    "lines_to_paste",
    "load_image",
    "slice_count",
]

MAX_IMAGE_BYTES: Final = 20 * 1024 * 1024
MAX_IMAGE_PIXELS: Final = 40_000_000

# Images are shrunk to at most this width before OCR: phone screenshots are 720-1440 px wide and text
# stays 30+ px tall at 1280. Taller images are cut into slices of _SLICE_HEIGHT with _SLICE_OVERLAP
# shared between neighbours (larger than any text line, so each line is whole in at least one slice).
_MAX_WIDTH: Final = 1280
_MAX_HEIGHT: Final = 16_000  # after width capping; beyond this the whole image is shrunk further
_SLICE_HEIGHT: Final = 2400  # a 1080x2400 phone screenshot is read in one pass
_SLICE_OVERLAP: Final = 240
# rapidocr shrinks anything whose long side exceeds max_side_len; keep it above a slice's height.
_ENGINE_MAX_SIDE: Final = _SLICE_HEIGHT + _SLICE_OVERLAP + 64

_FORMATS: Final = ("PNG", "JPEG", "WEBP", "GIF", "BMP")  # JPEG also opens MPO (camera) files
_EXIF_ORIENTATION: Final = 0x0112
_TURNED: Final = (5, 6, 7, 8)  # orientations that turn the picture a quarter

_MODEL_FILES: Final = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
}

RejectReason = Literal["not_an_image", "too_large", "too_long", "no_text"]

_log = logging.getLogger(__name__)


class ImageRejected(ValueError):
    """The upload cannot be read as a screenshot; `reason` says why (a key for the user-facing text)."""

    def __init__(self, reason: RejectReason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: RejectReason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class OcrResult:
    """What was read: `lines` in reading order, `text` the same joined by newlines."""

    text: str
    lines: tuple[str, ...]
    mean_confidence: float


@dataclass(frozen=True, slots=True)
class _Box:
    top: float
    bottom: float
    left: float
    text: str
    score: float

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


def _silence_rapidocr_logging() -> None:
    """rapidocr logs coloured INFO lines through its own non-propagating handler: keep only errors."""
    rlog = logging.getLogger("RapidOCR")
    rlog.setLevel(logging.ERROR)
    for handler in rlog.handlers:
        handler.setLevel(logging.ERROR)


def _model_params() -> dict[str, Any]:
    """Point rapidocr at the ONNX files inside its wheel, so its download-if-missing path is never taken."""
    package = importlib.import_module("rapidocr")
    models = Path(str(package.__file__)).parent / "models"
    params: dict[str, Any] = {
        "Global.log_level": "error",
        "Global.max_side_len": _ENGINE_MAX_SIDE,
    }
    for key, name in _MODEL_FILES.items():
        path = models / name
        if not path.is_file():
            raise RuntimeError(f"rapidocr model missing from the installed wheel: {path}")
        params[key] = str(path)
    return params


def load_image(data: bytes) -> Image.Image:
    """Decode and check an upload; return an RGB image. Raises ImageRejected (not_an_image / too_large)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRejected("too_large", f"{len(data)} bytes > {MAX_IMAGE_BYTES}")
    if not data:
        raise ImageRejected("not_an_image", "empty file")
    decode_errors = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            header = Image.open(io.BytesIO(data), formats=_FORMATS)  # reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected("too_large", str(exc)) from exc
    except decode_errors as exc:
        raise ImageRejected("not_an_image", f"{type(exc).__name__}: {exc}") from exc
    width, height = header.size
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageRejected("too_large", f"{width}x{height} pixels > {MAX_IMAGE_PIXELS}")
    try:
        header.verify()  # structure and checksums; the object is unusable afterwards
        image: Image.Image = Image.open(io.BytesIO(data), formats=_FORMATS)
        image.load()
    except decode_errors as exc:
        raise ImageRejected("not_an_image", f"{type(exc).__name__}: {exc}") from exc
    if width < 8 or height < 8:
        raise ImageRejected("no_text", f"{width}x{height} pixels")
    try:
        image = ImageOps.exif_transpose(image)
    except decode_errors:
        _log.debug("ocr: unreadable EXIF orientation ignored")
    return _to_rgb(image)


def _to_rgb(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white (screenshots are dark text on light) and drop palettes."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB") if image.mode != "RGB" else image


def _shrink(image: Image.Image) -> Image.Image:
    size = _scaled_size(*image.size)
    if size == image.size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS)


def _scaled_size(width: int, height: int) -> tuple[int, int]:
    """The size `_shrink` gives an image of this size."""
    scale = min(1.0, _MAX_WIDTH / width, _MAX_HEIGHT / height)
    if scale >= 1.0:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def slice_count(data: bytes) -> int:
    """How many OCR passes an upload needs, from its header alone (0 when the header is not a picture's)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            header = Image.open(io.BytesIO(data), formats=_FORMATS)  # reads the header only
            width, height = header.size
            if header.getexif().get(_EXIF_ORIENTATION, 1) in _TURNED:  # exif_transpose will swap the sides
                width, height = height, width
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        return 0
    if width < 1 or height < 1:
        return 0
    return len(_slices(_scaled_size(width, height)[1]))


def _slices(height: int) -> list[tuple[int, int, int, int]]:
    """(start, end, keep_from, keep_to) per slice: a box is kept by the slice whose keep range holds its middle."""
    if height <= _SLICE_HEIGHT + _SLICE_OVERLAP:
        return [(0, height, 0, height)]
    count = math.ceil((height - _SLICE_OVERLAP) / _SLICE_HEIGHT)
    step = math.ceil((height - _SLICE_OVERLAP) / count)  # equal slices, not one sliver at the end
    result = []
    for i in range(count):
        start = i * step
        end = min(height, start + step + _SLICE_OVERLAP)
        keep_from = 0 if i == 0 else start + _SLICE_OVERLAP // 2
        keep_to = height if i == count - 1 else start + step + _SLICE_OVERLAP // 2
        result.append((start, end, keep_from, keep_to))
    return result


def _rows(boxes: list[_Box]) -> list[list[_Box]]:
    """Group boxes whose vertical extents mostly overlap into rows; rows top to bottom, boxes left to right."""
    rows: list[list[_Box]] = []
    for box in sorted(boxes, key=lambda b: (b.middle, b.left)):
        if rows:
            row = rows[-1]
            top = min(b.top for b in row)
            bottom = max(b.bottom for b in row)
            overlap = min(bottom, box.bottom) - max(top, box.top)
            if overlap > 0.5 * min(box.height, bottom - top):
                row.append(box)
                continue
        rows.append([box])
    return [sorted(row, key=lambda b: b.left) for row in rows]


class RapidOcr:
    """rapidocr behind a lock, created lazily. One instance per process is enough."""

    def __init__(self, *, min_score: float = 0.5, max_slices: int = 0) -> None:
        self._min_score = min_score
        self._max_slices = max_slices  # 0: no limit; else longer screenshots are refused as too_long
        self._engine: Any = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the models now (0.5-1 s) instead of on the first screenshot."""
        with self._lock:
            self._get_engine()

    def _get_engine(self) -> Any:
        if self._engine is None:
            _silence_rapidocr_logging()
            module = importlib.import_module("rapidocr")
            _silence_rapidocr_logging()
            self._engine = module.RapidOCR(params=_model_params())
            _silence_rapidocr_logging()  # the constructor resets the level from its config
        return self._engine

    def _run(self, image: Image.Image, offset: int) -> list[_Box]:
        output = self._get_engine()(image)
        boxes_raw: Any = getattr(output, "boxes", None)
        txts: Any = getattr(output, "txts", None)
        scores: Any = getattr(output, "scores", None)
        if boxes_raw is None or txts is None or scores is None:
            return []
        boxes: list[_Box] = []
        for quad, text, score in zip(boxes_raw, txts, scores, strict=False):
            ys = [float(point[1]) for point in quad]
            xs = [float(point[0]) for point in quad]
            clean = str(text).strip()
            if clean and float(score) >= self._min_score:
                boxes.append(_Box(min(ys) + offset, max(ys) + offset, min(xs), clean, float(score)))
        return boxes

    def read(self, data: bytes) -> OcrResult:
        """OCR an uploaded screenshot. Raises ImageRejected with reason not_an_image / too_large / no_text."""
        image = _shrink(load_image(data))
        slices = _slices(image.height)
        if self._max_slices and len(slices) > self._max_slices:
            raise ImageRejected("too_long", f"{image.width}x{image.height} pixels: {len(slices)} slices")
        boxes: list[_Box] = []
        with self._lock:
            for start, end, keep_from, keep_to in slices:
                part = image if (start, end) == (0, image.height) else image.crop((0, start, image.width, end))
                boxes.extend(b for b in self._run(part, start) if keep_from <= b.middle < keep_to)
        if not boxes:
            raise ImageRejected("no_text")
        lines = tuple(" ".join(b.text for b in row) for row in _rows(boxes))
        confidence = statistics.fmean(b.score for b in boxes)
        _log.debug("ocr: %d lines, mean confidence %.3f", len(lines), confidence)
        return OcrResult(text="\n".join(lines), lines=lines, mean_confidence=confidence)


# A timestamp row as messages apps show it above a bubble: 11月2日 星期六 14:20 / 昨天 09:15 / 2024/11/2 14:20 /
# 下午2:20. OCR drops the spaces ("11月2日星期六14:20"); they are put back so the parser sees a date and a time.
_TIME_ROW = re.compile(
    r"^(?P<day>(?:\d{4}\s*[年/.-]\s*)?\d{1,2}\s*[月/.-]\s*\d{1,2}\s*日?|今天|昨天|前天|星期[一二三四五六日天]|周[一二三四五六日天])?"
    r"\s*(?P<week>星期[一二三四五六日天]|周[一二三四五六日天])?"
    r"\s*(?P<half>上午|下午|凌晨|早上|中午|晚上)?"
    r"\s*(?P<clock>\d{1,2}\s*[:：]\s*\d{2}(?:\s*[:：]\s*\d{2})?)$"
)


def _normalise_time_row(line: str) -> str | None:
    match = _TIME_ROW.match(line.strip())
    if match is None:
        return None
    clock = re.sub(r"\s+", "", match["clock"]).replace("：", ":")
    day = re.sub(r"\s+", "", match["day"] or "")
    parts = [day, match["week"] or "", (match["half"] or "") + clock]
    return " ".join(p for p in parts if p)


# The title bar of a thread shows the other side: a number or service port ("106905551234", "+86 138 0013 8000").
_NUMBER_TITLE = re.compile(r"^(?:\+?86[\s-]*)?\d[\d\s-]{3,22}\d$")
_CJK = re.compile(r"[\u3400-\u9fff]")
# Input-bar and button text at the bottom of a messages app, never part of a message.
_BOTTOM_CHROME = frozenset(
    {
        "发送",
        "短信",
        "信息",
        "彩信",
        "短信/彩信",
        "短信彩信",
        "输入信息",
        "发送短信",
        "iMessage",
        "SMS",
        "SMS/MMS",
        "Text Message",
    }
)


def lines_to_paste(result: OcrResult) -> str:
    """OCR lines -> paste-like text for `parse_paste`: a timestamp row starts each message, a blank line ends it.

    Lines between two timestamp rows are one message (a bubble wraps over several lines). Above the first
    timestamp is the app's chrome: a status-bar clock and the title bar. A title that is a number becomes
    the sender of every message; other short chrome lines are dropped, sentence-like ones (a bubble cut by
    the top edge) are kept as a message without time. Input-bar text at the bottom is dropped.
    """
    lines = [line.strip(" <>‹›") for line in result.lines]
    lines = [line for line in lines if line]
    stamp_at = [i for i, line in enumerate(lines) if _normalise_time_row(line) is not None]
    if len(stamp_at) > 1 and stamp_at[0] == 0 and re.fullmatch(r"\d{1,2}\s*[:：]\s*\d{2}", lines[0]):
        stamp_at = stamp_at[1:]  # a bare clock on the first line is the phone's status bar
    if not stamp_at:
        return "\n".join(lines)
    first = stamp_at[0]
    sender: str | None = None
    kept_head: list[str] = []
    for line in lines[:first]:
        if sender is None and _NUMBER_TITLE.match(line) and sum(ch.isdigit() for ch in line) >= 5:
            sender = line
        elif len(line) >= 6 and (_CJK.search(line) or "【" in line) and _normalise_time_row(line) is None:
            kept_head.append(line)
    body = lines[first:]
    while body and all(word in _BOTTOM_CHROME for word in body[-1].split()):
        body.pop()
    out: list[str] = []
    if kept_head:
        out += [*([sender] if sender else []), *kept_head, ""]
    for line in body:
        stamp = _normalise_time_row(line)
        if stamp is None:
            out.append(line)
            continue
        if out and out[-1] != "":
            out.append("")
        if sender:
            out.append(sender)
        out.append(stamp)
    return "\n".join(out).strip()
