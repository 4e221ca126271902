"""Engine, commands: /start /help /steps /cancel /mydata /forget as pure functions returning replies and effects."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.engine.messages import Button, Reply
from bot.engine.session import Session
from bot.texts import Texts

FORGET_FLOW = "forget_confirm"
FORGET_YES = "forget:yes"
FORGET_NO = "forget:no"


@dataclass(frozen=True)
class Outcome:
    """Replies to send, and whether the engine must erase the user's data."""

    replies: list[Reply]
    erase: bool = False


def run(command: str, session: Session, texts: Texts) -> Outcome:
    """Handle a slash command; mutates only the given session object."""
    if command in ("start", "help"):
        session.flow = None
        return Outcome([Reply(texts.get(f"commands.{command}"))])
    if command == "cancel":
        had = session.flow is not None
        session.flow = None
        session.buttons = []
        return Outcome([Reply(texts.get("commands.cancel" if had else "commands.cancel_none"))])
    if command == "forget":
        session.flow = FORGET_FLOW
        buttons = (
            Button(texts.get("commands.button_yes"), FORGET_YES),
            Button(texts.get("commands.button_no"), FORGET_NO),
        )
        session.buttons = [[b.label, b.payload] for b in buttons]
        return Outcome([Reply(texts.get("commands.forget_confirm"), buttons=buttons)])
    if command == "file":
        return Outcome([Reply(texts.get("commands.file_missing"))])
    return Outcome([Reply(texts.get("commands.unknown", command="/" + command))])


def mydata_text(session: Session, texts: Texts, evidence_count: int = 0, extra: dict[str, int] | None = None) -> str:
    """Everything stored about the user, readable (the evidence log is summarised; /evidence exports it).

    extra: counts of other things held for the user (replies waiting for "继续", download files).
    """
    data: dict[str, object] = {
        k: v for k, v in session.to_dict().items() if v not in (None, "", [], {}, 0) and k != "buttons"
    }
    if evidence_count:
        data["evidence_items"] = evidence_count
    data.update({k: v for k, v in (extra or {}).items() if v})
    if session.is_blank() and not evidence_count and not any((extra or {}).values()):
        return texts.get("commands.mydata_empty")
    return texts.get("commands.mydata", data=json.dumps(data, ensure_ascii=False, indent=2))


def button(payload: str, session: Session, texts: Texts) -> Outcome | None:
    """Handle a button payload that belongs to commands; None when it is not ours."""
    if payload == FORGET_YES and session.flow == FORGET_FLOW:
        return Outcome([Reply(texts.get("commands.forget_done"))], erase=True)
    if payload in (FORGET_YES, FORGET_NO):
        session.flow = None
        session.buttons = []
        return Outcome([Reply(texts.get("commands.forget_kept"))])
    return None
