"""WeChat delivery rules without HTTP: whatever happens to WeChat's retries, every answer ends up somewhere once."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

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
