"""Contract, session: a user's conversation state (a value handlers replace, never mutate) and its store protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

REPORTED = "reported"  # the slot with the person's own account of what happened, one line each (documents)


@dataclass(frozen=True)
class Pending:
    """What the bot waits for: the declared flow that owns the next typed text, and the choices last offered.

    A number typed by the person picks one of `choices` (label, payload), on every channel.
    """

    flow: str = ""  # e.g. "forget_confirm", "ocr_confirm", "draft", "seven_steps"; "" when only choices are open
    state: str = ""  # the flow's own state (the template being drafted, the text read from a screenshot)
    choices: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain data for storage."""
        return {"flow": self.flow, "state": self.state, "choices": [list(c) for c in self.choices]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Pending:
        """Rebuild from stored data."""
        choices = tuple((str(c[0]), str(c[1])) for c in data.get("choices", ()) if len(c) == 2)
        return cls(str(data.get("flow", "")), str(data.get("state", "")), choices)


@dataclass(frozen=True)
class MemoryTurn:
    """One remembered turn: what the person wrote and what they were given (kept briefly, encrypted).

    A pasted SMS keeps no text here (the evidence log holds it): only its gist, the analysis in a few words.
    """

    text: str
    intent: str
    at: str  # ISO time, UTC
    topic: str = ""  # the subject the answer was about
    cited: tuple[str, ...] = ()  # the articles the reply cited ("《民法典》第一千零三十三条")
    gist: str = ""  # what the turn produced: an SMS analysis in a few words, the documents handed back

    def to_dict(self) -> dict[str, Any]:
        """Plain data for storage and /mydata."""
        data: dict[str, Any] = {"text": self.text, "intent": self.intent, "at": self.at, "topic": self.topic}
        if self.cited:
            data["cited"] = list(self.cited)
        if self.gist:
            data["gist"] = self.gist
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MemoryTurn:
        """Rebuild from stored data (turns saved before cited/gist existed read as without them)."""
        cited = data.get("cited") or ()
        return cls(
            str(data.get("text", "")),
            str(data.get("intent", "")),
            str(data.get("at", "")),
            str(data.get("topic", "")),
            tuple(str(c) for c in cited) if isinstance(cited, list | tuple) else (),
            str(data.get("gist", "")),
        )


def recent(memory: tuple[MemoryTurn, ...], now: datetime) -> tuple[MemoryTurn, ...]:
    """The turns still within MEMORY_WINDOW of now (an unreadable time counts as expired)."""
    kept = []
    for turn in memory:
        try:
            at = datetime.fromisoformat(turn.at)
        except ValueError:
            continue
        if now - at <= MEMORY_WINDOW:
            kept.append(turn)
    return tuple(kept)


MEMORY_TURNS = 6  # how many recent turns follow-ups are resolved against
MEMORY_WINDOW = timedelta(hours=6)  # older turns are dropped: a follow-up never reaches back further


@dataclass(frozen=True)
class Session:
    """What the bot remembers about one user: as little as possible."""

    user_key: str
    pending: Pending | None = None
    journey_step: str | None = None  # where the seven-step journey stands (kept while paused)
    slots: dict[str, str] = field(default_factory=dict)  # the person's details for documents
    questions: int = 0
    created_at: str = ""
    memory: tuple[MemoryTurn, ...] = ()  # the last few turns, newest last
    handled: str = ""  # Incoming.key of the last message applied (saved with it: a replay is not applied twice)

    @property
    def flow(self) -> str | None:
        """The flow waiting for the next typed text, if any."""
        return self.pending.flow if self.pending and self.pending.flow else None

    def is_blank(self) -> bool:
        """True when there is nothing worth keeping about the user."""
        return not (self.pending or self.journey_step or self.slots or self.questions or self.memory)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for storage and /mydata (without the user key, which is stored as a pseudonym)."""
        return {
            "pending": self.pending.to_dict() if self.pending else None,
            "journey_step": self.journey_step,
            "slots": dict(self.slots),
            "questions": self.questions,
            "created_at": self.created_at,
            "memory": [t.to_dict() for t in self.memory],
            **({"handled": self.handled} if self.handled else {}),
        }

    @classmethod
    def from_dict(cls, user_key: str, data: dict[str, Any]) -> Session:
        """Rebuild from stored data; sessions saved by older versions (flow/step/buttons) are read too."""
        pending = data.get("pending")
        if pending is None and (data.get("flow") or data.get("buttons")):
            flow = str(data.get("flow") or "")
            state = ""
            if flow.startswith("draft:"):
                flow, state = "draft", flow.removeprefix("draft:")
            pending = {"flow": flow, "state": state, "choices": data.get("buttons") or []}
        return cls(
            user_key=user_key,
            pending=Pending.from_dict(pending) if isinstance(pending, dict) else None,
            journey_step=data.get("journey_step", data.get("step")),
            slots={str(k): str(v) for k, v in (data.get("slots") or {}).items() if k != "ocr_text"},
            questions=int(data.get("questions") or 0),
            created_at=str(data.get("created_at") or ""),
            memory=tuple(MemoryTurn.from_dict(t) for t in data.get("memory") or () if isinstance(t, dict))[
                -MEMORY_TURNS:
            ],
            handled=str(data.get("handled") or ""),
        )


class SessionStore(Protocol):
    """Persistence for sessions."""

    async def load(self, user_key: str) -> Session | None:
        """The saved session, or None."""
        ...

    async def save(self, session: Session) -> None:
        """Insert or replace."""
        ...

    async def delete(self, user_key: str) -> bool:
        """Erase everything about the user; True if anything was there."""
        ...
