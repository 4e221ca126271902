"""Language model stage, answers: an offline cited answer -> the same answer in the model's plain words, grounded in
its passages (checked, rewritten once, else the offline answer); the quotes below it always come from knowledge/."""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from bot.contract.messages import Draft
from bot.knowledge import KnowledgeBase
from bot.legal_qa.answer import SHOWN_CITATIONS, Answer, Answerer
from bot.llm.client import complete, stream
from bot.llm.grounding import Grounded, Passage, Preview, ground, renumber
from bot.llm.guard import Deadlines, Guard
from bot.llm.prompts import Prompts, fence
from bot.texts import Texts

PROMPT = "legal_qa/answer"
MIN_LEFT = 0.2  # seconds: less than this left of the deadline and no second attempt is made
log = logging.getLogger(__name__)
_ITEM = re.compile(r"^\d+\. (.+?)：“(.*)”$", re.MULTILINE)


@dataclass
class PhraseStats:
    """What happened to the answers given to the model (for `anning eval --llm` and the bench)."""

    asked: int = 0
    phrased: int = 0  # the model's words went out
    trimmed: int = 0  # ... after removing sentences with a wrong citation or quote
    rewritten: int = 0  # ... from the second attempt
    offline_invalid: int = 0  # both attempts wrong: the offline answer went out
    offline_fatal: int = 0  # a leak or an obeyed injection: the offline answer went out
    offline_unavailable: int = 0  # no answer in time, an error, an open circuit or a limit
    caught: int = 0  # wrong citations or quotes removed or refused (none reached the person)
    streamed: int = 0  # answers whose checked sentences were shown while the model wrote them
    # seconds from asking the model to the first text shown (the latest thousand)
    first_shown: deque[float] = field(default_factory=lambda: deque(maxlen=1000))


def render_passages(passages: list[Passage]) -> str:
    """The passages as the model sees them: number, label, exact text."""
    return "\n\n".join(f"[P{p.n}] {p.label}\n{p.text}" for p in passages)


def advice_of(answer: Answer, basis_head: str) -> str:
    """The reviewed advice of an offline answer: its text before the basis block."""
    head, _, _ = answer.text.partition("\n" + basis_head)
    return head.strip()


def tail_of(answer: Answer, basis_head: str) -> list[str]:
    """The offline answer's lines after its basis block (whom to contact, status notes, the disclaimer)."""
    lines = answer.text.split("\n")
    if basis_head not in lines:
        return []
    start = lines.index(basis_head) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[end:]


def offline_quotes(text: str) -> dict[str, str]:
    """The quotes the offline answer chose, by label (the same sentence of each article is shown either way)."""
    return {m.group(1): m.group(2) for m in _ITEM.finditer(text)}


class ModelPhraser:
    """Asks the model to say a covered answer in plain words from its passages only, and checks what comes back."""

    def __init__(
        self,
        llm: BaseChatModel,
        guard: Guard,
        prompts: Prompts,
        kb: KnowledgeBase,
        answerer: Answerer,
        texts: Texts,
        deadline: float | Deadlines,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.llm = llm
        self.guard = guard
        self.prompt = prompts.get(PROMPT)
        self.kb = kb
        self.answerer = answerer
        self.texts = texts
        self.deadlines = (
            deadline if isinstance(deadline, Deadlines) else Deadlines(answer=deadline, tight_answer=deadline)
        )
        self.clock = clock
        self.stats = PhraseStats()

    def passages(self, answer: Answer) -> list[Passage]:
        """The shown citations' articles, numbered, with their exact text from knowledge/."""
        out: list[Passage] = []
        for c in answer.citations[:SHOWN_CITATIONS]:
            ref = self.kb.get(c.id)
            if ref is not None:
                out.append(Passage(len(out) + 1, c.id, c.label, ref.article.text))
        return out

    async def phrase(self, question: str, answer: Answer, user: str, draft: Draft | None = None) -> Answer:
        """The answer in the model's words with checked citations, or the offline answer unchanged. With a `draft`
        (a channel that edits a message as text arrives) the model streams, and each sentence that passes the checks
        is shown at once; the first that fails ends what is shown (the answer returned is checked as a whole)."""
        basis = self.texts.get("answer.basis")
        passages = self.passages(answer)
        if not answer.covered or answer.english or not passages or not tail_of(answer, basis):
            return answer
        self.stats.asked += 1
        started = self.clock()
        end = started + self.deadlines.for_answer(user, streaming=draft is not None)
        canary = secrets.token_hex(6)
        allowed = "\n".join([answer.text, question, *(p.text for p in passages)])
        correction = ""
        for attempt in range(2):
            left = end - self.clock()
            if left < MIN_LEFT:
                break
            messages = self.prompt.messages(
                canary=canary,
                passages=render_passages(passages),
                advice=advice_of(answer, basis),
                question=fence("用户的问题", question),
                correction=correction,
            )
            if draft is None:
                raw = await self.guard.call(user, partial(complete, self.llm, messages), left)
            else:
                preview = Preview(passages, self.kb, canary, self.prompt.system_text, allowed)
                raw = await self.guard.call(user, partial(self._stream, messages, preview, draft, started), left)
            if raw is None:
                self.stats.offline_unavailable += 1
                return answer
            checked = ground(raw, passages, self.kb, canary, self.prompt.system_text, allowed)
            if checked.fatal:
                log.warning("language model output refused (%s); the offline answer goes out", checked.problems[0])
                self.stats.offline_fatal += 1
                return answer
            self.stats.caught += sum(not p.startswith("no passage") for p in checked.problems)
            if checked.usable:
                self.stats.phrased += 1
                self.stats.trimmed += bool(checked.problems)
                self.stats.rewritten += attempt
                return self.compose(answer, checked, passages, question)
            correction = (
                f"\n\n（上一次的回答不合格：{'；'.join(checked.problems[:3])}。"
                f"请重写：只依据 [P1] 到 [P{len(passages)}]，每个观点后写编号，不写其他法律或条号，不加引号引用原文。）"
            )
        self.stats.offline_invalid += 1
        return answer

    async def _stream(self, messages: list[BaseMessage], preview: Preview, draft: Draft, started: float) -> str:
        """The model's whole text, streamed; its sentences shown on the draft as they pass the checks."""
        writing = self.texts.get("answer.writing")
        first = not preview.shown
        async for piece in stream(self.llm, messages):
            shown = preview.feed(piece)
            if shown is not None:
                draft.show(f"{shown}\n\n{writing}")
                if first:
                    first = False
                    self.stats.streamed += 1
                    self.stats.first_shown.append(self.clock() - started)
        return preview.raw

    def compose(self, answer: Answer, checked: Grounded, passages: list[Passage], question: str) -> Answer:
        """The model's checked words first, then the offline answer's articles (those the model cited first) quoted
        from knowledge/, then the offline tail: the model can re-word an answer, never drop or add an article."""
        t = self.texts
        by_n = {p.n: p for p in passages}
        by_id = {c.id: c for c in answer.citations}
        order = [n for n in checked.cited if n in by_n]
        order += [p.n for p in passages if p.n not in order]  # what the model cited first; the others stay below
        cited = [by_id[by_n[n].id] for n in order][:SHOWN_CITATIONS]
        lines = [renumber(checked.prose, order), "", t.get("answer.basis")]
        shown = offline_quotes(answer.text)
        for k, c in enumerate(cited, 1):
            ref = self.kb.get(c.id)
            body = ref.article.text if ref is not None else ""
            label = c.label + (t.get("answer.superseded_mark") if c.status == "superseded" else "")
            quote = shown.get(label) or self.answerer.quote(body, question)
            lines.append(t.get("answer.item", n=k, label=label, quote=quote))
        text = "\n".join([*lines, *tail_of(answer, t.get("answer.basis"))])
        return replace(answer, text=text, citations=cited)
