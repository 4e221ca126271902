"""Language model stage, prompts: prompts/<area>/<name>.md -> chat templates with declared variables, by key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate

_FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)
_SECTION = re.compile(r"^## (system|user)\s*$", re.MULTILINE)
_FENCE_TAG = re.compile(r"<(/?)(untrusted)", re.IGNORECASE)


class PromptError(ValueError):
    """A prompt file that does not follow prompts/README.md."""


@dataclass(frozen=True)
class Prompt:
    """One prompt: its key, declared variables and the chat template."""

    key: str
    variables: frozenset[str]
    template: ChatPromptTemplate

    def messages(self, **values: str) -> list[BaseMessage]:
        """The chat messages with every declared variable filled (a missing or extra one is an error)."""
        if set(values) != self.variables:
            raise PromptError(f"{self.key}: expected {sorted(self.variables)}, got {sorted(values)}")
        return self.template.format_messages(**values)

    @property
    def system_text(self) -> str:
        """The system section's fixed text (its variables left as names), for leak checks."""
        first = self.template.messages[0]
        return str(getattr(getattr(first, "prompt", None), "template", ""))


def parse_prompt(key: str, source: str) -> Prompt:
    """A prompt from its file text; raises PromptError on an undeclared or unused variable or a bad layout."""
    m = _FRONT.match(source.replace("\r\n", "\n"))
    if not m:
        raise PromptError(f"{key}: no front matter (---\\nvariables: [...]\\n---)")
    meta = yaml.safe_load(m.group(1)) or {}
    declared = meta.get("variables")
    if not isinstance(declared, list) or not all(isinstance(v, str) for v in declared):
        raise PromptError(f"{key}: front matter needs `variables: [...]`")
    parts = _SECTION.split(m.group(2))
    sections = dict(zip(parts[1::2], (p.strip("\n") for p in parts[2::2]), strict=True))
    if set(sections) != {"system", "user"} or parts[0].strip():
        raise PromptError(f"{key}: the body must be a `## system` and a `## user` section")
    template = ChatPromptTemplate.from_messages([("system", sections["system"]), ("human", sections["user"])])
    used = set(template.input_variables)
    if used - set(declared):
        raise PromptError(f"{key}: undeclared variables {sorted(used - set(declared))}")
    if set(declared) - used:
        raise PromptError(f"{key}: declared but unused variables {sorted(set(declared) - used)}")
    return Prompt(key, frozenset(declared), template)


class Prompts:
    """The prompt files under one folder, loaded by key ("legal_qa/answer"), each checked once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, Prompt] = {}

    def names(self) -> list[str]:
        """Every prompt key under the folder."""
        return sorted(
            p.relative_to(self.root).with_suffix("").as_posix()
            for p in self.root.rglob("*.md")
            if p.parent != self.root
        )

    def get(self, key: str) -> Prompt:
        """The prompt with this key."""
        if key not in self._cache:
            path = self.root / f"{key}.md"
            if not path.is_file():
                raise PromptError(f"no prompt {key!r} in {self.root}")
            self._cache[key] = parse_prompt(key, path.read_text(encoding="utf-8"))
        return self._cache[key]


def fence(kind: str, text: str) -> str:
    """Untrusted text as a labelled data block; a fence tag inside the text is defused so it cannot close the block."""
    clean = _FENCE_TAG.sub(lambda m: "＜" + m.group(1) + m.group(2), text)
    return f'<untrusted kind="{kind}">\n{clean}\n</untrusted>'
