"""Language model stage, SMS: messages the rules are unsure about -> a label for each from the rules' own set, as
validated JSON; each message is fenced as untrusted data; invalid, late or failed output is no opinion."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import JsonOutputParser
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.llm.client import complete
from bot.llm.grounding import fatal_problems
from bot.llm.guard import Deadlines, Guard
from bot.llm.prompts import Prompts, fence
from bot.sms.rules import LABELS

PROMPT = "sms/second_opinion"


class Item(BaseModel):
    """One message's label as the model gives it."""

    model_config = ConfigDict(extra="ignore")
    n: int
    label: str


class Output(BaseModel):
    """What the prompt asks for: {"labels": [{"n": 1, "label": "..."}]}."""

    model_config = ConfigDict(extra="ignore")
    labels: list[Item] = Field(max_length=20)


def parse_labels(raw: str, count: int) -> list[str | None]:
    """A label (one of the rules' labels) per message 1..count from the model's JSON; None where it gave none, an
    unknown label, or the output is not the schema."""
    out: list[str | None] = [None] * count
    try:
        parsed = Output.model_validate(JsonOutputParser().parse(raw))
    except (OutputParserException, ValidationError, ValueError, TypeError):
        return out
    for item in parsed.labels:
        if 1 <= item.n <= count and item.label in LABELS and out[item.n - 1] is None:
            out[item.n - 1] = item.label
    return out


class ModelSmsOpinion:
    """A second opinion on SMS (bot/sms/second.py `SecondOpinion`), behind the guard like every model call."""

    def __init__(self, llm: BaseChatModel, guard: Guard, prompts: Prompts, deadlines: Deadlines) -> None:
        self.llm = llm
        self.guard = guard
        self.prompt = prompts.get(PROMPT)
        self.deadlines = deadlines

    async def labels(self, texts: Sequence[str], user: str) -> list[str | None]:
        """A proposed label per message, or None (no opinion); never raises."""
        if not texts:
            return []
        canary = secrets.token_hex(6)
        messages = self.prompt.messages(
            canary=canary,
            labels="、".join(LABELS),
            messages="\n\n".join(f"短信 {n}：\n{fence('短信', text)}" for n, text in enumerate(texts, 1)),
        )
        raw = await self.guard.call(user, lambda: complete(self.llm, messages), self.deadlines.for_sms(user))
        if raw is None:
            return [None] * len(texts)
        if fatal_problems(raw, canary, self.prompt.system_text, raw):  # it leaked or obeyed: nothing it says counts
            return [None] * len(texts)
        return parse_labels(raw, len(texts))
