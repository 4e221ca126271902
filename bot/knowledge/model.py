"""Knowledge stage, model: the typed, validated shape of knowledge/ (instruments, articles, contacts, topics)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.knowledge.numerals import chinese_number, parse_label

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class Source(BaseModel):
    """Where a text was taken from."""

    model_config = ConfigDict(extra="forbid")
    url: str
    note: str = ""


class NotFound(BaseModel):
    """An article that was looked for and not found in a trustworthy copy."""

    model_config = ConfigDict(extra="allow")
    label: str
    reason: str = ""


class Article(BaseModel):
    """One statutory article with its exact text."""

    model_config = ConfigDict(extra="forbid")
    number: int
    suffix: str | None = None
    label: str
    heading: str | None = None
    aliases: list[str] = Field(default_factory=list)
    text: str
    source: str | None = None
    verified: str | None = None

    @model_validator(mode="after")
    def _label_matches_number(self) -> Article:
        number, suffix = parse_label(self.label)
        if (number, suffix) != (self.number, self.suffix):
            raise ValueError(f"label {self.label} does not match number {self.number}{self.suffix or ''}")
        if not self.text.strip():
            raise ValueError(f"{self.label} has an empty text")
        return self

    @property
    def key(self) -> str:
        """The article part of a citation id: 1033, or 253-1 for 第二百五十三条之一."""
        if self.suffix:
            return f"{self.number}-{chinese_number(self.suffix[1:])}"
        return str(self.number)


Status = Literal["in_force", "amended", "superseded", "repealed"]


class Instrument(BaseModel):
    """One law, regulation, rule, judicial interpretation or self-regulatory text."""

    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    short: str
    aliases: list[str] = Field(default_factory=list)
    kind: Literal[
        "law",
        "administrative_regulation",
        "departmental_rule",
        "judicial_interpretation",
        "normative_document",
        "self_regulation",
    ]
    issuer: str
    doc_no: str | None = None
    promulgated: date | None = None
    effective: date | None = None
    status: Status
    status_note: str = ""
    superseded_by: str | None = None
    numbering_note: str | None = None
    change_note: str = ""  # a recent change readers must know next to any citation (e.g. a renumbering)
    note_en: str = ""  # the citation note for English answers (else none is shown in English)
    sources: list[Source] = Field(min_length=1)
    articles: list[Article] = Field(default_factory=list)
    not_found: list[NotFound] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"id {value!r} must match [a-z0-9-]+")
        return value

    @model_validator(mode="after")
    def _unique_articles(self) -> Instrument:
        seen: set[str] = set()
        for art in self.articles:
            if art.key in seen:
                raise ValueError(f"duplicate article {art.label}")
            seen.add(art.key)
        if self.status == "superseded" and not self.superseded_by:
            raise ValueError("a superseded instrument needs superseded_by")
        return self

    @property
    def current(self) -> bool:
        """True when the text is the one in force (possibly with a numbering note)."""
        return self.status in ("in_force", "amended")

    @property
    def citation_note(self) -> str:
        """What a reader must know about this text's currency next to a citation; empty when simply in force."""
        if self.status in ("superseded", "repealed"):
            return self.status_note
        if self.status == "amended":
            return self.numbering_note or self.status_note
        return self.change_note


class Contact(BaseModel):
    """A complaint or help channel."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field ("how_eng") is an error, not silently ignored
    id: str
    name: str
    short: str
    aliases: list[str] = Field(default_factory=list)  # what people call it ("地方金融管理局", "银保监会")
    name_en: str = ""  # for English conversations
    phone: str | None = None
    phone_en: str = ""  # only where `phone` has Chinese words in it ("10086（移动）")
    web: str | None = None
    handles: str = ""
    when: str = ""
    how: str = ""
    limits: str = ""
    # the same reviewed facts in plain English (a faithful translation, nothing added), for English conversations
    handles_en: str = ""
    when_en: str = ""
    how_en: str = ""
    limits_en: str = ""
    unverified: list[str] = Field(default_factory=list)  # claims searched for but not confirmed: never said as fact
    sources: list[Source] = Field(default_factory=list)

    def english(self, field: str) -> str:
        """The English version of a user-facing field ("how" -> how_en), "" when there is none."""
        return str(getattr(self, f"{field}_en", "") or "")


class LawMention(BaseModel):
    """A reference to an instrument without an article number (its article text is not in knowledge/ yet)."""

    model_config = ConfigDict(extra="forbid")
    law: str
    text: str
    text_en: str = ""


class Topic(BaseModel):
    """A reviewed guidance card: how to recognise a situation, what backs the person, what to do."""

    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    title_en: str = ""
    triggers: list[str] = Field(min_length=1)
    # ordinary words (公司, 工作, 家人) that name the card's subject but also turn up in any question: they count only
    # beside another of its triggers or right after a word of contacting someone (打到我单位, 去你公司闹)
    weak_triggers: list[str] = Field(default_factory=list)
    expand: str = ""
    articles: list[str] = Field(default_factory=list)
    # an article that backs the card only for some questions: article id -> a regex the question must match
    # (the credit-card instalment rule backs "negotiate" only for a credit card)
    only_when: dict[str, str] = Field(default_factory=dict)
    # an article that leads the card's list for some questions: article id -> a regex the question matches
    # (impersonating the police is answered first by the offence of impersonating an official)
    first_when: dict[str, str] = Field(default_factory=dict)
    # the words an article's quote should be chosen by under this card (the part of it that backs the card): article id
    # -> words (个保法第十三条 under the contacts card: its item on consent, not the one on information made public)
    quote_by: dict[str, str] = Field(default_factory=dict)
    law_mentions: list[LawMention] = Field(default_factory=list)
    advice: str
    advice_en: str = ""
    channels: list[str] = Field(default_factory=list)
    priority: int = 0
    # a regex that keeps the card out when the question matches it: a more specific card answers that case (the family
    # card stays out of a guarantor's, a spouse's or a dead relative's question, whatever the priorities)
    unless: str = ""
    # cards that say more about the same people: in a conversation on one of them, a follow-up that finds this card is
    # answered from that one ("我要替他还吗" after a spouse's debt stays on the spouse's card)
    defers_to: list[str] = Field(default_factory=list)
    # a first question that raises one of the card's `only_when` cases ("我老婆说她欠的钱是结婚前借的") hears that
    # case's sentences of the advice first, then the whole card
    lead_cases: bool = False
    fallback: bool = False  # the catch-all card ("催收天天打电话怎么办"): it leads only when no other card fits

    def articles_for(self, text: str) -> list[str]:
        """The card's articles that back it for this question (those under `only_when` only if its pattern matches),
        those under `first_when` whose pattern matches first."""
        kept = [a for a in self.articles if a not in self.only_when or re.search(self.only_when[a], text, re.I)]
        first = [a for a in kept if a in self.first_when and re.search(self.first_when[a], text, re.I)]
        return first + [a for a in kept if a not in first]


@dataclass(frozen=True)
class ArticleRef:
    """An article together with its instrument."""

    instrument: Instrument
    article: Article

    @property
    def id(self) -> str:
        """Citation id, e.g. civil-code:1033."""
        return f"{self.instrument.id}:{self.article.key}"


@dataclass
class KnowledgeBase:
    """Everything loaded from knowledge/, with lookups by citation id."""

    instruments: dict[str, Instrument]
    contacts: dict[str, Contact]
    topics: list[Topic]
    article_text: str

    def articles(self) -> list[ArticleRef]:
        """Every article of every instrument, in file order."""
        return [ArticleRef(ins, art) for ins in self.instruments.values() for art in ins.articles]

    def topic(self, topic_id: str) -> Topic | None:
        """Look a reviewed card up by its id."""
        return next((t for t in self.topics if t.id == topic_id), None)

    def get(self, citation_id: str) -> ArticleRef | None:
        """Look an article up by its citation id."""
        inst_id, _, key = citation_id.partition(":")
        ins = self.instruments.get(inst_id)
        if ins is None:
            return None
        for art in ins.articles:
            if art.key == key:
                return ArticleRef(ins, art)
        return None
