"""Documents, templates: the typed model of knowledge/templates/ (slot catalogue, template metadata and letter bodies),
a loader that validates every reference, and the validation of the values people type into slots."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.legal_qa.knowledge import KnowledgeBase, KnowledgeError, _line_of, _read_yaml, _validate, chinese_number

SlotKind = Literal["text", "phone", "date", "id_number", "amount", "multiline", "list"]
Format = Literal["txt", "docx", "pdf"]
LineKind = Literal["para", "flush", "right", "heading", "numbered", "cn_numbered", "gap", "citations", "missing"]

ALL_FORMATS: tuple[Format, ...] = ("txt", "docx", "pdf")
SPECIAL_PLACEHOLDERS = frozenset({"citations", "today", "missing"})
# {{ name }}: the only placeholder syntax; anything else that looks like template syntax in a body is an error.
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_TEMPLATE_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
# Line markers of a body, written at the start of a line (order: optional "? " first, then one of these).
_MARKERS: tuple[tuple[str, LineKind], ...] = (
    ("## ", "heading"),
    ("| ", "flush"),
    (">> ", "right"),
    ("(#) ", "cn_numbered"),
    ("#. ", "numbered"),
)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Article references written in a body: 第一千零三十三条, 第293条, 第二百五十三条之一.
ARTICLE_REF = re.compile(r"第([零〇一二两三四五六七八九十百千\d]+)条(之[一二三四五六七八九十])?")

# C0/C1 controls (but tab and newline), DEL, bidi overrides and isolates, lone surrogates and non-characters: removed
# from every value (invisible in print, invalid in XML, or able to make a text read differently from what it is).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


class Slot(BaseModel):
    """One entry of the shared slot catalogue (knowledge/templates/slots.yaml)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    label: str
    kind: SlotKind
    item_kind: Literal["text", "phone"] = "text"  # for list slots: how each item is checked
    example: str
    max_length: int = Field(gt=0)
    sensitive: bool = False

    @field_validator("name")
    @classmethod
    def _name_shape(cls, value: str) -> str:
        if not _NAME.match(value) or value in SPECIAL_PLACEHOLDERS:
            raise ValueError(f"slot name {value!r} must match [a-z][a-z0-9_]* and not be citations/today/missing")
        return value


class SlotCatalogue(BaseModel):
    """The whole slots.yaml file."""

    model_config = ConfigDict(extra="forbid")
    slots: list[Slot] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> SlotCatalogue:
        seen: set[str] = set()
        for slot in self.slots:
            if slot.name in seen:
                raise ValueError(f"duplicate slot {slot.name}")
            seen.add(slot.name)
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
        optional = line.startswith("? ")
        if optional:
            line = line[2:]
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
        lines.append(BodyLine(kind=kind, optional=optional, text=line, lineno=lineno, slots=names))
    while lines and lines[-1].kind == "gap":
        lines.pop()
    return lines


def load_catalogue(path: Path) -> dict[str, Slot]:
    """Load and validate slots.yaml."""
    data, node = _read_yaml(path)
    catalogue: SlotCatalogue = _validate(path, SlotCatalogue, data, node)
    for i, slot in enumerate(catalogue.slots):
        if slot.kind != "list" and slot.item_kind != "text":
            raise KnowledgeError(f"{path}:{_line_of(node, ('slots', i))}: item_kind is only for list slots")
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
    data, node = _read_yaml(path)
    tpl: Template = _validate(path, Template, data, node)
    if tpl.name != path.stem:
        raise KnowledgeError(f"{path}:{_line_of(node, ('name',))}: name {tpl.name!r} must equal the file name")

    def fail(loc: tuple[int | str, ...], message: str) -> KnowledgeError:
        return KnowledgeError(f"{path}:{_line_of(node, loc)}: {message}")

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
    for line in body:
        where = f"{md}:{line.lineno}"
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
            if name in optional and not line.optional:
                raise KnowledgeError(f"{where}: optional slot {name} may only be used on a '? ' line")
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


# ---------------------------------------------------------------------------------------------------------------------
# Slot values

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SENDER_EXTRA = (
    re.compile(r"^106\d{5,17}$"),  # SMS service ports
    re.compile(r"^0\d{2,3}-?\d{7,8}$"),  # landlines
    re.compile(r"^9[56]\d{3,6}$"),  # 95xxx / 96xxx service numbers
    re.compile(r"^[48]00-?\d{3}-?\d{4}$"),  # 400 / 800 numbers
)
_PHONE_NOISE = re.compile(r"[\s\-()（）.·]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_LIST_SPLIT = re.compile(r"[\n；;]+")
_PHONE_LIST_SPLIT = re.compile(r"[\n；;、，,/]+|\s{2,}")
_AMOUNT = re.compile(r"^(?:人民币|RMB|CNY|¥|￥)?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?\s*(?:元|块|圆)?(?:整)?$", re.I)
_TIME_SUFFIX = re.compile(r"[\sT]*(?:\d{1,2}[:：]\d{2}(?:[:：]\d{2})?|\d{1,2}[时点](?:\d{1,2}分?)?)$")
_CN_DATE_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def clean_value(value: str) -> str:
    """A value safe to print: CR LF to LF, tabs to spaces, unsafe characters removed, outer whitespace stripped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _UNSAFE.sub("", value).strip()


def normalise_phone(value: str, sender: bool = False) -> str | None:
    """A Chinese mobile number (1[3-9] + 9 digits, +86/0086/86 prefixes allowed) as 11 digits; with sender=True also
    a 106 SMS port, a landline, a 95/96 service number or a 400/800 number. None when it is none of these."""
    digits = _PHONE_NOISE.sub("", value.strip())
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and _MOBILE.match(digits[len(prefix) :]):
            digits = digits[len(prefix) :]
            break
    if _MOBILE.match(digits):
        return digits
    if sender:
        compact = value.strip().replace(" ", "")
        for pattern in _SENDER_EXTRA:
            if pattern.match(compact):
                return compact
        if digits.isdigit() and any(p.match(digits) for p in _SENDER_EXTRA):
            return digits
    return None


def id_number_ok(value: str) -> bool:
    """An 18-character resident ID number with a valid date of birth and check character."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if birth.year < 1900:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def mask_id(value: str) -> str:
    """1101**********1234: the first four and last four characters of an ID number kept."""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else value


def format_date(day: date) -> str:
    """2026年11月3日."""
    return f"{day.year}年{day.month}月{day.day}日"


def parse_date(value: str, today: date | None = None) -> date | None:
    """Many ways of writing a date: 2026-11-03, 2026/11/3, 2026.11.3, 20261103, 2026年11月3日(号), 二〇二六年十一月三日,
    a trailing time (22:15) ignored, and 11月3日 / 11-03 with the year of today (or the year before when that would
    lie in the future). None when it is not a real calendar date between 1990 and 2100."""
    text = _TIME_SUFFIX.sub("", value.strip()).replace(" ", "")
    text = _cn_date(text)
    patterns = (
        r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?",
        r"(\d{4})(\d{2})(\d{2})",
    )
    year: int | None = None
    for pattern in patterns:
        m = re.fullmatch(pattern, text)
        if m:
            year, month, day = (int(g) for g in m.groups())
            break
    else:
        m = re.fullmatch(r"(\d{1,2})[-/.月](\d{1,2})[日号]?", text)
        if not m:
            return None
        month, day = int(m.group(1)), int(m.group(2))
    try:
        if year is None:
            ref = today or date.today()
            result = date(ref.year, month, day)
            if result > ref:
                result = date(ref.year - 1, month, day)
        else:
            result = date(year, month, day)
    except ValueError:
        return None
    return result if 1990 <= result.year <= 2100 else None


def _cn_date(text: str) -> str:
    """二〇二六年十一月三日 -> 2026年11月3日 (year digit by digit, month and day as numerals)."""
    m = re.fullmatch(
        r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})[日号]", text
    )
    if not m:
        return text
    return f"{m.group(1).translate(_CN_DATE_DIGITS)}年{chinese_number(m.group(2))}月{chinese_number(m.group(3))}日"


def normalise_amount(value: str) -> str | None:
    """5000 / 5,000元 / ¥5000.5 / 人民币5000元整 -> 5000元 / 5000.50元; None when not an amount."""
    m = _AMOUNT.match(value.strip())
    if not m:
        return None
    whole = m.group(1).replace(",", "")
    cents = m.group(2)
    if cents:
        return f"{int(whole)}.{cents[1:].ljust(2, '0')}元"
    return f"{int(whole)}元"


def split_list(slot: Slot, value: str) -> list[str]:
    """The items of a list value (newline or semicolon separated; phone lists also by 、，, and slashes)."""
    pattern = _PHONE_LIST_SPLIT if slot.item_kind == "phone" else _LIST_SPLIT
    return [item.strip(" ，,、。") for item in pattern.split(value) if item.strip(" ，,、。")]


def validate_slot(slot: Slot, value: str, today: date | None = None) -> tuple[str | None, str | None]:
    """Check and normalise one value: (normalised value, None) when fine; (value, notice key) when it was trimmed to
    slot.max_length; (None, error key) when it is invalid. Keys live under documents.* in bot/texts (the error texts
    take {label}, {example} and {value}; the trim notice {label}, {limit} and {length}).

    phone: mobile numbers only (1[3-9] + 9 digits, +86 forms accepted) -> 13812345678; date -> 2026年11月3日;
    id_number: 18 characters with a valid check character -> kept in full (masking is the renderer's job);
    amount -> 5000元; list with item_kind phone: every item a mobile number, 106 port, landline or 95/400 number.
    Control characters are removed first; an empty value is (None, "documents.error.empty").
    """
    text = clean_value(value)
    if slot.kind not in ("multiline", "list"):
        text = re.sub(r"\s*\n\s*", " ", text)
    if not text:
        return None, "documents.error.empty"
    if slot.kind == "phone":
        phone = normalise_phone(text)
        return (phone, None) if phone else (None, "documents.error.phone")
    if slot.kind == "date":
        day = parse_date(text, today)
        return (format_date(day), None) if day else (None, "documents.error.date")
    if slot.kind == "id_number":
        compact = text.replace(" ", "").upper()
        return (compact, None) if id_number_ok(compact) else (None, "documents.error.id_number")
    if slot.kind == "amount":
        amount = normalise_amount(text)
        return (amount, None) if amount else (None, "documents.error.amount")
    if slot.kind == "list":
        items = split_list(slot, text)
        if slot.item_kind == "phone":
            checked = [normalise_phone(item, sender=True) for item in items]
            if not items or any(c is None for c in checked):
                return None, "documents.error.phone_list"
            items = list(dict.fromkeys(c for c in checked if c))
        text = "\n".join(items)
    if len(text) > slot.max_length:
        return text[: slot.max_length].rstrip(), "documents.notice.trimmed"
    return text, None


def slots_from_json(data: Mapping[str, Any]) -> dict[str, str]:
    """Slot values from parsed JSON: strings kept, numbers as text, lists joined one item per line, nulls dropped."""
    out: dict[str, str] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            out[str(key)] = "\n".join(str(v) for v in value if v is not None)
        elif isinstance(value, dict):
            out[str(key)] = yaml.safe_dump(value, allow_unicode=True).strip()
        else:
            out[str(key)] = str(value)
    return out
