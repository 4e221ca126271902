"""Contract, handlers: what a handler is given (Turn), what it returns (Outcome), and the Handler protocol."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol, runtime_checkable

from bot.contract.messages import Incoming, Reply
from bot.contract.session import Pending, Session


class Kind(Enum):
    """What kind of turn a handler is asked to handle (the router decides it)."""

    COMMAND = "command"  # /name argument
    BUTTON = "button"  # a pressed (or typed-number) choice: its payload
    PENDING = "pending"  # text typed while a flow waits for an answer
    SMS = "sms"  # pasted or forwarded messages
    ATTACHMENT = "attachment"  # a screenshot or a backup file
    QUESTION = "question"  # anything else the person wrote


class Keep:
    """Sentinel: leave the pending flow as it is."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = Keep()

Ask = Callable[[str, Session], Awaitable["Outcome"]]


@dataclass(frozen=True)
class Turn:
    """One message as a handler sees it; handlers read it and never change it."""

    msg: Incoming
    session: Session
    kind: Kind
    name: str = ""  # the command (without "/") or the button payload
    text: str = ""  # the command's argument, or the text typed
    ask: Ask | None = None  # answer a question the normal way (flows use it for text that is not theirs)
    intent: str = ""  # what the understanding stage read in the text ("journey.next", "draft.request", ...)
    step: int | None = None  # journey.step: the step number the person asked for
    document: str | None = None  # draft.request: the template the person named
    details: tuple[tuple[str, str], ...] = ()  # details read from the text (slot name, value): name, phone, lender...
    lang: str = "zh_CN"  # the locale to answer in, decided once by the engine from the text (texts.language_of)


@dataclass(frozen=True)
class Outcome:
    """Replies to send and what changes: the flow waiting for the next message, the session's details, erasure.

    The engine derives the choices a number may pick from the replies' buttons, so handlers never store them.
    """

    replies: tuple[Reply, ...]
    pending: Pending | Keep | None = None  # the flow that owns the next typed text; None: no flow; KEEP: unchanged
    session: Session | None = None  # the session with changed details (slots, journey position); None: unchanged
    erase: bool = False  # erase everything about the person (confirmed /forget)
    intent: str = ""  # what the person was understood to want (for logs and the evaluation contract)
    topic: str = ""  # the subject the answer was about (a follow-up stays on it)
    gist: str = ""  # what the turn produced, in a few words, for the conversation memory (an SMS analysis)


@dataclass(frozen=True)
class Owns:
    """What a handler declares it answers: the engine builds its one dispatch table from these."""

    commands: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()  # button payload prefixes (or whole payloads)
    flows: frozenset[str] = frozenset()  # Pending.flow values whose typed answers it takes
    kinds: frozenset[Kind] = field(default_factory=frozenset)  # SMS, ATTACHMENT, QUESTION
    intents: frozenset[str] = frozenset()  # what people ask for in their own words ("journey.next", ...)
    navigates: bool = False  # its flow takes words like 继续/跳过/next itself (they are not the journey's then)


class Handler(Protocol):
    """A stage that turns a Turn into an Outcome; None means "not mine after all" (the text becomes a question)."""

    owns: Owns

    async def handle(self, turn: Turn) -> Outcome | None:
        """Handle one turn."""
        ...


@runtime_checkable
class Leaves(Protocol):
    """A handler whose pending flow holds something the person sent (a paste waiting for its day): told when another
    handler takes the turn, so what it holds is kept rather than dropped with the flow."""

    async def leave(self, session: Session) -> None:
        """Settle what the session's pending flow holds."""
        ...
