"""Language model stage, understanding: recent turns + a message -> standalone question, intent and details as JSON,
validated against the offline schema; the offline safety reading comes first and the model cannot change it."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import replace

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import JsonOutputParser
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.contract.session import MemoryTurn
from bot.llm.client import complete
from bot.llm.guard import Deadlines, Guard
from bot.llm.prompts import Prompts, fence
from bot.understand.intents import QUESTION, IntentModel
from bot.understand.reader import Reader, Reading
from bot.understand.safety import Concern, check
from bot.understand.slots import SLOT_NAMES

PROMPT = "understand/read"
TURNS = 4  # recent turns shown to the model
MAX_TEXT = 500  # longer messages are read offline only (their main point is taken by the engine)
MAX_STANDALONE = 200
MIN_OVERLAP = 0.3  # share of a standalone question's letter pairs that must come from the conversation
# What a model's safety intent may add (never remove): the same as the offline nearest-neighbour reading adds.
_ADDS = {"safety.danger": Concern.DANGER, "safety.self_harm": Concern.SELF_HARM, "safety.fraud": Concern.FRAUD}
_OUR_GROUND = re.compile(r"催|债|欠|借|贷|还款|逾期|骚扰|短信|验证码|轰炸|他们|对方|collector|debt|loan|harass", re.I)
# A message that speaks to the machine (its instructions, roles, other people's data) is read offline only.
_SUSPECT = re.compile(
    r"指令|提示词|系统(消息|提示|说明|设定)|扮演|角色|规则|模式|prompt|system|assistant|developer|instruction|"
    r"其他(用户|人)的|别人的(信息|电话|手机号|数据)|数据库|<\s*/?\s*\w+\s*>|\[\s*(系统|system|admin)",
    re.IGNORECASE,
)
# What the model may decide between (besides adding a safety concern): kinds of question, all answered with citations.
MODEL_INTENTS = frozenset({"question", "worry.debtor", "other_law"})
_FORMATS = {
    "phone": re.compile(r"^1[3-9]\d{9}$"),
    "id_number": re.compile(r"^\d{17}[\dXx]$"),
    "start_date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
}


class ModelOutput(BaseModel):
    """What the understanding prompt asks the model for (extra keys are ignored, wrong types refused)."""

    model_config = ConfigDict(extra="ignore")
    standalone: str = Field(default="", max_length=1000)
    intent: str
    details: dict[str, str] = Field(default_factory=dict)


def parse_output(raw: str, intents: Sequence[str]) -> ModelOutput | None:
    """The model's JSON (a ```json fence is fine) if it fits the schema and names a known intent; else None."""
    try:
        data = JsonOutputParser().parse(raw)
        out = ModelOutput.model_validate(data)
    except (OutputParserException, ValidationError, ValueError, TypeError):
        return None
    return out if out.intent in intents else None


def bigrams(text: str) -> set[str]:
    """Pairs of neighbouring letters within runs of Chinese characters, letters or digits."""
    runs = re.findall(r"[\u4e00-\u9fffA-Za-z0-9]+", text.lower())
    return {run[i : i + 2] for run in runs for i in range(len(run) - 1)}


def overlap(rewrite: str, source: str) -> float:
    """The share of a rewrite's letter pairs found in its source (a standalone question uses the conversation's words)."""
    pairs = bigrams(rewrite)
    return len(pairs & bigrams(source)) / len(pairs) if pairs else 0.0


def merge(offline: Reading, out: ModelOutput, text: str, memory: Sequence[MemoryTurn] = ()) -> Reading:
    """The offline reading improved by the model's: its intent (a safety intent only adds a concern), details it found
    that are really in the message and well formed (the offline ones win), and the standalone question (only for a
    message with turns before it, made of the conversation's words)."""
    concerns = offline.concerns
    intent = out.intent
    added = _ADDS.get(intent)
    if added is not None and added not in concerns:
        concerns = (*concerns, added)
    if intent not in MODEL_INTENTS or offline.intent not in (*MODEL_INTENTS, QUESTION):
        intent = offline.intent  # navigation, small talk, drafting: the rules and the examples decide those
    if intent == "safety.unlawful" or (intent == "other_law" and _OUR_GROUND.search(text)):
        intent = "question"  # only the words make a request unlawful; damages for harassment are ours to answer
    details = dict(offline.details)
    for slot, value in out.details.items():
        value = value.strip()
        fmt = _FORMATS.get(slot)
        if slot in SLOT_NAMES and slot not in details and value and value in text and (fmt is None or fmt.match(value)):
            details[slot] = value
    standalone = " ".join(out.standalone.split())
    if (
        not memory
        or len(standalone) > MAX_STANDALONE
        or standalone == text.strip()
        or set(check(standalone).concerns) - set(check(text).concerns)  # a rewrite may not bring in what was not said
        or overlap(standalone, " ".join([text, *(t.text or t.gist for t in memory)])) < MIN_OVERLAP
    ):
        standalone = ""
    return replace(
        offline,
        intent=intent,
        confidence=max(offline.confidence, 0.8),
        concerns=concerns,
        by="llm",
        details=tuple(details.items()),
        standalone=standalone if intent in ("question", "worry.debtor") else "",
    )


def settled(offline: Reading) -> bool:
    """Readings the model is never asked about: what the rules are sure of, and anything touching safety."""
    return offline.by == "rules" or bool(offline.concerns) or offline.intent.startswith("safety.")


def render_turns(memory: Sequence[MemoryTurn]) -> str:
    """The recent turns as the model sees them (the person's words and what they were about)."""
    lines = []
    for turn in memory[-TURNS:]:
        said = turn.text or f"（发来短信：{turn.gist}）"
        about = f"（话题：{turn.topic}）" if turn.topic else ""
        lines.append(f"用户：{said}{about}")
    return "\n".join(lines) or "（没有）"


class ModelReader(Reader):
    """The offline reader, plus a language model that reads a message in its conversation when the rules are unsure."""

    def __init__(
        self,
        model: IntentModel | None,
        typos: Mapping[str, str] | None,
        llm: BaseChatModel,
        guard: Guard,
        prompts: Prompts,
        intents: Sequence[str],
        deadline: float | Deadlines,
    ) -> None:
        super().__init__(model, typos)
        self.llm = llm
        self.guard = guard
        self.prompt = prompts.get(PROMPT)
        self.intents = tuple(intents)
        self.deadlines = (
            deadline if isinstance(deadline, Deadlines) else Deadlines(understand=deadline, tight_understand=deadline)
        )

    async def read_in_context(self, text: str, memory: Sequence[MemoryTurn], user: str) -> Reading:
        """The offline reading, or the model's reading of it in context when valid and in time."""
        offline = self.read(text)
        if settled(offline) or not text.strip() or len(text) > MAX_TEXT or _SUSPECT.search(text):
            return offline
        messages = self.prompt.messages(
            canary=secrets.token_hex(6),
            intents="、".join(self.intents),
            slots="、".join(SLOT_NAMES),
            turns=fence("此前的对话", render_turns(memory)),
            message=fence("用户消息", text),
        )
        deadline = self.deadlines.for_understanding(user)
        raw = await self.guard.call(user, lambda: complete(self.llm, messages), deadline)
        out = parse_output(raw, self.intents) if raw is not None else None
        return merge(offline, out, text, memory[-TURNS:]) if out is not None else offline
