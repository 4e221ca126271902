"""SMS analysis stage (③a), dates: the question asked once when pasted messages show a time but no day — which day
they came (今天/昨天/前天/记不清) — and what an answer means; pure decisions, no I/O.

The paste waits (as the flow's state) until the person answers: then it is parsed again with the day they gave (the
messages are marked date_confirmed, shown as the person's confirmation), or with no day at all for 记不清 (their send
time stays unknown). Nothing is logged with a day the person did not give.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.texts import BASE

DATE_FLOW = "sms_date"
DATE_PREFIX = "smsdate:"
UNKNOWN = "unknown"
# (choice, text key, days before the paste day; None: not known)
CHOICES: tuple[tuple[str, str, int | None], ...] = (
    ("today", "sms.day_today", 0),
    ("yesterday", "sms.day_yesterday", 1),
    ("before", "sms.day_before", 2),
    (UNKNOWN, "sms.day_unknown", None),
)
_WORDS = {
    "today": re.compile(r"^(就是)?(今天|今日|今儿|today)(收到的?|的)?$", re.IGNORECASE),
    "yesterday": re.compile(r"^(就是)?(昨天|昨日|昨儿|yesterday)(收到的?|的)?$", re.IGNORECASE),
    "before": re.compile(
        r"^(就是)?(前天|前日|thedaybeforeyesterday|daybeforeyesterday|2daysago|twodaysago)(收到的?|的)?$", re.I
    ),
    UNKNOWN: re.compile(
        r"^(我?(记不清|记不得|不记得|不知道|忘了|不清楚|不确定)了?|不知道|unknown|notsure|idk|idontknow|dontknow|cantremember)$",
        re.IGNORECASE,
    ),
}
_PUNCT = re.compile(r"[\s，,。.!！?？~～…'’]+")


@dataclass(frozen=True)
class HeldPaste:
    """A paste waiting for its day: the text as sent, where it came from, the day it was pasted, the reply's locale."""

    text: str
    source: str
    day: date
    lang: str = BASE

    def encode(self) -> str:
        """The flow's state."""
        data = {"text": self.text, "source": self.source, "day": self.day.isoformat()}
        return json.dumps(data | ({"lang": self.lang} if self.lang != BASE else {}), ensure_ascii=False)

    @classmethod
    def decode(cls, state: str) -> HeldPaste | None:
        """The held paste from a flow's state (None when it is not one)."""
        try:
            data = json.loads(state)
            day = date.fromisoformat(str(data["day"]))
            return cls(str(data["text"]), str(data["source"]), day, str(data.get("lang") or BASE))
        except (ValueError, KeyError, TypeError):
            return None


def choice_of(text: str) -> str | None:
    """The choice a typed answer or a button payload names ("昨天", "smsdate:yesterday"), or None."""
    if text.startswith(DATE_PREFIX):
        name = text.removeprefix(DATE_PREFIX)
        return name if any(name == c for c, _, _ in CHOICES) else None
    words = _PUNCT.sub("", text)
    return next((name for name, pattern in _WORDS.items() if pattern.match(words)), None)


def day_for(choice: str, pasted: date) -> date | None:
    """The day a choice names, counted from the day of the paste (None: 记不清)."""
    back = next(days for name, _, days in CHOICES if name == choice)
    return None if back is None else pasted - timedelta(days=back)
