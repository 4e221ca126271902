"""Engine, router: ordered pure rules that decide which handler gets a message."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from bot.engine.messages import Incoming
from bot.engine.session import Session


class Route(Enum):
    """Where a message goes."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    BINARY = "binary"
    EMOJI_ONLY = "emoji_only"
    COMMAND = "command"
    BUTTON = "button"
    PENDING = "pending"  # answering a question the bot asked (e.g. confirm /forget)
    QUESTION = "question"


@dataclass(frozen=True)
class Decision:
    """The route plus what the handler needs from the message."""

    route: Route
    command: str = ""
    argument: str = ""


_COMMAND = re.compile(r"^/([A-Za-z_]+)(?:@\w+)?\s*(.*)$", re.DOTALL)


def _looks_binary(text: str) -> bool:
    if "\x00" in text or "\ufffd" in text:
        return True
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t")
    return controls > max(2, len(text) // 20)


def _emoji_only(text: str) -> bool:
    meaningful = [ch for ch in text if not ch.isspace()]
    return bool(meaningful) and all(unicodedata.category(ch) in ("So", "Sk", "Mn", "Cf", "Po") for ch in meaningful)


def decide(msg: Incoming, session: Session, max_chars: int) -> Decision:
    """Input checks > command > button > pending question > legal question. Safety runs in the engine."""
    text = msg.text.strip()
    if msg.button:
        return Decision(Route.BUTTON, argument=msg.button)
    if not text:
        return Decision(Route.EMPTY)
    if len(text) > max_chars:
        return Decision(Route.TOO_LONG, argument=str(len(text)))
    if _looks_binary(text):
        return Decision(Route.BINARY)
    m = _COMMAND.match(text)
    if m:
        return Decision(Route.COMMAND, command=m.group(1).lower(), argument=m.group(2).strip())
    if text.isdigit() and session.buttons:
        index = int(text) - 1
        if 0 <= index < len(session.buttons):
            return Decision(Route.BUTTON, argument=session.buttons[index][1])
    if session.flow:
        return Decision(Route.PENDING, argument=text)
    if _emoji_only(text):
        return Decision(Route.EMOJI_ONLY)
    return Decision(Route.QUESTION, argument=text)
