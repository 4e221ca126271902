"""Engine, small talk: greetings, thanks, "are you a person?", "what can you do?" get a short, kind answer."""

from __future__ import annotations

from bot.contract.messages import Reply
from bot.contract.outcome import KEEP, Outcome, Owns, Turn
from bot.texts import ENGLISH, Texts

_KEYS = {
    "smalltalk.greeting": "smalltalk.greeting",
    "smalltalk.thanks": "smalltalk.thanks",
    "smalltalk.who": "smalltalk.who",
    "smalltalk.capabilities": "smalltalk.capabilities",
    "smalltalk.privacy": "smalltalk.privacy",
    "smalltalk.vent": "smalltalk.vent",
    "smalltalk.useful": "smalltalk.useful",
    "smalltalk.english": "smalltalk.english",
}
_ENGLISH_GREETINGS = ("hi", "hey", "hello")  # too short to tell the language by, but English all the same


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
        english = turn.text.strip().lower() in _ENGLISH_GREETINGS or turn.intent == "smalltalk.english"
        lang = ENGLISH if english else turn.lang
        return Outcome((Reply(self.texts.get(key, lang)),), pending=KEEP)
