"""Helpers for the operations tests: `anning serve` in-process on a free port, settings for the fake Telegram."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from bot.cli.channels import run_serve
from bot.legal_qa.embeddings import HashEmbeddings
from bot.settings import PROJECT_ROOT, Settings
from tests.fake_telegram import FakeTelegram

SECRET = "ops-test-secret"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


class HeldEmbeddings(HashEmbeddings):
    """Hash embeddings that do not embed passages until `release` is set (an index build that takes its time)."""

    def __init__(self, release: threading.Event) -> None:
        super().__init__()
        self.release = release
        self.aborted = False

    def abort(self) -> None:
        """End the held build with an error (the process it belonged to has stopped)."""
        self.aborted = True
        self.release.set()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Wait for the release, then embed."""
        self.release.wait()
        if self.aborted:
            raise RuntimeError("build abandoned")
        return super().embed_documents(texts)


def telegram_settings(data_dir: Path, fake: FakeTelegram) -> Settings:
    """Settings for `anning serve` with the Telegram webhook on the fake Bot API, a fresh data dir, port 0."""
    s = Settings(data_dir=data_dir, knowledge_dir=PROJECT_ROOT / "knowledge")
    s.database_url = f"sqlite+aiosqlite:///{data_dir / 'anning.sqlite3'}"
    s.encryption_key = SecretStr("A" * 43)
    s.understand.embedding = "hash"
    s.web.host = "127.0.0.1"
    s.web.port = 0
    s.telegram.token = SecretStr(fake.token)
    s.telegram.base_url = fake.base_url
    s.telegram.base_file_url = fake.base_file_url
    s.telegram.webhook_url = "https://bot.example.org/hooks/telegram"
    s.telegram.webhook_secret = SecretStr(SECRET)
    s.telegram.rate_limit_per_minute = 0
    return s


@dataclass
class Running:
    """A serving `anning serve`: its base URL, its metrics registry, and how to stop it."""

    base: str
    registry: CollectorRegistry
    stop: asyncio.Event
    task: asyncio.Task[int]


@contextlib.asynccontextmanager
async def serving(settings: Settings, embeddings: Embeddings | None = None) -> AsyncIterator[Running]:
    """`run_serve` in this event loop, yielded once its port is open; stopped (and its exit status checked) after."""
    port: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    registry = CollectorRegistry()
    task = asyncio.create_task(run_serve(settings, stop, port.set_result, embeddings or HashEmbeddings(), registry))
    done, _ = await asyncio.wait([port, task], timeout=180, return_when=asyncio.FIRST_COMPLETED)
    assert port in done, "anning serve did not open its port"
    running = Running(f"http://127.0.0.1:{port.result()}{settings.web.prefix}", registry, stop, task)
    try:
        yield running
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 180) == 0


async def until(check: Callable[[], object], timeout: float = 180.0) -> None:
    """Wait until `check()` is true (polled), or fail."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.05)
