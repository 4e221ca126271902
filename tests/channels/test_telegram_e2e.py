"""Telegram end to end: the real PTB Application and the real engine against a fake Bot API server on 127.0.0.1.

Users are played through tests/fake_telegram.py: commands, forwarded and pasted SMS, a screenshot, a backup file,
buttons, an evidence PDF, a restart in the middle of a flow, bad input, floods, Bot API failures, and webhook mode
through bot/web.py with its secret-token check.
"""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import ClientSession, web
from pydantic import SecretStr

from bot.channels.telegram.channel import MENU, TelegramChannel
from bot.settings import Settings, TelegramSettings
from bot.texts import Texts
from bot.web import build_web_app
from bot.wiring import App, build_app
from tests.fake_telegram import FakeTelegram, Sent
from tests.sms.test_ocr import THREAD, png_bytes, render

SH = ZoneInfo("Asia/Shanghai")
SECRET = "s3cret_Token-for-tests"
BACKUP = (
    '<?xml version="1.0" encoding="UTF-8"?><smses count="2">'
    '<sms protocol="0" address="10690000" date="1793644200000" type="1" body="【青禾买菜】验证码 906341，5分钟内有效。" />'
    '<sms protocol="0" address="13800000000" date="1793644260000" type="1" body="再不还钱就去你单位找你领导。" />'
    "</smses>"
).encode()


def night_paste(n: int = 12) -> str:
    start = datetime(2026, 11, 3, 2, 10, tzinfo=SH)
    blocks = [
        f"{start + timedelta(seconds=25 * i):%Y-%m-%d %H:%M:%S}\n【速购优选】您的验证码是{100000 + i * 7919}，用于注册，5分钟内有效。"
        for i in range(n)
    ]
    blocks.append("2026-11-03 01:58:00\n今晚让你好好体验一下，不还钱就别想睡觉，明天把你欠钱的事发给你通讯录里所有人。")
    return "\n\n".join(blocks)


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns on integer time periods (RetryAfter) unless opted in; warnings are errors here."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram().start()
    yield server
    await server.close()
    too_long = [s for s in server.sent if len(s.text.encode("utf-16-le")) // 2 > 4096]
    assert not too_long  # every message the bot sent respected the limit


def make_channel(engine: Any, fake: FakeTelegram, **kw: Any) -> TelegramChannel:
    fields = {k: kw.pop(k) for k in list(kw) if k in TelegramSettings.model_fields}
    tg = TelegramSettings(
        token=SecretStr(fake.token), base_url=fake.base_url, base_file_url=fake.base_file_url, **fields
    )
    options: dict[str, Any] = {
        "request_timeout": 3.0,
        "retry_base_delay": 0.05,
        "typing_after": 0.1,
        "poll_interval": 0.05,
        "poll_timeout": 1.0,
    }
    options.update(kw)
    return TelegramChannel(engine, tg, Texts(), **options)


@pytest.fixture
async def channel(app: App, fake: FakeTelegram) -> AsyncIterator[TelegramChannel]:
    ch = make_channel(app.engine, fake)
    await ch.start(polling=True)
    yield ch
    await ch.stop()


async def reply_to(fake: FakeTelegram, uid: int, n: int = 1, timeout: float = 20.0) -> Sent:
    """The n-th thing the bot sent to a user (1-based), waiting for it."""
    return (await fake.wait_replies(uid, n, timeout))[n - 1]


async def test_start_sets_the_command_menu_and_answers(channel: TelegramChannel, fake: FakeTelegram) -> None:
    assert [c["command"] for c in fake.commands] == list(MENU)
    assert all(c["description"] for c in fake.commands)
    await fake.send_text(101, "/start")
    first = await reply_to(fake, 101)
    assert "我是「安宁」" in first.text
    assert all("parse_mode" not in p for p in fake.method_calls("sendMessage"))  # plain text, nothing to escape


async def test_forwarded_sms_goes_to_analysis_with_its_original_date(
    app: App, channel: TelegramChannel, fake: FakeTelegram
) -> None:
    sent = datetime(2026, 11, 3, 2, 14, tzinfo=SH)
    await fake.send_text(102, "再不还钱就把你的照片发到你们公司群里。", forward_date=sent)
    answer = await reply_to(fake, 102)
    assert "新增 1 条" in answer.text and answer.buttons  # analysis + evidence log + inline keyboard
    items = await app.evidence.items("telegram:102")
    assert len(items) == 1 and items[0].source == "forward" and items[0].sent_at == sent


async def test_pasted_night_then_evidence_pdf_comes_back_as_a_document(
    app: App, channel: TelegramChannel, fake: FakeTelegram
) -> None:
    await fake.send_text(103, night_paste())
    analysis = await reply_to(fake, 103)
    assert "13 条" in analysis.text and "验证码" in analysis.text
    await fake.send_text(103, "/evidence pdf")
    sent = await fake.wait_for(lambda: [s for s in fake.sent_to(103) if s.is_document], timeout=30)
    pdf = sent[0]
    assert pdf.file_name.endswith(".pdf") and pdf.data.startswith(b"%PDF") and len(pdf.data) > 10_000
    assert await app.evidence.count("telegram:103") == 13


@pytest.mark.slow
async def test_screenshot_is_read_from_the_largest_size_and_confirmed_by_button(
    app: App, channel: TelegramChannel, fake: FakeTelegram
) -> None:
    await fake.send_photo(104, png_bytes(render(THREAD)))
    shown = await reply_to(fake, 104, timeout=30)
    assert "请核对" in shown.text and "884213" in shown.text.replace(" ", "")
    assert fake.downloads and all("full" in path for path in fake.downloads)  # never the thumbnail
    assert (104, "typing") in fake.chat_actions  # OCR takes a moment: "typing…"
    assert await app.evidence.count("telegram:104") == 0
    label, data = shown.buttons[0]
    await fake.press_button(104, shown, data)
    done = await reply_to(fake, 104, 2, timeout=30)
    assert "已记入" in done.text
    assert fake.callback_answers  # the spinner on the button is stopped
    assert any(e["message_id"] == shown.message_id and label in e["text"] for e in fake.edits)  # keyboard removed
    assert len(await app.evidence.items("telegram:104")) == 3


@pytest.mark.slow
async def test_one_user_in_order_while_others_are_served_concurrently(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    await fake.send_photo(105, png_bytes(render(THREAD)))
    await fake.send_text(105, "/cancel")  # must be handled after the screenshot, though it is much faster
    await fake.send_text(106, "/help")
    first, second = await fake.wait_replies(105, 2, timeout=30)
    assert "请核对" in first.text and second.text == Texts().get("commands.cancel")
    other = await reply_to(fake, 106)
    assert other.at < first.at  # user 106 did not wait for user 105's OCR


async def test_backup_file_is_imported(app: App, channel: TelegramChannel, fake: FakeTelegram) -> None:
    await fake.send_document(107, "sms.xml", BACKUP, mime="text/xml")
    answer = await reply_to(fake, 107)
    assert "新增 2 条" in answer.text
    assert {i.source for i in await app.evidence.items("telegram:107")} == {"backup"}


async def test_twenty_megabyte_file_is_refused_before_downloading(channel: TelegramChannel, fake: FakeTelegram) -> None:
    await fake.send_document(108, "big.xml", b"<smses/>", declared_size=20 * 1024 * 1024)
    answer = await reply_to(fake, 108)
    assert "20 MB" in answer.text and "10 MB" in answer.text
    assert not fake.method_calls("getFile") and not fake.downloads


@pytest.mark.slow
async def test_forget_by_button_across_a_restart(app: App, settings: Settings, fake: FakeTelegram) -> None:
    first = make_channel(app.engine, fake)
    await first.start(polling=True)
    await fake.send_text(
        109, "再不还钱就把你的照片发到你们公司群里。", forward_date=datetime(2026, 11, 3, 2, 14, tzinfo=SH)
    )
    await reply_to(fake, 109)
    await fake.send_text(109, "/forget")
    confirm = await reply_to(fake, 109, 2)
    assert "确定要删除" in confirm.text and len(confirm.buttons) == 2
    await first.stop()  # the process goes away in the middle of the flow

    app2 = await build_app(settings)  # a new process: new engine, same database
    second = make_channel(app2.engine, fake)
    await second.start(polling=True)
    try:
        await fake.send_text(109, "/mydata")
        mine = await reply_to(fake, 109, 3)
        assert "证据记录：1 条短信" in mine.text
        yes = next(data for label, data in confirm.buttons if label == "确认删除")
        await fake.press_button(109, confirm, yes)
        done = await reply_to(fake, 109, 5)  # after /mydata's list and its JSON copy
        assert "已删除" in done.text
        assert await app2.evidence.count("telegram:109") == 0
    finally:
        await second.stop()
        await app2.close()


async def test_unexpected_updates_get_polite_replies_or_are_ignored(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    await fake.send_update(
        {"channel_post": {"message_id": 1, "chat": {"id": -1001234, "type": "channel", "title": "频道"}, "date": 1}}
    )
    await fake.send_update(
        {"message": fake.message(110, sticker={"file_id": "s", "file_unique_id": "s", "width": 512, "height": 512,
                                               "is_animated": False, "is_video": False, "type": "regular"})}
    )  # fmt: skip
    await fake.send_update({"message": fake.message(110, location={"latitude": 31.23, "longitude": 121.47})})
    await fake.send_update({"edited_message": {**fake.message(110, text="改一下"), "edit_date": 2}})
    sticker, location, edited = await fake.wait_replies(110, 3)
    assert "贴纸" in sticker.text and "位置" in location.text and "修改" in edited.text
    assert not fake.sent_to(-1001234)


async def test_groups_answer_only_when_addressed_and_log_nothing(
    channel: TelegramChannel, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    await fake.send_text(111, "今天中午吃什么呀", chat_id=-200)
    await fake.send_text(112, f"@{fake.bot_username} 帮我看看这条短信", chat_id=-200)
    hint = await reply_to(fake, -200)
    assert "私聊" in hint.text and len(fake.sent_to(-200)) == 1
    await fake.send_text(111, "/start")  # the same people in private are served
    assert "我是「安宁」" in (await reply_to(fake, 111)).text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "吃什么" not in logged and "帮我看看" not in logged


async def test_bot_api_failures_are_retried_and_each_reply_delivered_once(app: App, fake: FakeTelegram) -> None:
    ch = make_channel(app.engine, fake, request_timeout=0.5)
    fake.fail("getMe", 1, "502")
    fake.fail("getUpdates", 2, "502")
    await ch.start(polling=True)
    try:
        fake.fail("sendMessage", 2, "502")
        await fake.send_text(113, "/start")
        await reply_to(fake, 113)
        fake.fail("sendMessage", 1, "429", retry_after=1)
        await fake.send_text(114, "/help")
        await reply_to(fake, 114)
        fake.fail("sendMessage", 1, "timeout", delay=1.2)
        await fake.send_text(115, "/mydata")
        await reply_to(fake, 115)
        await ch.stop()  # settle: every update received is finished, replies (and any duplicate) included
        assert [len(fake.sent_to(u)) for u in (113, 114, 115)] == [1, 1, 1]
        assert len([p for p in fake.method_calls("sendMessage") if p["chat_id"] == 113]) == 3  # 2 × 502, then ok
    finally:
        await ch.stop()


@pytest.fixture
async def webhook(app: App, settings: Settings, fake: FakeTelegram) -> AsyncIterator[tuple[TelegramChannel, str]]:
    fake.webhook_lanes = 2
    ch = make_channel(app.engine, fake, webhook_secret=SecretStr(SECRET), rate_limit_per_minute=5)
    runner = web.AppRunner(build_web_app(settings, ch.routes()))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}{settings.web.prefix}"
    ch.settings.webhook_url = f"{base}/telegram"
    await ch.start(polling=False)
    yield ch, base
    await ch.stop()
    await runner.cleanup()


async def test_webhook_checks_the_secret_and_answers(webhook: tuple[TelegramChannel, str], fake: FakeTelegram) -> None:
    ch, base = webhook
    assert fake.webhook_url == f"{base}/telegram" and fake.webhook_secret == SECRET
    await fake.send_text(120, "/start")
    assert "我是「安宁」" in (await reply_to(fake, 120)).text
    assert fake.webhook_statuses[0] == 200
    forged = {"update_id": 1, "message": fake.message(121, text="/start")}
    async with ClientSession() as http:
        async with http.get(f"{base}/healthz") as resp:
            assert resp.status == 200 and await resp.text() == "ok"
        async with http.post(f"{base}/telegram", json=forged) as resp:
            assert resp.status == 403
        async with http.post(
            f"{base}/telegram", json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
        ) as resp:
            assert resp.status == 403
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with http.post(f"{base}/telegram", data=b"not json", headers=headers) as resp:
            assert resp.status == 400
        async with http.post(f"{base}/telegram", data=io.BytesIO(b"x" * (2 * 1024 * 1024)), headers=headers) as resp:
            assert resp.status == 413
    await ch.stop()  # settle: whatever the bot had queued is finished
    assert not fake.sent_to(121)  # nothing processed without the secret


async def test_webhook_flood_from_one_user_does_not_hold_up_others(
    webhook: tuple[TelegramChannel, str], fake: FakeTelegram
) -> None:
    ch, _ = webhook
    for _ in range(12):
        await fake.send_text(130, "/help")
    await fake.send_text(131, "/start")
    assert "我是「安宁」" in (await reply_to(fake, 131)).text
    replies = await fake.wait_replies(130, 6)
    await fake.delivered()  # all 13 updates reached the bot ...
    await ch.stop()  # ... and the bot finished every one of them
    texts = [s.text for s in fake.sent_to(130)]
    assert len(texts) == 6  # five answers, one friendly note, the rest dropped silently
    assert texts.count(Texts().get("telegram.rate_limited")) == 1 and replies[5].text == texts[5]
    assert texts[:5] == [Texts().get("commands.help")] * 5
