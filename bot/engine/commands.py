"""Engine, commands: /start /help /cancel /mydata /forget /file, and the declared forget-confirmation flow."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.clock import CHINA
from bot.contract.messages import Button, FileOut, Reply
from bot.contract.outcome import KEEP, Kind, Outcome, Owns, Turn
from bot.contract.payloads import DRAFT_FLOW, DraftState
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


@dataclass(frozen=True)
class Names:
    """How /mydata names what it shows: the document items (slot -> label), documents (template -> title) and the
    journey's steps in order."""

    slots: Mapping[str, str] = field(default_factory=dict)
    documents: Mapping[str, str] = field(default_factory=dict)
    steps: tuple[str, ...] = ()


class CommandsHandler:
    """The account commands: help, cancel, what is stored, and erasing it after a confirmation."""

    owns = Owns(
        commands=frozenset({"start", "help", "cancel", "forget", "mydata", "file"}),
        prefixes=("forget:",),
        flows=frozenset({FORGET_FLOW}),
    )

    def __init__(self, texts: Texts, holders: Sequence[Eraser] = (), names: Names | None = None) -> None:
        self.texts = texts
        self.holders = tuple(holders)  # what /mydata counts besides the session (the first is the evidence log)
        self.names = names or Names()

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
            return Outcome((mydata_reply(session, t, counts, self.names),), pending=KEEP, intent="mydata")
        return Outcome((Reply(t.get("commands.file_missing")),), pending=KEEP)


def mydata_reply(
    session: Session, texts: Texts, counts: dict[str, int] | None = None, names: Names | None = None
) -> Reply:
    """Everything stored about the user as a plain list, with the machine-readable copy as a file.

    counts: items held elsewhere for the user (evidence items, replies waiting for "继续", download files).
    """
    counts = {k: v for k, v in (counts or {}).items() if v}
    if session.is_blank() and not counts:
        return Reply(texts.get("commands.mydata_empty"))
    names = names or Names()
    lines = [texts.get("commands.mydata_head")]

    def item(key: str, **values: object) -> None:
        lines.append(texts.get("commands.mydata_item", text=texts.get(f"commands.mydata_items.{key}", **values)))

    if session.created_at:
        item("since", at=_beijing(session.created_at, texts))
    if session.slots:
        labels = "、".join(names.slots.get(k, k) for k in session.slots)
        item("slots", labels=labels, n=len(session.slots))
    if session.journey_step:
        n = names.steps.index(session.journey_step) + 1 if session.journey_step in names.steps else 0
        item("journey", n=n or "?", total=len(names.steps) or "?")
    if session.flow == DRAFT_FLOW and session.pending:
        document = DraftState.parse(session.pending.state).name
        item("draft", title=names.documents.get(document, document))
    if session.memory:
        item("memory", n=len(session.memory))
    if session.questions:
        item("questions", n=session.questions)
    for key, n in counts.items():
        item(key if texts.has(f"commands.mydata_items.{key}") else "other", n=n, name=key)
    lines.append(texts.get("commands.mydata_tail"))
    return Reply("\n".join(lines), files=(mydata_file(session, counts),))


def mydata_file(session: Session, counts: Mapping[str, int]) -> FileOut:
    """The machine-readable copy: the whole session (recent turns included) and the counts of everything else."""
    data: dict[str, object] = {**session.to_dict(), **counts}
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return FileOut("anning-mydata.json", body, "application/json")


def _beijing(iso: str, texts: Texts) -> str:
    try:
        at = datetime.fromisoformat(iso).astimezone(CHINA)
    except ValueError:
        return iso
    return texts.get("commands.mydata_time", year=at.year, month=at.month, day=at.day, hour=at.hour, minute=at.minute)
