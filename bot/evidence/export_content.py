"""Evidence stage, export content: what every export of the evidence list says, in words (names, rows, summary)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import CHINA
from bot.evidence.model import DATE_ASSUMED, DATE_CONFIRMED, EvidenceItem, Stats
from bot.evidence.stats import is_night
from bot.texts import Texts

TABLE_TEXT_CHARS = 120  # 原文 in the table is trimmed to this; the full text goes to the appendix
APPENDIX_TEXT_CHARS = 20_000  # beyond this even the appendix cuts (the CSV keeps everything)
SENDER_CHARS = 40
MAX_LISTED_PLATFORMS = 30
MAX_LISTED_EPISODES = 10
# The most specific signal decides 证明目的; the label decides otherwise.
PURPOSE_SIGNALS = (
    "violence_threat",
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

# C0/C1 controls (but tab and newline), lone surrogates, non-characters and bidi overrides are shown as \xNN escapes:
# they are invalid in XML, invisible in print, or (bidi) could make a message read differently from what it is.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")


def t(texts: Texts, key: str, /, **values: object) -> str:
    """One text of the evidence.* keys."""
    return texts.get(f"evidence.{key}", **values)


def _has(texts: Texts, key: str) -> bool:
    return texts.has(f"evidence.{key}")


@dataclass(frozen=True, kw_only=True)
class ExportMeta:
    """What the documents say besides the items: title, whose list it is, when, and how to read citations and labels."""

    title: str | None = None  # None = the catalogue's title
    person: str | None = None  # e.g. "张某"; None = the catalogue's "unknown person"
    generated_at: datetime = field(default_factory=lambda: datetime.now(CHINA))
    chain_head: str = ""  # final chain hash; empty = the last item's chain hash
    verify_hint: str = ""  # an extra sentence on how to verify (e.g. the chat command), shown under 如何核验
    article_labels: dict[str, str] = field(default_factory=dict)  # "civil-code:1033" -> "《民法典》第一千零三十三条"
    label_names: dict[str, str] = field(default_factory=dict)  # "verification_code" -> "验证码短信"
    font: str | None = None  # a configured font file ("path" or "path#index"); None = find one


def clean(text: str) -> str:
    r"""Text safe to print and to put into XML: CR LF to LF, and unsafe characters as visible \xNN / \uNNNN escapes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


def local(moment: datetime) -> datetime:
    """An aware moment in China time (naive ones are taken as already local)."""
    return moment.astimezone(CHINA) if moment.tzinfo else moment


def fmt_time(moment: datetime | None, seconds: bool = True) -> str:
    """2026-11-03 02:10:05 in China time (without seconds when asked); empty for None."""
    if moment is None:
        return ""
    return local(moment).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _is_night(item: EvidenceItem) -> bool:
    """Sent at night: only a known send time says so (when it was pasted says nothing about when it was sent)."""
    if item.sent_at is None:
        return False
    return NIGHT_SIGNAL in item.signals or is_night(item.sent_at)


def time_text(item: EvidenceItem, texts: Texts) -> str:
    """发送时间 in words: the send time (with a note when its day was taken from the paste), or 未知 with when and
    how the bot received it — never the receiving time standing in for the send time."""
    if item.sent_at is None:
        key = f"received_how.{item.source}"
        how = t(texts, key) if _has(texts, key) else t(texts, "received_how.paste")
        return t(texts, "time_unknown", how=how, when=fmt_time(item.received_at, False))
    text = fmt_time(item.sent_at)
    if DATE_ASSUMED in item.signals:
        text += t(texts, "date_assumed_mark")
    elif DATE_CONFIRMED in item.signals:
        text += t(texts, "date_confirmed_mark")
    return text


def label_name(label: str, meta: ExportMeta | None, texts: Texts) -> str:
    """The Chinese name of a label: from the meta, else the catalogue, else the label itself."""
    if meta and label in meta.label_names:
        return meta.label_names[label]
    key = f"label.{label}"
    return t(texts, key) if _has(texts, key) else label


def _kind(label: str, meta: ExportMeta | None, texts: Texts) -> str:
    key = f"kind.{label}"
    return t(texts, key) if _has(texts, key) else label_name(label, meta, texts)


def signal_name(signal: str, texts: Texts) -> str:
    """The Chinese name of a signal, else the signal itself."""
    key = f"signal.{signal}"
    return t(texts, key) if _has(texts, key) else signal


def article_label(article: str, meta: ExportMeta | None) -> str:
    """The 《law》第…条 label of an article id, when the meta knows it."""
    return meta.article_labels.get(article, article) if meta else article


def evidence_name(item: EvidenceItem, texts: Texts, meta: ExportMeta | None = None) -> str:
    """证据名称, e.g. 短信：验证码（美团）."""
    kind = _kind(item.label, meta, texts)
    if item.platform:
        return t(texts, "item_name_platform", kind=kind, platform=clean(item.platform))
    return t(texts, "item_name", kind=kind)


def purpose(item: EvidenceItem, texts: Texts) -> str:
    """证明目的, chosen by the most specific signal, else by the label, with the night noted."""
    night = _is_night(item)
    signal = ""
    for signal in PURPOSE_SIGNALS:
        if signal in item.signals and _has(texts, f"purpose.{signal}"):
            text = t(texts, f"purpose.{signal}")
            break
    else:
        if night and _has(texts, f"purpose.{item.label}_night"):
            return t(texts, f"purpose.{item.label}_night")
        key = f"purpose.{item.label}" if _has(texts, f"purpose.{item.label}") else "purpose.other"
        text = t(texts, key)
    # a bombing is night-time harassment by itself; the time column shows the hour
    return text + t(texts, "purpose.night_suffix") if night and signal != "code_bombing_part" else text


@dataclass(frozen=True)
class Row:
    """One row of the evidence table, in words."""

    seq: str
    name: str
    source: str
    time: str
    sender: str
    purpose: str
    text: str

    def cells(self) -> tuple[str, ...]:
        """The cells in column order."""
        return (self.seq, self.name, self.source, self.time, self.sender, self.purpose, self.text)


@dataclass(frozen=True)
class Content:
    """Everything both documents show, already in words."""

    title: str
    byline: str
    summary: list[str]
    headings: tuple[str, ...]
    rows: list[Row]
    appendix: list[tuple[str, str]]
    chain_head: str
    verify: list[str]
    tips: list[str]
    count: int = 0  # how many items the list holds (the chain head is the last one's)


def source_name(source: str, texts: Texts) -> str:
    """The Chinese name of an evidence source (paste, screenshot, backup, …)."""
    key = f"source.{source}"
    return t(texts, key) if _has(texts, key) else clean(source)


def _row(item: EvidenceItem, meta: ExportMeta, texts: Texts) -> tuple[Row, str | None]:
    """A table row, and the full text when the table shows it trimmed."""
    when = time_text(item, texts).replace(" ", "\n", 1)
    full = clean(item.raw_text)
    short = _SPACES.sub(" ", full).strip()
    trimmed = len(short) > TABLE_TEXT_CHARS
    if trimmed:
        short = short[:TABLE_TEXT_CHARS] + t(texts, "trimmed_mark", seq=item.seq)
    sender = _SPACES.sub(" ", clean(item.sender)).strip()[:SENDER_CHARS] if item.sender else t(texts, "sender_unknown")
    name, source = evidence_name(item, texts, meta), source_name(item.source, texts)
    row = Row(str(item.seq), name, source, when, sender, purpose(item, texts), short)
    return row, full if trimmed else None


def _summary(items: Sequence[EvidenceItem], stats: Stats, meta: ExportMeta, texts: Texts) -> list[str]:
    if not stats.total and not items:
        return [t(texts, "summary_empty")]
    sep = t(texts, "list_sep")
    first = t(texts, "summary_total", total=stats.total)
    if stats.first and stats.last:
        first += t(texts, "summary_range", first=fmt_time(stats.first, False), last=fmt_time(stats.last, False))
    first += t(texts, "summary_end")
    if stats.untimed:
        first += t(texts, "summary_untimed", count=stats.untimed)
    if stats.date_assumed:
        first += t(texts, "summary_date_assumed", count=stats.date_assumed)
    labels = sorted(stats.by_label.items(), key=lambda kv: (-kv[1], kv[0]))
    if labels:
        parts = sep.join(t(texts, "summary_label_part", name=label_name(k, meta, texts), count=v) for k, v in labels)
        first += t(texts, "summary_by_label", parts=parts)
    if stats.timed:
        first += t(texts, "summary_night", timed=stats.timed, percent=f"{stats.night_share:.0%}")
    paragraphs = [first]
    if stats.platforms:
        names = sep.join(clean(p) for p in stats.platforms[:MAX_LISTED_PLATFORMS])
        if len(stats.platforms) > MAX_LISTED_PLATFORMS:
            names += t(texts, "summary_platforms_more")
        paragraphs.append(t(texts, "summary_platforms", count=len(stats.platforms), names=names))
    if stats.episodes:
        listed = []
        for episode in stats.episodes[:MAX_LISTED_EPISODES]:
            start, end = local(episode.start), local(episode.end)
            end_text = end.strftime("%H:%M") if end.date() == start.date() else fmt_time(end, False)
            listed.append(
                t(
                    texts,
                    "summary_episode",
                    start=fmt_time(start, False),
                    end=end_text,
                    count=episode.count,
                    platforms=len(episode.platforms),
                )
            )
        text = t(texts, "summary_episodes", count=len(stats.episodes)) + t(texts, "clause_sep").join(listed)
        if len(stats.episodes) > MAX_LISTED_EPISODES:
            text += t(texts, "summary_episodes_more", count=len(stats.episodes) - MAX_LISTED_EPISODES)
        paragraphs.append(text + t(texts, "summary_end"))
    else:
        paragraphs.append(t(texts, "summary_no_episode"))
    articles = Counter(a for item in items for a in dict.fromkeys(item.articles))
    if articles:
        ordered = sorted(articles.items(), key=lambda kv: (-kv[1], kv[0]))
        parts = sep.join(t(texts, "summary_article_part", label=article_label(a, meta), count=n) for a, n in ordered)
        paragraphs.append(t(texts, "summary_articles", parts=parts))
    return paragraphs


def build_content(items: Sequence[EvidenceItem], stats: Stats, meta: ExportMeta, texts: Texts) -> Content:
    """Everything the DOCX and the PDF show, in words: summary, rows, appendix, how to verify, tips."""
    rows: list[Row] = []
    appendix: list[tuple[str, str]] = []
    for item in items:
        row, full = _row(item, meta, texts)
        rows.append(row)
        if full is not None:
            if len(full) > APPENDIX_TEXT_CHARS:
                full = full[:APPENDIX_TEXT_CHARS] + t(texts, "appendix_cut", count=len(full) - APPENDIX_TEXT_CHARS)
            appendix.append((t(texts, "appendix_item", seq=item.seq, time=time_text(item, texts)), full))
    head = meta.chain_head or (items[-1].chain_hash if items else "")
    verify = [t(texts, "verify_how"), t(texts, "verify_cmd")]
    if meta.verify_hint:
        verify.append(clean(meta.verify_hint))
    verify.append(t(texts, "verify_hashes_where"))
    headings = tuple(
        t(texts, k) for k in ("col_seq", "col_name", "col_source", "col_time", "col_sender", "col_purpose", "col_text")
    )
    title = meta.title if meta.title is not None else t(texts, "title")
    person = meta.person if meta.person is not None else t(texts, "person_unknown")
    byline = (
        t(texts, "person_line", person=clean(person))
        + "    "
        + t(texts, "generated_line", when=fmt_time(meta.generated_at, False))
    )
    return Content(
        title=clean(title),
        byline=byline,
        summary=_summary(items, stats, meta, texts),
        headings=headings,
        rows=rows,
        appendix=appendix,
        chain_head=head,
        count=len(items),
        verify=verify,
        tips=[line.strip() for line in t(texts, "tips").splitlines() if line.strip()],
    )
