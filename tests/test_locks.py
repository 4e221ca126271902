"""KeyedLocks: one key at a time, different keys together, nothing kept once unused."""

from __future__ import annotations

import asyncio
import gc

from bot.locks import KeyedLocks


async def test_same_key_runs_one_at_a_time_in_arrival_order() -> None:
    locks: KeyedLocks[str] = KeyedLocks()
    inside = 0
    most = 0
    order: list[int] = []

    async def work(i: int) -> None:
        nonlocal inside, most
        async with locks.lock("alice"):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)
            order.append(i)
            inside -= 1

    await asyncio.gather(*(work(i) for i in range(5)))
    assert most == 1
    assert order == [0, 1, 2, 3, 4]


async def test_different_keys_run_concurrently() -> None:
    locks: KeyedLocks[str] = KeyedLocks()
    both_in = asyncio.Event()
    entered: set[str] = set()

    async def work(key: str) -> None:
        async with locks.lock(key):
            entered.add(key)
            if len(entered) == 2:
                both_in.set()
            await asyncio.wait_for(both_in.wait(), 1.0)  # would time out if the keys shared a lock

    await asyncio.gather(work("alice"), work("bob"))
    assert entered == {"alice", "bob"}


async def test_locked_reports_a_held_key_without_making_a_lock() -> None:
    locks: KeyedLocks[tuple[str, int]] = KeyedLocks()
    assert not locks.locked(("user", 1)) and len(locks) == 0
    async with locks.lock(("user", 1)):
        assert locks.locked(("user", 1)) and not locks.locked(("user", 2))
        assert len(locks) == 1


async def test_entries_vanish_once_no_one_holds_or_waits() -> None:
    locks: KeyedLocks[str] = KeyedLocks()
    release = asyncio.Event()

    async def hold(key: str) -> None:
        async with locks.lock(key):
            await release.wait()

    tasks = [asyncio.create_task(hold(k)) for k in ("a", "a", "b")]
    await asyncio.sleep(0)
    assert len(locks) == 2  # one lock per key, held or awaited
    release.set()
    await asyncio.gather(*tasks)
    del tasks
    gc.collect()
    assert len(locks) == 0
