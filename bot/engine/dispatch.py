"""Engine, dispatch table: built once from what each handler declares it owns; overlapping claims fail at start."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from bot.contract.outcome import Handler, Kind

K = TypeVar("K")


class DispatchTable:
    """Commands, button-payload prefixes, pending flows and message kinds -> the one handler that owns each."""

    def __init__(self, handlers: Sequence[Handler]) -> None:
        self.commands: dict[str, Handler] = {}
        self.prefixes: list[tuple[str, Handler]] = []
        self.flows: dict[str, Handler] = {}
        self.kinds: dict[Kind, Handler] = {}
        self.intents: dict[str, Handler] = {}
        for h in handlers:
            for command in h.owns.commands:
                _claim(self.commands, command, h, "command")
            for flow in h.owns.flows:
                _claim(self.flows, flow, h, "flow")
            for kind in h.owns.kinds:
                _claim(self.kinds, kind, h, "kind")
            for intent in h.owns.intents:
                _claim(self.intents, intent, h, "intent")
            self.prefixes.extend((p, h) for p in h.owns.prefixes)
        self.prefixes.sort(key=lambda ph: -len(ph[0]))  # the longest prefix wins ("evidence:" vs a whole payload)
        if Kind.QUESTION not in self.kinds:
            raise ValueError("no handler answers questions")

    def for_kind(self, kind: Kind) -> Handler:
        """The handler of a message kind (questions always have one)."""
        return self.kinds[kind]

    def for_intent(self, intent: str) -> Handler | None:
        """The handler of an intent read from the person's words, if one owns it."""
        return self.intents.get(intent)

    def find(self, kind: Kind, name: str, flow: str | None) -> Handler | None:
        """The handler for a turn, or None (unknown command, stale button, flow from an older version)."""
        if kind is Kind.COMMAND:
            return self.commands.get(name)
        if kind is Kind.BUTTON:
            return next((h for p, h in self.prefixes if name.startswith(p)), None)
        if kind is Kind.PENDING:
            return self.flows.get(flow or "")
        return self.kinds.get(kind)


def _claim(table: dict[K, Handler], key: K, handler: Handler, what: str) -> None:
    if key in table and table[key] is not handler:
        raise ValueError(f"{what} {key!r} is claimed by two handlers")
    table[key] = handler
