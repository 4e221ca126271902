"""WeChat Official Account end to end: real HTTP callbacks (plain and safe mode) into the web app, the real engine,
and a fake WeChat API server on 127.0.0.1 for tokens, customer-service messages and media.

WeChat's timing is scaled down (a 0.3 s reply budget instead of 4 s, a 0.5 s WeChat timeout instead of 5 s) so
the slow-answer cases run quickly; the logic is the same at full scale (bench/wechat_bench.py runs it at scale).
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, web
from pydantic import SecretStr

from bot.channels.file_links import FileLinks
from bot.channels.wechat.api import WeChatApi
from bot.channels.wechat.crypto import MessageCrypto, signature
from bot.channels.wechat.mp import WeChatMpChannel, menu
from bot.settings import Settings, WeChatMpSettings
from bot.texts import Texts
from bot.web import Route, build_web_app
from bot.wiring import App
from tests.fake_wechat import FakeWeChat
from tests.sms.test_ocr import THREAD, png_bytes, render
from tests.wechat_support import (
    OPENID,
    Attempt,
    Signer,
    SlowEngine,
    event_xml,
    image_xml,
    left_by_a_crash,
    message_xml,
    post_like_wechat,
    reply_content,
    text_xml,
    wait_held,
)

TOKEN = "spamtest"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # WeChat's published sample key
APP_ID = "wx_test_app"  # matches the fake server's app id
T = Texts()
DATA = Path(__file__).resolve().parent.parent / "data" / "wechat"


@dataclass
class Rig:
    """A running web app with the Official Account channel, and a WeChat that talks to it."""

    url: str
    channel: WeChatMpChannel
    signer: Signer
    http: ClientSession
    fake: FakeWeChat
    base: str

    async def send(self, inner_xml: str, timeout: float = 5.0, attempts: int = 1) -> Attempt:
        query, body = self.signer.wrap(inner_xml)
        return await post_like_wechat(self.http, self.url, query, body, timeout, attempts)

    async def say(self, text: str, **kw: Any) -> str | None:
        return reply_content(self.signer, await self.send(text_xml(text), **kw))


@pytest.fixture
async def fake() -> AsyncIterator[FakeWeChat]:
    server = FakeWeChat()
    await server.start()
    yield server
    await server.close()
    assert all(len(m.content.encode()) <= 2048 for m in server.sent if m.msgtype == "text")


RigFactory = Callable[..., Awaitable[Rig]]


@pytest.fixture
async def make_rig(app: App, settings: Settings, fake: FakeWeChat) -> AsyncIterator[RigFactory]:
    """Build the channel with the given settings and serve it on 127.0.0.1 through bot/web.py."""
    cleanups: list[Callable[[], Awaitable[None]]] = []
    http = ClientSession()

    async def build(
        *,
        safe: bool = False,
        engine: Any = None,
        with_api: bool = True,
        clock: Callable[[], float] = time.time,
        app_id: str = APP_ID,
        **kw: Any,
    ) -> Rig:
        timing = {k: kw.pop(k) for k in ("hold_seconds", "retry_window") if k in kw}
        mp = WeChatMpSettings(
            token=SecretStr(TOKEN),
            app_id=app_id,
            app_secret=SecretStr(fake.secret),
            encoding_aes_key=SecretStr(AES_KEY if safe else ""),
            api_base_url=fake.base_url,
            **kw,
        )
        api = WeChatApi(http, fake.base_url, "mp", APP_ID, fake.secret, backoff_seconds=0.01) if with_api else None
        links = FileLinks(app.files, app.crypto, "https://bot.example.org", "/hooks", 3600, Texts(), clock=clock)
        channel = WeChatMpChannel(
            engine or app.engine,
            mp,
            Texts(),
            app.outbox,
            api,
            links,
            clock=clock,
            inbox=app.inbox,
            nonces=app.nonces,
            **timing,
        )
        routes: list[Route] = [*channel.routes(), *links.routes()]
        runner = web.AppRunner(build_web_app(settings, routes), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        cleanups.append(channel.close)
        cleanups.append(runner.cleanup)
        crypto = MessageCrypto(TOKEN, AES_KEY, app_id) if safe else None
        return Rig(f"{base}/hooks/wechat/mp", channel, Signer(TOKEN, crypto), http, fake, base)

    yield build
    for cleanup in cleanups:
        await cleanup()
    await http.close()


# -- URL verification and the request checks --------------------------------------------------------------------


async def test_url_verification_echoes_only_with_the_right_signature(make_rig: RigFactory) -> None:
    rig = await make_rig()
    query = {**rig.signer.query(), "echostr": "7193841526"}
    async with rig.http.get(rig.url, params=query) as r:
        assert (r.status, await r.text()) == (200, "7193841526")
    async with rig.http.get(rig.url, params={**query, "signature": "0" * 40}) as r:
        assert r.status == 403
    old = {**rig.signer.query(timestamp=int(time.time()) - 3600), "echostr": "1"}
    async with rig.http.get(rig.url, params=old) as r:
        assert r.status == 403  # a replayed old request


async def test_bad_requests_get_clear_statuses_and_nothing_is_processed(make_rig: RigFactory, app: App) -> None:
    rig = await make_rig()
    paste = "【速购优选】您的验证码是482913，5分钟内有效。"
    query, body = rig.signer.wrap(text_xml(paste))
    cases: list[tuple[dict[str, str], bytes | str, int]] = [
        ({**query, "signature": "f" * 40}, body, 403),  # wrong signature
        ({k: v for k, v in query.items() if k != "signature"}, body, 403),  # missing signature
        (rig.signer.query(timestamp=int(time.time()) - 3600), body, 403),  # replayed, 1 h old
        (query, "<xml><Content>unclosed", 400),  # malformed XML
        (query, b"\x89PNG\r\n\x1a\n\x00\x00binary", 400),  # binary
        (query, '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Content>&x;</Content></xml>', 400),
        (
            query,
            '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><Content>&c;</Content></xml>',
            400,
        ),  # entity expansion
        (query, "<html><body>hi</body></html>", 400),  # not a WeChat message
        (query, "<xml>" + "x" * (1024 * 1024 + 10) + "</xml>", 413),  # oversized body
    ]
    for params, data, status in cases:
        payload = io.BytesIO(data.encode() if isinstance(data, str) else data)
        async with rig.http.post(rig.url, params=params, data=payload) as r:
            assert r.status == status, (params, str(data)[:60])
    assert await app.evidence.count(f"wechat_mp:{OPENID}") == 0
    assert rig.fake.sent == []


# -- a leaked callback URL --------------------------------------------------------------------------------------


async def test_a_captured_plain_url_cannot_carry_another_body(make_rig: RigFactory, app: App) -> None:
    """A callback URL from a proxy log, posted again within the timestamp window with the attacker's own body."""
    rig = await make_rig(customer_service=False)
    victim = f"wechat_mp:{OPENID}"
    query, body = rig.signer.wrap(text_xml("【速购优选】您的验证码是482913，用于注册，5分钟内有效。"))
    genuine = await post_like_wechat(rig.http, rig.url, query, body, attempts=1)
    assert genuine.status == 200 and await app.evidence.count(victim) == 1
    for forged in ("/evidence csv", "/forget", "确认"):
        async with rig.http.post(rig.url, params=query, data=text_xml(forged)) as r:
            assert r.status == 403, forged
    assert await app.evidence.count(victim) == 1  # nothing forgotten, nothing exported
    assert "/steps" in (await rig.say("/help") or "")  # the person's next real message is answered as usual


async def test_a_genuine_retry_repeating_the_whole_request_is_still_answered_once(
    make_rig: RigFactory, app: App
) -> None:
    for safe in (False, True):
        rig = await make_rig(safe=safe, customer_service=False)
        user = f"oRetry{int(safe)}"
        query, body = rig.signer.wrap(text_xml("【青禾买菜】验证码 906341，5分钟内有效。", user=user))
        first, second = await asyncio.gather(*(post_like_wechat(rig.http, rig.url, query, body) for _ in range(2)))
        third = await post_like_wechat(rig.http, rig.url, query, body)
        assert [a.status for a in (first, second, third)] == [200, 200, 200]  # retries are not taken for replays
        answers = [reply_content(rig.signer, a) for a in (first, second, third)]
        assert sum(a is not None for a in answers) == 1, answers  # one answer; the retries get "success"
        assert await app.evidence.count(f"wechat_mp:{user}") == 1


async def test_plain_callbacks_are_refused_when_safe_mode_is_configured(make_rig: RigFactory, app: App) -> None:
    rig = await make_rig(safe=True, customer_service=False)
    plain = Signer(TOKEN)  # a correct plain-mode signature: the token leaked, or the URL of a plain callback
    query, body = plain.wrap(text_xml("/forget"))
    async with rig.http.post(rig.url, params=query, data=body) as r:
        assert r.status == 403
    compatible_query, envelope = rig.signer.wrap(text_xml("/help"))  # safe and compatible mode: encrypt_type=aes
    assert "/steps" in (
        reply_content(rig.signer, await post_like_wechat(rig.http, rig.url, compatible_query, envelope)) or ""
    )


async def test_plain_mode_warns_at_start(make_rig: RigFactory, caplog: pytest.LogCaptureFixture) -> None:
    plain, safe = await make_rig(), await make_rig(safe=True)
    with caplog.at_level(logging.WARNING, logger="bot.channels.wechat.mp"):
        await safe.channel.start()
        assert not caplog.records
        await plain.channel.start()
    assert any("plain mode" in r.getMessage() for r in caplog.records)


async def test_the_same_msgid_from_two_people_is_answered_for_both(make_rig: RigFactory, app: App) -> None:
    rig = await make_rig(customer_service=False)
    code = "【速购优选】您的验证码是482913，用于注册，5分钟内有效。"
    one = await rig.send(text_xml(code, user="oPersonOne", msg_id="24600000000000555"))
    two = await rig.send(text_xml(code, user="oPersonTwo", msg_id="24600000000000555"))
    assert reply_content(rig.signer, one) is not None and reply_content(rig.signer, two) is not None
    assert await app.evidence.count("wechat_mp:oPersonOne") == 1
    assert await app.evidence.count("wechat_mp:oPersonTwo") == 1


# -- plain and safe mode -----------------------------------------------------------------------------------------


async def test_plain_mode_question_gets_a_cited_passive_reply(make_rig: RigFactory) -> None:
    rig = await make_rig(customer_service=False)
    answer = await rig.send(text_xml("催收天天用验证码轰炸我手机，犯法吗？"))
    assert answer.status == 200 and answer.text
    fields = rig.signer.open_reply(answer.text)
    assert (fields["ToUserName"], fields["FromUserName"], fields["MsgType"]) == (OPENID, "gh_3f1b2c4d5e6a", "text")
    assert "《" in fields["Content"] and "第" in fields["Content"]  # a cited article
    assert len(fields["Content"].encode()) <= 2048
    if "继续" in fields["Content"]:  # a long answer: the rest comes on "继续", numbered
        rest = await rig.say("继续")
        assert rest is not None and rest.startswith("（2/")


async def test_safe_mode_round_trip_with_the_published_key(make_rig: RigFactory) -> None:
    rig = await make_rig(safe=True, customer_service=False)
    content = await rig.say("/help")
    assert content is not None and "/steps" in content  # decrypted, signature-checked reply
    query, body = rig.signer.wrap(text_xml("/help"))
    forged = {**query, "msg_signature": "0" * 40}
    async with rig.http.post(rig.url, params=forged, data=body) as r:
        assert r.status == 403


async def test_the_published_safe_mode_sample_is_accepted_and_answered_encrypted(make_rig: RigFactory) -> None:
    sample = json.loads((DATA / "safe_mode_sample.json").read_text(encoding="utf-8"))["official_account"]
    assert (sample["token"], sample["encoding_aes_key"]) == (TOKEN, AES_KEY)
    moment = float(sample["timestamp"])  # the sample is from 2014: the channel's clock is set to its moment
    rig = await make_rig(safe=True, customer_service=False, app_id=sample["appid"], clock=lambda: moment)
    query = {
        "signature": signature(TOKEN, sample["timestamp"], sample["nonce"]),
        "timestamp": sample["timestamp"],
        "nonce": sample["nonce"],
        "encrypt_type": "aes",
        "msg_signature": sample["msg_signature"],
    }
    body = f"<xml><ToUserName><![CDATA[{sample['expected']['ToUserName']}]]></ToUserName>"
    body += f"<Encrypt><![CDATA[{sample['encrypt']}]]></Encrypt></xml>"
    answer = await post_like_wechat(rig.http, rig.url, query, body, attempts=1)
    assert answer.status == 200 and answer.text and "<Encrypt>" in answer.text
    fields = rig.signer.open_reply(answer.text)
    assert fields["ToUserName"] == sample["expected"]["FromUserName"]  # back to the sample's sender
    assert fields["Content"]  # "abcdteT" is not a question we cover: a kind answer all the same
    async with rig.http.post(rig.url, params={**query, "timestamp": str(int(moment) + 1)}, data=body) as r:
        assert r.status == 403  # the same body with another timestamp no longer matches its signature


async def test_sms_paste_is_analysed_and_logged(make_rig: RigFactory, app: App) -> None:
    rig = await make_rig(customer_service=False)
    paste = (
        "2026-11-03 02:10:05\n【速购优选】您的验证码是482913，用于注册，5分钟内有效。\n\n"
        "2026-11-03 02:10:31\n【青禾买菜】验证码 906341，5分钟内有效。"
    )
    content = await rig.say(paste)
    assert content is not None and "验证码" in content
    assert await app.evidence.count(f"wechat_mp:{OPENID}") == 2


async def test_subscribe_menu_and_numbered_buttons(make_rig: RigFactory) -> None:
    rig = await make_rig(customer_service=False)
    welcome = reply_content(rig.signer, await rig.send(event_xml("subscribe")))
    assert welcome is not None and welcome.startswith(T.get("commands.start")[:10])
    step = reply_content(rig.signer, await rig.send(event_xml("CLICK", "cmd:steps")))
    assert step is not None and "1/7" in step and "回复数字选择" in step
    assert await rig.say("1") is not None  # a numbered choice is understood
    assert (await rig.send(event_xml("VIEW", "https://example.org"))).text == "success"  # nothing to say
    assert (await rig.send(event_xml("CLICK", "cmd:unknown"))).text == "success"


async def test_menu_is_created_through_the_api(make_rig: RigFactory, fake: FakeWeChat) -> None:
    rig = await make_rig()
    await rig.channel.create_menu()
    assert fake.menus == [menu(T)]


@pytest.mark.slow
async def test_screenshot_is_downloaded_by_media_id_and_read(make_rig: RigFactory, fake: FakeWeChat) -> None:
    rig = await make_rig(customer_service=False, reply_budget_seconds=20)
    media_id = fake.add_media(png_bytes(render(THREAD)), "image/png")
    content = reply_content(rig.signer, await rig.send(image_xml(media_id), timeout=30))
    assert content is not None and "回复数字选择" in content  # the read text is shown for confirmation
    assert "验证码" in content
    missing = reply_content(rig.signer, await rig.send(image_xml("media_gone"), timeout=30))
    assert missing == T.get("wechat.image_unavailable")


async def test_voice_and_unsupported_types_get_polite_answers(make_rig: RigFactory) -> None:
    rig = await make_rig(customer_service=False)
    voice = message_xml("voice", {"MediaId": "m1", "Format": "amr", "Recognition": "验证码轰炸犯法吗"})
    first = reply_content(rig.signer, await rig.send(voice)) or ""
    assert "《" in first
    mute = message_xml("voice", {"MediaId": "m2", "Format": "amr"})
    if "继续" in first:  # a long voice answer: the rest comes on "继续" (answers now usually fit one message)
        held = await rig.say("继续")
        assert held is not None and held.startswith("（2/")
    assert reply_content(rig.signer, await rig.send(mute)) == T.get("wechat.voice_unrecognised")
    for kind, fields in [
        ("video", {"MediaId": "v", "ThumbMediaId": "t"}),
        ("location", {"Location_X": "23.1", "Location_Y": "113.3", "Scale": "20", "Label": "某地"}),
        ("link", {"Title": "t", "Description": "d", "Url": "https://example.org"}),
        ("hologram", {"Content": "?"}),
    ]:
        assert reply_content(rig.signer, await rig.send(message_xml(kind, fields))) == T.get("wechat.unsupported")


# -- length, the 5-second rule, retries ---------------------------------------------------------------------------


@pytest.mark.slow
async def test_long_answer_is_pushed_in_numbered_parts_in_order(make_rig: RigFactory, fake: FakeWeChat) -> None:
    # a budget WeChat would never allow, so that the long answer is in time on a busy machine too: this test is about
    # the parts, not the 5-second rule (the slow-answer tests below are)
    rig = await make_rig(reply_budget_seconds=60)
    answer = await rig.send(text_xml("/mydata"))  # fine either way; then a long one:
    assert answer.status == 200
    content = await rig.say("/steps")
    assert content
    answer = await rig.send(text_xml("/draft police_report"), timeout=60)  # the whole letter: several parts
    assert answer.text == "success"
    await fake.wait_sent(2)
    await rig.channel.close()  # settle: every push of this answer has been made
    texts = [m.content for m in fake.sent]
    assert all(len(p.encode()) <= 2048 for p in texts)
    numbers = [m for m in (re.match(r"（(\d+)/(\d+)）", p) for p in texts) if m]
    assert len(numbers) >= 2 and [int(m.group(1)) for m in numbers] == list(range(1, len(numbers) + 1))
    assert {int(m.group(2)) for m in numbers} == {len(numbers)}  # "（k/n）" with the right n, in order
    assert all("/files/" in p or "文件" in p for p in texts if not re.match(r"（\d+/\d+）", p))  # the rest: links


async def test_slow_answer_with_customer_service_is_acknowledged_then_pushed_once(
    make_rig: RigFactory, app: App, fake: FakeWeChat
) -> None:
    slow = SlowEngine(app.engine, delay=0.8)
    rig = await make_rig(engine=slow, reply_budget_seconds=0.3)
    answer = await rig.send(text_xml("/help"), timeout=0.5, attempts=3)
    assert reply_content(rig.signer, answer) == T.get("wechat.working")
    sent = await fake.wait_sent(1)
    await rig.channel.close()  # settle: every job is finished, a second push would have been sent by now
    assert len(fake.sent) == 1 and "/steps" in sent[0].content
    assert slow.calls == 1


async def test_no_customer_service_retry_takes_the_late_answer(make_rig: RigFactory, app: App) -> None:
    # attempt 1 waits until 0.4 s, WeChat retries at 0.5 s and attempt 2 waits until 0.9 s: the answer (0.65 s)
    # is late for the first and in time for the second, with 0.25 s to spare either way
    slow = SlowEngine(app.engine, delay=0.65)
    rig = await make_rig(engine=slow, customer_service=False, reply_budget_seconds=0.4, hold_seconds=0.4)
    answer = await rig.send(text_xml("/help"), timeout=0.5, attempts=3)
    assert answer.attempts == 2
    assert "/steps" in (reply_content(rig.signer, answer) or "")
    assert slow.calls == 1
    assert await app.outbox.pending(f"wechat_mp:{OPENID}") == 0  # delivered once, nothing held


async def test_no_customer_service_answer_after_all_retries_waits_for_the_next_message(
    make_rig: RigFactory, app: App
) -> None:
    slow = SlowEngine(app.engine, delay=2.0)  # later than all three attempts
    rig = await make_rig(
        engine=slow, customer_service=False, reply_budget_seconds=0.3, hold_seconds=0.3, retry_window=3.0
    )
    answer = await rig.send(text_xml("/help"), timeout=0.5, attempts=3)
    assert answer.attempts == 3 and reply_content(rig.signer, answer) == T.get("wechat.later")
    assert await wait_held(app.outbox, f"wechat_mp:{OPENID}", timeout=5) == 1  # the channel holds the late answer
    await rig.channel.close()  # settle: nothing else is still running (close() leaves the channel usable)
    assert await app.outbox.pending(f"wechat_mp:{OPENID}") == 1
    slow.delay = 0
    held = await rig.say("继续")
    assert held is not None and "/steps" in held
    assert slow.calls == 1  # "继续" only fetched the held answer
    assert await app.outbox.pending(f"wechat_mp:{OPENID}") == 0


async def test_refused_push_is_held_and_handed_over_next_time(make_rig: RigFactory, app: App, fake: FakeWeChat) -> None:
    fake.fail("message/custom/send", 45015, times=5, errmsg="response out of time limit")
    slow = SlowEngine(app.engine, delay=0.6)
    rig = await make_rig(engine=slow, reply_budget_seconds=0.3)
    assert reply_content(rig.signer, await rig.send(text_xml("/help"), timeout=2.0)) == T.get("wechat.working")
    await wait_held(app.outbox, f"wechat_mp:{OPENID}", timeout=2.5)
    slow.delay = 0
    fake._failures.clear()
    nxt = await rig.send(text_xml("/cancel"))
    assert nxt.text == "success"  # held parts go first, then the new answer, all pushed in order
    sent = await fake.wait_sent(2)
    assert "/steps" in sent[0].content


async def test_the_same_msgid_is_processed_once(make_rig: RigFactory, app: App) -> None:
    rig = await make_rig(customer_service=False)
    xml = text_xml("【速购优选】您的验证码是482913，用于注册，5分钟内有效。", msg_id="24600000000000777")
    first, second = await asyncio.gather(rig.send(xml), rig.send(xml))
    contents = [reply_content(rig.signer, a) for a in (first, second)]
    assert sum(c is not None for c in contents) == 1  # one answer, one "success"
    assert await app.evidence.count(f"wechat_mp:{OPENID}") == 1


async def test_a_retry_reaching_a_restarted_process_is_not_answered_twice(make_rig: RigFactory, app: App) -> None:
    engine = SlowEngine(app.engine, delay=0.0)
    before = await make_rig(engine=engine, customer_service=False)
    xml = text_xml("/help", msg_id="24600000000000888")
    assert "/steps" in (reply_content(before.signer, await before.send(xml)) or "")
    await before.channel.close()
    after = await make_rig(engine=engine, customer_service=False)  # a new process: nothing in memory, same database
    again = await after.send(xml)
    assert again.text == "success" and engine.calls == 1
    assert "/steps" in (await after.say("/help") or "")  # new messages are answered as usual


async def test_an_answer_cut_off_by_a_restart_is_handed_over_on_the_retry(make_rig: RigFactory, app: App) -> None:
    engine = SlowEngine(app.engine, delay=0.5)
    before = await make_rig(engine=engine, customer_service=False, reply_budget_seconds=0.2, hold_seconds=0.1)
    xml = text_xml("/help", msg_id="24600000000000999")
    assert (await before.send(xml, timeout=0.25)).text is None  # WeChat gave up on this attempt
    await before.channel.close()  # shutting down: the answer still being computed is held, not lost
    assert await app.outbox.pending(f"wechat_mp:{OPENID}") == 1
    after = await make_rig(engine=engine, customer_service=False)
    retry = await after.send(xml)
    assert "/steps" in (reply_content(after.signer, retry) or "")  # the held answer, not a second computation
    assert engine.calls == 1
    assert await app.outbox.pending(f"wechat_mp:{OPENID}") == 0


async def test_flooding_is_slowed_down_kindly(make_rig: RigFactory) -> None:
    rig = await make_rig(customer_service=False, rate_limit_per_minute=5)
    answers = [await rig.say("/help") for _ in range(8)]
    assert all(a and "/steps" in a for a in answers[:5])
    assert answers[5] == T.get("wechat.rate_limited")
    assert answers[6] is None and answers[7] is None  # told once, then quietly dropped


# -- documents as signed download links --------------------------------------------------------------------------


async def test_document_comes_as_a_signed_expiring_link(make_rig: RigFactory, app: App) -> None:
    now = [time.time()]
    rig = await make_rig(customer_service=False, clock=lambda: now[0])
    await rig.say("【速购优选】您的验证码是482913，用于注册，5分钟内有效。")
    content = await rig.say("/evidence pdf")
    assert content is not None
    match = re.search(r"https://bot\.example\.org/hooks(/files/\S+)", content)
    assert match, content
    assert "60 分钟内有效" in content  # what the link's lifetime (3600 s here) really is
    path = match.group(1)
    async with rig.http.get(rig.base + "/hooks" + path) as r:
        assert r.status == 200 and (await r.read()).startswith(b"%PDF")
        assert r.headers["Cache-Control"] == "no-store"
    token = path.rsplit("/", 1)[1]
    file_id, expires, sig = token.split(".")
    for bad in (f"{file_id}.{int(expires) + 9999}.{sig}", f"{'0' * 32}.{expires}.{sig}", "../../etc/passwd", "x"):
        async with rig.http.get(f"{rig.base}/hooks/files/{bad}") as r:
            assert r.status == 404
    now[0] += 7200
    async with rig.http.get(rig.base + "/hooks" + path) as r:
        assert r.status == 410 and "过期" in await r.text()
    now[0] -= 7200
    await rig.say("/forget")
    await rig.say("确认")
    async with rig.http.get(rig.base + "/hooks" + path) as r:
        assert r.status == 404  # /forget erased the file too


@pytest.mark.slow
async def test_full_scale_timing_slow_engine_is_delivered_exactly_once(
    make_rig: RigFactory, app: App, fake: FakeWeChat
) -> None:
    """WeChat's real timing (5 s timeout, three attempts, 4 s budget) with answers taking 3.5 s to 20 s.

    3.5 s: passive, first attempt. 6 s without pushes: the retry takes it. 8 s and 20 s with pushes: acknowledged,
    then pushed once. 20 s without pushes: all three attempts get "later", the answer waits for the next message.
    """
    fast = await make_rig(engine=SlowEngine(app.engine, 3.5), customer_service=False)
    retry = await make_rig(engine=SlowEngine(app.engine, 6.0), customer_service=False)
    push = await make_rig(engine=SlowEngine(app.engine, 8.0))
    push_late = await make_rig(engine=SlowEngine(app.engine, 20.0))
    late_engine = SlowEngine(app.engine, 20.0)
    held = await make_rig(engine=late_engine, customer_service=False)
    r4, r6, r8, r20_push, r20_held = await asyncio.gather(
        fast.send(text_xml("/help", user="oFour"), timeout=5.0, attempts=3),
        retry.send(text_xml("/help", user="oSix"), timeout=5.0, attempts=3),
        push.send(text_xml("/help", user="oEight"), timeout=5.0, attempts=3),
        push_late.send(text_xml("/help", user="oTwentyPush"), timeout=5.0, attempts=3),
        held.send(text_xml("/help", user="oTwentyHeld"), timeout=5.0, attempts=3),
    )
    assert r4.attempts == 1 and "/steps" in (reply_content(fast.signer, r4) or "")
    assert r6.attempts == 2 and "/steps" in (reply_content(retry.signer, r6) or "")
    assert r8.attempts == 1 and reply_content(push.signer, r8) == T.get("wechat.working")
    assert r20_push.attempts == 1 and reply_content(push_late.signer, r20_push) == T.get("wechat.working")
    assert r20_held.attempts == 3 and reply_content(held.signer, r20_held) == T.get("wechat.later")
    await fake.wait_sent(2, timeout=25)
    await wait_held(app.outbox, "wechat_mp:oTwentyHeld", timeout=10)  # the 20 s answer without pushes settles
    for rig in (fast, retry, push, push_late, held):
        await rig.channel.close()  # settle: every job is finished, anything pushed twice would have been sent by now
    assert sorted(m.to_user for m in fake.sent) == ["oEight", "oTwentyPush"]
    assert all("/steps" in m.content for m in fake.sent)
    assert await app.outbox.pending("wechat_mp:oTwentyHeld") == 1
    late_engine.delay = 0
    handed = await held.send(text_xml("继续", user="oTwentyHeld"))
    assert "/steps" in (reply_content(held.signer, handed) or "")
    assert late_engine.calls == 1  # "继续" fetched the held answer, nothing was computed twice
    assert await app.outbox.pending("wechat_mp:oTwentyHeld") == 0


async def test_a_retry_after_a_restart_gets_the_answer_the_crash_lost(make_rig: RigFactory, app: App) -> None:
    """Killed while computing: WeChat's retry reaches the restarted process, which computes the answer now (it used
    to find the message id claimed and answer "success", so the person never heard back)."""
    inner = text_xml("催收的人说明天要来我家门口堵我，我该怎么办", msg_id="880001")
    await left_by_a_crash(app.inbox, "wechat_mp", inner)
    rig = await make_rig(with_api=False)
    await rig.channel.start()  # the next run resumes it
    answer = reply_content(rig.signer, await rig.send(inner))  # WeChat's retry of the same MsgId
    assert answer and "110" in answer


async def test_an_answer_computed_before_a_crash_is_handed_over_not_computed_again(
    make_rig: RigFactory, app: App
) -> None:
    inner = text_xml("我想投诉这个催收", msg_id="880002")
    await left_by_a_crash(app.inbox, "wechat_mp", inner, answer=["（崩溃前算好的回答）"])
    rig = await make_rig(with_api=False)
    await rig.channel.start()
    assert reply_content(rig.signer, await rig.send(inner)) == "（崩溃前算好的回答）"
    assert reply_content(rig.signer, await rig.send(inner)) is None  # a further retry: already handed over
