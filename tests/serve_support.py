"""Tests and benchmarks, serving: `anning serve` in its own process on 127.0.0.1, fed by the fake Telegram Bot API
(tests/fake_telegram.py), as the crash, replica and load runs start it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

from aiohttp import ClientError, ClientSession

from bot.settings import PROJECT_ROOT
from tests.fake_telegram import FakeTelegram


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def webhook_env(
    fake: FakeTelegram,
    secret: str,
    data_dir: Path,
    database_url: str,
    key: str,
    base: Mapping[str, str] = os.environ,
) -> dict[str, str]:
    """The environment of an `anning serve` whose Telegram channel takes webhooks and talks to the fake server."""
    return {
        **base,
        "ANNING_DATA_DIR": str(data_dir),
        "ANNING_DATABASE_URL": database_url,
        "ANNING_ENCRYPTION_KEY": key,
        "ANNING_TELEGRAM__TOKEN": fake.token,
        "ANNING_TELEGRAM__BASE_URL": fake.base_url,
        "ANNING_TELEGRAM__BASE_FILE_URL": fake.base_file_url,
        "ANNING_TELEGRAM__WEBHOOK_URL": "https://bot.example.org/hooks/telegram",
        "ANNING_TELEGRAM__WEBHOOK_SECRET": secret,
        "ANNING_TELEGRAM__RATE_LIMIT_PER_MINUTE": "0",
    }


async def start_serve(
    env: Mapping[str, str], port: int, path: str = "readyz", timeout: float | None = 120.0, interval: float = 0.1
) -> asyncio.subprocess.Process:
    """`anning serve` (this checkout's code) on `port`, returned once `{prefix}/{path}` answers 200 (`readyz`: the
    engine is built; `healthz`: the port is open); raises RuntimeError if it exits or `timeout` passes first."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        cwd=PROJECT_ROOT,
        env={**env, "ANNING_WEB__PORT": str(port), "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    deadline = None if timeout is None else time.monotonic() + timeout
    async with ClientSession() as http:
        while True:
            with contextlib.suppress(OSError, ClientError):
                async with http.get(f"http://127.0.0.1:{port}/hooks/{path}") as resp:
                    if resp.status == 200:
                        return proc
            if proc.returncode is not None:
                raise RuntimeError("anning serve exited")
            if deadline is not None and time.monotonic() > deadline:
                proc.kill()
                await proc.wait()
                raise RuntimeError("anning serve did not start")
            await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def serving(
    env: Mapping[str, str],
    port: int,
    path: str = "readyz",
    timeout: float | None = 120.0,
    stop: signal.Signals = signal.SIGKILL,
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`start_serve` for the length of a block; `stop` is sent at its end if the process still runs."""
    proc = await start_serve(env, port, path, timeout)
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(stop)
            await proc.wait()
