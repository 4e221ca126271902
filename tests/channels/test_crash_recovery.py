"""Crash recovery: `anning serve` killed with SIGKILL under webhook load, then restarted, answers every update it
had acknowledged, once, in each person's order (the durable inbox, storage/inbox_repo.py)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest
from aiohttp import ClientSession

from bot.texts import Texts
from bot.wiring import QAParts
from tests.fake_telegram import FakeTelegram
from tests.serve_support import free_port, serving, webhook_env

SECRET = "crash-test-secret"
USERS = range(501, 521)  # twenty people
EACH = 3  # messages each


@pytest.mark.slow
async def test_kill_9_under_webhook_load_loses_nothing_acknowledged_and_answers_nothing_twice(
    tmp_path: Path, qa_parts: QAParts, index_dir: Path
) -> None:
    fake = await FakeTelegram().start()
    port = free_port()
    # the session's index (built by qa_parts)
    env = webhook_env(fake, SECRET, index_dir, f"sqlite+aiosqlite:///{tmp_path / 'anning.sqlite3'}", "A" * 43)
    url = f"http://127.0.0.1:{port}/hooks/telegram"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    updates = [
        {"update_id": 9000 + n * 100 + uid, "message": fake.message(uid, text="/help")}
        for n in range(EACH)
        for uid in USERS
    ]
    help_text = Texts().get("commands.help")
    try:
        async with serving(env, port) as proc:
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

        async with serving(env, port):
            for uid in USERS:
                await fake.wait_for(lambda uid=uid: len(fake.texts_to(uid)) >= EACH, timeout=120)
            await asyncio.sleep(1.0)  # anything answered twice would arrive now
        for uid in USERS:
            assert fake.texts_to(uid) == [help_text] * EACH, uid  # every acknowledged update answered, once
    finally:
        await fake.close()
