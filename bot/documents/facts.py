"""Documents stage, facts: slot values drawn from a person's evidence log, so a draft asks only what the log lacks.

The auto-summarised 事实经过, dates, numbers, the evidence list and sample messages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from bot.clock import CHINA
from bot.documents.slots import clean_value
from bot.evidence.model import DATE_ASSUMED, DATE_CONFIRMED, EvidenceItem, Stats
from bot.evidence.stats import compute
from bot.texts import Texts, nest_quotes

COLLECTION_LABELS = ("collection_threat", "harassment_insult", "collection_notice")
THREAT_LABELS = ("collection_threat", "harassment_insult")
MAX_PLATFORMS = 8
MAX_NUMBERS = 10
MAX_SAMPLES = 3
SAMPLE_CHARS = 100
_SPACES = re.compile(r"\s+")


def _t(texts: Texts, key: str, /, **values: object) -> str:
    return texts.get(f"documents.evidence.{key}", **values)


def _label(label: str, texts: Texts) -> str:
    key = f"evidence.label.{label}"
    return texts.get(key) if texts.has(key) else label


def _local(moment: datetime) -> datetime:
    return moment.astimezone(CHINA) if moment.tzinfo else moment


def _day(moment: datetime) -> str:
    local = _local(moment)
    return f"{local.year}年{local.month}月{local.day}日"


def _minute(moment: datetime) -> str:
    local = _local(moment)
    return f"{local.year}年{local.month}月{local.day}日{local.hour}时{local.minute:02d}分"


def _sent(item: EvidenceItem, texts: Texts) -> str:
    """When a message was sent, in words; a day taken from the paste says so; empty when unknown."""
    if item.sent_at is None:
        return ""
    text = _minute(item.sent_at)
    if DATE_CONFIRMED in item.signals:
        return text + _t(texts, "date_confirmed_mark")
    return text + _t(texts, "date_assumed_mark") if DATE_ASSUMED in item.signals else text


def _short(text: str, limit: int = SAMPLE_CHARS) -> str:
    text = _SPACES.sub(" ", clean_value(text)).strip()
    return text if len(text) <= limit else text[:limit] + "……"


# the person says the codes were not theirs ("我没注册过这些", "不是我登录的")
_NOT_MINE = re.compile(r"(?:没|没有|从没|从来没|未|不是我|并非本人|不是本人)\S{0,8}?(?:注册|登录|登陆|申请|操作)")


def slots_from_evidence(
    items: Sequence[EvidenceItem], stats: Stats, texts: Texts, told: Sequence[str] = ()
) -> dict[str, str]:
    """Slot values from the evidence log: what_happened, start_date, latest_date, collector_numbers, sms_samples,
    evidence_list. Empty dict for an empty log. Message texts are cleaned and trimmed; nothing is invented: the
    codes are said not to be the person's own only when they said so (`told`), screenshots are listed only when
    the log has some."""
    if not items or not stats.total:
        return {}
    # Times come only from messages whose sending time is known: a paste's logging time is not when a message
    # arrived, and a statement to the police must not say so (nor find a "burst" in one paste).
    timed = compute([i for i in items if i.sent_at is not None])
    out: dict[str, str] = {}
    labels = sorted(stats.by_label.items(), key=lambda kv: (-kv[1], kv[0]))
    parts = "、".join(_t(texts, "label_part", name=_label(k, texts), count=v) for k, v in labels)
    if timed.first and timed.last:
        out["start_date"] = _local(timed.first).date().isoformat()
        out["latest_date"] = _local(timed.last).date().isoformat()
        if _day(timed.first) == _day(timed.last):
            text = _t(texts, "range_single", first=_day(timed.first), total=stats.total)
        else:
            text = _t(texts, "range", first=_day(timed.first), last=_day(timed.last), total=stats.total)
    else:
        text = _t(texts, "range_untimed", total=stats.total)
    if parts:
        text += _t(texts, "by_label", parts=parts)
    if timed.night_share > 0:
        text += _t(texts, "night", timed=timed.total, percent=f"{timed.night_share:.0%}")
    text += _t(texts, "end")
    sentences = [text]
    if timed.total and timed.total < stats.total:
        sentences.append(_t(texts, "untimed", count=stats.total - timed.total))
    if timed.date_assumed:
        sentences.append(_t(texts, "date_assumed", count=timed.date_assumed))
    if stats.platforms:
        names = "、".join(clean_value(p) for p in stats.platforms[:MAX_PLATFORMS])
        more = _t(texts, "platforms_more") if len(stats.platforms) > MAX_PLATFORMS else ""
        sentences.append(_t(texts, "platforms", count=len(stats.platforms), names=names, more=more))
        if any(_NOT_MINE.search(line) for line in told):
            sentences.append(_t(texts, "platforms_not_mine"))
    if timed.episodes:
        top = max(timed.episodes, key=lambda e: e.count)
        end = _local(top.end)
        end_text = f"{end.hour}时{end.minute:02d}分" if _day(top.end) == _day(top.start) else _minute(top.end)
        sentences.append(
            _t(
                texts,
                "episodes",
                count=len(timed.episodes),
                start=_minute(top.start),
                end=end_text,
                episode_count=top.count,
                platform_count=len(top.platforms),
            )
        )
    threats = [i for i in items if i.label in THREAT_LABELS]
    if threats:
        first = threats[0]
        sender = clean_value(first.sender) if first.sender else _t(texts, "sender_unknown")
        sentences.append(
            _t(
                texts,
                "threat",
                when=_sent(first, texts),
                sender=sender,
                text=nest_quotes(_short(first.raw_text)),
            )
        )
    out["what_happened"] = "".join(sentences)

    numbers = [clean_value(i.sender) for i in items if i.label in COLLECTION_LABELS and i.sender]
    if numbers:
        out["collector_numbers"] = "\n".join(list(dict.fromkeys(n for n in numbers if n))[:MAX_NUMBERS])
    samples = [i for i in items if i.label in COLLECTION_LABELS][:MAX_SAMPLES]
    codes = [i for i in items if i.label == "verification_code"][:1]
    if samples or codes:
        out["sms_samples"] = "\n".join(
            _t(
                texts,
                "sample" if i.sent_at else "sample_untimed",
                when=_sent(i, texts),
                sender=clean_value(i.sender) if i.sender else _t(texts, "sender_unknown"),
                text=nest_quotes(_short(i.raw_text)),
            )
            for i in [*samples, *codes]
        )
    out["evidence_list"] = "\n".join(
        [
            _t(texts, "list_sms", total=stats.total, parts=parts or str(stats.total)),
            _t(texts, "list_export"),
            *([_t(texts, "list_screens")] if any(i.source == "screenshot" for i in items) else []),
        ]
    )
    return out


# what the person's own account says collectors did, by the words it uses (the conduct a letter asks to stop)
_TOLD_CONDUCT: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bombing", re.compile(r"轰炸|验证码")),
    ("night", re.compile(r"半夜|深夜|凌晨|夜里|大晚上|睡觉")),
    ("family", re.compile(r"家人|家里人|父母|爸|妈|老公|老婆|丈夫|妻子|媳妇|亲戚|孩子|儿子|女儿|哥|姐|弟|妹")),
    ("work", re.compile(r"同事|单位|领导|老板|公司")),
    ("contacts", re.compile(r"朋友|通讯录|联系人")),
    ("threat", re.compile(r"威胁|弄死|打死|砍(?!头息)|上门|曝光|挂网|P图|p图|遗照")),
    ("insult", re.compile(r"骂|侮辱|羞辱")),
    ("calls", re.compile(r"(?:每天|天天|一直|不停地?|反复|轮番|一天\S{0,4}次)\S{0,4}打|打\S{0,4}(?:几十|上百|很多)")),
)
BOMBING_CODES = 10  # verification codes in the log that count as bombing in a letter


def conduct(stats: Stats | None, told: Sequence[str], texts: Texts) -> str:
    """The collection conduct a letter asks to stop, as the log and the person's own account show it ("验证码轰炸、
    骚扰家人和威胁"): only who they said was called (家人, 同事, 通讯录联系人); "" when neither shows any, so the
    letter does not allege what nobody said."""
    seen: set[str] = set()
    if stats is not None:
        if stats.by_label.get("verification_code", 0) >= BOMBING_CODES or stats.episodes:
            seen.add("bombing")
        if stats.by_label.get("collection_threat", 0):
            seen.add("threat")
        if stats.by_label.get("harassment_insult", 0):
            seen.add("insult")
        if stats.night_share > 0:
            seen.add("night")
    words = " ".join(told)
    seen.update(key for key, pattern in _TOLD_CONDUCT if pattern.search(words))
    names = [texts.get(f"documents.conduct.{key}") for key, _ in _TOLD_CONDUCT if key in seen]
    if not names:
        return ""
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + texts.get("documents.conduct.and") + names[-1]


def with_account(summary: str, told: list[str], texts: Texts) -> str:
    """The 事实经过 with the person's own account (their words, as they said them) after what the log shows."""
    lines = "；".join(clean_value(line) for line in told if line.strip())
    return _t(texts, "account_more" if summary else "account_only", summary=summary, lines=lines)
