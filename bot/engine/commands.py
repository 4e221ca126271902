"""Engine, commands: /start /help /cancel /mydata /forget /file, and the declared forget-confirmation flow."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Protocol

from bot.contract.messages import Button, Reply
from bot.contract.outcome import KEEP, Kind, Outcome, Owns, Turn
from bot.contract.session import Pending, Session
from bot.texts import Texts

FORGET_FLOW = "forget_confirm"
FORGET_YES = "forget:yes"
FORGET_NO = "forget:no"
_FORGET_WORDS = ("确认", "确认删除", "是", "yes")


class Eraser(Protocol):
    """Anything holding a user's data: /mydata counts it, /forget erases it (evidence, held replies, files)."""

    name: str  # how /mydata labels it

    async def count(self, user_key: str) -> int:
        """How many items are held for the user."""
        ...

    async def erase(self, user_key: str) -> int:
        """Erase the user's data; returns how many items went."""
        ...


class CommandsHandler:
    """The account commands: help, cancel, what is stored, and erasing it after a confirmation."""

    owns = Owns(
        commands=frozenset({"start", "help", "cancel", "forget", "mydata", "file"}),
        prefixes=("forget:",),
        flows=frozenset({FORGET_FLOW}),
    )

    def __init__(self, texts: Texts, holders: Sequence[Eraser] = ()) -> None:
        self.texts = texts
        self.holders = tuple(holders)  # what /mydata counts besides the session (the first is the evidence log)

    async def handle(self, turn: Turn) -> Outcome | None:
        """Run a command, a forget button, or the typed answer to the forget question."""
        t = self.texts
        session = turn.session
        if turn.kind is Kind.BUTTON:
            if turn.name == FORGET_YES and session.flow == FORGET_FLOW:
                return Outcome((Reply(t.get("commands.forget_done")),), erase=True)
            return Outcome((Reply(t.get("commands.forget_kept")),))
        if turn.kind is Kind.PENDING:  # the forget question was asked; only a clear yes erases
            if turn.text.strip().lower() in _FORGET_WORDS:
                return Outcome((Reply(t.get("commands.forget_done")),), erase=True)
            return None  # anything else: the question is dropped and the text answered normally
        command = turn.name
        if command in ("start", "help"):
            return Outcome((Reply(t.get(f"commands.{command}")),))
        if command == "cancel":
            return Outcome((Reply(t.get("commands.cancel" if session.flow else "commands.cancel_none")),))
        if command == "forget":
            buttons = (Button(t.get("commands.button_yes"), FORGET_YES), Button(t.get("commands.button_no"), FORGET_NO))
            return Outcome((Reply(t.get("commands.forget_confirm"), buttons=buttons),), pending=Pending(FORGET_FLOW))
        if command == "mydata":
            counts = {h.name: await h.count(session.user_key) for h in self.holders}
            return Outcome((Reply(mydata_text(session, t, counts)),), pending=KEEP)
        return Outcome((Reply(t.get("commands.file_missing")),), pending=KEEP)


def mydata_text(session: Session, texts: Texts, counts: dict[str, int] | None = None) -> str:
    """Everything stored about the user, readable (the evidence log is counted; /evidence exports it).

    counts: items held elsewhere for the user (evidence items, replies waiting for "继续", download files).
    """
    counts = {k: v for k, v in (counts or {}).items() if v}
    if session.is_blank() and not counts:
        return texts.get("commands.mydata_empty")
    data: dict[str, object] = {
        "flow": session.flow,
        "step": session.journey_step,
        "slots": session.slots,
        "questions": session.questions,
        "created_at": session.created_at,
        "memory": [turn.to_dict() for turn in session.memory],  # the recent turns, kept for 6 hours
    }
    data = {k: v for k, v in data.items() if v not in (None, "", [], {}, 0)}
    data.update(counts)
    return texts.get("commands.mydata", data=json.dumps(data, ensure_ascii=False, indent=2))
