"""Two `anning serve` replicas on one PostgreSQL behind one webhook: each person's updates are answered in their
order, nothing twice, nothing lost, also when one replica is killed with SIGKILL in the middle of its work."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession

from bot.texts import Texts
from bot.wiring import QAParts
from tests.databases import postgres_database
from tests.fake_telegram import FakeTelegram
from tests.serve_support import free_port, serving, webhook_env

SECRET = "replica-test-secret"
USERS = range(601, 613)  # twelve people
SCRIPT = ("/start", "/forget", "/cancel", "/cancel", "/help")  # what each person types, in this order


def _expected() -> list[str]:
    """The answers in order: /cancel answers differently once the forget question is gone, so order shows."""
    t = Texts()
    keys = ("commands.start", "commands.forget_confirm", "commands.cancel", "commands.cancel_none", "commands.help")
    return [t.get(k) for k in keys]


def _env(database_url: str, index_dir: Path, fake: FakeTelegram) -> dict[str, str]:
    """Both replicas read the session's index (built by qa_parts); no ANNING_ setting leaks in from outside."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("ANNING_")}
    env = webhook_env(fake, SECRET, index_dir, database_url, "B" * 43, base)
    # a turn's lease outlives a database restart (a few seconds here), and a killed replica's people are taken up
    # soon after it runs out
    return {**env, "ANNING_DATABASE_LEASE_SECONDS": "15"}


def _replica(env: dict[str, str], port: int) -> contextlib.AbstractAsyncContextManager[asyncio.subprocess.Process]:
    """`anning serve` in its own process once its port answers (/healthz); killed at the end."""
    return serving(env, port, "healthz", timeout=180.0)


async def _send_interleaved(fake: FakeTelegram, ports: list[int]) -> None:
    """Each person's updates one after the other (the next once the last is acknowledged), alternating between the
    replicas, the people at once. An update a replica does not acknowledge goes to the other one, as a load balancer
    and Telegram's redelivery would do."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    ids = iter(range(50_000, 60_000))

    async def post(http: ClientSession, port: int, update: dict[str, Any]) -> bool:
        try:
            async with http.post(f"http://127.0.0.1:{port}/hooks/telegram", json=update, headers=headers) as resp:
                return resp.status == 200
        except OSError:
            return False

    async def person(uid: int, http: ClientSession) -> None:
        for n, text in enumerate(SCRIPT):
            msg = fake.message(uid, text=text)
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
            update: dict[str, Any] = {"update_id": next(ids), "message": msg}
            first = (uid + n) % len(ports)
            for attempt in range(40):
                if await post(http, ports[(first + attempt) % len(ports)], update):
                    break
                await asyncio.sleep(0.25)
            else:
                raise AssertionError(f"update {update['update_id']} never acknowledged")

    async with ClientSession() as http:
        await asyncio.gather(*(person(uid, http) for uid in USERS))


@pytest.mark.slow
async def test_two_replicas_answer_each_person_in_order_once(qa_parts: QAParts, index_dir: Path) -> None:
    fake = await FakeTelegram().start()
    ports = [free_port(), free_port()]
    try:
        async with postgres_database() as url, contextlib.AsyncExitStack() as stack:
            env = _env(url, index_dir, fake)
            await asyncio.gather(*(stack.enter_async_context(_replica(env, port)) for port in ports))
            await _send_interleaved(fake, ports)
            for uid in USERS:
                await fake.wait_for(lambda uid=uid: len(fake.texts_to(uid)) >= len(SCRIPT), timeout=120)
            await asyncio.sleep(1.0)  # anything answered twice would arrive now
        for uid in USERS:
            assert fake.texts_to(uid) == _expected(), uid
    finally:
        await fake.close()


@pytest.mark.slow
async def test_a_replica_killed_mid_work_leaves_the_other_to_finish_it_once(qa_parts: QAParts, index_dir: Path) -> None:
    doomed, survivor = await FakeTelegram().start(), await FakeTelegram().start()  # one Bot API address each
    ports = [free_port(), free_port()]
    try:
        async with postgres_database() as url, contextlib.AsyncExitStack() as stack:
            proc, _ = await asyncio.gather(
                stack.enter_async_context(_replica(_env(url, index_dir, doomed), ports[0])),
                stack.enter_async_context(_replica(_env(url, index_dir, survivor), ports[1])),
            )
            doomed.fail("sendMessage", times=10_000, mode="timeout", delay=120)  # its answers never land
            sending = asyncio.create_task(_send_interleaved(doomed, ports))
            await sending  # every update acknowledged by one replica or the other

            # the doomed replica's answers hang in its sendMessage, each holding its person's turn; the survivor waits
            # for those turns with the rest of their updates. Which people it holds is a race (the survivor may finish
            # a person's updates before the doomed replica takes its turn), so wait for the two to settle, then check
            # that those it holds are the survivor's unfinished ones
            def settled() -> set[int]:
                held = {int(c["chat_id"]) for c in doomed.method_calls("sendMessage")}
                done = {uid for uid in USERS if len(survivor.texts_to(uid)) >= len(SCRIPT)}
                return held if held and held | done == set(USERS) else set()

            held = await doomed.wait_for(settled, timeout=120)
            assert all(len(survivor.texts_to(uid)) < len(SCRIPT) for uid in held)
            proc.send_signal(signal.SIGKILL)  # mid-answer
            await proc.wait()
            for uid in USERS:
                await survivor.wait_for(lambda uid=uid: len(survivor.texts_to(uid)) >= len(SCRIPT), timeout=120)
            await asyncio.sleep(1.0)  # anything answered twice would arrive now
        assert not doomed.sent
        for uid in USERS:  # every update answered once, in order, though some were acknowledged by the dead replica
            assert survivor.texts_to(uid) == _expected(), uid
    finally:
        await doomed.close()
        await survivor.close()


def _restart_postgres() -> None:
    """Restart the test server (scripts/pg_throwaway.sh's cluster, same port): every connection is cut."""
    folder = os.environ.get("ANNING_TEST_PG_DIR")
    if not folder:
        pytest.skip("restarting PostgreSQL needs ANNING_TEST_PG_DIR (set by scripts/pg_throwaway.sh)")
    pg_ctl = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))), None) or Path("pg_ctl")
    command = [str(pg_ctl), "-D", f"{folder}/data", "-l", f"{folder}/server.log", "-m", "fast", "-w", "restart"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", Path(folder).owner(), "--", *command]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)


@pytest.mark.slow
async def test_postgres_restarting_during_traffic_loses_nothing(qa_parts: QAParts, index_dir: Path) -> None:
    fake = await FakeTelegram().start()
    ports = [free_port(), free_port()]
    try:
        async with postgres_database() as url, contextlib.AsyncExitStack() as stack:
            env = _env(url, index_dir, fake)
            await asyncio.gather(*(stack.enter_async_context(_replica(env, port)) for port in ports))
            sending = asyncio.create_task(_send_interleaved(fake, ports))
            await fake.wait_for(lambda: len(fake.sent) >= len(USERS), timeout=120)
            await asyncio.to_thread(_restart_postgres)
            await sending  # updates refused while the database was away were sent again, as Telegram does
            for uid in USERS:
                await fake.wait_for(lambda uid=uid: len(fake.texts_to(uid)) >= len(SCRIPT), timeout=120)
            await asyncio.sleep(1.0)
        for uid in USERS:
            assert fake.texts_to(uid) == _expected(), uid
    finally:
        await fake.close()
