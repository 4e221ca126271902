"""Legal QA, contact questions: "地方金融管理局是干嘛的", "12378 管不管网贷" answered from knowledge/contacts.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.knowledge.model import Contact, KnowledgeBase
from bot.texts import BASE, Texts

# what a question asks about a body it names: what it is, what it handles, how to reach it
_ASKS = re.compile(
    r"干嘛|干什么|做什么|干啥|是什么|是啥|是哪|什么(机构|部门|单位|地方)|管(什么|啥|不管|吗|得了|得着|哪些)|能管|能不能管|"
    r"负责|职责|怎么(联系|找|打|投诉|举报|去)|电话(是)?多少|号码(是)?多少|网址|官网|在哪|有用吗|靠谱吗|找.{0,4}(有用|行不行)|"
    r"what (is|does|do)|who (is|are)|how (do i|to|can i) (contact|reach|call|find)|phone number|website",
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
MAX_CHARS = 40  # a longer message is a question of its own, not "what is X"


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

    def find(self, text: str) -> Contact | None:
        """The contact a short "what is / how to reach X" question names (the longest name wins), else None."""
        if len(text) > MAX_CHARS or not _ASKS.search(text) or _SUED.search(text):
            return None
        lowered = text.lower()
        for name, contact in self._names:
            if name.isdigit():
                if re.search(rf"(?<!\d){name}(?!\d)", text):
                    return contact
            elif name.lower() in lowered:
                return contact
        return None

    def answer(self, text: str, lang: str) -> ContactAnswer | None:
        """The reply for a question about one contact, in the reviewed entry's own words; None when it is not one."""
        contact = self.find(text)
        if contact is None:
            return None
        t = self.texts
        title = contact.name_en if lang != BASE and contact.name_en else contact.name
        lines = [t.get("contact_answer.head", lang, name=title)]
        for field in ("handles", "when", "how", "limits"):
            value = _SPACE_AFTER_CJK.sub("", " ".join(str(getattr(contact, field)).split()))
            if value:
                lines.append(t.get(f"contact_answer.{field}", lang, value=value))
        if contact.phone:
            lines.append(t.get("contact_answer.phone", lang, value=contact.phone))
        if contact.web:
            lines.append(t.get("contact_answer.web", lang, value=contact.web))
        if lang != BASE:
            lines.append(t.get("contact_answer.in_chinese", lang))
        return ContactAnswer(contact, "\n".join(lines))


def _names(contact: Contact) -> set[str]:
    """What people call a body: its short name, its name without the bracketed parts, the hotline numbers in it, and
    the reviewed aliases (contacts.yaml `aliases`)."""
    names = {contact.short}
    names.update(part for part in _NAME_PART.split(contact.name) if len(part) >= 3)
    names.update(_NUMBER.findall(contact.name))
    names.update(contact.aliases)
    return {name for name in names if name and (len(name) >= 2 or name.isdigit())}
