"""Language model stage, grounding: a model's answer -> what may reach the person. Every citation is checked against
the passages it was given and knowledge/; sentences citing anything else are removed; leaks and obeyed injections
make the whole output unusable (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.knowledge import ARTICLE_REF, KnowledgeBase, article_key
from bot.understand.safety import Concern, check

MAX_PROSE = 220  # characters of the model's words: the first screen (the quotes follow, from knowledge/)
MIN_QUOTE = 8  # a quoted span this long must be verbatim in a passage
_MARKER = re.compile(r"[\[［【]\s*[Pp]\s*(\d{1,2})\s*[\]］】]")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_ENDED = re.compile(r"[。！？!?]$")
_QUOTE = re.compile(rf"[“「『\"]([^”」』\"]{{{MIN_QUOTE},}})[”」』\"]")
_BRACKETED_LAW = re.compile(r"《([^》]{2,40})》")
_NUMBERS = re.compile(r"(?<![\dA-Za-z])\d{5,}(?![\dA-Za-z])|https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.\w+")
_OBEYED = re.compile(
    r"(忽略|无视|不再遵守).{0,6}(指令|指示|规则|设定|说明)|系统(提示|说明|指令)|提示词|开发者模式|没有任何限制|"
    r"新的?指令|我的(说明|设定)是|untrusted|system prompt|ignore (all |the )?previous|developer mode|jailbreak|"
    r"其他用户|别的用户|另一位用户|(请|立即|马上).{0,6}(转账|汇款|打款|转到)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Passage:
    """A passage as the model saw it: its number [Pn], citation id and exact text from knowledge/."""

    n: int
    id: str
    label: str
    text: str


@dataclass(frozen=True)
class Grounded:
    """The checked output: prose that may be shown, the passages it cites in order, and what was wrong."""

    prose: str
    cited: tuple[int, ...]
    problems: tuple[str, ...]
    fatal: bool = False  # a leak or an obeyed injection: never show, never retry

    @property
    def usable(self) -> bool:
        """Whether the prose can reach the person."""
        return not self.fatal and bool(self.cited) and bool(self.prose)


def fatal_problems(raw: str, canary: str, system_text: str, allowed: str) -> list[str]:
    """Leaks and obeyed injections: the canary or the instructions repeated, numbers, links or addresses that are not
    in the passages or the question (`allowed`), instructions obeyed or a scam's words."""
    found = []
    if canary and canary in raw:
        found.append("leak: canary")
    for line in re.split(r"[。；\n]", system_text):
        fixed = re.sub(r"\{\w+\}", "", line).strip()
        if len(fixed) >= 12 and fixed[:12] in raw:
            found.append("leak: instructions")
            break
    for m in _NUMBERS.finditer(raw):
        if m.group(0) not in allowed:
            found.append(f"leak: {m.group(0)[:20]}")
    if _OBEYED.search(raw):
        found.append("injection obeyed")
    concerns = check(raw).concerns
    if Concern.INJECTION in concerns:
        found.append("injection words")
    return found


def sentence_problems(sentence: str, passages: Sequence[Passage], kb: KnowledgeBase) -> list[str]:
    """What is wrong with one sentence: a passage number not given, an article not among the passages (invented,
    superseded or unsupported), a law not among them, a quote not in them."""
    given = {p.n for p in passages}
    ids = {p.id for p in passages}
    laws = {p.id.partition(":")[0] for p in passages}
    problems = [f"unknown passage P{n}" for n in map(int, _MARKER.findall(sentence)) if n not in given]
    for m in ARTICLE_REF.finditer(sentence):
        before = sentence[max(0, m.start() - 24) : m.start()]
        named = _laws_named(before, kb)
        try:
            key = article_key(m.group(1), m.group(2))
        except ValueError:
            problems.append(f"invented {m.group(0)}")
            continue
        candidates = [f"{inst}:{key}" for inst in named] if named else [f"{law}:{key}" for law in laws]
        if any(c in ids for c in candidates):
            continue
        known = [kb.get(c) for c in candidates]
        refs = [r for r in known if r is not None]
        if not refs:
            problems.append(f"invented {before[-12:]}{m.group(0)}")
        elif any(r.instrument.status == "superseded" for r in refs):
            problems.append(f"superseded {refs[0].instrument.short}{m.group(0)}")
        else:
            problems.append(f"unsupported {refs[0].instrument.short}{m.group(0)}")
    for m in _BRACKETED_LAW.finditer(sentence):
        named = _laws_named(m.group(0), kb)
        if not named:
            problems.append(f"invented law 《{m.group(1)}》")
        elif not set(named) & laws:
            problems.append(f"unsupported law 《{m.group(1)}》")
    texts = ["".join(p.text.split()) for p in passages]
    for m in _QUOTE.finditer(sentence):
        quote = "".join(m.group(1).split()).rstrip("。，；")
        if not any(quote in t for t in texts):
            problems.append(f"quote not in knowledge: {quote[:16]}")
    return problems


def _laws_named(text: str, kb: KnowledgeBase) -> list[str]:
    """Instrument ids a stretch of text names (short name, title or alias; longest first; a name shared by an old and
    a new text names both)."""
    by_name: dict[str, list[str]] = {}
    for ins in kb.instruments.values():
        for name in {ins.short, ins.title, ins.title.removeprefix("中华人民共和国"), *ins.aliases}:
            if len(name) >= 2 and ins.id not in by_name.setdefault(name, []):
                by_name[name].append(ins.id)
    found: list[str] = []
    rest = text
    for name in sorted(by_name, key=len, reverse=True):
        if name in rest:
            found.extend(i for i in by_name[name] if i not in found)
            rest = rest.replace(name, " ")
    return found


def ground(
    raw: str, passages: Sequence[Passage], kb: KnowledgeBase, canary: str, system_text: str, allowed: str
) -> Grounded:
    """Check a model's answer: fatal problems end it; sentences with a wrong citation or quote are removed; what
    remains must cite at least one passage, and is cut to the first screen."""
    fatal = fatal_problems(raw, canary, system_text, allowed)
    if fatal:
        return Grounded("", (), tuple(fatal), fatal=True)
    kept: list[str] = []
    problems: list[str] = []
    for sentence in (s.strip() for s in _SENTENCE.findall(raw)):
        if not sentence:
            continue
        wrong = sentence_problems(sentence, passages, kb)
        if wrong:
            problems.extend(wrong)
            continue
        kept.append(sentence)
    prose = _first_screen(kept)
    cited = tuple(dict.fromkeys(int(n) for n in _MARKER.findall(prose)))
    if not cited:
        problems.append("no passage cited")
    return Grounded(prose, cited, tuple(problems))


def _first_screen(sentences: list[str]) -> str:
    """Whole sentences up to MAX_PROSE characters (at least one)."""
    out: list[str] = []
    size = 0
    for s in sentences:
        if out and size + len(s) > MAX_PROSE:
            break
        out.append(s)
        size += len(s)
    text = "".join(out)
    return text if len(text) <= MAX_PROSE + 40 else text[:MAX_PROSE] + "…"


def renumber(prose: str, cited: Sequence[int]) -> str:
    """Markers [Pn] as the numbers of the basis list below the answer ([P3] cited first -> [1])."""
    order = {n: i + 1 for i, n in enumerate(cited)}
    return _MARKER.sub(lambda m: f"[{order[int(m.group(1))]}]" if int(m.group(1)) in order else "", prose)


class Preview:
    """A streamed answer checked as it arrives: each completed sentence must pass the same checks as the whole
    answer (no leak or obeyed injection so far, every citation and quote among the passages); the first one that
    fails, or the end of the first screen, stops the preview. Only what passed is ever shown (pure)."""

    def __init__(
        self, passages: Sequence[Passage], kb: KnowledgeBase, canary: str, system_text: str, allowed: str
    ) -> None:
        self.passages = passages
        self.kb = kb
        self.canary = canary
        self.system_text = system_text
        self.allowed = allowed
        self.raw = ""
        self.shown: list[str] = []  # sentences that passed, in order
        self.checked = 0  # completed sentences looked at
        self.stopped = False

    def feed(self, piece: str, *, end: bool = False) -> str | None:
        """Add streamed text (`end`: the stream is over, the last sentence is complete too); the prose that may be
        shown now (markers numbered as in the final answer) when it grew, else None."""
        self.raw += piece
        if self.stopped:
            return None
        matches = list(_SENTENCE.finditer(self.raw))
        if matches and not end and not _ENDED.search(matches[-1].group(0)) and matches[-1].end() == len(self.raw):
            matches.pop()  # the last sentence is still being written
        grew = False
        for m in matches[self.checked :]:
            self.checked += 1
            sentence = m.group(0).strip()
            if not sentence:
                continue
            size = sum(map(len, self.shown))
            if (
                fatal_problems(self.raw[: m.end()], self.canary, self.system_text, self.allowed)
                or sentence_problems(sentence, self.passages, self.kb)
                or (self.shown and size + len(sentence) > MAX_PROSE)
            ):
                self.stopped = True
                break
            self.shown.append(sentence)
            grew = True
        return self.prose if grew else None

    @property
    def prose(self) -> str:
        """What passed so far, markers renumbered in the order they are first cited."""
        text = "".join(self.shown)
        return renumber(text, list(dict.fromkeys(int(n) for n in _MARKER.findall(text))))
