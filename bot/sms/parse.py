"""SMS analysis stage (③a), parse: split a pasted block of SMS into records with sender and time; never judges content.

Understood layouts (mixed freely in one paste):

* one message, or several separated by blank lines;
* a header line before the body with a sender and/or a time, as phones and messengers copy or share them:
  "106900000000", "+86 138 0000 0000", "发件人：10690000", "张三 2026-11-03 02:14", "[2026/11/3 2:14:03]",
  "11月3日 02:14", "昨天 23:10", "凌晨2:14" (relative days and bare times only when a default date is given);
* a time at the start of the body line: "2026-11-03 02:14 【平台】验证码…", "[11-03 02:14] 10690000: …";
* labelled lines after the body ("发件人：…", "时间：…"), as some Android share sheets write them;
* a line starting with a 【平台】 signature starts a new message, even without a blank line;
* a bare time before each message ("02:01 【美团】…", "2:01 您的验证码…"), a date on its own line ("12月3日",
  "12-03", "2026/12/03", "昨天", "周二", "—— 2026-12-03 ——") dating the bare times after it;
* a sender before a colon ("13912345678：…", "1069012345：【美团】…"), "10690000 02:01 【美团】…", a service number
  glued to the signature ("106980095508【广发银行】…");
* a time after the text ("…482913。 02:01", "…（02:01）", or on the next line when the paste writes it so);
* several timed messages on one line; CSV or tab-separated export rows (time, number, text in any order).

A bare time with no date in the paste takes the paste's date (marked date_assumed, shown as such); without a date
context it stays unknown. A send time is only ever what the paste says — never when it was pasted.

Times are Asia/Shanghai. Headers are matched on a copy with full-width characters folded to ASCII; bodies stay raw.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from bot.clock import CHINA

MAX_PASTE_CHARS = 200_000


@dataclass(frozen=True)
class SmsRecord:
    """One message as pasted: the raw body, who sent it and when (when known)."""

    text: str
    sender: str | None = None
    sent_at: datetime | None = None
    source: str = "paste"
    date_assumed: bool = False  # the message gave a clock time only; its day is the paste's date context


def _time_re(g: str) -> str:
    """A clock time; group names end with g so the pattern can appear twice in one regex."""
    return (
        rf"(?P<ampm{g}>上午|下午|晚上|凌晨|中午|早上|早晨|夜里|夜间|傍晚|半夜|AM|PM)?"
        rf"\s*(?P<h{g}>\d{{1,2}})[:时点](?P<mi{g}>\d{{2}})(?:分)?(?::(?P<s{g}>\d{{2}})(?:\.\d+)?)?"
        rf"\s*(?P<ampm2{g}>AM|PM)?(?P<tz{g}>Z|[+-]\d{{2}}:?\d{{2}})?"
    )


_DATE = (
    r"(?:(?P<y>\d{4})[-/.年](?P<mo>\d{1,2})[-/.月](?P<d>\d{1,2})日?"
    r"|(?P<mo2>\d{1,2})(?:月(?P<d2>\d{1,2})日?|[-/](?P<d3>\d{1,2}))"
    r"|(?P<rel>今天|昨天|前天|今日|昨日|昨晚|昨夜|今晚|今早|今晨|Today|Yesterday)"
    r"|(?:星期|周|礼拜)(?P<wd>[一二三四五六日天]))"
    r"(?:\s*[,，]?\s*(?:星期|周)[一二三四五六日天])?"
)
_TS = re.compile(
    rf"^\s*[\[(]?\s*(?:(?P<date>{_DATE})(?:\s*T?\s*|\s+)(?P<time>{_time_re('')})?|(?P<time_only>{_time_re('_')}))\s*[\])]?",
    re.IGNORECASE,
)
_SENDER_LABELS = frozenset(["发件人", "发信人", "来自", "短信来自", "号码", "from", "sender"])
_LABEL_PREFIX = re.compile(
    r"^\s*(?P<label>发件人|发信人|来自|来信|短信来自|号码|From|Sender|时间|发送时间|接收时间|收到时间|日期|Date|Time)\s*[:：]\s*",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"^(?:\+?86[\s-]*)?1[3-9][\dx*][\s-]*[\dx*]{4}[\s-]*[\dx*]{4}$"
    r"|^106[\dx*\s-]{4,20}$"
    r"|^(?:100(?:86|10|00)|95\d{3,4}|96\d{3,4}|123\d{2}|1069\d{1,16})$"
    r"|^400[\s-]?[\dx*]{3}[\s-]?[\dx*]{4}$"
    r"|^0\d{2,3}[\s-]?[\dx*]{7,8}$",
    re.IGNORECASE,
)
# "106980095508【广发银行】…": a service number glued to the signature, as some exports and forwards write it
_GLUED_SENDER = re.compile(r"^(?P<s>(?:106|95|96|100|123)\d{2,17})(?=【)")
_NAME = re.compile(r"^[^\s,，。！？!?；;:：、\"“”【】\[\]()（）]{1,16}$")
_NOISE_LINE = re.compile(
    r"^(短信|信息|彩信|iMessage|Text Message|SMS|RCS|聊天记录|.{1,30}(的|和.{1,20}的)聊天记录|"
    r"\[(图片|语音|表情|动画表情|视频|文件|位置|红包|转账|Photo|Image|Sticker|Voice|Video)\])$",
    re.IGNORECASE,
)
# "02:01 您的验证码…" starts a message; "21:00前取件" and "18:00 前还款" are sentences about a time
_TIME_THEN_TEXT = re.compile(r"^\s+(?!前|后|之前|以前|之后|以后|到|至|起|左右|整|准时|开始|截止|[-~～—–]\s*\d)\S")
_SEPARATOR = re.compile(r"^[-–—─=_~*·]{2,}\s*|\s*[-–—─=_~*·]{2,}$")  # "—— 2026-12-03 ——" in WeChat exports
_SENDER_COLON = re.compile(r"^(?P<s>[^:：]{3,24})[:：](?!\d{2}(?:\D|$))\s*(?P<body>\S.*)$", re.DOTALL)
# "02:01 【美团】…  02:02 【京东】…" on one line: split before each dated or bare time that opens a 【】 message (not
# after the day or part of day it belongs to: "昨天晚上 23:45 【京东】…")
_INLINE_TIME = re.compile(
    r"(?<=\S)(?<!昨天|今天|前天|昨晚|今晚|昨夜|今早|今晨|晚上|凌晨|上午|下午|中午|早上|早晨|夜里|半夜|傍晚|夜间|\d日|\d号)(?<![-/.]\d{2})(?<![-/.]\d)"
    r"\s+(?=(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s+|\d{1,2}[-/月]\d{1,2}日?\s+)?\d{1,2}:\d{2}(?::\d{2})?\s*【)"
)
# "【美团】您的验证码是482913。 02:01" / "…（2026-12-03 02:01）": a time after the text, set off by space or brackets
_TRAILING_TIME = re.compile(
    r"(?:(?<=[。.!！?？)）】\]\d])\s+[\[(（]?|\s*[\[(（])\s*(?P<ts>(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s+|\d{1,2}[-/月]\d{1,2}日?\s*)?"
    r"(?:上午|下午|晚上|凌晨)?\d{1,2}:\d{2}(?::\d{2})?)\s*[\])）]?\s*$"
)
_DATE_BEFORE = re.compile(
    r"\d[-/.年月]\d{1,2}[日号]?$"
)  # "预约时间为 2026-12-05 14:00": the time of a date in the text
_CSV_HEADER_WORDS = frozenset(
    [
        "时间",
        "日期",
        "发送时间",
        "接收时间",
        "号码",
        "发件人",
        "发送方",
        "手机号",
        "联系人",
        "内容",
        "短信内容",
        "正文",
        "类型",
        "状态",
        "date",
        "time",
        "address",
        "number",
        "sender",
        "body",
        "text",
        "content",
        "type",
    ]
)
_CSV_TYPE_WORDS = frozenset(
    ["接收", "发送", "收到", "已发送", "已接收", "已读", "未读", "收件箱", "inbox", "sent", "1", "2"]
)
_INLINE_SIGNATURE = re.compile(r"(?<=[。.!！?？\s])(?=【[^【】\n]{1,30}】\S{2,})")
_WEEKDAYS = "一二三四五六日"
_BACK = {
    "今天": 0, "今日": 0, "今晚": 0, "今早": 0, "今晨": 0, "today": 0,
    "昨天": 1, "昨日": 1, "昨晚": 1, "昨夜": 1, "yesterday": 1, "前天": 2,
}  # fmt: skip
_TIME_THEN_MESSAGE = re.compile(r"^\s*【|^\s*[-–—|]\s*\S")  # "02:01 【美团】…", "02:01 - 您的验证码…"
_LATE = timedelta(minutes=10)  # clocks differ a little
_MAX_HEADER_CHARS = 64  # a "sender time" header line is short; longer lines are bodies
_MAX_SENDER_CHARS = 24  # a sender before a timestamp ("1069012345", "+86 139 1234 5678", "广东华兴银行")
_BODY_PREFIX = re.compile(r"^\s*(?:内容|短信内容|正文|Message|Body)\s*[:：]\s*", re.IGNORECASE)
# Full-width ASCII and the ideographic space folded to ASCII: one character for one, so offsets match the raw line.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _fold(text: str) -> str:
    return text.translate(_FOLD)


@dataclass
class _Draft:
    sender: str | None = None
    sent_at: datetime | None = None
    time_known: bool = False
    assumed: bool = False
    body: list[str] = field(default_factory=list)
    named: str = ""  # a "name time" line read as a header: if no message follows, it was the message itself


@dataclass
class _Context:
    default_date: date | None
    now: datetime | None = None  # when the paste arrived: a bare time later than this was on the day before
    year: int | None = None
    day: date | None = None  # the date of a date-only line, for following bare times
    leading_times: bool = False  # a time has opened a message on its line ("02:01 正文")


def _sender(text: str) -> str | None:
    """The sender if the whole text is a phone number, service port or (with a number) a name."""
    s = text.strip().rstrip(":：").strip()
    if not s:
        return None
    if _PHONE.match(s):
        return s
    name, _, number = s.rpartition(" ")
    if name and _PHONE.match(number.strip()) and _NAME.match(name.strip()):
        return s
    return None


def _hour(h: int, ampm: str | None) -> int:
    marker = (ampm or "").upper()
    if marker in ("下午", "晚上", "傍晚", "PM") and h < 12:
        return h + 12
    if marker == "中午" and h < 11:
        return h + 12
    if marker in ("凌晨", "上午", "早上", "早晨", "AM", "半夜", "夜里", "夜间") and h == 12:
        return 0
    if marker in ("夜里", "夜间") and 6 <= h < 12:
        return h + 12
    return h


def _resolve(m: re.Match[str], ctx: _Context) -> tuple[datetime | None, bool, bool]:
    """Turn a timestamp match into an aware datetime (None when the day is unknown); second: a time was present;
    third: the day was not in the paste but taken from the paste's date context."""
    has_time = bool(m.group("time") or m.group("time_only"))
    day: date | None = None
    assumed = False
    try:
        if m.group("y"):
            day = date(int(m.group("y")), int(m.group("mo")), int(m.group("d")))
            ctx.year = day.year
        elif m.group("mo2"):
            base = ctx.default_date or datetime.now(CHINA).date()
            year = ctx.year or base.year
            day = date(year, int(m.group("mo2")), int(m.group("d2") or m.group("d3")))
            if ctx.year is None and day > base + timedelta(days=1):  # "12月31日" pasted in January: last year
                day = date(year - 1, day.month, day.day)
        elif m.group("rel"):
            if ctx.default_date is not None:
                back = _BACK[m.group("rel").lower()]
                day = ctx.default_date - timedelta(days=back)
        elif m.group("wd"):
            if ctx.default_date is not None:
                target = _WEEKDAYS.index(m.group("wd").replace("天", "日"))
                day = ctx.default_date - timedelta(days=(ctx.default_date.weekday() - target) % 7)
        elif m.group("time_only"):
            day = ctx.day or ctx.default_date
            assumed = ctx.day is None
    except ValueError:
        return None, has_time, False
    if not has_time:
        if day is not None:
            ctx.day = day
        return None, False, False
    if day is None:
        return None, True, False
    g = "" if m.group("time") else "_"
    h = _hour(int(m.group("h" + g)), m.group("ampm" + g) or m.group("ampm2" + g))
    minute, second = int(m.group("mi" + g)), int(m.group("s" + g) or 0)
    if h > 23 or minute > 59 or second > 59:
        return None, True, False
    tz_text = m.group("tz" + g)
    if tz_text:
        iso = tz_text if tz_text == "Z" else f"{tz_text[:3]}:{tz_text[-2:]}"
        aware = datetime.fromisoformat(
            f"{day.isoformat()}T{h:02d}:{minute:02d}:{second:02d}{iso}".replace("Z", "+00:00")
        )
        return aware.astimezone(CHINA), True, assumed
    moment = datetime(day.year, day.month, day.day, h, minute, second, tzinfo=CHINA)
    if assumed and ctx.now is not None and moment > ctx.now + _LATE:
        moment -= timedelta(days=1)  # "23:10" pasted at 01:22 arrived yesterday evening
    return moment, True, assumed


@dataclass(frozen=True)
class _Header:
    sender: str | None
    sent_at: datetime | None
    time_known: bool
    rest: str  # body text that followed on the same line (raw)
    labelled: bool  # "发件人：" / "时间：" style, which may follow the body
    weak: bool = False  # "name number": a header only before a body, else an ordinary line such as "回电 138…"
    assumed: bool = False  # a clock time whose day came from the paste's date context
    skip: bool = False  # a line that carries nothing (a CSV header row)


def _header(raw: str, ctx: _Context, starting: bool = True) -> _Header | None:
    """Parse a line that carries a sender and/or a time; None for an ordinary body line. `starting`: no message
    is open, so "02:01 正文" starts one (inside a message it does only when the paste writes its times so)."""
    raw = raw.strip()
    if _SEPARATOR.match(raw):
        raw = _SEPARATOR.sub("", raw).strip()
    line = _fold(raw)
    table = _table_row(raw, ctx)
    if table is not None:
        return table
    labelled = False
    lm = _LABEL_PREFIX.match(line)
    if lm:
        labelled = True
        line, raw = line[lm.end() :], raw[lm.end() :]
    if not line:
        return None
    if lm and lm.group("label").lower() in _SENDER_LABELS and _NAME.match(line.strip()):
        return _Header(line.strip(), None, False, "", labelled)  # "发件人：建设银行": a named sender
    sender = _sender(line)
    if sender is not None:
        return _Header(sender, None, False, "", labelled, weak=" " in sender and not _PHONE.match(sender))
    colon = _SENDER_COLON.match(line)
    if colon and _PHONE.match(colon.group("s").strip()):  # "13912345678：今晚…", "1069012345：【美团】…"
        return _Header(colon.group("s").strip(), None, False, raw[colon.start("body") :].strip(), labelled)
    glued = _GLUED_SENDER.match(line)
    if glued and _PHONE.match(glued.group("s")):
        return _Header(glued.group("s"), None, False, raw[glued.end("s") :].strip(), labelled)

    m = _TS.match(line)
    prefix = ""
    if m is None or not (m.group("date") or m.group("time_only")):
        long_line = len(line) > _MAX_HEADER_CHARS  # a body, unless it opens with "sender timestamp text"
        # "张三 2026-11-03 02:14" or "10690000 11-03 02:14": a sender, then a timestamp that ends the line
        for sm in re.finditer(r"\s+|(?<=[:：])", line):
            if sm.start() > _MAX_SENDER_CHARS:
                return None  # no sender is this long: an ordinary line
            head, tail = line[: sm.start()].rstrip(":： "), line[sm.end() :]
            tm = _TS.match(tail)
            ends_line = tm is not None and not tail[tm.end() :].strip(" :：") and not long_line
            after = tail[tm.end() :].strip() if tm is not None else ""
            # "10690000 02:01 【美团】…": after a number, the timestamp may be followed by the message; after a
            # name ("建设银行 2026-12-03 02:01 【建设银行】…") only a full date and time, then a signed message
            dated = tm is not None and bool(tm.group("date")) and bool(tm.group("time"))
            then_text = bool(after) and (bool(_PHONE.match(head)) or (dated and after.startswith("【")))
            if (
                tm
                and (ends_line or then_text)
                and (tm.group("time") or tm.group("time_only"))
                and (_sender(head) or _NAME.match(head))
            ):
                m, prefix, line = tm, head, tail
                break
        else:
            return None
    assert m is not None
    date_only = m.group("date") and not m.group("time")
    rest_norm = line[m.end() :]
    if (
        m.group("time_only")
        and not prefix
        and rest_norm.strip(" :：")
        and not _TIME_THEN_MESSAGE.match(rest_norm)
        and not _numbered_sender(rest_norm)  # "23:47 106550101：您已逾期…" inside any paste: a new message
        and not (
            _spaced(line, m) and _TIME_THEN_TEXT.match(" " + rest_norm.lstrip()) and (starting or ctx.leading_times)
        )
    ):
        return None  # "21:00前取件": a time inside a sentence, not a header ("02:01 【美团】…" is one)
    # "11月8日到期": a date inside a sentence; a full date with text after it is a header only if bracketed
    if date_only and rest_norm.strip() and (not m.group("y") or not re.match(r"^\s*[\[(]", line)):
        return None
    sent_at, has_time, assumed = _resolve(m, ctx)
    rest_raw = raw[len(raw) - len(rest_norm) :] if rest_norm.strip() else ""
    sender_text = _sender(prefix) or (prefix or None)
    rest_stripped = rest_raw.strip().lstrip(":：").strip()
    if rest_stripped and has_time:
        ctx.leading_times = True  # this paste writes a time before each message
        rest_stripped = re.sub(r"^[-–—|]\s+", "", rest_stripped)
    if rest_stripped:
        # "[02:14] 10690000: body" — a port or number before a colon is the sender
        sm2 = re.match(r"^(?P<s>[^:：]{3,24})[:：]\s*(?P<body>.+)$", rest_stripped)
        if sm2 and _sender(_fold(sm2.group("s"))):
            sender_text = sender_text or _fold(sm2.group("s")).strip()
            rest_stripped = sm2.group("body").strip()
        elif not sender_text:
            first, _, after = rest_stripped.partition(" ")
            if after and _sender(_fold(first)):
                sender_text, rest_stripped = _fold(first), after.strip()
    return _Header(sender_text, sent_at, has_time or bool(date_only), rest_stripped, labelled, assumed=assumed)


def _numbered_sender(rest: str) -> bool:
    """True when the text after a time opens with a phone or service number and a colon (its sender)."""
    colon = _SENDER_COLON.match(rest.lstrip())
    return colon is not None and _PHONE.match(colon.group("s").strip()) is not None


def _spaced(line: str, m: re.Match[str]) -> bool:
    """Whether whitespace separates the matched timestamp from what follows it ("02:01 您的…", not "21:00前…")."""
    end = m.end()
    return (end > 0 and line[end - 1].isspace()) or line[end : end + 1].isspace()


def _table_row(raw: str, ctx: _Context) -> _Header | None:
    """A CSV or tab-separated export row: a timestamp field, maybe a number field, the text in the rest."""
    delimiter = "\t" if "\t" in raw else "," if raw.count(",") >= 1 else ""
    if not delimiter:
        return None
    try:
        fields = next(csv.reader([raw], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return None
    if len(fields) < 2:
        return None
    if len(fields) >= 3 and all(_fold(f).strip().lower() in _CSV_HEADER_WORDS for f in fields if f.strip()):
        return _Header(None, None, False, "", False, skip=True)
    when: _Header | None = None
    sender: str | None = None
    rest: list[str] = []
    for i, cell in enumerate(fields):
        folded = _fold(cell).strip()
        tm = _TS.match(folded) if when is None and i < 3 else None
        if tm and tm.end() == len(folded) and (tm.group("time") and tm.group("date")):
            sent_at, _, assumed = _resolve(tm, ctx)
            when = _Header(None, sent_at, True, "", False, assumed=assumed)
        elif folded.lower() in _CSV_TYPE_WORDS and i < 4:
            continue
        elif sender is None and i < 3 and (_PHONE.match(folded) or (i < len(fields) - 1 and _NAME.match(folded))):
            sender = folded  # a number, or a name ("潍坊银行") in a cell before the text
        else:
            rest.append(cell)
    body = delimiter.join(rest).strip()
    if when is None or not body:
        return None
    return _Header(sender, when.sent_at, True, body, False, assumed=when.assumed)


def _named_sender_above(cur: _Draft, time_line: str) -> bool:
    """Whether the one short line above a full date-and-time line is a sender's name, not a message."""
    if len(cur.body) != 1 or cur.sender is not None or cur.time_known:
        return False
    name = _fold(cur.body[0]).strip()
    m = _TS.match(_fold(time_line))
    full = m is not None and bool(m.group("date")) and bool(m.group("time")) and m.group("y") is not None
    return full and len(name) <= _MAX_SENDER_CHARS and bool(_NAME.match(name))


def _inline_pieces(line: str) -> list[str]:
    """A line cut before each timed 【】 message on it; a lone sender before the first time stays with it
    ("建设银行 2026-12-03 02:01 【建设银行】…" is one message with its sender, not a message "建设银行")."""
    parts = _INLINE_TIME.split(line)
    if len(parts) > 1:
        first = _fold(parts[0]).strip()
        if len(first) <= _MAX_SENDER_CHARS and (_sender(first) or _NAME.match(first)):
            parts = [f"{parts[0].rstrip()} {parts[1].lstrip()}", *parts[2:]]
    return parts


def _split_signatures(line: str) -> list[str]:
    """Split "【A】验证码1234。【B】验证码5678" into one piece per message; a trailing signature stays put."""
    if not line.lstrip().startswith("【"):
        return [line]
    parts = _INLINE_SIGNATURE.split(line)
    return [p for p in (s.strip() for s in parts) if p]


def parse_paste(
    text: str, source: str = "paste", default_date: date | None = None, now: datetime | None = None
) -> list[SmsRecord]:
    """Split a pasted block into SMS records; raises ValueError when it is longer than MAX_PASTE_CHARS.

    default_date is the paste's date context (relative days and bare clock times take it; such records are marked
    date_assumed); now, when given, moves a bare time later than the paste itself to the day before."""
    if len(text) > MAX_PASTE_CHARS:
        raise ValueError(
            f"the pasted text has {len(text)} characters; the limit is {MAX_PASTE_CHARS} — paste fewer messages at once"
        )
    ctx = _Context(default_date, now.astimezone(CHINA) if now is not None else None)
    out: list[SmsRecord] = []
    cur = _Draft()

    def flush() -> None:
        nonlocal cur
        body = "\n".join(cur.body).strip()
        if body:
            out.append(
                SmsRecord(
                    text=body,
                    sender=cur.sender,
                    sent_at=cur.sent_at,
                    source=source,
                    date_assumed=cur.assumed and cur.sent_at is not None,
                )
            )
        cur = _Draft()

    def timed(sent_at: datetime | None, assumed: bool) -> None:
        cur.sent_at, cur.time_known, cur.assumed = sent_at, True, assumed

    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # A time on its own line closes the message above it only in a paste that ends with such a line (the
    # "正文 / 02:01" layout); otherwise it opens the message below it.
    last = next((line.strip() for line in reversed(lines) if line.strip()), "")
    tail = _header(last, _Context(default_date, ctx.now)) if last else None
    ends_with_time = tail is not None and tail.time_known and not (tail.sender or tail.rest or tail.labelled)
    for raw_line in (piece for line in lines for piece in _inline_pieces(line)):
        stripped = raw_line.strip()
        if not stripped:
            if cur.body:
                flush()
            continue
        if _NOISE_LINE.match(stripped):
            continue
        h = _header(stripped, ctx, starting=not cur.body)
        if h is not None and h.weak and cur.body:
            h = None
        if h is not None and h.skip:
            continue
        if h is not None:
            lone_time = h.time_known and not h.sender and not h.rest and not h.labelled
            if lone_time and _named_sender_above(cur, stripped) and not ends_with_time:
                # "建设银行 / 2026-12-03 02:01 / 【建设银行】…": a phone's layout with the sender's name on its own line
                cur.sender, cur.body = cur.body[0], []
                timed(h.sent_at, h.assumed)
                continue
            if cur.body and not cur.time_known and lone_time and ends_with_time and not ctx.leading_times:
                # "正文" then "02:01": in a paste that writes the time after each message, the time closes it
                timed(h.sent_at, h.assumed)
                flush()
                continue
            if cur.body and h.labelled and not h.rest:
                # "发件人：…" / "时间：…" after the body belongs to that body when the field is still empty
                if h.sender and cur.sender is None and not h.time_known:
                    cur.sender = h.sender
                    continue
                if h.time_known and not cur.time_known and not h.sender:
                    timed(h.sent_at, h.assumed)
                    continue
            if cur.body:
                flush()
            if h.sender is not None:
                if cur.sender is not None:
                    cur = _Draft()  # a second sender line without a body: the first header had no message
                cur.sender = h.sender
            if h.time_known:
                timed(h.sent_at, h.assumed)
            if h.sender and not h.rest and not _sender(h.sender):
                cur.named = stripped
            if h.rest:
                for piece in _split_signatures(h.rest):
                    if cur.body:
                        flush()
                    cur.body.append(piece)
            continue
        stripped = _BODY_PREFIX.sub("", stripped)
        for piece in _split_signatures(stripped):
            if piece.startswith("【") and cur.body:
                flush()
            cur.body.append(piece)
        if not cur.time_known:
            folded = _fold(cur.body[-1])
            trailing = _TRAILING_TIME.search(folded)
            if trailing is not None and not _DATE_BEFORE.search(folded[: trailing.start()]):
                tm = _TS.match(trailing.group("ts"))
                if tm is not None and (tm.group("time") or tm.group("time_only")):
                    sent_at, _, assumed = _resolve(tm, ctx)
                    cur.body[-1] = cur.body[-1][: trailing.start()].rstrip()
                    timed(sent_at, assumed)
                    flush()  # the time closes the message
    if not cur.body and cur.named:  # "您预约的时间为 2026-12-05 14:00" alone: a message, not a header
        cur = _Draft(body=[cur.named])
    flush()
    return _one_night(out)


def _one_night(records: list[SmsRecord]) -> list[SmsRecord]:
    """Clock times whose day came from the paste run forward in time: when a later one had to be yesterday ("02:04"
    pasted at 02:03), the earlier ones before it were yesterday too, not split across two days."""
    assumed = [i for i, r in enumerate(records) if r.date_assumed and r.sent_at is not None]
    days = {d for i in assumed if (d := _day_of(records[i])) is not None}
    if len(days) < 2:
        return records
    earliest = min(days)  # the day the latest times were moved back to
    last_moved = max(i for i in assumed if _day_of(records[i]) == earliest)
    out = list(records)
    for i in assumed:
        moment = out[i].sent_at
        if i < last_moved and moment is not None and moment.date() > earliest:
            out[i] = replace(out[i], sent_at=moment - timedelta(days=1))
    return out


def _day_of(record: SmsRecord) -> date | None:
    return record.sent_at.date() if record.sent_at is not None else None


def _dedupe_key(record: SmsRecord) -> tuple[str, datetime | None]:
    return " ".join(unicodedata.normalize("NFKC", record.text).split()), record.sent_at


def dedupe(records: Iterable[SmsRecord]) -> tuple[list[SmsRecord], int]:
    """Drop repeats of the same text with the same time (first copy kept); returns (unique, number dropped)."""
    seen: set[tuple[str, datetime | None]] = set()
    unique: list[SmsRecord] = []
    dropped = 0
    for record in records:
        key = _dedupe_key(record)
        if key in seen:
            dropped += 1
            continue
        seen.add(key)
        unique.append(record)
    return unique, dropped
