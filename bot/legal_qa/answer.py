"""Legal Q&A stage, answer: passages -> a short cited answer (extractive, no model needed) or an honest 'not covered'."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.knowledge import ARTICLE_REF, Citation, KnowledgeBase, article_key, cite
from bot.knowledge.model import Topic
from bot.knowledge.renumbering import old_namesakes
from bot.legal_qa.bm25 import Tokenizer
from bot.legal_qa.retrieve import Passage, Retrieval
from bot.texts import BASE, ENGLISH, Texts, language_of, nest_quotes

CRIMINAL_LAW = "criminal-law:"  # the articles that define offences and their penalties
PENALTY_WORDS = "情节严重 处 有期徒刑 拘役 管制 罚金"  # what the quote of an offence should show
MAX_CITATIONS = 5  # ranked candidates (what the evaluation's recall@5 reads)
SHOWN_CITATIONS = 3  # what a person sees: the articles that carry the answer, on one phone screen
QUOTE_CHARS = 90
WHOLE_ARTICLE_CHARS = 400  # an article asked for by its number ("第1032条原文") is quoted whole up to this length
ALSO_MOST = 2  # other subjects named under an answer
ALSO_AFTER_CHARS = 30  # a message this long can be about several things; a short one is answered by its card alone
# a question in any form: without one, a remark gets no list of articles retrieval found for its words alone
_ASKS = re.compile(
    r"[?？]|吗|呢|么|怎么|怎样|咋|如何|什么|啥|哪|谁|多少|多久|几|能不能|可不可以|可以|是否|是不是|会不会|要不要|该不该|有没有|"
    r"合法|违法|犯法|算不算|依据|规定|\b(what|how|why|when|where|which|who|can|could|should|is|are|do|does|will|would)\b",
    re.IGNORECASE,
)
_DOMAIN = re.compile(
    r"催|债|欠|借|贷|还款|逾期|短信|验证码|骚扰|通讯录|个人信息|隐私|名誉|侮辱|威胁|恐吓|投诉|举报|报警|起诉|征信|利息|法院|律师|"
    r"collect|debt|loan|harass|verification|privacy|lender|complain|sue|contacts",
    re.IGNORECASE,
)
# other law, by its own words: retrieval alone does not answer it ("我要起诉我前夫分财产" got 民事诉讼法 articles)
OTHER_GROUND = re.compile(
    r"交通事故|车祸|撞了|(?<![咒骂说盼])(?<!出门)被车撞|离婚|前夫|前妻|抚养|彩礼|遗产|继承|去世|过世|工资(?!才|只有|就|也就|不够|太低|还不)|社保|劳动|工伤|辞退|开除我|房产|买房|物业费|"
    r"邻居|"
    r"traffic accident|divorce|custody|inheritance|wages|salary",
    re.IGNORECASE,
)
_SEGMENT = re.compile(r"[^。\n]+。?")
_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")  # a card's advice, sentence by sentence
_SENTENCE_EN = re.compile(r"[^\n.;!?]+(?:[.;!?]|$)", re.M)
_NUMBERED = re.compile(r"^\s*(?:[①-⑩]|\d+\))\s*")  # "④ " or "4) " before a sentence taken out of its list
# A card's own reference to an article in passing: "（第九十条）", "（治安管理处罚法第五十六条）".
_PAREN_REF = re.compile(rf"（([^（）]{{0,24}}?)({ARTICLE_REF.pattern})）")
# An enumerated item: "（一）", the half-width "(一)" some copies keep, or a numbered sub-item "1．" under an item.
_ITEM = re.compile(r"（|\(|\d+(．|\.(?!\d))")


def _cut(quote: str) -> str:
    """A quote at most QUOTE_CHARS long, an ellipsis where it was cut."""
    return quote if len(quote) <= QUOTE_CHARS else quote[: QUOTE_CHARS - 1] + "…"


def _case_sentences(topic: Topic, patterns: list[str], en: bool) -> list[str]:
    """The sentences of a card's advice on the cases these patterns name (its `only_when` patterns), out of their
    numbered list, once each."""
    advice = topic.advice_en if en and topic.advice_en else topic.advice
    said = [
        _capital(_NUMBERED.sub("", s).strip())
        for s in (_SENTENCE_EN if en else _SENTENCE).findall(advice)
        if any(re.search(p, s, re.I) for p in patterns)
    ]
    return list(dict.fromkeys(said))


def _capital(sentence: str) -> str:
    """A sentence taken out of its list starts with a capital ("debts run up gambling…" -> "Debts…")."""
    return sentence[:1].upper() + sentence[1:]


def _led(lead: str, item: str) -> str:
    """An item with its lead-in; a lead-in too long to leave room for the item keeps only its first clauses (a
    penalty clause between the lead's opening and its colon would otherwise push the item off the quote)."""
    if not lead:
        return item
    whole = f"{lead.rstrip('：:')}：……{item}"
    if len(whole) <= QUOTE_CHARS:
        return whole
    head = ""
    for clause in re.findall(r"[^，]+，?", lead.rstrip("：:")):
        if len(head) + len(clause) + 2 + len(item) > QUOTE_CHARS:
            break
        head += clause
    return f"{head.rstrip('，')}……{item}" if head else whole


@dataclass(frozen=True)
class Answer:
    """What the Q&A stage returns: text for the user plus the facts behind it."""

    text: str
    citations: list[Citation]
    covered: bool
    passages: list[Passage]
    english: bool
    mentions: list[str] = field(default_factory=list)  # instruments named without an article number
    ranked: list[Citation] = field(default_factory=list)  # up to five candidates, best first (citations: the shown)
    topic: str = ""  # the reviewed card the answer follows, if any

    @property
    def lang(self) -> str:
        """The locale the answer is written in."""
        return ENGLISH if self.english else BASE


class Answerer:
    """Compose answers from retrieval results; every citation comes from a knowledge/ article."""

    def __init__(self, kb: KnowledgeBase, texts: Texts, tokenizer: Tokenizer, moved: dict[str, str]) -> None:
        """`moved`: each superseded article's successor (renumbering.successors, as the retriever has it)."""
        self.kb = kb
        self.texts = texts
        self.tok = tokenizer
        self._namesakes = old_namesakes(kb, moved)
        self._seg_cache: dict[str, set[str]] = {}  # article sentences are few and fixed: tokenise each once
        self._law_names: dict[str, set[str]] = {}  # every name of a law -> the instruments that carry it
        for ins in kb.instruments.values():
            for name in {ins.short, ins.title, ins.title.removeprefix("中华人民共和国"), *ins.aliases}:
                if len(name) >= 2:
                    self._law_names.setdefault(name, set()).add(ins.id)

    def backed(self, advice: str, cites: list[Citation]) -> str:
        """A card's advice without its passing references to articles that are not among the citations shown under it
        ("（第九十条）" when retrieval left 第九十条 out), so the answer never points to an article it does not quote. A
        reference without a law name means the law last named before it; with none named, any shown article with that
        number backs it."""
        shown = {c.id for c in cites}

        def keep(m: re.Match[str]) -> str:
            try:
                key = article_key(m.group(3), m.group(4))
            except ValueError:
                return m.group(0)
            laws = self._named_law(m.group(1)) or self._named_law(advice[: m.start()], last=True)
            wanted = {f"{law}:{key}" for law in laws}
            ok = bool(wanted & shown) if laws else any(cid.endswith(f":{key}") for cid in shown)
            return m.group(0) if ok else ""

        return _PAREN_REF.sub(keep, advice)

    def _named_law(self, text: str, last: bool = False) -> set[str]:
        """The instruments of the law named in text (the longest name; with last, the one named last)."""
        best: tuple[int, int] | None = None
        found: set[str] = set()
        for name, ids in self._law_names.items():
            at = text.rfind(name)
            if at < 0:
                continue
            rank = (at + len(name), len(name)) if last else (len(name), 0)
            if best is None or rank > best:
                best, found = rank, set(ids)
        return found

    def citations(self, retrieval: Retrieval) -> list[Citation]:
        """Up to five statute citations, best first; only articles that exist in knowledge/."""
        out = []
        only_named = set(retrieval.direct) if retrieval.direct and not retrieval.topics else None
        for p in retrieval.passages:
            if only_named is not None and p.chunk.id not in only_named:
                continue
            ref = self.kb.get(p.chunk.id) if p.chunk.kind == "statute" else None
            if ref is None:
                continue
            out.append(cite(ref))
            if len(out) == MAX_CITATIONS:
                break
        return out

    def shown(self, retrieval: Retrieval, ranked: list[Citation]) -> list[Citation]:
        """The citations printed under the answer. Under a reviewed card's advice, only that card's own articles (and
        any the question named), in retrieval order: an article retrieval found for a word alone (民法典第一千一百八十七条
        for 协商) must not appear to back advice it was never reviewed for. When retrieval ranked none of the card's
        articles, the card's first ones stand."""
        primary = retrieval.topics[0] if retrieval.topics else None
        if primary is None:
            return ranked[:SHOWN_CITATIONS]
        allowed = set(primary.articles) | set(retrieval.direct)
        out = []
        for p in retrieval.passages:
            ref = self.kb.get(p.chunk.id) if p.chunk.kind == "statute" and p.chunk.id in allowed else None
            if ref is not None:
                out.append(cite(ref))
        if not out:
            out = [cite(ref) for ref in (self.kb.get(a) for a in primary.articles) if ref is not None]
        named = next((c for c in out if c.id.partition(":")[0] in retrieval.laws), None)
        if named is not None and named not in out[:SHOWN_CITATIONS]:  # "网络安全法怎么规定" is answered from it
            out.insert(SHOWN_CITATIONS - 1, named)
        return out[:SHOWN_CITATIONS]

    def is_covered(self, question: str, retrieval: Retrieval) -> bool:
        """Covered when a topic card or an explicitly named article matches, or the question is on our ground."""
        if retrieval.topics or retrieval.direct:
            return True
        if not retrieval.passages or not _DOMAIN.search(question) or OTHER_GROUND.search(question):
            return False
        if not _ASKS.search(question):  # "笑死 催收居然把短信发错人了" is no question for a list of articles
            return False
        return retrieval.passages[0].bm25 >= 6.0

    def quote(self, text: str, question: str) -> str:
        """The article's most relevant sentence; for an enumeration, its lead-in plus the best item."""
        q = set(self.tok.tokens(question))
        segments = [s.strip() for s in _SEGMENT.findall(text) if s.strip()]
        if not segments:
            return text[:QUOTE_CHARS]
        scores = [len(q & self._segment_tokens(s)) for s in segments]
        best_i = max(range(len(segments)), key=lambda i: (scores[i], -i))
        best: str = segments[best_i]
        items = [i for i, s in enumerate(segments) if _ITEM.match(s)]
        if best.startswith("（"):
            lead = next((s for s in reversed(segments[:best_i]) if not s.startswith("（")), "")
            best = _led(lead, best)
        elif _ITEM.match(best):  # "(一)" or a numbered sub-item "1．": led by the nearest line that introduces a list
            lead = next((s for s in reversed(segments[:best_i]) if s.endswith(("：", ":"))), "")
            best = _led(lead, best)
        elif best.endswith(("：", ":")):
            after = [i for i in items if i > best_i]
            if after:
                item = max(after, key=lambda i: (scores[i], -i))
                best = _led(best, segments[item])
        elif best.startswith("但") and best_i > 0:  # an exception quoted alone reads as the rule: the rule first
            best = segments[best_i - 1] + best
        return nest_quotes(_cut(best))

    def _segment_tokens(self, segment: str) -> set[str]:
        cached = self._seg_cache.get(segment)
        if cached is None:
            cached = self._seg_cache[segment] = set(self.tok.tokens(segment))
        return cached

    def answer(self, question: str, retrieval: Retrieval, lang: str = "") -> Answer:
        """The full reply text for a legal question, in `lang` (default: the language of the question it answers)."""
        lang = lang or language_of(question)
        en = lang == ENGLISH
        t = self.texts
        if retrieval.missing and not retrieval.topics:  # "民法典第9999条": say so, not some other article
            return Answer(
                t.get("answer.missing_article", lang, label=retrieval.missing), [], False, retrieval.passages, en
            )
        if not self.is_covered(question, retrieval):
            return Answer(t.get("answer.not_covered", lang), [], False, retrieval.passages, en)
        ranked = self.citations(retrieval)
        cites = self.shown(retrieval, ranked)
        lines: list[str] = []
        primary = retrieval.topics[0].topic if retrieval.topics else None
        if primary is not None:
            cases = (
                [p for p in primary.only_when.values() if re.search(p, question, re.I)] if primary.lead_cases else []
            )
            said = _case_sentences(primary, cases, en) if cases else []
            if said:  # "她欠的钱是结婚前借的": that case first, then the card
                lines += [t.get("answer.point_head", lang), *said, ""]
            lines.append(
                self.backed((primary.advice_en if en and primary.advice_en else primary.advice).strip(), cites)
            )
        else:
            lines.append(t.get("answer.named" if retrieval.direct else "answer.general", lang))
        if cites:
            lines.append("")
            lines.append(t.get("answer.basis", lang))
            by_id = {p.chunk.id: p for p in retrieval.passages}
            for n, c in enumerate(cites, 1):
                ref = self.kb.get(c.id)
                body = by_id[c.id].chunk.text.split("\n", 1)[-1] if c.id in by_id else ref.article.text if ref else ""
                whole = c.id in retrieval.direct and not primary and len(body) <= WHOLE_ARTICLE_CHARS
                words = primary.quote_by.get(c.id, "") if primary is not None else ""  # the part that backs the card
                quote = (
                    nest_quotes(body.strip()) if whole else self.quote(body, words or retrieval.expanded or question)
                )
                label = c.label + (t.get("answer.superseded_mark") if c.status == "superseded" else "")
                lines.append(t.get("answer.item", n=n, label=label, quote=quote))
            lines.extend(self._renumbered(retrieval, cites, lang))
        mentions: list[str] = []
        for hit in retrieval.topics[:2]:
            for m in hit.topic.law_mentions:
                if m.law not in mentions:
                    mentions.append(m.law)
        if primary is not None and primary.law_mentions and len(cites) < 2:  # a note only where it carries the answer
            m = primary.law_mentions[0]
            lines.append("• " + (m.text_en if en and m.text_en else m.text))
        others = self._others(question, retrieval, en)
        if others:
            lines.append(
                t.get("answer.also", lang, titles="；".join(others) if not en else "; ".join(others), first=others[0])
            )
        channels = self._channels(retrieval, en)
        if channels:
            lines.append("")
            lines.append(t.get("answer.next", lang) + t.get("answer.next_sep", lang).join(channels))
        notes = {(c.law, c.status_note_en if en else c.status_note) for c in cites}
        lines.extend(t.get("answer.status", lang, law=law, note=note) for law, note in sorted(notes) if note)
        lines.append("")
        lines.append(t.get("common.disclaimer", lang))
        topic = primary.id if primary is not None else ""
        return Answer("\n".join(lines), cites, True, retrieval.passages, en, mentions, ranked, topic)

    def crimes(self, topic_id: str, question: str, lang: str) -> Answer | None:
        """The offences among a card's articles (the Criminal Law's, at most three), for "这个算什么罪" after it, each
        quoted where it says what is punished and how; None when the card cites no offence."""
        topic = self.kb.topic(topic_id)
        refs = [self.kb.get(a) for a in topic.articles if a.startswith(CRIMINAL_LAW)] if topic is not None else []
        found = [ref for ref in refs if ref is not None][:SHOWN_CITATIONS]
        if not found:
            return None
        t = self.texts
        cites = [cite(ref) for ref in found]
        lines = [t.get("answer.crimes_head", lang), t.get("answer.basis", lang)]
        for n, (c, ref) in enumerate(zip(cites, found, strict=True), 1):
            core = ref.article.text.split("\n", 1)[0]  # the first paragraph states the offence and its penalty
            quote = self.quote(core, f"{question} {PENALTY_WORDS}")
            lines.append(t.get("answer.item", n=n, label=c.label, quote=quote))
        lines += [t.get("answer.crimes_tail", lang), "", t.get("common.disclaimer", lang)]
        return Answer("\n".join(lines), cites, True, [], lang == ENGLISH, [], cites, topic_id)

    def point(self, topic_id: str, question: str, before: str, lang: str) -> Answer | None:
        """A follow-up on a card that raises one of its special cases the conversation had not ("他借的钱都拿去赌了"
        after a spouse's debt): the card's sentences on that case and the articles it names for it (`only_when`), not
        the whole card again; None when the question raises no new case. `before`: what was asked on the card so far."""
        topic = self.kb.topic(topic_id)
        if topic is None:
            return None
        new = {
            a: pattern
            for a, pattern in topic.only_when.items()
            if re.search(pattern, question, re.I) and not re.search(pattern, before, re.I)
        }
        refs = [ref for ref in (self.kb.get(a) for a in new) if ref is not None][:SHOWN_CITATIONS]
        en = lang == ENGLISH
        said = _case_sentences(topic, list(new.values()), en)
        if not refs or not said:
            return None
        t = self.texts
        cites = [cite(ref) for ref in refs]
        lines = [t.get("answer.point_head", lang), *said, "", t.get("answer.basis", lang)]
        for n, (c, ref) in enumerate(zip(cites, refs, strict=True), 1):
            # the part of the article on that case (the paragraph with the question's "赌"), else the best sentence
            parts = [seg for seg in _SEGMENT.findall(ref.article.text) if re.search(new[c.id], seg, re.I)]
            found = re.search(new[c.id], question, re.I)
            part = next((seg for seg in parts if found and found.group(0) in seg), parts[0] if parts else "")
            quote = nest_quotes(_cut(part.strip())) if part else self.quote(ref.article.text, question)
            lines.append(t.get("answer.item", n=n, label=c.label, quote=quote))
        lines += ["", t.get("common.disclaimer", lang)]
        return Answer("\n".join(lines), cites, True, [], en, [], cites, topic_id)

    def _renumbered(self, retrieval: Retrieval, cites: list[Citation], lang: str) -> list[str]:
        """For an article the question named by number, what a renumbering changed: the old number it asked about is
        now this one, or an old page's article with this number is now another one."""
        out = []
        for c in cites:
            if c.id not in retrieval.direct:
                continue
            if c.id in retrieval.moved:
                old, key = retrieval.moved[c.id], "answer.moved"
                new = c.id
            elif c.id in self._namesakes:
                (old, new), key = self._namesakes[c.id], "answer.namesake"
            else:
                continue
            old_ref, new_ref = self.kb.get(old), self.kb.get(new)
            if old_ref is None or new_ref is None:
                continue
            day = old_ref.instrument.promulgated or old_ref.instrument.effective
            if day is not None:
                out.append(self.texts.get(key, lang, old=cite(old_ref).label, new=cite(new_ref).label, year=day.year))
        return out

    def _others(self, question: str, retrieval: Retrieval, english: bool) -> list[str]:
        """The titles of the other cards a long message is also about ("借5000到手3500 这个合法吗" inside a message
        about the workplace), so one card's answer does not pass over the rest."""
        if len(question) < ALSO_AFTER_CHARS or not retrieval.topics:
            return []
        first = retrieval.topics[0].topic.id
        out = []
        for hit in [*retrieval.topics[1:], *retrieval.others]:
            title = hit.topic.title_en if english and hit.topic.title_en else hit.topic.title
            if not hit.topic.fallback and hit.topic.id != first and title not in out:
                out.append(title)
        return out[:ALSO_MOST]

    def _channels(self, retrieval: Retrieval, english: bool = False) -> list[str]:
        out: list[str] = []
        for hit in retrieval.topics[:2]:
            for cid in hit.topic.channels:
                c = self.kb.contacts[cid]
                entry = (c.name_en or c.short) if english else c.name
                if entry not in out:
                    out.append(entry)
        return out[:4]
