"""Documents stage, templates: the typed model of knowledge/templates/ and a loader that validates every reference.

The slot catalogue, template metadata and letter bodies; the values people type into slots are checked in slots.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.documents.slots import SPECIAL_PLACEHOLDERS, Slot
from bot.knowledge import ARTICLE_REF, KnowledgeBase, KnowledgeError, chinese_number, line_of, read_yaml, validate

Format = Literal["txt", "docx", "pdf"]
LineKind = Literal["para", "flush", "right", "heading", "numbered", "cn_numbered", "gap", "citations", "missing"]

ALL_FORMATS: tuple[Format, ...] = ("txt", "docx", "pdf")
# {{ name }}: the only placeholder syntax; anything else that looks like template syntax in a body is an error.
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_TEMPLATE_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
# Line markers of a body, written at the start of a line (order: optional "? " or otherwise "?: " first, then one of
# these). An otherwise line is printed only when the optional line just before it was left out (its slot missing); an
# otherwise line with slots, none of them known, gives way to that optional line again, with its 【待填写】.
_MARKERS: tuple[tuple[str, LineKind], ...] = (
    ("## ", "heading"),
    ("| ", "flush"),
    (">> ", "right"),
    ("(#) ", "cn_numbered"),
    ("#. ", "numbered"),
)


class SlotCatalogue(BaseModel):
    """The whole slots.yaml file."""

    model_config = ConfigDict(extra="forbid")
    slots: list[Slot] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> SlotCatalogue:
        seen: set[str] = set()
        words: set[str] = set()
        for slot in self.slots:
            if slot.name in seen:
                raise ValueError(f"duplicate slot {slot.name}")
            seen.add(slot.name)
            for word in (slot.label, *slot.aliases):
                if word in words:
                    raise ValueError(f"slot {slot.name}: label or alias {word!r} is used twice")
                words.add(word)
        return self


class CitationSpec(BaseModel):
    """A cited article: its citation id and, optionally, which lines (1-based paragraphs/items) of its text to quote."""

    model_config = ConfigDict(extra="forbid")
    id: str
    lines: list[int] | None = None


class BodyLine(BaseModel):
    """One line of a letter body, with its markers parsed (markers are never read from slot values)."""

    model_config = ConfigDict(frozen=True)
    kind: LineKind
    optional: bool
    text: str
    otherwise: bool = False
    lineno: int
    slots: tuple[str, ...]


class Template(BaseModel):
    """One document: metadata from <name>.yaml, the body from <name>.md, the catalogue entries it uses."""

    model_config = ConfigDict(extra="forbid")
    name: str
    title: str
    recipient: str
    when_to_use: str
    channels: list[str] = Field(default_factory=list)
    required_slots: list[str]
    optional_slots: list[str] = Field(default_factory=list)
    reveal: list[str] = Field(default_factory=list)  # sensitive slots written in full (the civil complaint's ID)
    citations: list[CitationSpec] = Field(default_factory=list)
    law_mentions: list[str] = Field(default_factory=list)  # instrument ids named without an article number
    formats: list[Format] = Field(default_factory=lambda: list(ALL_FORMATS))
    body: list[BodyLine] = Field(default_factory=list)
    slot_defs: dict[str, Slot] = Field(default_factory=dict)
    source: str = ""  # the .md path, for messages

    @field_validator("citations", mode="before")
    @classmethod
    def _plain_ids(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"id": v} if isinstance(v, str) else v for v in value]
        return value

    @property
    def slots(self) -> list[Slot]:
        """Required then optional slots, as catalogue entries."""
        return [self.slot_defs[n] for n in (*self.required_slots, *self.optional_slots)]


def _parse_body(text: str) -> list[BodyLine]:
    lines: list[BodyLine] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        otherwise = line.startswith("?: ")
        optional = line.startswith("? ")
        if optional or otherwise:
            line = line[3:] if otherwise else line[2:]
        kind: LineKind = "para"
        for marker, marker_kind in _MARKERS:
            if line.startswith(marker):
                kind, line = marker_kind, line[len(marker) :]
                break
        if not line.strip():
            kind = "gap"
        names = tuple(PLACEHOLDER.findall(line))
        if line.strip() in ("{{citations}}", "{{missing}}"):
            kind = "citations" if "citations" in line else "missing"
        lines.append(BodyLine(kind=kind, optional=optional, text=line, lineno=lineno, slots=names, otherwise=otherwise))
    while lines and lines[-1].kind == "gap":
        lines.pop()
    return lines


def load_catalogue(path: Path) -> dict[str, Slot]:
    """Load and validate slots.yaml."""
    data, node = read_yaml(path)
    catalogue: SlotCatalogue = validate(path, SlotCatalogue, data, node)
    for i, slot in enumerate(catalogue.slots):
        if slot.kind != "list" and slot.item_kind != "text":
            raise KnowledgeError(f"{path}:{line_of(node, ('slots', i))}: item_kind is only for list slots")
    return {slot.name: slot for slot in catalogue.slots}


def _templates_dir(root: Path) -> Path:
    return root / "templates" if (root / "templates" / "slots.yaml").is_file() else root


def load_templates(root: Path, kb: KnowledgeBase) -> dict[str, Template]:
    """Every template in knowledge/templates/ (root: that folder or knowledge/), validated against the catalogue and kb.

    Checks: the .md body exists; every placeholder is a catalogued slot of the template or citations/today/missing;
    required slots appear on a line that is always printed, optional ones only on "? " lines; every cited article
    exists in a current instrument; every 第…条 written in the body is one of the cited articles; law_mentions and
    channels exist. Errors are KnowledgeError("<file>:<line>: …").
    """
    folder = _templates_dir(root)
    catalogue = load_catalogue(folder / "slots.yaml")
    out: dict[str, Template] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "slots.yaml":
            continue
        out[path.stem] = load_template(path, catalogue, kb)
    return out


def load_template(path: Path, catalogue: Mapping[str, Slot], kb: KnowledgeBase) -> Template:
    """Load one <name>.yaml with its <name>.md body."""
    data, node = read_yaml(path)
    tpl: Template = validate(path, Template, data, node)
    if tpl.name != path.stem:
        raise KnowledgeError(f"{path}:{line_of(node, ('name',))}: name {tpl.name!r} must equal the file name")

    def fail(loc: tuple[int | str, ...], message: str) -> KnowledgeError:
        return KnowledgeError(f"{path}:{line_of(node, loc)}: {message}")

    declared = [*tpl.required_slots, *tpl.optional_slots]
    for field_name in ("required_slots", "optional_slots", "reveal"):
        for i, name in enumerate(getattr(tpl, field_name)):
            if name not in catalogue:
                raise fail((field_name, i), f"unknown slot {name!r} (not in slots.yaml)")
            if field_name == "reveal" and name not in declared:
                raise fail((field_name, i), f"revealed slot {name!r} is not used by this template")
    if len(set(declared)) != len(declared):
        raise fail(("required_slots",), "a slot is listed twice")
    for i, spec in enumerate(tpl.citations):
        ref = kb.get(spec.id)
        if ref is None:
            raise fail(("citations", i), f"cites unknown article {spec.id!r}")
        if not ref.instrument.current:
            raise fail(("citations", i), f"cites {spec.id!r} of a {ref.instrument.status} instrument")
        count = len(ref.article.text.splitlines())
        for n in spec.lines or []:
            if not 1 <= n <= count:
                raise fail(("citations", i), f"{spec.id} has {count} lines; line {n} does not exist")
    for i, law in enumerate(tpl.law_mentions):
        ins = kb.instruments.get(law)
        if ins is None or not ins.current:
            raise fail(("law_mentions", i), f"mentions unknown or no longer current instrument {law!r}")
    for i, channel in enumerate(tpl.channels):
        if channel not in kb.contacts:
            raise fail(("channels", i), f"names unknown channel {channel!r}")

    md = path.with_suffix(".md")
    if not md.is_file():
        raise KnowledgeError(f"{md}:1: the body of template {tpl.name} is missing")
    body = _parse_body(md.read_text(encoding="utf-8"))
    _check_body(md, body, tpl, kb)
    return tpl.model_copy(update={"body": body, "slot_defs": {n: catalogue[n] for n in declared}, "source": str(md)})


def _check_body(md: Path, body: list[BodyLine], tpl: Template, kb: KnowledgeBase) -> None:
    required, optional = set(tpl.required_slots), set(tpl.optional_slots)
    printed: set[str] = set()
    cited = {(ref.article.number, ref.article.suffix) for ref in (kb.get(c.id) for c in tpl.citations) if ref}
    for before, line in zip([None, *body], body, strict=False):
        where = f"{md}:{line.lineno}"
        if line.otherwise and (before is None or not before.optional):
            raise KnowledgeError(f"{where}: a '?: ' line must follow a '? ' line")
        leftover = PLACEHOLDER.sub("", line.text)
        if _TEMPLATE_SYNTAX.search(leftover):
            raise KnowledgeError(f"{where}: malformed placeholder (write {{{{slot_name}}}})")
        for name in line.slots:
            if name in SPECIAL_PLACEHOLDERS:
                if name in ("citations", "missing") and line.kind not in ("citations", "missing"):
                    raise KnowledgeError(f"{where}: {{{{{name}}}}} must stand alone on its line")
                continue
            if name not in required and name not in optional:
                raise KnowledgeError(f"{where}: unknown placeholder {{{{{name}}}}} (not a slot of {tpl.name})")
            if name in optional and not (line.optional or line.otherwise):
                raise KnowledgeError(f"{where}: optional slot {name} may only be used on a '? ' or '?: ' line")
            if not line.optional:
                printed.add(name)
        for m in ARTICLE_REF.finditer(line.text):
            key = (chinese_number(m.group(1)), m.group(2))
            if key not in cited:
                raise KnowledgeError(f"{where}: {m.group(0)} is not among the cited articles of {tpl.name}")
    for name in required - printed:
        raise KnowledgeError(f"{md}:1: required slot {name} never appears on a line that is always printed")
    if tpl.citations and not any(line.kind == "citations" for line in body):
        raise KnowledgeError(f"{md}:1: template {tpl.name} cites articles but has no {{{{citations}}}} line")
