"""Crash recovery: `anning serve` killed with SIGKILL under webhook load, then restarted, answers every update it
had acknowledged, once, in each person's order (the durable inbox, storage/inbox_repo.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession

from bot.settings import PROJECT_ROOT
from bot.texts import Texts
from bot.wiring import QAParts
from tests.fake_telegram import FakeTelegram

SECRET = "crash-test-secret"
USERS = range(501, 521)  # twenty people
EACH = 3  # messages each


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def _server(env: dict[str, str], port: int) -> AsyncIterator[asyncio.subprocess.Process]:
    """`anning serve` in its own process, yielded once /readyz says it is ready (the port opens before the index loads); killed at the end if still running."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with ClientSession() as http:
            for _ in range(1200):
                with contextlib.suppress(OSError):
                    async with http.get(f"http://127.0.0.1:{port}/hooks/readyz") as resp:
                        if resp.status == 200:
                            break
                assert proc.returncode is None, "anning serve exited"
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("anning serve did not start")
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


@pytest.mark.slow
async def test_kill_9_under_webhook_load_loses_nothing_acknowledged_and_answers_nothing_twice(
    tmp_path: Path, qa_parts: QAParts, index_dir: Path
) -> None:
    fake = await FakeTelegram().start()
    port = _free_port()
    env = {
        **os.environ,
        "ANNING_DATA_DIR": str(index_dir),  # the session's index (built by qa_parts)
        "ANNING_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'anning.sqlite3'}",
        "ANNING_ENCRYPTION_KEY": "A" * 43,
        "ANNING_WEB__PORT": str(port),
        "ANNING_TELEGRAM__TOKEN": fake.token,
        "ANNING_TELEGRAM__BASE_URL": fake.base_url,
        "ANNING_TELEGRAM__BASE_FILE_URL": fake.base_file_url,
        "ANNING_TELEGRAM__WEBHOOK_URL": "https://bot.example.org/hooks/telegram",
        "ANNING_TELEGRAM__WEBHOOK_SECRET": SECRET,
        "ANNING_TELEGRAM__RATE_LIMIT_PER_MINUTE": "0",
    }
    url = f"http://127.0.0.1:{port}/hooks/telegram"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    updates = [
        {"update_id": 9000 + n * 100 + uid, "message": fake.message(uid, text="/help")}
        for n in range(EACH)
        for uid in USERS
    ]
    help_text = Texts().get("commands.help")
    try:
        async with _server(env, port) as proc:
            fake.fail("sendMessage", times=10_000, mode="timeout", delay=120)  # Telegram unreachable: no answer lands
            async with ClientSession() as http:

                async def post(update: dict[str, object]) -> int:
                    async with http.post(url, json=update, headers=headers) as resp:
                        return resp.status

                statuses = await asyncio.gather(*(post(u) for u in updates))
            assert statuses == [200] * len(updates)  # every update acknowledged
            await fake.wait_for(lambda: len(fake.method_calls("sendMessage")) >= len(USERS), timeout=60)
            proc.send_signal(signal.SIGKILL)  # mid-answer: first answers in flight, the others still queued
            await proc.wait()
        assert not fake.sent
        fake.failures.clear()  # Telegram reachable again

        async with _server(env, port):
            for uid in USERS:
                await fake.wait_for(lambda uid=uid: len(fake.texts_to(uid)) >= EACH, timeout=120)
            await asyncio.sleep(1.0)  # anything answered twice would arrive now
        for uid in USERS:
            assert fake.texts_to(uid) == [help_text] * EACH, uid  # every acknowledged update answered, once
    finally:
        await fake.close()
