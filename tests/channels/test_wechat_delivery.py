"""WeChat delivery rules without HTTP: whatever happens to WeChat's retries, every answer ends up somewhere once."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from bot.channels.wechat.delivery import Delivery
from bot.storage.crypto import Crypto
from bot.storage.db import Database
from bot.storage.outbox_repo import Outbox
from bot.texts import Texts
from tests.wechat_support import wait_held


async def _outbox(tmp_path: Path) -> tuple[Database, Outbox]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'd.sqlite3'}")
    await db.create_all()
    return db, Outbox(db, Crypto(os.urandom(32)))


def _after(delay: float, *texts: str):  # type: ignore[no-untyped-def]
    async def compute() -> list[str]:
        await asyncio.sleep(delay)
        return list(texts)

    return compute


async def test_an_answer_wechat_stopped_asking_for_is_held_not_lost(tmp_path: Path) -> None:
    db, box = await _outbox(tmp_path)
    d = Delivery(box, Texts(), None, budget=0.05, hold=0.05, retry_window=0.3)
    assert await d.callback("m1", "u", _after(0.15, "late answer")) is None  # attempt 1; WeChat never retries
    assert await wait_held(box, "u", timeout=5) == 1  # held once the retry window closes (before close())
    assert await box.drain("u") == ["late answer"]
    await d.close()
    await db.close()


async def test_close_settles_running_jobs(tmp_path: Path) -> None:
    db, box = await _outbox(tmp_path)
    d = Delivery(box, Texts(), None, budget=0.05, hold=0.01, retry_window=60)
    await d.callback("m1", "u", _after(0.2, "answer"))
    await d.close()  # does not wait the 60 s retry window
    assert await box.drain("u") == ["answer"]
    await db.close()


async def test_pushes_keep_order_and_hold_the_rest_when_refused(tmp_path: Path) -> None:
    db, box = await _outbox(tmp_path)
    pushed: list[str] = []

    async def push(user: str, text: str) -> None:
        if text == "refused":
            raise RuntimeError("45015")
        pushed.append(text)

    d = Delivery(box, Texts(), push, budget=0.05)
    assert await d.callback("a", "u", _after(0, "1/3", "2/3", "3/3")) is None  # several parts: pushed
    assert await d.callback("b", "u", _after(0, "refused", "after")) is None
    await d.close()
    assert pushed == ["1/3", "2/3", "3/3"]
    assert await box.drain("u") == ["refused", "after"]
    await db.close()


async def test_a_failing_engine_gets_an_apology_not_silence(tmp_path: Path) -> None:
    db, box = await _outbox(tmp_path)

    async def broken() -> list[str]:
        raise RuntimeError("boom")

    d = Delivery(box, Texts(), None, budget=0.5)
    assert await d.callback("x", "u", broken) == Texts().get("wechat.error")
    assert await d.callback("x", "u", broken) is None  # the retry of the same message: already answered
    await d.close()
    await db.close()


async def test_overlapping_attempts_that_both_run_late_push_the_answer_once(tmp_path: Path) -> None:
    """WeChat retries while the first attempt is still waiting (it was slow to arrive): both wait, both are late."""
    db, box = await _outbox(tmp_path)
    pushed: list[str] = []
    ready = asyncio.Event()

    async def push(user: str, text: str) -> None:
        pushed.append(text)

    async def compute() -> list[str]:
        await ready.wait()
        return ["answer"]

    d = Delivery(box, Texts(), push, budget=0.05)
    first, retry = await asyncio.gather(d.callback("m", "u", compute), d.callback("m", "u", compute))
    assert [first, retry].count(Texts().get("wechat.working")) == 1 and None in (first, retry)  # one acknowledgement
    ready.set()
    await d.close()
    assert pushed == ["answer"]  # pushed once
    await db.close()


async def test_the_reply_budget_counts_from_when_the_callback_arrived(tmp_path: Path) -> None:
    """Under load, checking and recording a callback can take a second: WeChat's 5 seconds still run from its
    arrival, so the "working on it" goes back in time and the answer is pushed."""
    db, box = await _outbox(tmp_path)
    pushed: list[str] = []

    async def push(user: str, text: str) -> None:
        pushed.append(text)

    d = Delivery(box, Texts(), push, budget=1.0)
    arrived = d.clock() - 0.9  # 0.9 s of the budget already gone before the message reached the delivery
    started = asyncio.get_running_loop().time()
    reply = await d.callback("late", "u", _after(0.5, "the answer"), arrived=arrived)
    waited = asyncio.get_running_loop().time() - started
    assert reply == Texts().get("wechat.working") and waited < 0.45
    assert await d.callback("fresh", "v", _after(0.3, "in time")) == "in time"  # no arrival given: the whole budget
    await d.close()
    assert pushed == ["the answer"]
    await db.close()


async def test_past_capacity_a_new_message_is_acknowledged_at_once_and_its_answer_pushed(tmp_path: Path) -> None:
    db, box = await _outbox(tmp_path)
    pushed: list[str] = []
    now = [1000.0]
    gate = asyncio.Event()

    async def push(user: str, text: str) -> None:
        pushed.append(f"{user}:{text}")

    def blocked(text: str):  # type: ignore[no-untyped-def]
        async def compute() -> list[str]:
            await gate.wait()
            return [text]

        return compute

    d = Delivery(box, Texts(), push, budget=3.0, clock=lambda: now[0])
    for _ in range(10):  # answers have been finishing at one a second
        d.pace.finished()
        now[0] += 1.0
    waiting = [asyncio.create_task(d.callback(f"m{i}", f"u{i}", blocked(f"a{i}"))) for i in range(6)]
    await asyncio.sleep(0.05)
    assert d.computing == 6
    # six ahead at one a second cannot be ready within 3 s: "working on it" now, not after holding the callback 3 s
    reply = await asyncio.wait_for(d.callback("new", "late", blocked("the answer")), 1.0)
    assert reply == Texts().get("wechat.working")
    gate.set()
    await asyncio.gather(*waiting)
    await d.close()
    assert pushed.count("late:the answer") == 1  # pushed once, when ready
    await db.close()


async def test_an_idle_bot_waits_for_the_answer_whatever_the_past_pace(tmp_path: Path) -> None:
    db, box = await _outbox(tmp_path)
    now = [1000.0]

    async def push(user: str, text: str) -> None:
        raise AssertionError("a passive answer was expected")

    d = Delivery(box, Texts(), push, budget=3.0, clock=lambda: now[0])
    for _ in range(10):  # slow answers a while ago
        d.pace.finished()
        now[0] += 5.0
    assert await d.callback("m", "u", _after(0.05, "answer")) == "answer"  # nothing ahead: passive, as usual
    await d.close()
    await db.close()


async def test_memory_goes_back_once_a_burst_has_drained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.channels.wechat import delivery

    monkeypatch.setattr(delivery, "TRIM_IDLE", 0.01)
    db, box = await _outbox(tmp_path)
    released: list[int] = []
    d = Delivery(box, Texts(), None, budget=1.0, release=lambda: released.append(d.computing))
    await asyncio.gather(*(d.callback(f"m{i}", f"u{i}", _after(0, "a")) for i in range(delivery.TRIM_AFTER - 1)))
    await asyncio.sleep(0.1)
    assert released == []  # a small burst: nothing to hand back yet
    await asyncio.gather(*(d.callback(f"n{i}", f"u{i}", _after(0.01, "a")) for i in range(5)))
    for _ in range(100):
        if released:
            break
        await asyncio.sleep(0.02)
    assert released == [0]  # once, with nothing computing
    await d.close()
    await db.close()


async def test_past_the_backlog_a_new_message_is_told_busy_and_not_taken_on(tmp_path: Path) -> None:
    db, box = await _outbox(tmp_path)
    gate = asyncio.Event()
    pushed: list[str] = []

    async def push(user: str, text: str) -> None:
        pushed.append(f"{user}:{text}")

    async def slow() -> list[str]:
        await gate.wait()
        return ["answer"]

    d = Delivery(box, Texts(), push, budget=0.05, max_backlog=3)
    for i in range(3):
        await d.callback(f"m{i}", f"u{i}", slow)  # late: "working", pushed when ready
    busy = Texts().get("wechat.busy")
    assert await d.callback("m3", "u3", slow) == busy  # told at once, in the passive reply
    assert not d.known("m3")  # not taken on: WeChat's retry is asked again
    await d.enqueue("w1", "u4", slow)  # push-only (WeCom): told by a push
    gate.set()
    await d.close()
    assert sorted(pushed) == ["u0:answer", "u1:answer", "u2:answer", f"u4:{busy}"]
    assert await d.callback("m3", "u3", _after(0, "now answered")) == "now answered"  # room again
    await d.close()
    await db.close()
