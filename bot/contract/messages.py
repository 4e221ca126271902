"""Contract, messages: the normalised messages that flow between channels and the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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
