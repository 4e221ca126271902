"""SMS analysis stage (③a), explain: turn findings into one short plain reply (Chinese or English), citing articles.

Only articles that exist in the KnowledgeBase are cited (labels like 《民法典》第一千零三十三条); every sentence comes
from bot/texts/zh_CN.sms.toml (English: en.toml [sms]), and the quoted messages and article labels stay as they are.
The reply stays under MAX_REPLY_CHARS (English: twice that) by listing fewer messages when there are many.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from bot.knowledge import Citation, KnowledgeBase, cite
from bot.sms.classify import Finding
from bot.sms.rules import LABELS
from bot.sms.second import by_model
from bot.texts import BASE, ENGLISH, Texts

MAX_REPLY_CHARS = 1500
# English says the same in about 2.4 times the characters (measured on a night of bombing: 817 vs 1924), and in
# fewer bytes than the Chinese budget (3000 vs 4500 UTF-8 bytes), so it gets twice the characters, not fewer messages
MAX_REPLY_CHARS_BY_LANG = {ENGLISH: 2 * MAX_REPLY_CHARS}
NOTABLE_LABELS = ("collection_threat", "fraud", "harassment_insult")
DANGER_SIGNALS = frozenset({"home_visit_threat", "third_party_contact", "workplace_threat", "violence_threat"})
VIOLENCE_SIGNAL = "violence_threat"  # a threat to life or body: the reply starts with 110
INJECTION_SIGNAL = "prompt_injection"  # words aimed at a program inside an SMS: noted, never followed
MAX_ARTICLES_PER_LINE = 3
MAX_PLATFORMS = 6
SNIPPET_CHARS = 36
# Without timestamps a burst cannot be proven; this many undated codes from this many platforms still get the
# bombing explanation (with a note that the times are unknown).
UNDATED_MIN_CODES = 5
UNDATED_MIN_PLATFORMS = 3


def article_label(kb: KnowledgeBase, citation_id: str) -> str | None:
    """《law》第…条 for a citation id, or None when the article is not in knowledge/ (it is then never shown)."""
    ref = kb.get(citation_id)
    if ref is None:
        return None
    return f"《{ref.instrument.short}》{ref.article.label}"


# "We will report you to the credit bureau": lawful when true, and the advance notice 征信业管理条例第十五条 asks for;
# the reply says so (sms.credit_notice) and cites the article as the explanation, not as a breach.
CREDIT_SIGNAL = "credit_threat"
CREDIT_NOTICE_ARTICLE = "credit-reporting-regulation:15"


def _credit_notice(findings: Sequence[Finding]) -> bool:
    return any(CREDIT_SIGNAL in f.signals for f in findings)


def citations(findings: Sequence[Finding], kb: KnowledgeBase) -> list[Citation]:
    """The articles the reply names, once, as engine Citations (for Reply.citations): each message's first
    MAX_ARTICLES_PER_LINE, as its line shows them (a threat to visit once carried ten, down to 刑法第二百四十五条);
    the credit notice's article last, when the reply explains it."""
    out: list[Citation] = []
    seen: set[str] = set()
    explained = (CREDIT_NOTICE_ARTICLE,) if _credit_notice(findings) else ()
    named = (cid for f in findings for cid in [c for c in f.articles if kb.get(c) is not None][:MAX_ARTICLES_PER_LINE])
    for cid in [*named, *explained]:
        ref = kb.get(cid)
        if ref is None or cid in seen:
            continue
        seen.add(cid)
        out.append(cite(ref))
    return out


def _fraud_hotline(kb: KnowledgeBase, texts: Texts, lang: str = BASE) -> str:
    """110, plus 96110 only when a reviewed contact in knowledge/ names it."""
    for contact in kb.contacts.values():
        blob = " ".join([contact.phone or "", contact.name, contact.handles, contact.how])
        if "96110" in blob:
            return texts.get("sms.fraud_hotlines", lang)
    return "110"


def _carriers(kb: KnowledgeBase) -> str:
    contact = kb.contacts.get("carrier-service")
    return contact.phone if contact is not None and contact.phone else "10086 / 10010 / 10000"


def _when(dt: datetime | None, day: bool = True) -> str:
    """A send time as the reply shows it; without its day when the day is only the paste's guess."""
    return dt.strftime("%m-%d %H:%M" if day else "%H:%M") if dt is not None else ""


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1] + "…"


def _articles_text(kb: KnowledgeBase, texts: Texts, ids: Sequence[str], limit: int, lang: str = BASE) -> str:
    labels = [lab for lab in (article_label(kb, cid) for cid in ids) if lab is not None]
    return texts.get("sms.article_sep", lang).join(labels[:limit])


def _notable_line(n: int, f: Finding, kb: KnowledgeBase, texts: Texts, lang: str = BASE) -> str:
    signals = _signals_text(f, texts, lang)
    arts = _articles_text(kb, texts, f.articles, MAX_ARTICLES_PER_LINE, lang)
    time = _when(f.record.sent_at, not f.record.date_assumed)
    when = texts.get("sms.when", lang, time=time) if f.record.sent_at else ""
    return texts.get(
        "sms.notable_item",
        lang,
        n=n,
        when=when,
        label=texts.get(f"sms.label.{f.label}", lang) + (texts.get("sms.by_model", lang) if by_model(f) else ""),
        signals=signals,
        snippet=_snippet(f.record.text),
        cite=texts.get("sms.cite", lang, articles=arts) if arts else "",
    )


def gist(findings: Sequence[Finding], texts: Texts, limit: int = 3) -> str:
    """The analysis in a few words for the conversation memory: the kinds of message found, most frequent first
    ("催收威胁（联系你的亲友或通讯录）；验证码"), so that "这个合法吗" is read against them. Normal messages are left out."""
    kinds = Counter(
        texts.get(f"sms.label.{f.label}") + _signals_text(f, texts) for f in findings if f.label != "normal"
    )
    return "；".join(kind for kind, _ in kinds.most_common(limit))


def _signals_text(f: Finding, texts: Texts, lang: str = BASE) -> str:
    sig_names = [texts.get(f"sms.signal.{s}", lang) for s in f.signals if texts.has(f"sms.signal.{s}")]
    joined = texts.get("sms.signal_sep", lang).join(sig_names)
    return texts.get("sms.signals_wrap", lang, signals=joined) if sig_names else ""


def _bombing(findings: Sequence[Finding], kb: KnowledgeBase, texts: Texts, lang: str = BASE) -> tuple[str, bool] | None:
    """The paragraph about codes, and whether it is the bombing explanation."""
    codes = [f for f in findings if f.label == "verification_code"]
    if not codes:
        return None
    burst = [f for f in codes if "code_bombing_part" in f.signals]
    undated = False
    if not burst:
        keys = {f.platform or f.sender for f in codes if f.platform or f.sender}
        if (
            len(codes) >= UNDATED_MIN_CODES
            and len(keys) >= UNDATED_MIN_PLATFORMS
            and all(f.record.sent_at is None for f in codes)
        ):
            burst, undated = codes, True
        else:
            return texts.get("sms.codes_plain", lang, n=len(codes)), False
    platforms = list(dict.fromkeys(f.platform for f in burst if f.platform))
    shown = texts.get("sms.platform_sep", lang).join(f"【{p}】" for p in platforms[:MAX_PLATFORMS])
    if len(platforms) > MAX_PLATFORMS:
        shown += texts.get("sms.platforms_more", lang)
    times = sorted(f.record.sent_at for f in burst if f.record.sent_at is not None)
    if undated:
        span = texts.get("sms.bombing_undated", lang)
    else:
        # clock times whose day the paste did not give show no day: the reply asks for it (or says it is assumed)
        day = not all(f.record.date_assumed for f in burst if f.record.sent_at is not None)
        span = (
            texts.get("sms.bombing_span", lang, start=_when(times[0], day), end=_when(times[-1], day)) if times else ""
        )
    ids = list(dict.fromkeys(cid for f in burst for cid in f.articles))
    text = texts.get(
        "sms.bombing", lang, span=span, n=len(burst), platforms=shown, k=len(platforms), carriers=_carriers(kb)
    )
    articles = _articles_text(kb, texts, ids, 4, lang)
    if articles:  # never "这可能违反 。" with nothing after it
        text += "\n" + texts.get("sms.bombing_articles", lang, articles=articles)
    return text, True


def _time_notes(findings: Sequence[Finding], texts: Texts, day_asked: bool = False, lang: str = BASE) -> list[str]:
    """Say which days were taken from the paste, and how many messages have no send time (logged as unknown)."""
    notes = []
    assumed = sorted(
        {f.record.sent_at.strftime("%m-%d") for f in findings if f.record.date_assumed and f.record.sent_at}
    )
    if assumed and not day_asked:
        notes.append(texts.get("sms.date_assumed", lang, days=texts.get("sms.platform_sep", lang).join(assumed)))
    untimed = sum(1 for f in findings if f.record.sent_at is None)
    if untimed and untimed < len(findings):
        notes.append(texts.get("sms.time_unknown_some", lang, n=untimed))
    elif untimed and len(findings) > 1:
        notes.append(texts.get("sms.time_unknown_all", lang))
    return notes


_COURT_LINK = re.compile(r"https?://([a-z0-9-]+\.)*court\.gov\.cn(?![a-z0-9.-])", re.IGNORECASE)
_COURT_HOTLINE = re.compile(r"法院.{0,80}12368|12368.{0,80}法院", re.DOTALL)
# a court named with a case number ("（2026）皖1722民初273号"), as courts' own service platforms write (sms_rules.yaml
# lexicon court_service); the text is NFKC-normalised first, so the brackets are ASCII
_COURT_CASE = re.compile(r"人民法院.{0,40}\(\d{4}\)[\u4e00-\u9fa5]{1,2}\d{1,6}[\u4e00-\u9fa5]{1,6}\d+号", re.DOTALL)


def _court_notice(f: Finding) -> str | None:
    """The court-notice advice a message needs: "court_notice" for a court's own notice (a court.gov.cn link, or a
    court naming the 12368 hotline), "court_notice_unverified" for a court's case notice that links elsewhere (some
    courts use their own platform); None for anything else or a plain scam."""
    if f.label == "fraud":
        return None
    text = f.record.text
    if _COURT_LINK.search(text) or _COURT_HOTLINE.search(text):
        return "court_notice"
    if _COURT_CASE.search(unicodedata.normalize("NFKC", text)):
        return "court_notice_unverified"
    return None


def explain(
    findings: Sequence[Finding],
    kb: KnowledgeBase,
    texts: Texts,
    duplicates: int = 0,
    day_asked: bool = False,
    lang: str = BASE,
) -> str:
    """One short reply: counts by label, the notable messages with their articles, bombing help, the next step
    (`day_asked`: the day of messages that show only a time is being asked, so it is not said to be the paste's), in
    `lang` around the quoted messages and article labels, which stay as they are."""
    if not findings:
        return texts.get("sms.empty", lang)
    counts = Counter(f.label for f in findings)
    count_text = texts.get("sms.count_sep", lang).join(
        texts.get("sms.count_item", lang, label=texts.get(f"sms.label.{lab}", lang), n=counts[lab])
        for lab in LABELS
        if counts[lab]
    )
    dup = texts.get("sms.dup", lang, n=duplicates) if duplicates else ""
    head = texts.get("sms.summary", lang, total=len(findings), dup=dup, counts=count_text)

    # threats first, then fraud, then insults; in paste order within each
    notable = sorted((f for f in findings if f.label in NOTABLE_LABELS), key=lambda f: NOTABLE_LABELS.index(f.label))
    tail: list[str] = []
    codes = _bombing(findings, kb, texts, lang)
    bombed = codes is not None and codes[1]
    if codes is not None:
        tail.append(codes[0])
    if counts["fraud"]:
        tail.append(texts.get("sms.fraud", lang, hotline=_fraud_hotline(kb, texts, lang)))
    court = {c for c in (_court_notice(f) for f in findings) if c}
    for key in ("court_notice", "court_notice_unverified"):
        if key in court:
            tail.append(texts.get(f"sms.{key}", lang))
    if _credit_notice(findings) and kb.get(CREDIT_NOTICE_ARTICLE) is not None:
        tail.append(texts.get("sms.credit_notice", lang))
    injected = sum(1 for f in findings if INJECTION_SIGNAL in f.signals)
    if injected:
        tail.append(texts.get("sms.injection", lang, n=injected))
    tail.extend(_time_notes(findings, texts, day_asked, lang))
    threatening = counts["collection_threat"] or any(DANGER_SIGNALS & set(f.signals) for f in notable)
    violent = any(VIOLENCE_SIGNAL in f.signals for f in findings)
    if threatening and not violent:  # a violent threat already opens the reply with 110
        tail.append(texts.get("sms.danger", lang))
    if counts["collection_threat"] or counts["harassment_insult"] or bombed:
        tail.append(texts.get("sms.next_complain", lang))
    elif counts["collection_notice"]:
        tail.append(texts.get("sms.next_notice", lang))
    elif not counts["fraud"]:
        tail.append(texts.get("sms.next_none", lang))

    limit = len(notable)
    while True:
        parts = [texts.get("sms.danger_first", lang), head] if violent else [head]
        if notable:
            lines = [_notable_line(i + 1, f, kb, texts, lang) for i, f in enumerate(notable[:limit])]
            if limit < len(notable):
                lines.append(texts.get("sms.more", lang, n=len(notable) - limit))
            parts.append("\n".join([texts.get("sms.notable_head", lang), *lines]))
        parts.extend(tail)
        reply = "\n\n".join(parts)
        if len(reply) <= MAX_REPLY_CHARS_BY_LANG.get(lang, MAX_REPLY_CHARS) or limit <= 1:
            return reply
        limit = min(limit - 1, 8)
