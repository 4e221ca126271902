"""Engine contract: the normalised messages that flow between channels and the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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


@dataclass(frozen=True)
class Button:
    """A choice offered to the user; channels render it as a keyboard or a numbered line."""

    label: str
    payload: str


@dataclass(frozen=True)
class FileOut:
    """A file returned with a reply."""

    name: str
    data: bytes
    mime: str


@dataclass(frozen=True)
class Citation:
    """One cited article, with the facts needed to show and check it."""

    id: str
    law: str
    article: str
    status: str
    source: str | None
    title: str = ""
    status_note: str = ""

    @property
    def label(self) -> str:
        """Human label, e.g. 《民法典》第一千零三十三条."""
        return f"《{self.law}》{self.article}"


@dataclass(frozen=True)
class Reply:
    """One message the engine wants a channel to send."""

    text: str
    buttons: tuple[Button, ...] = ()
    files: tuple[FileOut, ...] = ()
    citations: tuple[Citation, ...] = field(default=())
