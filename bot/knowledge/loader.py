"""Knowledge stage, loader: read knowledge/ (and extra corpora) into a KnowledgeBase, checking every cross-reference."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from bot.knowledge.model import Article, Contact, Instrument, KnowledgeBase, Source, Topic
from bot.knowledge.numerals import parse_label
from bot.knowledge.yaml_io import KnowledgeError, line_of, read_yaml, validate


def load_instrument(path: Path) -> Instrument:
    """Load and validate one laws/<id>.yaml file."""
    data, node = read_yaml(path)
    ins = validate(path, Instrument, data, node)
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
        data, contacts_node = read_yaml(contacts_path)
        for i, raw in enumerate((data or {}).get("channels", [])):
            c = validate(contacts_path, Contact, raw, contacts_node, ("channels", i))
            _check_english(c, contacts_path, contacts_node, i)
            contacts[c.id] = c

    topics: list[Topic] = []
    topics_path = root / "topics.yaml"
    if topics_path.exists():
        data, node = read_yaml(topics_path)
        for i, raw in enumerate((data or {}).get("topics", [])):
            topics.append(validate(topics_path, Topic, raw, node, ("topics", i)))

    kb = KnowledgeBase(instruments, contacts, topics, _read_article(root))
    _check_topics(kb, topics_path, node if topics else None)
    return kb


CONTACT_TEXT_FIELDS = ("name", "phone", "handles", "when", "how", "limits")  # what a contact answer shows
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _check_english(contact: Contact, path: Path, node: yaml.Node | None, i: int) -> None:
    """A channel's user-facing field with Chinese in it needs its English version (`how` -> `how_en`): English
    speakers would otherwise get the reviewed facts in Chinese."""
    for field in CONTACT_TEXT_FIELDS:
        if _HAN.search(str(getattr(contact, field) or "")) and not contact.english(field).strip():
            line = line_of(node, ("channels", i, field))
            raise KnowledgeError(f"{path}:{line}: channel {contact.id} has {field} in Chinese but no {field}_en")


def _check_topics(kb: KnowledgeBase, path: Path, node: yaml.Node | None) -> None:
    known = {t.id for t in kb.topics}
    for i, topic in enumerate(kb.topics):
        for j, cid in enumerate(topic.articles):
            ref = kb.get(cid)
            if ref is None:
                line = line_of(node, ("topics", i, "articles", j))
                raise KnowledgeError(f"{path}:{line}: topic {topic.id} cites unknown article {cid!r}")
        for field, patterns in (
            ("only_when", topic.only_when),
            ("first_when", topic.first_when),
            ("quote_by", topic.quote_by),
        ):
            for cid, pattern in patterns.items():
                line = line_of(node, ("topics", i, field))
                if cid not in topic.articles:
                    raise KnowledgeError(
                        f"{path}:{line}: topic {topic.id} has {field} for {cid!r}, not among its articles"
                    )
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise KnowledgeError(
                        f"{path}:{line}: topic {topic.id} {field} {cid!r}: bad pattern ({exc})"
                    ) from exc
        try:
            re.compile(topic.unless)
        except re.error as exc:
            line = line_of(node, ("topics", i, "unless"))
            raise KnowledgeError(f"{path}:{line}: topic {topic.id} unless: bad pattern ({exc})") from exc
        for other in topic.defers_to:
            if other not in known:
                line = line_of(node, ("topics", i, "defers_to"))
                raise KnowledgeError(f"{path}:{line}: topic {topic.id} defers to unknown topic {other!r}")
        for j, mention in enumerate(topic.law_mentions):
            if mention.law not in kb.instruments:
                line = line_of(node, ("topics", i, "law_mentions", j))
                raise KnowledgeError(f"{path}:{line}: topic {topic.id} mentions unknown instrument {mention.law!r}")
        for j, ch in enumerate(topic.channels):
            if ch not in kb.contacts:
                line = line_of(node, ("topics", i, "channels", j))
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
