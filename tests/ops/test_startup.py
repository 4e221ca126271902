"""Start-up: `anning serve` opens its port before the index is built; /readyz says what is not ready; updates that
arrive meanwhile are recorded and answered once it is; a damaged local index is rebuilt from knowledge/."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

from aiohttp import ClientSession
from chromadb.api.shared_system_client import SharedSystemClient

from bot.legal_qa.embeddings import HashEmbeddings
from bot.settings import PROJECT_ROOT, Settings
from bot.texts import Texts
from bot.wiring import build_qa
from tests.fake_telegram import FakeTelegram
from tests.ops.support import HEADERS, HeldEmbeddings, serving, telegram_settings, until


async def _ready(http: ClientSession, base: str) -> tuple[int, dict[str, Any]]:
    async with http.get(f"{base}/readyz") as resp:
        return resp.status, json.loads(await resp.text())


async def test_port_opens_while_the_index_builds_and_updates_are_answered_once_it_is_ready(tmp_path: Path) -> None:
    fake = await FakeTelegram().start()
    release = threading.Event()
    help_text = Texts().get("commands.help")
    try:
        async with serving(telegram_settings(tmp_path, fake), HeldEmbeddings(release)) as srv, ClientSession() as http:
            async with http.get(f"{srv.base}/healthz") as resp:
                assert resp.status == 200  # alive at once
            status, body = await _channels_started(http, srv.base)
            assert status == 503
            assert body == {"ready": False, "database": "ready", "index": "building", "channels": "ready"}

            update = {"update_id": 77001, "message": fake.message(601, text="/help", entities=[_command("/help")])}
            async with http.post(f"{srv.base}/telegram", json=update, headers=HEADERS) as resp:
                assert resp.status == 200  # acknowledged: recorded in the inbox
            assert fake.texts_to(601) == []  # not answered while the index is being built

            release.set()
            await until(lambda: fake.texts_to(601) == [help_text])
            assert await _ready(http, srv.base) == (
                200,
                {"ready": True, "database": "ready", "index": "ready", "channels": "ready"},
            )
    finally:
        release.set()
        await fake.close()


async def test_an_update_waiting_for_the_index_at_shutdown_is_answered_after_the_restart(tmp_path: Path) -> None:
    fake = await FakeTelegram().start()
    held = HeldEmbeddings(threading.Event())
    settings = telegram_settings(tmp_path, fake)
    try:
        async with serving(settings, held) as srv, ClientSession() as http:
            await _channels_started(http, srv.base)
            update = {"update_id": 77002, "message": fake.message(602, text="/help", entities=[_command("/help")])}
            async with http.post(f"{srv.base}/telegram", json=update, headers=HEADERS) as resp:
                assert resp.status == 200
        assert fake.texts_to(602) == []  # the first run stopped without answering
        held.abort()  # its build thread would have ended with its process
        settings.data_dir = tmp_path / "restart"
        async with serving(settings):
            await until(lambda: fake.texts_to(602) == [Texts().get("commands.help")])
    finally:
        held.abort()
        await fake.close()


def test_a_truncated_local_index_is_rebuilt_from_knowledge_at_start(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, knowledge_dir=PROJECT_ROOT / "knowledge")
    settings.understand.embedding = "hash"
    built = build_qa(settings, None, HashEmbeddings())
    assert built.report is not None and built.report.added > 250
    SharedSystemClient.clear_system_cache()  # a new process: nothing of the first client stays in memory
    store = tmp_path / "chroma" / "chroma.sqlite3"
    store.write_bytes(store.read_bytes()[:20_000])  # a disk that filled up mid-write, or a copy cut short
    notices: list[str] = []
    again = build_qa(settings, notices.append, HashEmbeddings())
    assert any("已损坏" in n for n in notices)
    assert again.report is not None and again.report.added == built.report.added
    hits = again.qa.retrieve("催收 骚扰 通讯录", k=3, mode="dense").passages
    assert hits  # the dense side answers again


async def _channels_started(http: ClientSession, base: str) -> tuple[int, dict[str, Any]]:
    """/readyz once it says the channels have started (Telegram answers 503 before that, so it retries)."""
    for _ in range(600):
        status, body = await _ready(http, base)
        if body["channels"] == "ready":
            return status, body
        await asyncio.sleep(0.05)
    raise AssertionError("the channels did not start")


def _command(text: str) -> dict[str, object]:
    return {"type": "bot_command", "offset": 0, "length": len(text)}
