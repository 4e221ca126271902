"""Engine, questions: a question in the person's own words (or a follow-up to the last one) -> a cited answer."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import Protocol

from bot.contract.messages import Button, Draft, Reply
from bot.contract.outcome import Kind, Outcome, Owns, Turn
from bot.contract.session import Session
from bot.engine.lender import ask_once
from bot.evidence.stats import NIGHT_HOURS
from bot.knowledge.numerals import LAW_ARTICLE_REF
from bot.legal_qa.answer import OTHER_GROUND, Answer
from bot.legal_qa.contact_answer import ContactQuestions
from bot.legal_qa.service import LegalQA
from bot.texts import ENGLISH, Texts, is_pinyin
from bot.understand.clock import clock_time
from bot.understand.reader import normalise
from bot.understand.safety import Concern, check

SHORT, SHORT_ENGLISH = 30, 80  # characters of a short follow-up ("那能赔多少", "what if the police say no?")
SITUATION = "催收"
CRIME_TOPIC = "criminal"  # the card on when collection is a crime
NIGHT_TOPIC = "night_time"  # the card whose answer says whether a time named is in the night
_THEY = re.compile(
    r"他们|对方|那边的人|那帮人|那些人|有人|\bthey\b", re.IGNORECASE
)  # the collectors, unnamed  # what every conversation here is about: a follow-up with only a card's words is read in it

_FOLLOW_UP = re.compile(  # words that point back at the conversation: "那…", "这个…", "多久", "哪一条", "how much"
    r"^(那|那么|所以|and|so)|这|它|其|上面|刚才|多久|多长时间|多少|几年|几个月|几期|最长|最多|最少|哪一?条|具体|还要|还能|能赔|"
    r"^(是)?真的|他|她|对方|回电话|要不要|该不该|是不是|不用管|不用还|"
    r"\b(what|which|how (much|long)|that|it|this)\b",
    re.IGNORECASE,
)
_QUESTION_INTENTS = ("question", "worry.debtor")
_ASKED_INTENTS = (*_QUESTION_INTENTS, "safety.fraud", "safety.danger")  # questions answered after a warning
# the person's own debt named: not other law, whatever else the message mentions (wages, a job)
_OWN_DEBT = re.compile(r"还不上|还不起|还不了|没钱还|逾期|网贷|欠(了)?(平台|银行|网贷|钱)|催收", re.IGNORECASE)
_WHICH_ARTICLE = re.compile(
    r"(哪一?条|哪几条|哪个法|哪部法|什么法律?规定|具体.{0,4}(条|规定|法律|依据)|法律依据|依据是什么|条文|原文|"
    r"what article|which (law|article)|what law|legal basis|which section)",
    re.IGNORECASE,
)
_CRIME = re.compile(  # "这个算什么罪", "能判几年": which offence the situation just described may be
    r"什么罪|啥罪|哪个罪|哪种罪|哪条罪|罪名|算不算犯罪|构成犯罪|(是|算)犯罪|犯罪吗|判几年|判多久|判多少年|能判|会判|刑事责任|"
    r"what crime|which (crime|offen[cs]e)|is (it|this|that) a crime|criminal (charge|offen[cs]e|liabilit)|prison time|"
    r"jail time|how (many years|long) in (prison|jail)|how many years|what sentence|sentenced",
    re.IGNORECASE,
)
_ME_PUNISHED = re.compile(r"我.{0,3}(被)?(判|坐牢|抓|拘留)|\b(i|me)\b.{0,12}(jail|prison|arrest)", re.IGNORECASE)
_VAGUE = re.compile(
    r"^(怎么办|咋办|咋整|怎么弄|怎么搞|帮帮我|救救我|求助|求救|帮忙|help|helpme|我该怎么办|不知道怎么办|我该咋办|"
    r"有人能帮我吗|能帮帮我吗|我好怕|好烦|烦死了|崩溃了|他们又来了|又来了|又开始了|怎么又来了|.{0,2})$",
    re.IGNORECASE,
)
WHAT_NOW = re.compile(  # "那怎么办" after an answer
    r"^(那|那我|那么|所以|然后)?(该|要|应该)?(怎么办|咋办|怎么做|咋整|怎么弄)(呢|啊|呀)?[？?。!！]*$|^(ok |okay |so )?what (do i do|now|should i do( now)?|can i do( now)?)\??$",
    re.IGNORECASE,
)
_LEGALITY = re.compile(
    r"违法|犯法|合法|算不算|可以这样|能这样|真的|假的|legal|real\b", re.IGNORECASE
)  # asks whether it is lawful
_ACTIONS = re.compile(r"现在可以做|现在就做|怎么做|怎么报|①|^Next:|^Now:|^\d\)", re.IGNORECASE)  # what to do
# a card's "现在可以做：" under a head that says so
_ACTION_LEAD = re.compile(r"^(现在可以做|现在就做|Next|Now)[：:]\s*")
# What an elliptical follow-up asks about, as search words added to the earlier question.
_ASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"赔|compensat|damages", re.IGNORECASE), "赔偿 精神损害 compensation damages"),
    (re.compile(r"(花|要|得|收)多少钱|费用|诉讼费|律师费|cost|fee", re.IGNORECASE), "费用 诉讼费 多少钱"),
    (re.compile(r"多久|多长时间|期限|how long", re.IGNORECASE), "期限 日内 答复"),
    (re.compile(r"没(有)?处理|不处理|不管|没结果|没回复|not (handled|answered)", re.IGNORECASE), "不处理 申诉 升级"),
    (re.compile(r"起诉|告|sue", re.IGNORECASE), "起诉 停止侵害 赔偿"),
)


class Phraser(Protocol):
    """Says a cited answer in other words (a language model, bot/llm/answer.py); the offline answer when it cannot."""

    async def phrase(self, question: str, answer: Answer, user: str, draft: Draft | None = None) -> Answer:
        """The answer re-worded with checked citations, or the answer unchanged (`draft`: where the checked text
        may be shown while it is written)."""
        ...


class QuestionHandler:
    """Answers questions with retrieval and citations; a follow-up is read together with the question before it."""

    owns = Owns(kinds=frozenset({Kind.QUESTION}), intents=frozenset({"question", "worry.debtor", "other_law"}))

    def __init__(
        self, qa: LegalQA, texts: Texts, contacts: ContactQuestions | None = None, phraser: Phraser | None = None
    ) -> None:
        self.qa = qa
        self.texts = texts
        self.contacts = contacts  # "12378 是干嘛的": the reviewed entry, not a search
        self.phraser = phraser  # None: the extractive answer is the answer

    async def handle(self, turn: Turn) -> Outcome:
        """Answer the turn's text ("晚上9点半算不算" on night-time contact: whether that time is in the night first)."""
        outcome = await self._handle(turn)
        at = clock_time(turn.text) if outcome.topic == NIGHT_TOPIC else None
        if at is None or not outcome.replies:
            return outcome
        key = "understand.night_in" if at[0] in NIGHT_HOURS else "understand.night_out"
        verdict = self.texts.get(key, turn.lang, time=f"{at[0]:02d}:{at[1]:02d}")
        first = replace(outcome.replies[0], text=verdict + "\n" + outcome.replies[0].text)
        return replace(outcome, replies=(first, *outcome.replies[1:]))

    async def _handle(self, turn: Turn) -> Outcome:
        previous = _previous_question(turn.session)
        # other law, unless a short follow-up on a card ("离婚了是不是就不用管了" after a spouse's debt)
        on_card = bool(previous and previous[1]) and len(turn.text) <= SHORT and bool(_FOLLOW_UP.search(turn.text))
        if turn.intent == "other_law" and not on_card and not _OWN_DEBT.search(turn.text):  # "还不上了 工资才三千"
            # "要是我们离婚了呢" after a spouse's debt is that card's own case, not other law
            point = self._point_on(turn, previous) if previous and previous[1] else None
            return point or Outcome((Reply(self.texts.get("understand.other_law", turn.lang)),))
        if previous and WHAT_NOW.match(turn.text.strip()):  # "那怎么办" right after an answer: its next steps
            steps = await self._next_steps(_asked_on(turn.session, *previous), previous[1], lang=turn.lang)
            if steps is not None:
                return steps
        outcome = await self.ask(turn.text, turn.session, turn.lang, turn.msg.draft)
        # "那能赔多少", "这个算什么罪": a question of its own
        specific = any(pattern.search(turn.text) for pattern, _ in _ASKS) or bool(_CRIME.search(turn.text))
        again = not specific and self.phraser is None and _again(outcome, previous, turn.text) if previous else False
        if previous and previous[1] and not specific and not _WHICH_ARTICLE.search(turn.text):
            point = await self._point(turn, outcome, previous)
            if point is not None:
                return point
        if previous and not _WHICH_ARTICLE.search(turn.text) and again:
            # the same card as the answer just above ("那怎么办啊 我怕丢工作"), or more of the same story ("他们还说
            # 明天还要打"): what to do now, not the whole card word for word again (its verdict again when asked)
            asked = _asked_on(turn.session, *previous)
            steps = await self._next_steps(asked, previous[1], turn.lang, bool(_LEGALITY.search(turn.text)))
            if steps is not None:
                return replace(steps, session=outcome.session)  # still a question asked
        if outcome.intent == "not_covered" and (_VAGUE.match(normalise(turn.text)) or is_pinyin(turn.text)):
            return self._clarify(turn.lang)
        # where to complain: once, what kind of lender it is (12378, the local regulator or the police)
        outcome = ask_once(outcome, turn.session, self.texts, turn.text, turn.lang)
        if outcome.intent == "question" and turn.intent in _QUESTION_INTENTS:
            return replace(outcome, intent=turn.intent)
        return outcome

    async def _point(self, turn: Turn, outcome: Outcome, previous: tuple[str, str]) -> Outcome | None:
        """A follow-up that raises one of the previous card's own special cases ("他借的钱都拿去赌了", "我欠的是信用卡")
        and finds no other card: that case's rule, not the card again nor "not covered"."""
        card = previous[1]
        short = len(turn.text) <= (SHORT_ENGLISH if turn.lang == ENGLISH else SHORT)
        uncovered = outcome.intent == "not_covered"  # a long follow-up nothing else answers is on the card too
        same = (outcome.topic == card or card in self.qa.defers(outcome.topic)) if outcome.topic else short or uncovered
        if not same:
            return None
        point = self._point_on(turn, previous)
        return replace(point, session=outcome.session) if point is not None else None

    def _point_on(self, turn: Turn, previous: tuple[str, str]) -> Outcome | None:
        """The previous card's special case this message raises, as the reply; None when it raises none."""
        point = self.qa.point(previous[1], turn.text, " ".join(_asked_on(turn.session, *previous)), turn.lang)
        if point is None:
            return None
        reply = Reply(point.text, citations=tuple(point.citations))
        return Outcome((reply,), intent="question", topic=point.topic)

    async def _elsewhere(self, text: str, card: str) -> bool:
        """Whether a request for the legal basis asks it about something else than the card just above ("他们能这样
        打给我妈吗 有法律依据吗" after the negotiation card is a question about contacting the mother)."""
        rest = _WHICH_ARTICLE.sub(" ", text)
        if not self.qa.has_card_words(rest):
            return False
        found = await asyncio.to_thread(self.qa.ask, f"{rest} {SITUATION}")
        return bool(found.topic) and found.topic != card and card not in self.qa.defers(found.topic)

    async def _basis(self, asked: list[str], topic: str, lang: str) -> Outcome | None:
        """The articles behind the previous answer, quoted, without repeating the whole card (the head in lang);
        `asked`: the recent questions on that card, newest first (after "那怎么办" it is the one before that finds
        the card again)."""
        for earlier in asked:
            answer = await self._again_on(earlier, topic, lang)
            lines = _basis_lines(answer.text, self.texts.get("answer.basis", answer.lang))
            if answer.covered and lines and (answer.topic == topic or not topic):
                break
        else:
            return None
        head = self.texts.get("understand.basis_head", lang)
        reply = Reply("\n".join([head, *lines]), citations=tuple(answer.citations))
        return Outcome((reply,), intent="question", topic=answer.topic)

    async def _next_steps(self, asked: list[str], topic: str, lang: str, verdict: bool = False) -> Outcome | None:
        """What to do now, from the previous answer's card (its action lines and whom to contact), not the whole
        answer again; `asked`: the recent questions on that card, newest first (the first one that finds it);
        `verdict`: the card's first line too (they asked again whether it is lawful)."""
        for earlier in asked:
            answer = await self._again_on(earlier, topic, lang)
            if answer.covered and answer.topic == topic:
                break
        else:
            return None
        lines = answer.text.split("\n")
        advice = lines[: lines.index("")] if "" in lines else lines
        start = next((i for i, line in enumerate(advice) if _ACTIONS.search(line)), len(advice))
        actions = advice[start:]  # what to do, and what follows it (negotiating repayment is a lawful way too)
        contact = [line for line in lines if line.startswith(self.texts.get("answer.next", answer.lang))]
        if not actions:
            return None
        head = self.texts.get("understand.next_steps_head", lang)
        lead = [advice[0]] if verdict and advice and advice[0] not in actions else []
        actions = [_ACTION_LEAD.sub("", actions[0]), *actions[1:]]  # the head already says "what you can do now"
        reply = Reply("\n".join([*lead, head, *actions, *contact]), citations=tuple(answer.citations))
        return Outcome((reply,), intent="question", topic=answer.topic)

    async def _again_on(self, earlier: str, topic: str, lang: str = "") -> Answer:
        """An earlier question answered again on its card; read in the situation as it was the first time when it
        needs that ("打官司要花多少钱" found the cost card only as a question about collectors)."""
        answer = await asyncio.to_thread(self.qa.ask, earlier, "full", topic, lang=lang)
        if topic and answer.topic != topic:
            situated = await self._situated(earlier, topic, lang)
            if situated.topic == topic:
                return situated
        return answer

    async def _situated(self, text: str, prefer: str, lang: str = "") -> Answer:
        """The text read as being about collectors (the situation every conversation here is in), the
        conversation's card leading wherever it fits."""
        return await asyncio.to_thread(self.qa.ask, f"{text} {SITUATION}", "full", prefer, True, lang=lang)

    def _clarify(self, lang: str) -> Outcome:
        """One short question with choices instead of "not covered" when the message does not say what it needs."""
        t = self.texts
        buttons = (
            Button(t.get("understand.clarify_steps", lang), "flow:show"),
            Button(t.get("understand.clarify_draft", lang), "draft:menu"),
            Button(t.get("understand.clarify_evidence", lang), "evidence:summary"),
        )
        return Outcome((Reply(t.get("understand.clarify", lang), buttons=buttons),), intent="clarify")

    async def ask(self, text: str, session: Session, lang: str, draft: Draft | None = None) -> Outcome:
        """Answer a text for a session in the turn's locale (the articles' heading; the answer follows its question);
        `draft`: where a channel shows the answer while a model writes it."""
        previous = _previous_question(session)
        short = len(text) <= (SHORT_ENGLISH if lang == ENGLISH else SHORT)  # a follow-up, not a question of its own
        if previous and _WHICH_ARTICLE.search(text) and short and not await self._elsewhere(text, previous[1]):
            # "具体是哪一条": the articles, not the card
            asked = _asked_on(session, *previous) if previous[1] else [previous[0]]
            basis = await self._basis(asked, previous[1], lang=lang)
            if basis is not None:
                return basis
        after = replace(session, questions=session.questions + 1)
        if previous and previous[1] and short and _CRIME.search(text) and not _ME_PUNISHED.search(text):
            # "这个算什么罪" after the exposure card: its offences, not its steps again; after a card that names none,
            # the card on when collection is a crime
            crimes = self.qa.crimes(previous[1], f"{previous[0]} {text}", lang)
            if crimes is None:
                words = "crime debt collector" if lang == ENGLISH else f"犯罪 {SITUATION}"  # the question's language
                crimes = await asyncio.to_thread(self.qa.ask, f"{text} {words}", "full", CRIME_TOPIC, True)
            if crimes.covered:
                reply = Reply(crimes.text, citations=tuple(crimes.citations))
                return Outcome((reply,), session=after, intent="question", topic=crimes.topic)
        about = self.contacts.answer(text, lang) if self.contacts is not None else None
        if about is not None:
            return Outcome(
                (Reply(about.text),), session=after, intent="question", topic=previous[1] if previous else ""
            )
        answer = await asyncio.to_thread(self.qa.ask, text)
        elliptical = bool(_FOLLOW_UP.search(text.strip())) and short
        # a short follow-up with a card's words but not the situation's ("会不会真的上门啊" beside a pasted SMS) is about
        # the situation the conversation is in: read it so, its own words leading
        # (also when retrieval alone "covered" it with no card: "那协商到底合法吗" is not about a crime's articles)
        # "他们把我的信息发到网上了" as a first message; "那我能合法做点什么" after a declined request about collectors
        first = not session.memory  # people come here about collectors: a first short message is about them too
        about_them = first or previous is not None or bool(_THEY.search(text)) or _in_situation(session)
        about_them = about_them and not OTHER_GROUND.search(text)  # "交通事故对方不赔钱": not about collectors
        about_them = about_them and not LAW_ARTICLE_REF.search(text)  # "民法典第9999条": that article, nothing else
        if about_them and (not answer.covered or not answer.topic) and short and self.qa.has_card_words(text):
            prefer = previous[1] if previous else ""
            situated = await self._situated(text, prefer, lang)
            if situated.covered and (situated.topic or not answer.covered):
                answer = situated
        # (not when it found a card of its own: after "网络安全法第四十四条是什么", "我爸走了 催收让我还他的信用卡" is a
        # new question, not one to read with that article)
        if previous and elliptical and (not answer.covered or answer.topic in ("", previous[1])):
            topic = previous[1]
            hint = " ".join(words for pattern, words in _ASKS if pattern.search(text))
            for earlier in _asked_on(session, *previous) if topic else [previous[0]]:  # "是真的吗" then "该回电话吗"
                together = f"{earlier} {text} {hint}".strip()
                resolved = await asyncio.to_thread(self.qa.ask, together, "full", topic, lang=lang)
                if not resolved.covered and topic:  # read in the situation, as the question before it was
                    situated = await self._situated(together, topic, lang)
                    resolved = situated if situated.topic else resolved  # a card, not a list of articles
                if resolved.covered:
                    answer = resolved
                    break
        if previous and previous[1] and answer.topic and previous[1] in self.qa.defers(answer.topic):
            # a follow-up that finds a general card while the conversation is on a more specific one stays there
            kept = await asyncio.to_thread(self.qa.ask, f"{previous[0]} {text}", "full", previous[1], True, lang=lang)
            answer = kept if kept.topic == previous[1] else answer
        if self.phraser is not None and answer.covered:
            answer = await self.phraser.phrase(text, answer, session.user_key, draft)
        parts = [answer.text]
        if Concern.INJECTION in check(text).concerns:
            parts.append(self.texts.get("safety.injection"))
        reply = Reply("\n\n".join(parts), citations=tuple(answer.citations))
        intent = "question" if answer.covered else "not_covered"
        return Outcome((reply,), session=after, intent=intent, topic=answer.topic)


def _asked_on(session: Session, earlier: str, topic: str, most: int = 3) -> list[str]:
    """The recent questions answered with this card, newest first ("那怎么办啊 我怕丢工作" got the steps of the
    question before it, which is the one that finds the card again)."""
    texts = [earlier] + [
        t.text for t in reversed(session.memory) if t.topic == topic and t.intent in _ASKED_INTENTS and t.text
    ]
    return list(dict.fromkeys(texts))[:most]


def _again(outcome: Outcome, previous: tuple[str, str], text: str) -> bool:
    """The answer would be the previous answer's card again, or nothing though they go on telling what collectors do
    ("他们还说明天还要打") right after it."""
    if not previous[1]:
        return False
    if outcome.intent == "question":
        return outcome.topic == previous[1]
    return outcome.intent == "not_covered" and bool(_THEY.search(text)) and len(text) <= SHORT


def _basis_lines(text: str, head: str) -> list[str]:
    """The "法律依据" block of an answer text: its heading line and the numbered quotes under it."""
    lines = text.split("\n")
    if head not in lines:
        return []
    start = lines.index(head) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


_SITUATION_TURNS = ("safety.", "worry.", "draft.", "sms", "question")  # turns about the person's own situation


def _in_situation(session: Session) -> bool:
    """The recent conversation was about their situation (a safety answer, a worry, a draft, an SMS), so a short
    message with a card's words is read in it."""
    return any(turn.intent.startswith(_SITUATION_TURNS) for turn in session.memory)


def _previous_question(session: Session) -> tuple[str, str] | None:
    """The last question the person asked recently (or the gist of the SMS they pasted), for reading an elliptical
    follow-up ("那能赔多少", "这个合法吗"). The session's memory holds recent turns only."""
    for turn in reversed(session.memory):
        if turn.intent in _ASKED_INTENTS and turn.text:
            return turn.text, turn.topic
        if not turn.text and turn.gist and turn.cited:  # an SMS analysis (also one labelled with a safety intent)
            return turn.gist, turn.topic
    return None
