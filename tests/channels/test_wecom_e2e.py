"""WeCom (企业微信) end to end: encrypted callbacks over real HTTP into the web app, the real engine, and replies and
files through the fake WeChat API server (gettoken, message/send, media/get, media/upload) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp import ClientSession, web
from pydantic import SecretStr

from bot.channels.wechat.api import WeChatApi
from bot.channels.wechat.crypto import MessageCrypto, signature
from bot.channels.wechat.wecom import WeComChannel
from bot.channels.wechat.xml_codec import cdata, parse_xml
from bot.settings import Settings, WeComSettings
from bot.texts import Texts
from bot.web import build_web_app
from bot.wiring import App
from tests.fake_wechat import FakeWeChat, SentMessage
from tests.sms.test_ocr import THREAD, png_bytes, render
from tests.wechat_support import image_xml, left_by_a_crash, message_xml, text_xml, wait_held

TOKEN = "wecomToken42"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"  # a made-up 43-character EncodingAESKey
AGENT_ID = 1000002
USER = "ZhangSan"
NONCE = "5577"
T = Texts()


@dataclass
class WeComRig:
    """The web app with the WeCom channel, and a WeCom server that posts to it."""

    url: str
    http: ClientSession
    crypto: MessageCrypto
    fake: FakeWeChat
    channel: WeComChannel

    def signed(self, payload: str, timestamp: int | None = None, nonce: str = NONCE) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        return {"msg_signature": signature(TOKEN, ts, nonce, payload), "timestamp": ts, "nonce": nonce}

    def wrap(self, inner: str, nonce: str | None = None, timestamp: int | None = None) -> tuple[dict[str, str], str]:
        """(query, body) as WeCom posts a message: a fresh random nonce for each callback unless one is given."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        once = nonce or str(secrets.randbelow(10**10))
        encrypted = parse_xml(self.crypto.encrypt(inner, once, ts))["Encrypt"]
        body = (
            f"<xml><ToUserName>{cdata(self.fake.corp_id)}</ToUserName><AgentID>{AGENT_ID}</AgentID>"
            f"<Encrypt>{cdata(encrypted)}</Encrypt></xml>"
        )
        return self.signed(encrypted, int(ts), once), body

    async def post(self, inner: str) -> tuple[int, str]:
        query, body = self.wrap(inner)
        async with self.http.post(self.url, params=query, data=body) as r:
            return r.status, await r.text()

    async def replies(self, count: int) -> list[SentMessage]:
        return await self.fake.wait_sent(count, timeout=30)


async def serve_wecom(
    app: App, settings: Settings, fake: FakeWeChat, http: ClientSession
) -> tuple[str, WeComChannel, web.AppRunner]:
    """One process's WeCom channel on 127.0.0.1: its callback URL, the channel and its runner."""
    work = WeComSettings(
        token=SecretStr(TOKEN),
        corp_id=fake.corp_id,
        corp_secret=SecretStr(fake.corp_secret),
        agent_id=AGENT_ID,
        encoding_aes_key=SecretStr(AES_KEY),
        api_base_url=fake.base_url,
    )
    api = WeChatApi(http, fake.base_url, "work", fake.corp_id, fake.corp_secret, backoff_seconds=0.01)
    channel = WeComChannel(app.engine, work, Texts(), app.outbox, api, inbox=app.inbox, nonces=app.nonces)
    runner = web.AppRunner(build_web_app(settings, channel.routes()), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return f"http://127.0.0.1:{runner.addresses[0][1]}/hooks/wechat/work", channel, runner


@pytest.fixture
async def rig(app: App, settings: Settings) -> AsyncIterator[WeComRig]:
    fake = FakeWeChat()
    await fake.start()
    http = ClientSession()
    url, channel, runner = await serve_wecom(app, settings, fake, http)
    crypto = MessageCrypto(TOKEN, AES_KEY, fake.corp_id, work=True)
    yield WeComRig(url, http, crypto, fake, channel)
    await channel.close()
    await runner.cleanup()
    await http.close()
    await fake.close()
    assert all(len(m.content.encode()) <= 2048 for m in fake.sent if m.msgtype == "text")


def work_text(content: str, msg_id: str | None = None) -> str:
    return text_xml(content, user=USER, msg_id=msg_id).replace("</xml>", f"<AgentID>{AGENT_ID}</AgentID></xml>")


async def test_url_verification_decrypts_the_echostr(rig: WeComRig) -> None:
    echo = parse_xml(rig.crypto.encrypt("5927782489442352469", NONCE, str(int(time.time()))))["Encrypt"]
    async with rig.http.get(rig.url, params={**rig.signed(echo), "echostr": echo}) as r:
        assert (r.status, await r.text()) == (200, "5927782489442352469")
    async with rig.http.get(rig.url, params={**rig.signed("other"), "echostr": echo}) as r:
        assert r.status == 403


async def test_question_is_answered_through_the_app_message_api(rig: WeComRig) -> None:
    status, body = await rig.post(work_text("有人冒充法院给我发短信说要起诉我，怎么分辨真假？"))
    assert (status, body) == (200, "")  # answered at once; the reply is pushed
    sent = await rig.replies(2)  # the scam warning first, then the answer (too long for one push with it)
    assert all(m.to_user == USER and m.agent_id == AGENT_ID and m.msgtype == "text" for m in sent)
    assert sent[0].content.startswith("⚠️") and "《" in sent[1].content


async def test_evidence_pdf_arrives_as_a_real_file(rig: WeComRig, app: App) -> None:
    await rig.post(work_text("【速购优选】您的验证码是482913，用于注册，5分钟内有效。"))
    await rig.replies(1)
    await rig.post(work_text("/evidence pdf"))
    sent = await rig.replies(3)  # the analysis, then the export: its text and its file (not a race with the upload)
    files = [m for m in sent if m.msgtype == "file"]
    assert len(files) == 1
    name, data = rig.fake.uploads[files[0].content]
    assert name.endswith(".pdf") and data.startswith(b"%PDF")
    texts = [m for m in sent[1:] if m.msgtype == "text"]
    assert texts and sent.index(texts[0]) < sent.index(files[0])  # the explanation comes before the file


@pytest.mark.slow
async def test_screenshot_is_downloaded_and_read(rig: WeComRig) -> None:
    media_id = rig.fake.add_media(png_bytes(render(THREAD)), "image/png")
    inner = image_xml(media_id, user=USER).replace("</xml>", f"<AgentID>{AGENT_ID}</AgentID></xml>")
    await rig.post(inner)
    sent = await rig.replies(1)
    assert "验证码" in sent[0].content and "回复数字选择" in sent[0].content


async def test_bad_callbacks_are_refused_and_nothing_is_sent(rig: WeComRig, app: App) -> None:
    query, body = rig.wrap(work_text("/help"))
    for params, data, status in [
        ({**query, "msg_signature": "0" * 40}, body, 403),
        ({**query, "timestamp": "1409735669"}, body, 403),  # an old request replayed
        (query, "<xml><Encrypt>", 400),
        (query, '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>', 400),
        (rig.signed("bm90IGEgcmVhbCBtZXNzYWdl"), "<xml><Encrypt>bm90IGEgcmVhbCBtZXNzYWdl</Encrypt></xml>", 400),
    ]:
        async with rig.http.post(rig.url, params=params, data=io.BytesIO(data.encode())) as r:
            assert r.status == status
    await rig.channel.close()  # settle: anything accepted would have been sent by now
    assert rig.fake.sent == []


async def test_a_reused_nonce_with_another_body_is_refused(rig: WeComRig, app: App) -> None:
    now = int(time.time())
    query, body = rig.wrap(work_text("/help"), nonce="8080", timestamp=now)
    async with rig.http.post(rig.url, params=query, data=body) as r:
        assert r.status == 200
    await rig.replies(1)
    async with rig.http.post(rig.url, params=query, data=body) as r:
        assert r.status == 200  # WeCom's own retry repeats the whole request: de-duplicated by MsgId, not refused
    again_query, again = rig.wrap(work_text("/forget"), nonce="8080", timestamp=now)  # same pair, another message
    async with rig.http.post(rig.url, params=again_query, data=again) as r:
        assert r.status == 403
    await rig.channel.close()  # settle: anything accepted would have been sent by now
    assert len(rig.fake.sent) == 1


async def test_the_same_msgid_from_two_people_is_answered_for_both(rig: WeComRig) -> None:
    for user in ("LiSi", "WangWu"):
        inner = text_xml("/help", user=user, msg_id="7380000000000000077")
        await rig.post(inner.replace("</xml>", f"<AgentID>{AGENT_ID}</AgentID></xml>"))
    sent = await rig.replies(2)
    assert sorted(m.to_user for m in sent) == ["LiSi", "WangWu"]


async def test_retried_message_is_answered_once(rig: WeComRig) -> None:
    xml = work_text("/help", msg_id="7380000000000000042")
    await asyncio.gather(rig.post(xml), rig.post(xml), rig.post(xml))
    await rig.replies(1)
    await rig.channel.close()  # settle: a second answer would have been sent by now
    assert len(rig.fake.sent) == 1


async def test_a_retry_reaching_a_restarted_process_is_not_answered_twice(
    rig: WeComRig, app: App, settings: Settings
) -> None:
    xml = work_text("/help", msg_id="7380000000000000043")
    await rig.post(xml)
    await rig.replies(1)
    await rig.channel.close()
    url, channel, runner = await serve_wecom(app, settings, rig.fake, rig.http)  # a new process, same database
    try:
        restarted = WeComRig(url, rig.http, rig.crypto, rig.fake, channel)
        assert (await restarted.post(xml))[0] == 200
        await restarted.post(work_text("/cancel"))
        sent = await rig.replies(2)
        await channel.close()  # settle: a second answer to the retry would have been sent by now
        assert len(rig.fake.sent) == 2 and "/steps" in sent[0].content  # the retry was not answered again
    finally:
        await channel.close()
        await runner.cleanup()


async def test_api_outage_holds_replies_and_delivers_them_in_order_later(rig: WeComRig, app: App) -> None:
    rig.fake.fail("message/send", 45009, times=4, errmsg="api freq out of limit")  # all 4 attempts of one send
    await rig.post(work_text("/help"))
    assert await wait_held(app.outbox, f"wecom:{USER}", timeout=5) == 1
    await rig.post(work_text("/cancel"))
    sent = await rig.replies(2)
    assert "/steps" in sent[0].content  # the held /help answer first, then the new one
    assert await app.outbox.pending(f"wecom:{USER}") == 0


async def test_unsupported_and_event_messages(rig: WeComRig) -> None:
    video = message_xml("video", {"MediaId": "v1", "ThumbMediaId": "t1"}, user=USER)
    await rig.post(video)
    sent = await rig.replies(1)
    assert sent[0].content == T.get("wechat.unsupported")
    enter = message_xml("event", {"Event": "enter_agent", "EventKey": ""}, user=USER)
    await rig.post(enter)
    await rig.channel.close()  # settle: anything said on entering would have been sent by now
    assert len(rig.fake.sent) == 1  # entering the app says nothing


async def test_a_message_acknowledged_before_a_crash_is_pushed_after_the_restart(app: App, settings: Settings) -> None:
    inner = work_text("有人冒充法院给我发短信说要起诉我，怎么分辨真假？", msg_id="7700001")
    await left_by_a_crash(app.inbox, "wecom", inner)  # acknowledged with 200, then the process was killed
    fake = FakeWeChat()
    await fake.start()
    http = ClientSession()
    url, channel, runner = await serve_wecom(app, settings, fake, http)
    try:
        await channel.start()  # the next run
        sent = await fake.wait_sent(2, timeout=30)
        assert sent[0].to_user == USER and "《" in sent[1].content  # the answer the crash lost
        crypto = MessageCrypto(TOKEN, AES_KEY, fake.corp_id, work=True)
        rig = WeComRig(url, http, crypto, fake, channel)
        assert await rig.post(inner) == (200, "")  # WeCom retries the same message: not answered again
        await asyncio.sleep(0.5)
        assert [m.content for m in fake.sent if m.to_user == USER] == [m.content for m in sent[:2]]
    finally:
        await channel.close()
        await runner.cleanup()
        await http.close()
        await fake.close()
