"""Flows, base: Flow / Step declarations, pure transitions, and validation (reachable, ends, texts exist)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.texts import Texts

NEXT, BACK, SKIP, PAUSE = "next", "back", "skip", "pause"
END = "end"


class FlowDefinitionError(ValueError):
    """A flow declaration is inconsistent; raised when the flow is declared (at import)."""


@dataclass(frozen=True)
class Step:
    """One named step: its text, the articles that back it, and the document it offers."""

    id: str
    text_key: str
    articles: tuple[str, ...] = ()
    document: str | None = None  # template name in knowledge/templates/
    uses_evidence: bool = False  # show the evidence log's statistics here when there are any
    events: tuple[str, ...] = (NEXT, BACK, SKIP, PAUSE)


@dataclass(frozen=True)
class Flow:
    """An ordered journey: next/skip move forward, back moves back, pause keeps the place for later."""

    id: str
    title_key: str
    steps: tuple[Step, ...]
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {s.id: i for i, s in enumerate(self.steps)})
        self._check()

    def _check(self) -> None:
        if not self.steps:
            raise FlowDefinitionError(f"flow {self.id} has no steps")
        if len(self.index) != len(self.steps):
            raise FlowDefinitionError(f"flow {self.id} has duplicate step ids")
        for step in self.steps:
            if step.id in (END, "") or not step.id.replace("_", "").isalnum():
                raise FlowDefinitionError(f"flow {self.id}: bad step id {step.id!r} (named, string-valued)")
            if NEXT not in step.events and SKIP not in step.events:
                raise FlowDefinitionError(f"flow {self.id}: step {step.id} has no way forward (a trap)")
        # Steps are ordered and every step can move forward, so every step is reachable and the flow ends.

    @property
    def first(self) -> Step:
        """The starting step."""
        return self.steps[0]

    def step(self, step_id: str | None) -> Step | None:
        """A step by id (None for unknown ids, e.g. from an older version of the flow)."""
        i = self.index.get(step_id or "")
        return None if i is None else self.steps[i]

    def position(self, step_id: str) -> tuple[int, int]:
        """(1-based number, total) for progress like 步骤 3/7."""
        return self.index[step_id] + 1, len(self.steps)

    def transition(self, step_id: str, event: str) -> str | None:
        """The step after an event: a step id, END after the last step, or None when the event is not allowed."""
        step = self.step(step_id)
        if step is None or event not in step.events:
            return None
        i = self.index[step_id]
        if event in (NEXT, SKIP):
            return self.steps[i + 1].id if i + 1 < len(self.steps) else END
        if event == BACK:
            return self.steps[max(i - 1, 0)].id
        return step_id  # pause keeps the place

    def allowed(self, step_id: str) -> tuple[str, ...]:
        """Events allowed now: what the chat shows as buttons (back is hidden on the first step)."""
        step = self.step(step_id)
        if step is None:
            return ()
        return tuple(e for e in step.events if not (e == BACK and self.index[step_id] == 0))

    def mermaid(self) -> str:
        """The flow as a Mermaid state diagram (generated, never drawn by hand)."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.first.id}"]
        for i, step in enumerate(self.steps):
            nxt = self.steps[i + 1].id if i + 1 < len(self.steps) else "[*]"
            forward = "/".join(e for e in (NEXT, SKIP) if e in step.events)
            lines.append(f"    {step.id} --> {nxt}: {forward}")
            if BACK in step.events and i > 0:
                lines.append(f"    {step.id} --> {self.steps[i - 1].id}: {BACK}")
            if PAUSE in step.events:
                lines.append(f"    {step.id} --> {step.id}: {PAUSE}")
        return "\n".join(lines) + "\n"

    def missing_texts(self, texts: Texts) -> list[str]:
        """Text keys the flow names that do not exist."""
        keys = [self.title_key, *(s.text_key for s in self.steps)]
        return [k for k in keys if not texts.has(k)]

    def cited(self) -> Iterable[str]:
        """Every article id the flow cites."""
        for s in self.steps:
            yield from s.articles


def validate_texts(flow: Flow, texts: Texts) -> Flow:
    """Fail at declaration time when a step names a missing text."""
    missing = flow.missing_texts(texts)
    if missing:
        raise FlowDefinitionError(f"flow {flow.id}: missing text keys {missing}")
    return flow
