"""Download links: expired files are swept on a timer (and at start), replies state the real validity, and the
plain filename is readable ASCII."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import ClientSession, web

from bot.channels.file_links import FileLinks
from bot.contract.messages import FileOut
from bot.settings import Settings
from bot.storage.crypto import Crypto
from bot.storage.db import Database
from bot.storage.files_repo import FileStore
from bot.texts import Texts
from bot.web import build_web_app

PDF = FileOut("证据清单-20261103.pdf", b"%PDF-1.7 test", "application/pdf")


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[FileStore]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'f.sqlite3'}")
    await db.create_all()
    yield FileStore(db, Crypto(os.urandom(32)))
    await db.close()


def links(store: FileStore, clock: Clock, ttl: int = 20, sweep: float = 600.0) -> FileLinks:
    return FileLinks(store, store.crypto, "https://bot.example.org", "/hooks", ttl, Texts(), clock, sweep_seconds=sweep)


async def test_expired_files_are_swept_when_the_server_starts(store: FileStore) -> None:
    clock = Clock()
    old, _ = await store.put("wechat_mp:a", PDF, datetime.fromtimestamp(clock.now - 1, UTC))
    fresh, _ = await store.put("wechat_mp:a", PDF, datetime.fromtimestamp(clock.now + 60, UTC))
    server_links = links(store, clock)
    await server_links.start()
    try:
        assert await store.get(old) is None and await store.get(fresh) is not None
    finally:
        await server_links.stop()


async def test_expired_files_are_swept_on_a_timer_without_new_links(store: FileStore) -> None:
    clock = Clock()
    server_links = links(store, clock, ttl=20, sweep=0.05)
    await server_links.start()
    try:
        url = await server_links.link("wechat_mp:a", PDF)
        file_id = url.rsplit("/", 1)[1].split(".")[0]
        assert await store.get(file_id) is not None
        clock.now += 21  # the link has expired; nobody asks for a new one
        async with asyncio.timeout(30):  # generous bound on waiting for the condition
            while await store.get(file_id) is not None:
                await asyncio.sleep(0.02)
    finally:
        await server_links.stop()
    assert server_links._sweeper is None


def test_the_stated_validity_follows_the_ttl(store: FileStore) -> None:
    clock = Clock()
    assert links(store, clock, ttl=20).validity() == "20 秒"
    assert links(store, clock, ttl=600).validity() == "10 分钟"
    assert links(store, clock, ttl=86400).validity() == "24 小时"
    assert links(store, clock, ttl=7 * 86400).validity() == "7 天"


async def test_download_has_a_readable_ascii_filename_and_expired_links_say_so(
    store: FileStore, tmp_path: Path
) -> None:
    clock = Clock()
    server_links = links(store, clock, ttl=20)
    runner = web.AppRunner(build_web_app(Settings(data_dir=tmp_path), server_links.routes()))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        url = await server_links.link("wechat_mp:a", PDF)
        local = url.replace("https://bot.example.org", f"http://127.0.0.1:{runner.addresses[0][1]}")
        async with ClientSession() as http:
            async with http.get(local) as resp:
                assert resp.status == 200 and await resp.read() == PDF.data
                disposition = resp.headers["Content-Disposition"]
            assert 'filename="anning-document-20261103.pdf"' in disposition
            assert "filename*=UTF-8''%E8%AF%81%E6%8D%AE%E6%B8%85%E5%8D%95-20261103.pdf" in disposition
            clock.now += 21
            assert await server_links.sweep() == 1
            async with http.get(local) as resp:
                assert resp.status == 410 and await resp.text() == Texts().get("channels.link_expired")
    finally:
        await runner.cleanup()
