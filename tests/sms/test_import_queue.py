"""The import queue alone: a few imports run at once, the rest wait; limits per person and in all; callers may leave."""

from __future__ import annotations

import asyncio

import pytest

from bot.sms.import_queue import ImportBusy, ImportQueue


class Jobs:
    """Import jobs that run until the test opens their gate; counts how many run at the same time."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.running = self.most = self.finished = 0

    async def job(self) -> str:
        self.running += 1
        self.most = max(self.most, self.running)
        await self.gate.wait()
        self.running -= 1
        self.finished += 1
        return "done"


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_workers_bound_the_imports_running_at_once() -> None:
    queue, jobs = ImportQueue(workers=2, per_user=1, total=10), Jobs()
    tasks = [asyncio.create_task(queue.run(f"u{i}", jobs.job)) for i in range(5)]
    await settle()
    assert jobs.running == 2 and queue.pending() == 5
    jobs.gate.set()
    assert await asyncio.gather(*tasks) == ["done"] * 5
    assert jobs.most == 2 and queue.pending() == 0


async def test_limits_per_person_and_in_all_say_busy() -> None:
    queue, jobs = ImportQueue(workers=1, per_user=1, total=2), Jobs()
    first = asyncio.create_task(queue.run("alice", jobs.job))
    second = asyncio.create_task(queue.run("bob", jobs.job))
    await settle()
    with pytest.raises(ImportBusy) as mine:
        await queue.run("alice", jobs.job)
    with pytest.raises(ImportBusy) as everyone:
        await queue.run("carol", jobs.job)
    assert (mine.value.reason, everyone.value.reason) == ("user", "all")
    jobs.gate.set()
    await asyncio.gather(first, second)
    assert await queue.run("carol", jobs.job) == "done"  # room again


async def test_a_caller_that_leaves_does_not_stop_its_import_and_a_failure_frees_the_place() -> None:
    queue, jobs = ImportQueue(workers=1, per_user=1, total=5), Jobs()
    caller = asyncio.create_task(queue.run("alice", jobs.job))
    await settle()
    caller.cancel()
    await settle()
    assert queue.pending("alice") == 1  # still importing: a resend now would be told to wait
    jobs.gate.set()
    while queue.pending():  # the import finishes, then hands its memory back
        await asyncio.sleep(0.01)
    assert jobs.finished == 1

    async def broken() -> str:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        await queue.run("alice", broken)
    assert queue.pending() == 0
