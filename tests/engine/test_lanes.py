"""Engine lanes: under a flood at most `lanes` messages are worked on at once, and nobody's queue blocks others."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.contract.messages import Incoming
from bot.engine.engine import Engine
from bot.engine.questions import QuestionHandler
from bot.legal_qa.answer import Answer
from bot.legal_qa.retrieve import Mode
from bot.understand.reader import Reader
from tests.engine.test_dispatch_unit import ANSWER, FakeQA, MemoryStore, T


class SlowQA(FakeQA):
    """Answers only when released; counts the questions being answered at the same time."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.busy = 0
        self.most = 0
        self.lock = threading.Lock()

    def ask(self, question: str, mode: Mode = "full", prefer: str = "", stay: bool = False, lang: str = "") -> Answer:
        with self.lock:
            self.busy += 1
            self.most = max(self.most, self.busy)
            self.asked.append(question)
        self.release.wait(10)
        with self.lock:
            self.busy -= 1
        return super().ask(question, mode, prefer, stay)


def engine(qa: SlowQA, lanes: int) -> Engine:
    return Engine(MemoryStore(), (QuestionHandler(qa, T),), T, lanes=lanes, reader=Reader(None))


async def until(condition: object, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


@pytest.mark.asyncio
async def test_a_flood_is_worked_on_a_few_at_a_time_and_every_message_is_answered() -> None:
    qa = SlowQA()
    eng = engine(qa, lanes=2)
    asks = [eng.handle(Incoming("test", f"user{i}", f"催收打电话给我家人合法吗 {i}")) for i in range(6)]
    tasks = [asyncio.create_task(a) for a in asks]
    await until(lambda: len(qa.asked) == 2)
    await asyncio.sleep(0.1)
    assert len(qa.asked) == 2  # the other four wait their turn
    qa.release.set()
    replies = await asyncio.gather(*tasks)
    assert qa.most == 2
    assert all(r and r[0].text == ANSWER for r in replies)


@pytest.mark.asyncio
async def test_one_persons_queued_messages_do_not_take_the_lanes_others_need() -> None:
    qa = SlowQA()
    eng = engine(qa, lanes=2)
    mine = [asyncio.create_task(eng.handle(Incoming("test", "flooder", f"验证码轰炸违法吗 {i}"))) for i in range(5)]
    await until(lambda: len(qa.asked) == 1)
    other = asyncio.create_task(eng.handle(Incoming("test", "someone", "他们打给我领导怎么办")))
    await until(lambda: any("领导" in q for q in qa.asked))  # got a lane while the flooder's first is still busy
    qa.release.set()
    assert (await other)[0].text == ANSWER
    assert len(await asyncio.gather(*mine)) == 5
