"""Contract, messages: the normalised messages that flow between channels and the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

# Citation and FileOut are value types of the lower stages, re-exported here for the channels.
from bot.knowledge.citations import Citation as Citation
from bot.office.files import FileOut as FileOut


@dataclass(frozen=True)
class Attachment:
    """A file or picture the user sent."""

    kind: str  # "image" | "document" | "voice"
    name: str
    data: bytes
    mime: str = "application/octet-stream"


class Draft(Protocol):
    """Where a channel that can show an answer while it is being written (Telegram: one message, edited) takes the
    checked text so far. Best effort and never blocking; the final Reply is what counts."""

    def show(self, text: str) -> None:
        """Show this text now or soon (a later call replaces one not yet shown)."""
        ...


@dataclass(frozen=True)
class Incoming:
    """One message from a user, as every channel normalises it."""

    channel: str
    user_key: str
    text: str = ""
    received_at: datetime | None = None
    attachments: tuple[Attachment, ...] = ()
    button: str | None = None  # payload of a pressed button, if any
    forwarded_at: datetime | None = None  # the original date of a forwarded message
    key: str = ""  # the platform's id of this message (stable across redeliveries): handled at most once
    # where the answer may be shown while it is written (channels that edit messages); None: only the final replies
    draft: Draft | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Button:
    """A choice offered to the user; channels render it as a keyboard or a numbered line."""

    label: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One message the engine wants a channel to send."""

    text: str
    buttons: tuple[Button, ...] = ()
    files: tuple[FileOut, ...] = ()
    citations: tuple[Citation, ...] = field(default=())
