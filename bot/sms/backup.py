"""SMS analysis stage (③a), backup import: an exported SMS file -> received messages as SmsRecord.

Three kinds of upload are understood, recognised by their content (the file name is only a hint):

- the XML written by the Android app "SMS Backup & Restore" (``<smses><sms address=… date=… type=… body=…/>``);
  ``date`` is epoch milliseconds, ``type`` 1 is received and 2 sent — only received messages are kept;
- CSV exports with a header row; the sender, time and body columns are found by name (English or Chinese),
  times may be epoch milliseconds, epoch seconds or text, a type/direction column drops sent messages;
- anything else that decodes as text is handed to `parse_paste`, as if pasted.

The XML is read as a stream (no whole tree in memory), only with defusedxml, with DTDs, entities and external
references forbidden: such a file is refused with BackupRejected("unsafe_xml") before anything is expanded or fetched. Input is capped at 10 MB and
50,000 messages. Text is UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030. Times become aware
Asia/Shanghai datetimes. Nothing here judges the content.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Final, Literal

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import iterparse as safe_iterparse

from bot.clock import CHINA
from bot.sms.parse import MAX_PASTE_CHARS, SmsRecord, parse_paste

__all__ = ["MAX_BACKUP_BYTES", "MAX_MESSAGES", "BackupRejected", "RejectReason", "parse_backup"]

MAX_BACKUP_BYTES: Final = 10 * 1024 * 1024
MAX_MESSAGES: Final = 50_000

RejectReason = Literal["too_large", "too_many", "unreadable", "unsafe_xml", "unsupported_xml"]


_SOURCE: Final = "backup"


class BackupRejected(ValueError):
    """The upload cannot be imported; `reason` is a key for the user-facing text, `detail` is for logs."""

    def __init__(self, reason: RejectReason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: RejectReason = reason
        self.detail = detail


# ---------------------------------------------------------------------------------------------- decoding


def _decode(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, else GB18030; binary content -> unreadable."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BackupRejected("unreadable", "bad UTF-16") from exc
    else:
        if b"\x00" in data:
            raise BackupRejected("unreadable", "NUL bytes: binary file")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise BackupRejected("unreadable", "neither UTF-8 nor GB18030") from exc
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r")
    if controls > max(2, len(text) // 100) or "\x00" in text:
        raise BackupRejected("unreadable", f"{controls} control characters: binary file")
    return text


# --------------------------------------------------------------------------------------------------- time

_EPOCH_MIN: Final = datetime(2000, 1, 1, tzinfo=UTC).timestamp()
_EPOCH_MAX: Final = datetime(2100, 1, 1, tzinfo=UTC).timestamp()

_TEXT_TIME = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[T\s]*(?P<half>上午|下午|凌晨|早上|中午|晚上)?\s*(?P<h>\d{1,2})\s*[:：时]\s*(?P<mi>\d{2})"
    r"(?:\s*[:：分]\s*(?P<s>\d{2})(?:\.\d+)?)?\s*秒?\s*(?P<ampm>[AaPp][Mm])?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_MONTHS: Final = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
}
_ENGLISH_TIME = re.compile(
    r"(?P<mon>[A-Za-z]{3})[a-z]*\.?\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})"
    r"(?:\s+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?)?"
)


def _from_epoch(value: float) -> datetime | None:
    seconds = value / 1000 if value >= 1e11 else value
    if not _EPOCH_MIN <= seconds < _EPOCH_MAX:
        return None
    return datetime.fromtimestamp(seconds, tz=CHINA)


def _hour(hour: int, half: str | None, ampm: str | None) -> int:
    if ampm:
        pm = ampm.lower() == "pm"
        return (hour % 12) + (12 if pm else 0)
    if half in ("下午", "晚上") and hour < 12:
        return hour + 12
    if half == "中午" and hour < 11:
        return hour + 12
    if half == "凌晨" and hour == 12:
        return 0
    return hour


def parse_time(raw: str) -> datetime | None:
    """Epoch ms / epoch s / common text forms -> aware Asia/Shanghai datetime; None when not recognised."""
    text = raw.strip()
    if not text:
        return None
    if re.fullmatch(r"\d{9,14}(?:\.\d+)?", text):
        return _from_epoch(float(text))
    try:
        if (m := _TEXT_TIME.search(text)) is not None:
            hour = _hour(int(m["h"] or 0), m["half"], m["ampm"])
            when = datetime(int(m["y"]), int(m["mo"]), int(m["d"]), hour, int(m["mi"] or 0), int(m["s"] or 0))
            if m["tz"]:
                offset = m["tz"].replace(":", "")
                if offset == "Z":
                    return when.replace(tzinfo=UTC).astimezone(CHINA)
                sign = -1 if offset[0] == "-" else 1
                delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
                return when.replace(tzinfo=timezone(sign * delta)).astimezone(CHINA)
            return when.replace(tzinfo=CHINA)
        if (m := _ENGLISH_TIME.search(text)) is not None and m["mon"].lower()[:3] in _MONTHS:
            hour = _hour(int(m["h"] or 0), None, m["ampm"])
            month = _MONTHS[m["mon"].lower()[:3]]
            when = datetime(int(m["y"]), month, int(m["d"]), hour, int(m["mi"] or 0), int(m["s"] or 0))
            return when.replace(tzinfo=CHINA)
    except ValueError:  # 2024-02-31 and the like
        return None
    return None


# ---------------------------------------------------------------------------------------------------- XML

# SMS Backup & Restore writes characters outside the BMP (emoji) as two numeric references to UTF-16
# surrogates, which XML forbids; join each pair, and turn a lone surrogate into U+FFFD, before parsing.
_SURROGATE_PAIR = re.compile(rb"&#(5[5-6]\d{3});&#(5[6-7]\d{3});")
_LONE_SURROGATE = re.compile(rb"&#(5[5-7]\d{3});")


def _join_surrogates(data: bytes) -> bytes:
    def pair(match: re.Match[bytes]) -> bytes:
        high, low = int(match[1]), int(match[2])
        if 0xD800 <= high <= 0xDBFF and 0xDC00 <= low <= 0xDFFF:
            code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            return b"&#%d;" % code
        return match[0]

    def lone(match: re.Match[bytes]) -> bytes:
        return b"&#65533;" if 0xD800 <= int(match[1]) <= 0xDFFF else match[0]

    return _LONE_SURROGATE.sub(lone, _SURROGATE_PAIR.sub(pair, data))


def _parse_xml(data: bytes) -> list[SmsRecord]:
    """Read the file as a stream: each <sms> is dropped from the tree once read, so no whole tree is ever built."""
    records: list[SmsRecord] = []
    root = None
    depth = 0
    try:
        stream = safe_iterparse(
            io.BytesIO(_join_surrogates(data)),
            events=("start", "end"),
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        )
        for kind, element in stream:
            if kind == "start":
                if root is None and element.tag != "smses":
                    raise BackupRejected("unsupported_xml", f"root element <{element.tag}>, expected <smses>")
                root = root if root is not None else element
                depth += 1
                continue
            depth -= 1
            if element.tag == "sms":
                _add_sms(records, element.attrib)
            if depth == 1 and root is not None:
                root.clear()  # a finished top-level element is not needed any more
    except DefusedXmlException as exc:
        raise BackupRejected(
            "unsafe_xml", f"{type(exc).__name__}: DTDs, entities and external references are refused"
        ) from exc
    except ParseError as exc:
        raise BackupRejected("unreadable", f"malformed XML: {exc}") from exc
    return records


def _add_sms(records: list[SmsRecord], attrib: Mapping[str, str]) -> None:
    if attrib.get("type", "1").strip() != "1":  # 2 sent, 3 draft, 4 outbox, 5 failed, 6 queued
        return
    body = attrib.get("body") or ""
    if not body.strip():
        return
    when = parse_time(attrib.get("date") or "") or parse_time(attrib.get("readable_date") or "")
    records.append(_record((attrib.get("address") or "").strip(), when, body))
    _check_count(records)


# ---------------------------------------------------------------------------------------------------- CSV

# Column names, best first; a header cell matches a name it contains (case-insensitive).
_BODY_NAMES: Final = ("短信内容", "body", "content", "内容", "message", "正文", "text", "msg", "短信")
_SENDER_NAMES: Final = (
    "address",
    "号码",
    "number",
    "phone",
    "电话",
    "手机",
    "发件人",
    "发信人",
    "发送方",
    "sender",
    "from",
    "联系人",
)
_TYPE_NAMES: Final = ("type", "类型", "direction", "方向", "收发", "box", "folder")
_TIME_NAMES: Final = ("date", "time", "timestamp", "时间", "日期")
_SENT_VALUES: Final = frozenset({"2", "sent", "outgoing", "out", "发送", "已发送", "发出", "外发", "我"})
_RECEIVED_VALUES: Final = frozenset({"1", "received", "incoming", "in", "inbox", "接收", "已接收", "收到", "收件"})


def _rank(cell: str, names: Sequence[str]) -> int | None:
    h = cell.strip().lower().lstrip("\ufeff")
    return next((rank for rank, name in enumerate(names) if name in h), None)


def _best(header: Sequence[str], names: Sequence[str], taken: set[int]) -> int | None:
    ranked = [(rank, i) for i, cell in enumerate(header) if i not in taken and (rank := _rank(cell, names)) is not None]
    if not ranked:
        return None
    index = min(ranked)[1]
    taken.add(index)
    return index


def _columns(header: Sequence[str]) -> tuple[int, list[int], int, int | None] | None:
    """(sender, [time...], body, type) column indexes, or None when the row is not a usable header."""
    taken: set[int] = set()
    body = _best(header, _BODY_NAMES, taken)
    sender = _best(header, _SENDER_NAMES, taken)
    times = [
        i
        for i, cell in enumerate(header)
        if i not in taken and _rank(cell, _TIME_NAMES) is not None and _rank(cell, ("name", "名")) is None
    ]
    taken.update(times)
    kind = _best(header, _TYPE_NAMES, taken)
    if body is None or sender is None:
        return None
    return sender, times, body, kind


def _row_time(row: Sequence[str], columns: Sequence[int]) -> datetime | None:
    """Separate date and time columns read together; else the first column that parses on its own."""
    cells = [row[i].strip() for i in columns if i < len(row) and row[i].strip()]
    combined = parse_time(" ".join(cells))
    if combined is not None or len(cells) < 2:
        return combined
    return next((when for cell in cells if (when := parse_time(cell)) is not None), None)


def _sniff_dialect(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", "\t", ";", "|")}
    return max(counts, key=lambda sep: counts[sep])


def _parse_csv(text: str) -> list[SmsRecord] | None:
    """None when the text does not start with a recognisable header row (then it is treated as a paste)."""
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = _sniff_dialect(first_line)
    if first_line.count(delimiter) == 0:
        return None
    rows: Iterable[list[str]] = csv.reader(io.StringIO(text.lstrip()), delimiter=delimiter)
    try:
        iterator = iter(rows)
        header = next(iterator)
        columns = _columns(header)
        if columns is None:
            return None
        sender_i, time_is, body_i, kind_i = columns
        records: list[SmsRecord] = []
        for row in iterator:
            if len(row) <= body_i or not row[body_i].strip():
                continue
            if kind_i is not None and kind_i < len(row):
                kind = row[kind_i].strip().lower()
                if kind in _SENT_VALUES or (kind not in _RECEIVED_VALUES and kind.isdigit()):
                    continue
            sender = row[sender_i].strip() if sender_i < len(row) else ""
            records.append(_record(sender, _row_time(row, time_is), row[body_i]))
            _check_count(records)
    except csv.Error as exc:
        raise BackupRejected("unreadable", f"malformed CSV: {exc}") from exc
    return records


# --------------------------------------------------------------------------------------------------- main


def _record(sender: str, when: datetime | None, body: str) -> SmsRecord:
    return SmsRecord(text=body.strip(), sender=sender or None, sent_at=when, source=_SOURCE)


def _check_count(records: Sequence[object]) -> None:
    if len(records) > MAX_MESSAGES:
        raise BackupRejected("too_many", f"more than {MAX_MESSAGES} messages")


def _looks_like_xml(data: bytes) -> bool:
    head = data[:512].lstrip(codecs.BOM_UTF8).lstrip()
    return head.startswith(b"<?xml") or head.startswith(b"<smses") or head.startswith(b"<!DOCTYPE")


def parse_backup(data: bytes, filename: str = "") -> list[SmsRecord]:
    """Read an uploaded SMS export; return the received messages in file order.

    Raises BackupRejected with reason too_large / too_many / unreadable / unsafe_xml / unsupported_xml.
    """
    if len(data) > MAX_BACKUP_BYTES:
        raise BackupRejected("too_large", f"{len(data)} bytes > {MAX_BACKUP_BYTES}")
    name = filename.lower()
    if _looks_like_xml(data) or (name.endswith(".xml") and data.lstrip().startswith(b"<")):
        return _parse_xml(data)
    text = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return []
    records = _parse_csv(text)
    if records is None:
        records = []
        for chunk in _chunks(text):
            records.extend(parse_paste(chunk, source=_SOURCE))
            _check_count(records)
    return records


def _chunks(text: str, limit: int = MAX_PASTE_CHARS) -> Iterable[str]:
    """Cut a long text export at blank lines (else at line ends) into pieces parse_paste accepts."""
    if len(text) <= limit:
        yield text
        return
    piece: list[str] = []
    size = 0
    for block in re.split(r"(\n\s*\n)", text):
        parts = [block] if len(block) <= limit else [line + "\n" for line in block.split("\n")]
        for part in parts:
            if size + len(part) > limit and piece:
                yield "".join(piece)
                piece, size = [], 0
            piece.append(part[:limit])
            size += len(part[:limit])
    if piece:
        yield "".join(piece)
