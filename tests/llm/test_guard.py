"""The guard: a dead model opens the circuit and is then not called at all (a trial call after the cool-down);
per-user and global limits send the extra calls offline; a call past its deadline is given up."""

from __future__ import annotations

import asyncio

from bot.llm.guard import Breaker, Guard, Limits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_dead_model_stops_being_called() -> None:
    clock = Clock()
    guard = Guard(Breaker(failures=3, cooldown=60), Limits(100, 100), clock)
    calls = 0

    async def dead() -> str:
        nonlocal calls
        calls += 1
        raise ConnectionError("refused")

    for _ in range(10):
        assert await guard.call("u", dead, deadline=1) is None
    assert calls == 3 and guard.breaker.open and guard.stats.skipped_open == 7
    clock.now += 61  # after the cool-down one trial goes; it fails, so the circuit stays open
    assert await guard.call("u", dead, deadline=1) is None
    assert await guard.call("u", dead, deadline=1) is None
    assert calls == 4

    async def alive() -> str:
        return "ok"

    clock.now += 61
    assert await guard.call("u", alive, deadline=1) == "ok"  # the trial succeeds: closed again
    assert not guard.breaker.open and await guard.call("u", alive, deadline=1) == "ok"


async def test_limits_per_person_and_in_all() -> None:
    clock = Clock()
    guard = Guard(Breaker(), Limits(per_user=2, total=3), clock)

    async def ok() -> str:
        return "ok"

    assert [await guard.call("a", ok, 1) for _ in range(3)] == ["ok", "ok", None]  # a's third call: offline
    assert await guard.call("b", ok, 1) == "ok"
    assert await guard.call("c", ok, 1) is None  # everyone's three calls are used
    clock.now += 60
    assert await guard.call("c", ok, 1) == "ok"  # a minute later there is room again
    assert guard.stats.skipped_limit == 2


async def test_a_late_call_is_given_up_and_counts_as_a_failure() -> None:
    guard = Guard(Breaker(failures=1), Limits())

    async def slow() -> str:
        await asyncio.sleep(10)
        return "late"

    assert await guard.call("u", slow, deadline=0.05) is None
    assert guard.stats.late == 1 and guard.breaker.open


async def test_every_fallback_is_reported_with_its_reason() -> None:
    heard: list[str] = []
    clock = Clock()
    guard = Guard(Breaker(failures=1, cooldown=60), Limits(per_user=1, total=10), clock, on_fallback=heard.append)

    async def dead() -> str:
        raise ConnectionError("refused")

    async def ok() -> str:
        return "ok"

    assert await guard.call("a", dead, 1) is None  # error: the circuit opens
    assert await guard.call("b", ok, 1) is None  # open
    clock.now += 61
    assert await guard.call("b", ok, 1) == "ok"  # the trial closes it
    assert await guard.call("b", ok, 1) is None  # b's one call a minute is used
    assert heard == ["error", "open", "limit"]
