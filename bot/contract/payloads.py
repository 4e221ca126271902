"""Contract, payloads: the button payload prefixes the handlers share, and journey payloads stamped with their step."""

from __future__ import annotations

from dataclasses import dataclass

DRAFT_PREFIX = "draft:"  # draft:<template name>[@<journey step that offered it>], draft:menu
FLOW_PREFIX = "flow:"  # flow:<event>@<step id> (older keyboards: flow:<event>)
LENDER_PREFIX = "lender:"  # lender:<kind>: the person says what kind of lender theirs is
DRAFT_FLOW = "draft"  # the pending flow while a document is open; its state is a DraftState
_AT = "@"


def flow_payload(event: str, step_id: str) -> str:
    """A journey button: the event and the step it was shown on, so a press on an older message is recognised."""
    return f"{FLOW_PREFIX}{event}{_AT}{step_id}"


def parse_flow(name: str) -> tuple[str, str | None]:
    """(event, the step it was shown on or None) from a journey payload, with or without the prefix."""
    event, _, step = name.removeprefix(FLOW_PREFIX).partition(_AT)
    return event, step or None


def draft_payload(name: str, step: str = "") -> str:
    """A document button; `step` is the journey step that offered it, so the draft's replies offer the way on."""
    return f"{DRAFT_PREFIX}{name}{_AT}{step}" if step else DRAFT_PREFIX + name


def parse_draft(name: str) -> tuple[str, str]:
    """(template name, the journey step that offered it or "") from a document payload."""
    template, _, step = name.removeprefix(DRAFT_PREFIX).partition(_AT)
    return template, step


@dataclass(frozen=True)
class DraftState:
    """The open draft, as the pending state "template#asked!skipped,skipped^last@step": the document, the item asked
    for last, the items the person could not give ("不知道": not asked again), the item filled last (what a bare
    "写错了 …" corrects), and the journey step that offered it (so its replies offer the journey's way forward)."""

    name: str
    asked: str = ""
    step: str = ""
    skipped: tuple[str, ...] = ()
    last: str = ""

    @classmethod
    def parse(cls, state: str) -> DraftState:
        """The state a pending draft stored."""
        rest, _, step = state.partition(_AT)
        rest, _, last = rest.partition("^")
        name, _, asked = rest.partition("#")
        asked, _, skipped = asked.partition("!")
        return cls(name, asked, step, tuple(s for s in skipped.split(",") if s), last)

    def __str__(self) -> str:
        skipped = "!" + ",".join(self.skipped) if self.skipped else ""
        return (
            self.name
            + (f"#{self.asked}{skipped}" if self.asked or skipped else "")
            + (f"^{self.last}" if self.last else "")
            + (f"{_AT}{self.step}" if self.step else "")
        )
