"""Engine, session: a user's conversation state and the store protocol that persists it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


@dataclass
class Session:
    """What the bot remembers about one user: as little as possible."""

    user_key: str
    flow: str | None = None  # the active flow or pending confirmation, e.g. "forget_confirm"
    step: str | None = None
    slots: dict[str, str] = field(default_factory=dict)
    buttons: list[list[str]] = field(default_factory=list)  # last offered [label, payload] pairs
    questions: int = 0
    created_at: str = ""

    def is_blank(self) -> bool:
        """True when there is nothing worth keeping about the user."""
        return not (self.flow or self.step or self.slots or self.buttons or self.questions)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for storage and /mydata (without the user key, which is stored as a pseudonym)."""
        data = asdict(self)
        data.pop("user_key")
        return data

    @classmethod
    def from_dict(cls, user_key: str, data: dict[str, Any]) -> Session:
        """Rebuild from stored data, ignoring fields from other versions."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "user_key"}
        return cls(user_key=user_key, **known)


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
