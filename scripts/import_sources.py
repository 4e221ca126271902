"""Maintenance script: convert the shared statute texts into reviewed YAML files under knowledge/laws/.

Reads the whole-instrument Markdown files in ``<sources>/laws-full/`` (one "第X条" per paragraph block,
chapters as headings) and the per-article files in ``<sources>/regulations/`` (YAML front matter plus
"## 第X条" sections), keeps only the articles selected in ``import_sources.yaml`` (beside this script) and writes one
``knowledge/laws/<id>.yaml`` per instrument following the schema in ``knowledge/README.md``.
It also writes ``knowledge/sources/article.txt`` (the seed article with a provenance header).
``--check`` validates every written file with the bot's own model (``bot.knowledge``) and proves that it is exactly
the converter's output and that every article text occurs verbatim in its source.

Statute text is copied byte-for-byte from the source files: paragraphs are joined with "\\n" and only the
surrounding whitespace of each line is removed. Nothing here writes or paraphrases statute text; the only
words of our own are the instrument metadata and the short ``heading`` topics in ``import_sources.yaml``.

Usage::

    .venv/bin/python scripts/import_sources.py            # convert, write, then check
    .venv/bin/python scripts/import_sources.py --check    # only check the files already written
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# The bot's own label parser, numerals, YAML reader and model: one implementation for both.
from bot.knowledge import KnowledgeError, Source, chinese_numeral, load_instrument, parse_label, read_yaml, validate

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = Path("/work/shared/knowledge-sources")
DEFAULT_SEED = Path("/work/shared/seed/article.txt")
DEFAULT_OUT = REPO_ROOT / "knowledge"

LAWREF_COMMIT_URL = "https://github.com/LawRefBook/Laws/blob/2f4c5c23716267af9dbebbbbd6cbbf732b101981/"
LAWREF_REPO_URL = "https://github.com/LawRefBook/Laws"
FLK_URL = "https://flk.npc.gov.cn/"
FLK_NOTE = (
    "国家法律法规数据库：LawRefBook/Laws 文本的来源（据 shared/knowledge-sources/laws-full/README.md）；"
    "未直接在该数据库逐字核对"
)

# --------------------------------------------------------------------------------------------------------
# Chinese article labels
# --------------------------------------------------------------------------------------------------------

_CN_NUM = "零〇一二三四五六七八九十百千"
LABEL_RE = re.compile(rf"^第([{_CN_NUM}]+)条(之[一二三四五六七八九十]+)?$")
# An article starts a paragraph: "第X条" (optionally "之N") followed by a space and the first paragraph.
ARTICLE_START_RE = re.compile(rf"^(第[{_CN_NUM}]+条(?:之[一二三四五六七八九十]+)?)[ \u3000](.*)$")
_INVISIBLE = "\u200b\ufeff"


def format_label(number: int, suffix: str | None = None) -> str:
    """Build the label "第X条" (plus suffix) for an article number."""
    return f"第{chinese_numeral(number)}条{suffix or ''}"


def clean_line(line: str) -> str:
    """Strip surrounding whitespace (and zero-width spaces) from one source line."""
    return line.strip().strip(_INVISIBLE).strip()


def normalise_source(text: str) -> str:
    """Normalise a source file the same way articles are built: cleaned non-empty lines joined by "\\n"."""
    return "\n".join(c for c in (clean_line(line) for line in text.splitlines()) if c)


# --------------------------------------------------------------------------------------------------------
# Source parsing
# --------------------------------------------------------------------------------------------------------

Key = tuple[int, str | None]


@dataclass
class SourceArticle:
    """One article as found in a source file."""

    label: str
    number: int
    suffix: str | None
    paragraphs: list[str]
    path: Path
    chapters: list[str] = field(default_factory=list)

    @property
    def key(self) -> Key:
        """Return (number, suffix)."""
        return (self.number, self.suffix)

    @property
    def text(self) -> str:
        """Return the article text, paragraphs joined by a newline."""
        return "\n".join(self.paragraphs)


def parse_full_text(path: Path) -> list[SourceArticle]:
    """Parse a laws-full Markdown file into its articles, in order."""
    raw = path.read_text(encoding="utf-8")
    if "<!-- INFO END -->" in raw:
        raw = raw.split("<!-- INFO END -->", 1)[1]
    articles: list[SourceArticle] = []
    headings: dict[int, str] = {}
    current: SourceArticle | None = None
    for line in raw.splitlines():
        content = clean_line(line)
        if not content:
            continue
        if content.startswith("#"):
            level = len(content) - len(content.lstrip("#"))
            headings = {lvl: h for lvl, h in headings.items() if lvl < level}
            headings[level] = content.lstrip("#").strip()
            current = None
            continue
        match = ARTICLE_START_RE.match(content)
        if match:
            label, first = match.group(1), match.group(2).strip()
            number, suffix = parse_label(label)
            current = SourceArticle(
                label, number, suffix, [first], path, [headings[k] for k in sorted(headings) if headings[k]]
            )
            articles.append(current)
        elif current is not None:
            current.paragraphs.append(content)
        # Paragraphs before the first article (preambles) are not articles and are skipped.
    seen: set[Key] = set()
    for art in articles:
        if art.key in seen:
            raise ValueError(f"{path}: duplicate article {art.label}")
        seen.add(art.key)
    return articles


@dataclass
class RegulationFile:
    """A per-article file from regulations/: front matter plus article texts."""

    path: Path
    meta: dict[str, Any]
    articles: dict[Key, SourceArticle]


def parse_regulation_file(path: Path) -> RegulationFile:
    """Parse a regulations/*.md file (YAML front matter, then "## 第X条" sections)."""
    raw = path.read_text(encoding="utf-8")
    meta: dict[str, Any] = {}
    body = raw
    if raw.startswith("---\n"):
        front, body = raw[4:].split("\n---\n", 1)
        meta = yaml.safe_load(front) or {}
    articles: dict[Key, SourceArticle] = {}
    current: SourceArticle | None = None
    for line in body.splitlines():
        content = clean_line(line)
        if content.startswith("## "):
            title = content[3:].strip()
            current = None
            if LABEL_RE.match(title):
                number, suffix = parse_label(title)
                current = SourceArticle(title, number, suffix, [], path)
                if current.key in articles:
                    raise ValueError(f"{path}: duplicate article {title}")
                articles[current.key] = current
            continue
        if content and current is not None:
            current.paragraphs.append(content)
    return RegulationFile(path, meta, articles)


# --------------------------------------------------------------------------------------------------------
# Reviewed metadata and article selection
# --------------------------------------------------------------------------------------------------------


DATA_PATH = Path(__file__).with_suffix(".yaml")
_SELECTED = re.compile(r"^(\d+)(?:-(\d+)|(之[一二三四五六七八九十]+))?$")


def _keys(item: int | str) -> list[Key]:
    """One selection entry as article keys: 109, "667-680" (a range) or "253之一"."""
    if isinstance(item, int):
        return [(item, None)]
    m = _SELECTED.match(item)
    if not m:
        raise ValueError(f"not an article number, range or 之N article: {item!r}")
    first = int(m.group(1))
    if m.group(2):
        return [(n, None) for n in range(first, int(m.group(2)) + 1)]
    return [(first, m.group(3))]


class Selection(BaseModel):
    """Which articles of an instrument to keep."""

    model_config = ConfigDict(extra="forbid")
    articles: list[int | str] = Field(default_factory=list)
    all_articles: bool = False
    chapters: list[str] = Field(default_factory=list)  # keep every article under a heading containing these

    @field_validator("articles")
    @classmethod
    def _shape(cls, value: list[int | str]) -> list[int | str]:
        for item in value:
            _keys(item)
        return value

    @property
    def keys(self) -> list[Key]:
        """The selected articles as (number, suffix), ranges expanded."""
        return [key for item in self.articles for key in _keys(item)]


class Instrument(BaseModel):
    """Reviewed metadata of one instrument, where its text comes from and which articles to keep."""

    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    short: str
    aliases: list[str]
    kind: Literal[
        "law",
        "administrative_regulation",
        "departmental_rule",
        "judicial_interpretation",
        "normative_document",
        "self_regulation",
    ]
    issuer: str
    doc_no: str | None
    promulgated: dt.date | None
    effective: dt.date | None
    status: Literal["in_force", "amended", "superseded", "repealed"]
    status_note: str
    superseded_by: str | None = None
    numbering_note: str | None = None
    note_en: str | None = None  # the currency note for English answers
    full_texts: list[str] = Field(min_length=1)  # file names in laws-full/ ("local:<name>": in scripts/sources/)
    regulation_file: str | None = None  # file name in regulations/ covering the same instrument
    # The published copy each full_texts file was taken from, when an instrument spans several (the 民法典's books):
    # written as each of its articles' own `source`, so a citation links the book it comes from.
    full_text_urls: dict[str, str] = Field(default_factory=dict)
    sources: list[Source] = Field(min_length=1)
    select: Selection
    headings: dict[int | str, str] = Field(default_factory=dict)  # short topics in our own words (not statute text)

    @model_validator(mode="after")
    def _urls_name_full_texts(self) -> Instrument:
        unknown = sorted(set(self.full_text_urls) - set(self.full_texts))
        if unknown:
            raise ValueError(f"full_text_urls names files that are not in full_texts: {unknown}")
        return self

    @property
    def heading_by_key(self) -> dict[Key, str]:
        """Headings by (number, suffix)."""
        return {_keys(k)[0]: v for k, v in self.headings.items()}


class SourcesFile(BaseModel):
    """scripts/import_sources.yaml."""

    model_config = ConfigDict(extra="forbid")
    instruments: list[Instrument] = Field(min_length=1)


def load_instruments(path: Path = DATA_PATH) -> list[Instrument]:
    """Read and validate import_sources.yaml (errors name the file and line)."""
    data, node = read_yaml(path)
    return validate(path, SourcesFile, data, node).instruments


SEED_TITLE = "应对催收短信验证码骚扰的有效策略与法律救济途径"
SEED_HEADER = [
    f"# {SEED_TITLE}",
    "# 发布时间：2024-03-31",
    "# 来源：项目种子文章 shared/seed/article.txt",
    "# 注意：文中提到的中国银保监会已于2023年被国家金融监督管理总局取代。",
]

# --------------------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------------------


LOCAL_SOURCES = Path(__file__).resolve().parent / "sources"
LOCAL_PREFIX = "local:"


def full_text_path(sources: Path, name: str) -> Path:
    """A full_texts entry: a file in <sources>/laws-full/, or with "local:" one in scripts/sources/ (excerpts this
    project copied itself, each with its provenance in the file header and in import_sources.yaml)."""
    if name.startswith(LOCAL_PREFIX):
        return LOCAL_SOURCES / name.removeprefix(LOCAL_PREFIX)
    return sources / "laws-full" / name


def load_full_texts(inst: Instrument, sources: Path) -> list[SourceArticle]:
    """Parse and merge the laws-full files of an instrument."""
    merged: list[SourceArticle] = []
    seen: set[Key] = set()
    for name in inst.full_texts:
        for art in parse_full_text(full_text_path(sources, name)):
            if art.key in seen:
                raise ValueError(f"{inst.id}: {art.label} appears in more than one source file")
            seen.add(art.key)
            merged.append(art)
    return merged


def select_articles(inst: Instrument, parsed: list[SourceArticle]) -> tuple[list[SourceArticle], list[Key]]:
    """Return the selected articles (in source order) and the selected keys that were not found."""
    sel = inst.select
    if sel.all_articles:
        return list(parsed), []
    wanted = sel.keys
    wanted_set = set(wanted)
    chosen = [art for art in parsed if art.key in wanted_set or any(c in h for c in sel.chapters for h in art.chapters)]
    found = {a.key for a in chosen}
    missing = [k for k in wanted if k not in found]
    chosen.sort(key=lambda a: (a.number, a.suffix or ""))
    return chosen, missing


def build_instrument(inst: Instrument, sources: Path) -> dict[str, Any]:
    """Build the YAML mapping for one instrument."""
    parsed = load_full_texts(inst, sources)
    chosen, missing = select_articles(inst, parsed)
    headings = inst.heading_by_key
    url_by_path = {full_text_path(sources, name): url for name, url in inst.full_text_urls.items()}
    articles: list[dict[str, Any]] = []
    for art in chosen:
        entry: dict[str, Any] = {"number": art.number, "suffix": art.suffix, "label": art.label}
        heading = headings.get(art.key)
        if heading:
            entry["heading"] = heading
        entry["aliases"] = []
        entry["text"] = art.text
        if art.path in url_by_path:
            entry["source"] = url_by_path[art.path]
        articles.append(entry)
    data: dict[str, Any] = {
        "id": inst.id,
        "title": inst.title,
        "short": inst.short,
        "aliases": list(inst.aliases),
        "kind": inst.kind,
        "issuer": inst.issuer,
        "doc_no": inst.doc_no,
        "promulgated": inst.promulgated,
        "effective": inst.effective,
        "status": inst.status,
        "status_note": inst.status_note,
        "superseded_by": inst.superseded_by,
        "numbering_note": inst.numbering_note,
        **({"note_en": inst.note_en} if inst.note_en else {}),
        "sources": [s.model_dump() for s in inst.sources],
        "articles": articles,
    }
    if missing:
        data["not_found"] = [
            {
                "label": format_label(n, s),
                "reason": "项目全文副本中没有此条（" + ", ".join(inst.full_texts) + "）",
            }
            for n, s in missing
        ]
    return data


class _LiteralDumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line strings as '|' block scalars."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_LiteralDumper.add_representer(str, _represent_str)


def dump_yaml(data: dict[str, Any]) -> str:
    """Serialise an instrument mapping as readable YAML (Chinese kept, block style for text)."""
    return yaml.dump(
        data, Dumper=_LiteralDumper, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False
    )


def build_seed_article(seed: Path) -> str:
    """Return the seed article with its provenance header; the article body is copied verbatim."""
    body = seed.read_text(encoding="utf-8")
    return "\n".join(SEED_HEADER) + "\n\n" + body


def write_all(sources: Path, seed: Path, out: Path) -> None:
    """Convert every instrument and write the YAML files and the seed article."""
    laws_dir = out / "laws"
    laws_dir.mkdir(parents=True, exist_ok=True)
    for inst in load_instruments():
        data = build_instrument(inst, sources)
        (laws_dir / f"{inst.id}.yaml").write_text(dump_yaml(data), encoding="utf-8")
        missing = [e["label"] for e in data.get("not_found", [])]
        print(
            f"wrote laws/{inst.id}.yaml: {len(data['articles'])} articles"
            + (f", not found: {missing}" if missing else "")
        )
    (out / "sources").mkdir(parents=True, exist_ok=True)
    (out / "sources" / "article.txt").write_text(build_seed_article(seed), encoding="utf-8")
    print("wrote sources/article.txt")


# --------------------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------------------


def check_instrument(inst: Instrument, sources: Path, out: Path) -> list[str]:
    """Check one written YAML file against its sources; return a list of problems."""
    path = out / "laws" / f"{inst.id}.yaml"
    if not path.exists():
        return [f"{path}: missing"]
    problems: list[str] = []
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    where = f"laws/{inst.id}.yaml"
    if dump_yaml(data) != text:
        problems.append(f"{where}: does not round-trip through YAML byte-for-byte")
    if yaml.safe_load(dump_yaml(data)) != data:
        problems.append(f"{where}: YAML round-trip changes the data")
    if dump_yaml(build_instrument(inst, sources)) != text:
        problems.append(f"{where}: differs from the converter output (edited by hand or sources changed)")
    try:  # the schema: the bot's own model (id = file stem, kinds, statuses, dates, labels matching numbers)
        load_instrument(path)
    except KnowledgeError as exc:
        problems.append(str(exc))

    source_texts = {
        name: normalise_source(full_text_path(sources, name).read_text(encoding="utf-8")) for name in inst.full_texts
    }
    regulation = parse_regulation_file(sources / "regulations" / inst.regulation_file) if inst.regulation_file else None
    seen: set[Key] = set()
    seen_fields: set[Any] = set()
    for art in data.get("articles") or []:
        label = art.get("label", "")
        try:
            number, suffix = parse_label(label)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if (number, suffix) != (art.get("number"), art.get("suffix")):
            problems.append(
                f"{where}: {label} parses to {(number, suffix)}, file says {(art.get('number'), art.get('suffix'))}"
            )
        if format_label(number, suffix) != label:
            problems.append(f"{where}: {label} does not format back to the same label")
        field_key = (art.get("number"), art.get("suffix"))
        if (number, suffix) in seen or field_key in seen_fields:
            problems.append(f"{where}: duplicate article {label}")
        seen.add((number, suffix))
        seen_fields.add(field_key)
        body = art.get("text") or ""
        if not body or body != body.strip() or any(p != clean_line(p) or not p for p in body.split("\n")):
            problems.append(f"{where}: {label} text is empty or has stray whitespace")
        if not any(f"{label} {body}" in src for src in source_texts.values()):
            problems.append(f"{where}: {label} text does not occur verbatim in {inst.full_texts}")
        if regulation and (number, suffix) in regulation.articles:
            other = regulation.articles[(number, suffix)].text
            if other != body:
                problems.append(f"{where}: {label} differs from regulations/{inst.regulation_file}")
    wanted = inst.select.keys
    not_found = {parse_label(e["label"]) for e in data.get("not_found") or []}
    for key in wanted:
        if key not in seen and key not in not_found:
            problems.append(f"{where}: selected article {format_label(*key)} is neither present nor in not_found")
    return problems


def check_seed(seed: Path, out: Path) -> list[str]:
    """Check that sources/article.txt is the header plus the verbatim seed article."""
    path = out / "sources" / "article.txt"
    if not path.exists():
        return [f"{path}: missing"]
    if path.read_text(encoding="utf-8") != build_seed_article(seed):
        return ["sources/article.txt: does not match header + verbatim seed article"]
    return []


def check_all(sources: Path, seed: Path, out: Path) -> int:
    """Run every check and print the result; return a process exit code."""
    problems: list[str] = []
    total = 0
    instruments = load_instruments()
    for inst in instruments:
        problems += check_instrument(inst, sources, out)
        path = out / "laws" / f"{inst.id}.yaml"
        if path.exists():
            total += len(yaml.safe_load(path.read_text(encoding="utf-8")).get("articles") or [])
    problems += check_seed(seed, out)
    managed = {f"{i.id}.yaml" for i in instruments}
    others = sorted(p.name for p in (out / "laws").glob("*.yaml") if p.name not in managed)
    if others:
        print(f"not checked (not produced by this script): {', '.join(others)}")
    for problem in problems:
        print(f"PROBLEM {problem}")
    print(f"checked {len(instruments)} instruments, {total} articles: {len(problems)} problem(s)")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES, help="knowledge-sources folder")
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED, help="seed article text file")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="knowledge folder to write into")
    parser.add_argument("--check", action="store_true", help="only check the files already written")
    args = parser.parse_args(argv)
    if not args.check:
        write_all(args.sources, args.seed, args.out)
    return check_all(args.sources, args.seed, args.out)


if __name__ == "__main__":
    sys.exit(main())
