"""Two Telegram replicas on one database, each built by the composition root as `anning serve` builds it: a person's
rate limit is one limit whichever replica their messages reach, and a button whose keyboard one replica sent works
when it is pressed on the other."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, web
from pydantic import SecretStr

from bot.channels.telegram.channel import TelegramChannel
from bot.contract.messages import Button, Incoming, Reply
from bot.settings import PROJECT_ROOT, Settings
from bot.texts import Texts
from bot.web import build_web_app
from bot.wiring import channel_deps, open_core
from tests.databases import BACKENDS, database_url, postgres_database
from tests.fake_telegram import FakeTelegram

SECRET = "replica-state-secret"
LONG = "draft:complaint_letter@" + "step-" * 16  # over Telegram's 64 bytes of callback_data: sent as a short key


class Echo:
    """An engine that offers one button with a long payload, and says which payload a press carried."""

    max_file_bytes = 1024

    async def handle(self, msg: Incoming) -> list[Reply]:
        if msg.button:
            return [Reply(f"你选了：{msg.button}")]
        return [Reply("好的", buttons=(Button("写投诉信", LONG),))]


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns on integer time periods (RetryAfter) unless opted in; warnings are errors here."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@contextlib.asynccontextmanager
async def replicas(url: str, folder: Path, fake: FakeTelegram, limit: int = 0) -> AsyncIterator[list[int]]:
    """Two replicas (each its own stores, turns and channel, as two processes have) on the database at `url`;
    yields their webhook ports."""
    settings = Settings(data_dir=folder, knowledge_dir=PROJECT_ROOT / "knowledge", encryption_key=SecretStr("D" * 43))
    settings.database_url = url
    tg = settings.telegram
    tg.token, tg.base_url, tg.base_file_url = SecretStr(fake.token), fake.base_url, fake.base_file_url
    tg.webhook_url, tg.webhook_secret = "https://bot.example.org/hooks/telegram", SecretStr(SECRET)
    tg.rate_limit_per_minute = limit
    ports: list[int] = []
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(2):
            core = await open_core(settings, Texts())
            stack.push_async_callback(core.close)
            await core.db.upgrade()
            channel = TelegramChannel.build(channel_deps(settings, core, engine=Echo()))  # type: ignore[arg-type]
            runner = web.AppRunner(build_web_app(settings, channel.routes()))
            await runner.setup()
            stack.push_async_callback(runner.cleanup)
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            await channel.start(polling=False)
            stack.push_async_callback(channel.stop)
            ports.append(runner.addresses[0][1])
        yield ports


async def post(port: int, update: dict[str, Any]) -> None:
    """One webhook delivery to one replica, acknowledged."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with (
        ClientSession() as http,
        http.post(f"http://127.0.0.1:{port}/hooks/telegram", json=update, headers=headers) as resp,
    ):
        assert resp.status == 200


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_button_sent_by_one_replica_works_when_pressed_on_the_other(backend: str, tmp_path: Path) -> None:
    fake = await FakeTelegram().start()
    try:
        async with database_url(backend, tmp_path) as url, replicas(url, tmp_path, fake) as (one, two):
            await post(one, {"update_id": 1, "message": fake.message(701, text="帮我写信")})
            offered = (await fake.wait_replies(701, 1))[0]
            [(label, data)] = offered.buttons
            assert label == "写投诉信" and data != LONG  # the long payload went out as a short key
            query = {
                "id": "cq1",
                "from": fake.user(701),
                "message": offered.message,
                "chat_instance": "c",
                "data": data,
            }
            await post(two, {"update_id": 2, "callback_query": query})
            pressed = (await fake.wait_replies(701, 2))[1]
        assert pressed.text == f"你选了：{LONG}"  # not "this button has expired"
    finally:
        await fake.close()


async def test_a_flood_split_across_replicas_meets_one_limit(tmp_path: Path) -> None:
    fake = await FakeTelegram().start()
    limited = Texts().get("telegram.rate_limited")
    try:
        async with postgres_database() as url, replicas(url, tmp_path, fake, limit=3) as ports:
            for n in range(4):  # each once the one before is answered, alternating between the replicas
                await post(ports[n % 2], {"update_id": 10 + n, "message": fake.message(702, text=f"第{n}条")})
                await fake.wait_replies(702, n + 1)
            for n in range(4, 8):  # over the limit: no answer at all once told
                await post(ports[n % 2], {"update_id": 10 + n, "message": fake.message(702, text=f"第{n}条")})
            await asyncio.sleep(1.5)  # anything let through would be answered by now
        assert fake.texts_to(702) == ["好的", "好的", "好的", limited]
    finally:
        await fake.close()
