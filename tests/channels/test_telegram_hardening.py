"""Telegram under abuse: webhook bodies nested too deeply, the same update posted again, files bigger than declared."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession, web
from pydantic import SecretStr

from bot.channels.telegram.channel import TelegramChannel
from bot.settings import Settings
from bot.texts import Texts
from bot.web import build_web_app
from bot.wiring import App
from tests.channels.test_telegram_e2e import SECRET, make_channel, ptb_timedelta, reply_to
from tests.fake_telegram import FakeTelegram

__all__ = ["ptb_timedelta"]  # the autouse fixture, imported to apply here too
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram().start()
    yield server
    await server.close()


@pytest.fixture
async def hook(app: App, settings: Settings, fake: FakeTelegram) -> AsyncIterator[tuple[TelegramChannel, str]]:
    """The channel in webhook mode behind bot/web.py, with the app's seen-messages store."""
    ch = make_channel(app.engine, fake, webhook_secret=SecretStr(SECRET), inbox=app.inbox)
    runner = web.AppRunner(build_web_app(settings, ch.routes()))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}{settings.web.prefix}/telegram"
    await ch.start(polling=False)
    yield ch, url
    await ch.stop()
    await runner.cleanup()


async def test_json_nested_too_deeply_is_a_bad_request(hook: tuple[TelegramChannel, str]) -> None:
    _, url = hook
    deep = b"[" * 200_000 + b"]" * 200_000  # 400 KB: under the body limit, far over the parser's recursion limit
    async with ClientSession() as http, http.post(url, data=deep, headers=HEADERS) as resp:
        assert resp.status == 400  # not 500: Telegram would redeliver a 5xx again and again
    deep_object = b'{"update_id": 5, "message": ' + b'{"a":' * 100_000 + b"1" + b"}" * 100_001
    async with ClientSession() as http, http.post(url, data=deep_object, headers=HEADERS) as resp:
        assert resp.status == 400


async def test_the_same_update_posted_three_times_is_answered_once(
    hook: tuple[TelegramChannel, str], fake: FakeTelegram
) -> None:
    ch, url = hook
    update = {"update_id": 777001, "message": fake.message(140, text="/help")}
    async with ClientSession() as http:
        for _ in range(3):
            async with http.post(url, json=update, headers=HEADERS) as resp:
                assert resp.status == 200
    assert (await reply_to(fake, 140)).text == Texts().get("commands.help")
    await ch.stop()  # settle: every update the bot had queued is finished
    assert len(fake.sent_to(140)) == 1


async def test_a_file_bigger_than_declared_is_cut_off_while_downloading(app: App, fake: FakeTelegram) -> None:
    ch = make_channel(app.engine, fake, max_file_bytes=1024 * 1024)
    await ch.start(polling=True)
    try:
        big = b"<smses>" + b" " * (20 * 1024 * 1024) + b"</smses>"
        await fake.send_document(150, "backup.xml", big, mime="text/xml", declared_size=1024)
        answer = await reply_to(fake, 150)
        assert "1 MB" in answer.text and answer.text.startswith("这个文件有")  # telegram.file_too_big
        served = await fake.wait_for(lambda: [s for s in fake.served if s.aborted or s.complete])
        assert served[0].aborted and not served[0].complete
        assert served[0].written < len(big) // 2  # the download stopped soon after the limit
    finally:
        await ch.stop()
