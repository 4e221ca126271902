"""Legal Q&A stage, data: the typed model of knowledge/ and a loader that validates every file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


class KnowledgeError(ValueError):
    """A knowledge file is invalid; the message names the file and, when known, the line."""


def chinese_number(text: str) -> int:
    """Parse a Chinese numeral such as 一千零三十三 or an Arabic one such as 1033."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + current


_LABEL = re.compile(r"^第([零〇一二两三四五六七八九十百千\d]+)条(之[一二三四五六七八九十])?$")


def parse_label(label: str) -> tuple[int, str | None]:
    """Split 第二百五十三条之一 into (253, "之一")."""
    m = _LABEL.match(label)
    if not m:
        raise ValueError(f"not an article label: {label!r}")
    return chinese_number(m.group(1)), m.group(2)


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

    model_config = ConfigDict(extra="allow")
    id: str
    name: str
    short: str
    phone: str | None = None
    web: str | None = None
    handles: str = ""
    when: str = ""
    how: str = ""
    limits: str = ""
    sources: list[Source] = Field(default_factory=list)


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
    expand: str = ""
    articles: list[str] = Field(default_factory=list)
    law_mentions: list[LawMention] = Field(default_factory=list)
    advice: str
    advice_en: str = ""
    channels: list[str] = Field(default_factory=list)
    priority: int = 0


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


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """Find the 1-based line of a pydantic error location inside a composed YAML node."""
    best = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        if node is None:
            break
        best = node.start_mark.line + 1
    return best


def _read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text), yaml.compose(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise KnowledgeError(f"{path}:{line}: YAML syntax error: {exc.problem}") from exc


def _validate(
    path: Path, model: type[BaseModel], data: Any, node: yaml.Node | None, prefix: tuple[Any, ...] = ()
) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = prefix + tuple(err["loc"])
        line = _line_of(node, loc)
        where = ".".join(str(p) for p in loc) or "(top)"
        raise KnowledgeError(f"{path}:{line}: {where}: {err['msg']}") from exc


def load_instrument(path: Path) -> Instrument:
    """Load and validate one laws/<id>.yaml file."""
    data, node = _read_yaml(path)
    ins: Instrument = _validate(path, Instrument, data, node)
    if ins.id != path.stem:
        raise KnowledgeError(f"{path}:1: id {ins.id!r} must equal the file name {path.stem!r}")
    return ins


def load_knowledge(root: Path, extra: list[Path] | None = None) -> KnowledgeBase:
    """Load knowledge/ (and extra instrument folders), validating every cross-reference."""
    instruments: dict[str, Instrument] = {}
    folders = [root / "laws", *(extra or [])]
    loaded: list[tuple[Path, Instrument]] = []
    for folder in folders:
        if folder.is_file():
            loaded.extend((folder, ins) for ins in load_jsonl_instruments(folder))
        else:
            loaded.extend((path, load_instrument(path)) for path in sorted(folder.glob("*.yaml")))
    for path, ins in loaded:
        if ins.id in instruments:
            raise KnowledgeError(f"{path}:1: duplicate instrument id {ins.id!r}")
        instruments[ins.id] = ins
    for ins in instruments.values():
        if ins.superseded_by and ins.superseded_by not in instruments:
            raise KnowledgeError(
                f"{root / 'laws' / (ins.id + '.yaml')}:1: superseded_by {ins.superseded_by!r} is unknown"
            )

    contacts: dict[str, Contact] = {}
    contacts_path = root / "contacts.yaml"
    if contacts_path.exists():
        data, node = _read_yaml(contacts_path)
        for i, raw in enumerate((data or {}).get("channels", [])):
            c: Contact = _validate(contacts_path, Contact, raw, node, ("channels", i))
            contacts[c.id] = c

    topics: list[Topic] = []
    topics_path = root / "topics.yaml"
    if topics_path.exists():
        data, node = _read_yaml(topics_path)
        for i, raw in enumerate((data or {}).get("topics", [])):
            topics.append(_validate(topics_path, Topic, raw, node, ("topics", i)))

    kb = KnowledgeBase(instruments, contacts, topics, _read_article(root))
    _check_topics(kb, topics_path, node if topics else None)
    return kb


def _check_topics(kb: KnowledgeBase, path: Path, node: yaml.Node | None) -> None:
    for i, topic in enumerate(kb.topics):
        for j, cid in enumerate(topic.articles):
            ref = kb.get(cid)
            if ref is None:
                line = _line_of(node, ("topics", i, "articles", j))
                raise KnowledgeError(f"{path}:{line}: topic {topic.id} cites unknown article {cid!r}")
        for j, mention in enumerate(topic.law_mentions):
            if mention.law not in kb.instruments:
                line = _line_of(node, ("topics", i, "law_mentions", j))
                raise KnowledgeError(f"{path}:{line}: topic {topic.id} mentions unknown instrument {mention.law!r}")
        for j, ch in enumerate(topic.channels):
            if ch not in kb.contacts:
                line = _line_of(node, ("topics", i, "channels", j))
                raise KnowledgeError(f"{path}:{line}: topic {topic.id} names unknown channel {ch!r}")


def _read_article(root: Path) -> str:
    path = root / "sources" / "article.txt"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def load_jsonl_instruments(path: Path) -> list[Instrument]:
    """Read extra article records (JSONL lines {"id", "law", "article", "text"}) as instruments."""
    by_law: dict[str, list[Article]] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            label = str(rec["article"])
            if label.isdigit():
                label = f"第{label}条"
            number, suffix = parse_label(label)
            art = Article(number=number, suffix=suffix, label=label, text=str(rec["text"]), heading=rec.get("heading"))
            by_law.setdefault(str(rec["law"]), []).append(art)
        except (KeyError, ValueError, TypeError) as exc:
            raise KnowledgeError(f"{path}:{lineno}: bad record: {exc}") from exc
    out = []
    for n, (law, arts) in enumerate(by_law.items()):
        slug = f"local-{path.stem.lower()}-{n}"
        slug = re.sub(r"[^a-z0-9-]", "-", slug)
        out.append(
            Instrument(
                id=slug,
                title=law,
                short=law,
                kind="normative_document",
                issuer="（本地补充语料）",
                status="in_force",
                status_note="本地补充语料，由维护者添加。",
                sources=[Source(url=path.resolve().as_uri(), note="local corpus")],
                articles=arts,
            )
        )
    return out
