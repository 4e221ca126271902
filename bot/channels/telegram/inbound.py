"""Channels (①), Telegram in: one Update -> the engine's Incoming, a file to fetch first, a refusal, or nothing.

Pure: no I/O. In groups only messages addressed to the bot count; the user key is the Telegram user id.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from telegram import Message, Update
from telegram.constants import ChatType

from bot.channels.telegram.outbound import PayloadMap
from bot.contract.messages import Attachment, Incoming
from bot.texts import Texts

CHANNEL = "telegram"
UNSUPPORTED_KINDS = (
    "sticker",
    "animation",  # checked before document: an animation also carries a document
    "audio",
    "voice",
    "video",
    "video_note",
    "venue",  # checked before location: a venue also carries a location
    "location",
    "contact",
    "poll",
    "dice",
    "game",
    "story",
)


@dataclass(frozen=True)
class Refusal:
    """A polite answer the channel gives by itself (text key under [telegram]), without asking the engine."""

    user_key: str
    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def text(self, texts: Texts) -> str:
        """The sentence to send."""
        values = dict(self.values)
        if "kind" in values:
            values["kind"] = texts.get(f"telegram.kind.{values['kind']}")
        return texts.get(f"telegram.{self.key}", **values)


@dataclass(frozen=True)
class Fetch:
    """A message whose file must be downloaded first; `complete(data)` then gives the engine's Incoming."""

    incoming: Incoming  # everything but the attachment
    file_id: str
    kind: str  # "image" | "document"
    name: str
    mime: str
    size: int | None  # as Telegram declared it (may be missing)

    def complete(self, data: bytes) -> Incoming:
        """The message with its downloaded file attached."""
        return replace(self.incoming, attachments=(Attachment(self.kind, self.name, data, self.mime),))


Parsed = Incoming | Fetch | Refusal | None


def user_key(user_id: int) -> str:
    """The engine's key for a Telegram user (stable across chats)."""
    return f"{CHANNEL}:{user_id}"


def to_incoming(
    update: Update,
    bot_username: str,
    private_only: bool,
    *,
    max_file_bytes: int | None = None,
    payloads: PayloadMap | None = None,
) -> Parsed:
    """Normalise one Telegram update.

    Returns an Incoming for the engine, a Fetch when a file must be downloaded first, a Refusal when the channel
    answers by itself (unsupported content, edits, a file over the limit, a group when private_only), or None when
    the update is to be ignored silently (channel posts, bots, service messages, group talk not addressed to us).
    """
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    key = user_key(user.id)

    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        if chat is not None and chat.type != ChatType.PRIVATE and private_only:
            return Refusal(key, "group_private")
        data = query.data or ""
        payload = payloads.decode(data) if payloads is not None else (data or None)
        if payload is None:
            return Refusal(key, "button_expired")
        return Incoming(channel=CHANNEL, user_key=key, button=payload)

    edited = update.edited_message
    if edited is not None:
        return Refusal(key, "edited") if edited.chat.type == ChatType.PRIVATE else None

    message = update.message
    if message is None:  # channel posts, inline queries, polls, member updates, reactions, business updates ...
        return None
    text = message.text or message.caption or ""
    if message.chat.type != ChatType.PRIVATE:
        addressed, text = _addressed(message, text, bot_username)
        if not addressed:
            return None
        if private_only:
            return Refusal(key, "group_private")

    origin = message.forward_origin
    base = Incoming(
        channel=CHANNEL,
        user_key=key,
        text=text,
        received_at=message.date,
        forwarded_at=origin.date if origin is not None else None,
    )
    fetch = _fetch(message, base)
    if fetch is not None:
        if max_file_bytes is not None and fetch.size is not None and fetch.size > max_file_bytes:
            return Refusal(key, "file_too_big", {"size": megabytes(fetch.size), "limit": megabytes(max_file_bytes)})
        return fetch
    for kind in UNSUPPORTED_KINDS:
        if getattr(message, kind, None):
            return Refusal(key, "unsupported", {"kind": kind})
    if not text.strip():
        return None  # a service message (pinned, joined, ...) or content we do not know: nothing to answer
    return base


def _fetch(message: Message, base: Incoming) -> Fetch | None:
    if message.photo:
        best = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return Fetch(base, best.file_id, "image", f"photo-{best.file_unique_id}.jpg", "image/jpeg", best.file_size)
    doc = message.document
    if doc is not None and message.animation is None:
        mime = doc.mime_type or "application/octet-stream"
        kind = "image" if mime.startswith("image/") else "document"
        return Fetch(base, doc.file_id, kind, doc.file_name or "document", mime, doc.file_size)
    return None


def _addressed(message: Message, text: str, bot_username: str) -> tuple[bool, str]:
    """In a group: is this message for us (/cmd@bot, an @mention, a reply to our message)? Text without the mention."""
    name = bot_username.lower().lstrip("@")
    if not name:
        return False, text
    mention = "@" + name
    if text.startswith("/"):
        first = text.split(maxsplit=1)[0]
        if "@" in first:
            return first.lower().endswith(mention), text
    lowered = text.lower()
    at = lowered.find(mention)
    if at >= 0:
        return True, (text[:at] + text[at + len(mention) :]).strip()
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.is_bot:
        return (reply.from_user.username or "").lower() == name, text
    return False, text


def megabytes(size: int) -> int:
    """A size in whole megabytes, at least 1 (for the "file too big" sentence)."""
    return max(1, math.ceil(size / (1024 * 1024)))


def ordering_key(update: object) -> object:
    """Updates with the same key are processed one at a time, in arrival order (the user, else the chat)."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
        return ("update", update.update_id)
    return ("object", id(update))
