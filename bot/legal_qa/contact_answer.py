"""Legal QA, contact questions: "地方金融管理局是干嘛的", "12378 管不管网贷" answered from knowledge/contacts.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.knowledge.model import Contact, KnowledgeBase
from bot.legal_qa.answer import OTHER_GROUND
from bot.texts import BASE, Texts

# what a question asks about a body it names: what it is, what it handles, how to reach it
_ASKS = re.compile(
    r"干嘛|干什么|做什么|干啥|是什么|是啥|是哪|什么(机构|部门|单位|地方)|管(什么|啥|不管|吗|得了|得着|哪些)|能管|能不能管|"
    r"负责|职责|怎么(联系|找|打|投诉|举报|去)|电话(是)?多少|号码(是)?多少|网址|官网|在哪|有用吗|靠谱吗|找.{0,4}(有用|行不行)|"
    r"what (is|does|do)|who (is|are)|how (do i|to|can i|should i) (contact|reach|call|find|complain|report|appeal)|"
    r"phone number|website",
    re.IGNORECASE,
)
_NAME_PART = re.compile(r"[（(][^）)]*[）)]|\s+")
_NUMBER = re.compile(r"\d{3,5}")
_SPACE_AFTER_CJK = re.compile(r"(?<=[。；，：、）」”])\s+|\s+(?=[（「“])")  # a folded YAML line break between Chinese
# someone suing the person: a question about being sued, not about the court as a place to complain
_SUED = re.compile(
    r"(起诉|告(?!诉))(我|俺)(?=$|[\s，。,.？?！!吗了呢啊吧])|被(起诉|告(?!诉))|\bsu(e|ing) me\b|\bbeing sued\b",
    re.IGNORECASE,
)
# how long it takes: "投诉12378多久有结果", "运营商几天会回复", "how long does 12300 take"
_CALLED = re.compile(
    r"(已经|刚|刚刚|都)?(打了|打过|拨了|报了)(110|警)|(called|phoned|rang) (the )?(110|police|cops)", re.IGNORECASE
)
_HOW_LONG = re.compile(
    r"多久|多长时间|多少天|几天|几个工作日|什么时候(才)?(有|能|会)?(结果|回复|答复|处理|回音)|how long|how many days|when will",
    re.IGNORECASE,
)
# "投诉了平台多久会回复": the lender's own complaint channel, named in people's words
_LENDER_ASKED = re.compile(
    r"(投诉|找|问)了?.{0,2}(平台|银行|客服|贷款公司|消费金融)|(平台|银行|客服).{0,4}(回复|答复|处理)"
)
_LENDER = "平台客服"
_TIME_LIMIT = re.compile(r"\d+\s*个?(工作)?(日|天|个月)")  # a sentence of a reviewed entry that states a time limit
_SENTENCE = re.compile(r"[^。；]+[。；]?")
# the same in an entry's English version (contacts.yaml `how_en`): "within 15 days", "5 working days", "5 months"
_TIME_LIMIT_EN = re.compile(r"\b\d+\s+(working\s+)?(days?|months?)\b", re.IGNORECASE)
_REFUSED_EN = re.compile(r"\bnot (be )?accepted\b", re.IGNORECASE)  # "不受理": what it refuses is no time limit
_SENTENCE_EN = re.compile(r"(?<=\.)\s+")  # English sentences (the entries write no "e.g.")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SHOWN = ("handles", "when", "how", "limits")  # the entry's fields a contact answer shows, in this order
MAX_CHARS = 40  # a longer message is a question of its own, not "what is X"
MAX_CHARS_ENGLISH = 80  # the same in English words


@dataclass(frozen=True)
class ContactAnswer:
    """A body the question asks about, and the reply text."""

    contact: Contact
    text: str


class ContactQuestions:
    """Recognises a short question about one complaint or help channel and answers it from its reviewed entry."""

    def __init__(self, kb: KnowledgeBase, texts: Texts) -> None:
        self.texts = texts
        self._names: list[tuple[str, Contact]] = sorted(
            ((name, contact) for contact in kb.contacts.values() for name in _names(contact)),
            key=lambda pair: -len(pair[0]),
        )

    def find(self, text: str, lang: str = BASE) -> Contact | None:
        """The contact a short "what is / how to reach X" question names (the longest name wins), else None."""
        longest = MAX_CHARS_ENGLISH if lang != BASE else MAX_CHARS
        if len(text) > longest or not _ASKS.search(text) or _SUED.search(text) or OTHER_GROUND.search(text):
            return None
        if _CALLED.search(text):  # "刚打了110 说马上派人过来 我现在要做什么": what now, not how to reach 110
            return None
        return self._named(text)

    def _named(self, text: str) -> Contact | None:
        """The contact the text names (the longest name wins), else None."""
        lowered = text.lower()
        for name, contact in self._names:
            if name.isdigit():
                if re.search(rf"(?<!\d){name}(?!\d)", text):
                    return contact
            elif name.lower() in lowered:
                return contact
        return None

    def how_long(self, text: str, lang: str) -> ContactAnswer | None:
        """For a short "how long does X take" naming one body: the time limits its reviewed entry states, in its own
        words, or that no official time limit was found (never a number the entry does not give); else None."""
        if len(text) > (MAX_CHARS_ENGLISH if lang != BASE else MAX_CHARS) or not _HOW_LONG.search(text):
            return None
        contact = self._named(text) or (self._named(_LENDER) if _LENDER_ASKED.search(text) else None)
        if contact is None:
            return None
        found: list[str] = []
        in_chinese = False
        for field in ("how", "when", "limits"):
            value, chinese = _shown(contact, field, lang)
            if lang != BASE and not chinese:  # its English version
                found += [
                    s.strip()
                    for s in _SENTENCE_EN.split(value)
                    if _TIME_LIMIT_EN.search(s) and not _REFUSED_EN.search(s)
                ]
                continue
            times = [
                s.strip()
                for s in _SENTENCE.findall(value)
                if _TIME_LIMIT.search(s) and "不受理" not in s  # how long it takes, not what it refuses
            ]
            found += times
            in_chinese = in_chinese or (chinese and bool(times))
        title = contact.name_en if lang != BASE and contact.name_en else contact.short
        if not found:
            return ContactAnswer(contact, self.texts.get("contact_answer.no_time", lang, name=title))
        lines = [self.texts.get("contact_answer.times", lang, name=title), *found]
        if in_chinese:
            lines.append(self.texts.get("contact_answer.in_chinese", lang))
        return ContactAnswer(contact, "\n".join(lines))

    def answer(self, text: str, lang: str) -> ContactAnswer | None:
        """The reply for a question about one contact, in the reviewed entry's own words; None when it is not one."""
        found = self.how_long(text, lang)
        if found is not None:
            return found
        contact = self.find(text, lang)
        if contact is None:
            return None
        t = self.texts
        title = contact.name_en if lang != BASE and contact.name_en else contact.name
        lines = [t.get("contact_answer.head", lang, name=title)]
        in_chinese = False
        for field in (*_SHOWN, "phone"):
            value, chinese = _shown(contact, field, lang)
            if value:
                lines.append(t.get(f"contact_answer.{field}", lang, value=value))
                in_chinese = in_chinese or chinese
        if contact.web:
            lines.append(t.get("contact_answer.web", lang, value=contact.web))
        if in_chinese:  # an English speaker is told why some of it is in Chinese
            lines.append(t.get("contact_answer.in_chinese", lang))
        return ContactAnswer(contact, "\n".join(lines))


def _shown(contact: Contact, field: str, lang: str) -> tuple[str, bool]:
    """A field of the entry as the reply shows it: its English version for an English speaker when it has one (else
    the reviewed Chinese), one line; and whether that is Chinese shown to an English speaker."""
    english = " ".join(contact.english(field).split()) if lang != BASE else ""
    if english:
        return english, False
    value = _SPACE_AFTER_CJK.sub("", " ".join(str(getattr(contact, field) or "").split()))
    return value, lang != BASE and bool(_HAN.search(value))


def _names(contact: Contact) -> set[str]:
    """What people call a body: its short name, its name without the bracketed parts, the hotline numbers in it, and
    the reviewed aliases (contacts.yaml `aliases`)."""
    names = {contact.short}
    names.update(part for part in _NAME_PART.split(contact.name) if len(part) >= 3)
    names.update(_NUMBER.findall(contact.name))
    names.update(contact.aliases)
    return {name for name in names if name and (len(name) >= 2 or name.isdigit())}
