"""Channels (⑥), Telegram out: a Reply -> Bot API calls (text split under the limit, inline keyboards, documents).

Pure: no I/O. Button payloads longer than callback_data allows are kept in a bounded `PayloadMap` (the channel also
stores them in the database, storage/buttons_repo.py, so that every replica can read a press).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cachetools import LRUCache
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.base import Capabilities, split_text
from bot.contract.messages import Reply

MAX_MESSAGE_CHARS = 4096  # Bot API limit for sendMessage text, counted in UTF-16 code units after parsing
MAX_CALLBACK_BYTES = 64  # Bot API limit for callback_data
CAPABILITIES = Capabilities(buttons=True, files=True, max_chars=MAX_MESSAGE_CHARS)


class PayloadMap:
    """Button payloads as callback_data (≤ 64 bytes): short ones verbatim, longer ones by a hash kept in an LRU map.

    A hashed payload pressed after a restart (or after it fell out of the map) decodes to None: the button expired,
    unless the channel finds it in the database (`long_payloads` says what to store there, `remember` puts it back).

    Why not PTB's own `arbitrary_callback_data` (ExtBot + CallbackDataCache)? It replaces the callback_data of every
    button, short ones included, by ids kept in the bot's memory, so without a PTB persistence (a pickle file, or
    a second store beside the project's database) every keyboard would expire at a restart, whereas today the
    short payloads, nearly all of them, keep working. It resolves ids only in its own Updater and webhook server
    (ours, in bot/web.py, would have to call `insert_callback_data` itself), and the payloads would only be
    swapped for ids when the bot sends, so `render` would stop being what goes over the wire. Only the rare long
    payload needs a map, and this one is it.
    """

    PREFIX = "~"  # engine payloads never start with this

    def __init__(self, capacity: int = 4096) -> None:
        if capacity < 1:
            raise ValueError("a PayloadMap keeps at least one payload")
        self.capacity = capacity
        self._long: LRUCache[str, str] = LRUCache(maxsize=capacity)

    def encode(self, payload: str) -> str:
        """callback_data for a payload."""
        if len(payload.encode()) <= MAX_CALLBACK_BYTES and not payload.startswith(self.PREFIX):
            return payload
        key = self.PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:40]
        self._long[key] = payload  # the least recently used entry goes when the map is full
        return key

    def decode(self, data: str) -> str | None:
        """The payload behind callback_data; None when it is unknown (expired)."""
        if not data.startswith(self.PREFIX):
            return data or None
        return self._long.get(data)  # a hit counts as a use

    def remember(self, payload: str) -> None:
        """Keep a payload found elsewhere (the database) as if it had been encoded here."""
        self.encode(payload)


@dataclass(frozen=True)
class SendText:
    """sendMessage: plain text (no parse_mode), optionally with an inline keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class SendDocument:
    """sendDocument: a file returned with a reply (evidence exports, drafts)."""

    name: str
    data: bytes
    mime: str


SendAction = SendText | SendDocument


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str) -> list[str]:
    """Split at sentence boundaries so that every part fits Telegram's 4096 (UTF-16 code units) limit."""
    parts: list[str] = []
    for part in split_text(text, CAPABILITIES):
        if utf16_len(part) <= MAX_MESSAGE_CHARS:
            parts.append(part)
        else:  # astral characters (emoji) count twice in UTF-16: split again, with room for all of them
            parts.extend(split_text(part, Capabilities(buttons=True, files=True, max_chars=MAX_MESSAGE_CHARS // 2)))
    return parts


def keyboard(reply: Reply, payloads: PayloadMap) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard: one row for up to three short labels, else one per row."""
    if not reply.buttons:
        return None
    buttons = [InlineKeyboardButton(b.label, callback_data=payloads.encode(b.payload)) for b in reply.buttons]
    if len(buttons) <= 3 and all(len(b.label) <= 6 for b in reply.buttons):
        return InlineKeyboardMarkup([buttons])
    return InlineKeyboardMarkup([[b] for b in buttons])


def long_payloads(actions: list[SendAction], payloads: PayloadMap) -> dict[str, str]:
    """The hashed buttons of rendered actions: callback_data -> payload (what must be stored for other replicas)."""
    out: dict[str, str] = {}
    for action in actions:
        if isinstance(action, SendText) and action.keyboard is not None:
            for row in action.keyboard.inline_keyboard:
                for button in row:
                    data = button.callback_data
                    if isinstance(data, str) and data.startswith(PayloadMap.PREFIX):
                        payload = payloads.decode(data)
                        if payload is not None:
                            out[data] = payload
    return out


def render(reply: Reply, payloads: PayloadMap | None = None) -> list[SendAction]:
    """A reply as Bot API calls: text split under the limit (keyboard on the last part), then one document per file.

    Without a PayloadMap, payloads over 64 bytes are hashed into a throwaway map (those buttons will read as expired).
    """
    payloads = payloads if payloads is not None else PayloadMap()
    markup = keyboard(reply, payloads)
    actions: list[SendAction] = []
    parts = split_message(reply.text) if reply.text.strip() else []
    for i, part in enumerate(parts):
        actions.append(SendText(part, markup if i == len(parts) - 1 else None))
    if markup is not None and not parts:
        actions.append(SendText("👇", markup))  # buttons need a message to hang on
    actions.extend(SendDocument(f.name, f.data, f.mime) for f in reply.files)
    return actions
