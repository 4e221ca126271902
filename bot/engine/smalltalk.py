"""Engine, small talk: greetings, thanks, "are you a person?", "what can you do?" get a short, kind answer."""

from __future__ import annotations

from bot.contract.messages import Reply
from bot.contract.outcome import KEEP, Outcome, Owns, Turn
from bot.legal_qa.answer import is_english
from bot.texts import Texts

_KEYS = {
    "smalltalk.greeting": "smalltalk.greeting",
    "smalltalk.thanks": "smalltalk.thanks",
    "smalltalk.who": "smalltalk.who",
    "smalltalk.capabilities": "smalltalk.capabilities",
}


class SmallTalkHandler:
    """Answers the social part of a conversation without losing the place in a flow."""

    owns = Owns(intents=frozenset(_KEYS))

    def __init__(self, texts: Texts) -> None:
        self.texts = texts

    async def handle(self, turn: Turn) -> Outcome | None:
        """A short answer in the person's language; whatever flow was open stays open."""
        key = _KEYS.get(turn.intent)
        if key is None:
            return None
        suffix = "_en" if is_english(turn.text) or turn.text.strip().lower() in ("hi", "hey", "hello") else ""
        return Outcome((Reply(self.texts.get(key + suffix)),), pending=KEEP)
