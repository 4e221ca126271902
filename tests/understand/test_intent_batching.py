"""Intent model: texts read at the same time are embedded together, off the event loop, and read the same."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.legal_qa.embeddings import HashEmbeddings
from bot.understand.intents import IntentModel

PAIRS = [
    ("safety.danger", "他们现在就在我家门口"),
    ("question", "验证码轰炸违法吗"),
    ("question", "催收打电话给我同事合法吗"),
    ("smalltalk.thanks", "谢谢你"),
]
TEXTS = ["催收的人在我家楼下", "天天收到验证码怎么办", "谢谢", "他们打给我领导", "能告他们吗"]


class Counting(HashEmbeddings):
    """The hashing embeddings, counting calls and noting which thread made them."""

    def __init__(self) -> None:
        super().__init__()
        self.single: list[str] = []
        self.batches: list[list[str]] = []
        self.threads: set[int] = set()
        self.fail = False

    def embed_query(self, text: str) -> list[float]:
        self.single.append(text)
        return super().embed_query(text)

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        self.threads.add(threading.get_ident())
        if self.fail:
            raise RuntimeError("model unavailable")
        self.batches.append(list(texts))
        return [super(Counting, self).embed_query(t) for t in texts]


def model() -> tuple[IntentModel, Counting]:
    emb = Counting()
    m = IntentModel(PAIRS, emb)
    emb.single.clear()  # the examples' own vectors
    return m, emb


@pytest.mark.asyncio
async def test_texts_prepared_together_are_embedded_in_few_batches_off_the_event_loop() -> None:
    m, emb = model()
    await asyncio.gather(*(m.prepare(t) for t in TEXTS))
    assert sorted(t for batch in emb.batches for t in batch) == sorted(TEXTS)
    assert len(emb.batches) <= 2  # the first text starts a batch; the rest join the next one
    assert threading.get_ident() not in emb.threads  # never on the event loop's thread
    guesses = [m.classify(t) for t in TEXTS]
    assert emb.single == []  # classify used the prepared vectors
    fresh, _ = model()
    assert [g.label for g in guesses] == [fresh.classify(t).label for t in TEXTS]  # same reading as unprepared


@pytest.mark.asyncio
async def test_a_failed_batch_is_reported_and_classify_still_embeds_the_text_itself() -> None:
    m, emb = model()
    emb.fail = True
    with pytest.raises(RuntimeError):
        await m.prepare("天天收到验证码怎么办")
    assert m.classify("天天收到验证码怎么办").label == "question"
    assert emb.single == ["天天收到验证码怎么办"]
