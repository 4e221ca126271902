"""`anning telegram` (long polling) starts polling on the stores while the index loads, answers once it is ready,
and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from bot.texts import Texts
from tests.fake_telegram import FakeTelegram


@pytest.mark.slow
async def test_anning_telegram_polls_and_answers_on_a_fresh_data_dir(tmp_path: Path) -> None:
    fake = await FakeTelegram().start()
    env = {
        **os.environ,
        "ANNING_ENCRYPTION_KEY": "C" * 43,
        "ANNING_UNDERSTAND__EMBEDDING": "hash",
        "ANNING_TELEGRAM__TOKEN": fake.token,
        "ANNING_TELEGRAM__BASE_URL": fake.base_url,
        "ANNING_TELEGRAM__BASE_FILE_URL": fake.base_file_url,
    }
    args = ["-m", "bot", "telegram", "--data-dir", str(tmp_path), "--embedding", "hash"]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.send_text(701, "/help")
        await fake.wait_for(lambda: fake.texts_to(701), timeout=180)
        assert fake.texts_to(701) == [Texts().get("commands.help")]
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 60) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await fake.close()
