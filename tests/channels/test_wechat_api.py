"""WeChat API client against the fake WeChat server over real HTTP: tokens, retries, errors, media, WeCom, menus."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession

from bot.channels.wechat.api import TOO_LARGE, WeChatApi, WeChatApiError
from bot.storage.crypto import Crypto
from bot.storage.db import Database
from bot.storage.tokens_repo import TokenStore
from tests.fake_wechat import FakeWeChat
from tests.support import stored_bytes

OPENID = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"
USERID = "zhangsan"
AGENT = 1000002


@pytest.fixture
async def fake() -> AsyncIterator[FakeWeChat]:
    server = FakeWeChat()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def session() -> AsyncIterator[ClientSession]:
    async with ClientSession() as s:
        yield s


def mp(session: ClientSession, fake: FakeWeChat, **kw: Any) -> WeChatApi:
    kw.setdefault("backoff_seconds", 0.01)
    return WeChatApi(session, fake.base_url + "/", "mp", fake.app_id, fake.secret, **kw)


def work(session: ClientSession, fake: FakeWeChat, **kw: Any) -> WeChatApi:
    kw.setdefault("backoff_seconds", 0.01)
    return WeChatApi(session, fake.base_url, "work", fake.corp_id, fake.corp_secret, **kw)


async def test_token_is_fetched_once_and_cached(session: ClientSession, fake: FakeWeChat) -> None:
    api = mp(session, fake)
    for i in range(3):
        await api.send_text(OPENID, f"第{i}条")
    assert fake.token_fetches == 1
    assert [m.content for m in fake.sent] == ["第0条", "第1条", "第2条"]
    assert all(m.kind == "mp" and m.to_user == OPENID and m.msgtype == "text" for m in fake.sent)


async def test_token_is_refreshed_300_seconds_before_it_expires(session: ClientSession, fake: FakeWeChat) -> None:
    now = [1000.0]
    api = mp(session, fake, clock=lambda: now[0])
    first = await api.access_token()
    now[0] += 7200 - 300 - 1
    assert await api.access_token() == first and fake.token_fetches == 1
    now[0] += 2
    assert await api.access_token() != first and fake.token_fetches == 2


async def test_concurrent_callers_share_one_token_fetch(session: ClientSession, fake: FakeWeChat) -> None:
    fake.token_delay = 0.2
    api = mp(session, fake)
    await asyncio.gather(*(api.send_text(f"user{i}", f"消息{i}") for i in range(20)))
    assert fake.token_fetches == 1
    assert sorted(m.to_user for m in fake.sent) == sorted(f"user{i}" for i in range(20))


async def test_a_failed_fetch_fails_every_waiter_without_more_fetches(session: ClientSession, fake: FakeWeChat) -> None:
    fake.token_delay = 0.1
    fake.fail("token", 40164, errmsg="invalid ip, not in whitelist")
    api = mp(session, fake)
    results = await asyncio.gather(*(api.send_text(f"user{i}", "hi") for i in range(5)), return_exceptions=True)
    assert all(isinstance(r, WeChatApiError) and r.errcode == 40164 for r in results)
    assert fake.token_fetches == 1 and not fake.sent
    await api.send_text(OPENID, "later")  # the next call tries again
    assert fake.token_fetches == 2 and len(fake.sent) == 1


async def test_expired_token_is_refetched_once_and_the_message_delivered_once(
    session: ClientSession, fake: FakeWeChat
) -> None:
    api = mp(session, fake)
    await api.send_text(OPENID, "一")
    fake.expire_tokens()
    await api.send_text(OPENID, "二")
    assert fake.token_fetches == 2
    assert [m.content for m in fake.sent] == ["一", "二"]


async def test_expired_token_under_concurrency_is_refetched_once(session: ClientSession, fake: FakeWeChat) -> None:
    api = mp(session, fake)
    await api.access_token()
    fake.expire_tokens()
    fake.token_delay = 0.05
    await asyncio.gather(*(api.send_text(f"user{i}", "hi") for i in range(10)))
    assert fake.token_fetches == 2 and len(fake.sent) == 10


async def test_two_token_errors_in_a_row_raise(session: ClientSession, fake: FakeWeChat) -> None:
    fake.fail("message/custom/send", 40001, times=2, errmsg="invalid credential")
    api = mp(session, fake)
    with pytest.raises(WeChatApiError) as info:
        await api.send_text(OPENID, "hi")
    assert info.value.errcode == 40001
    assert fake.token_fetches == 2 and not fake.sent


async def test_processes_sharing_a_token_store_fetch_one_token_between_them(
    session: ClientSession, fake: FakeWeChat, tmp_path: Path
) -> None:
    fake.latest_only = True  # every fetch makes the earlier token unusable, as WeChat does after its grace period
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 't.sqlite3'}")
    await db.create_all()
    store = TokenStore(db, Crypto(os.urandom(32)))
    first, second = mp(session, fake, tokens=store), mp(session, fake, tokens=store)  # two server processes
    await first.send_text(OPENID, "一")
    await second.send_text(OPENID, "二")
    assert fake.token_fetches == 1  # the second process took the stored token
    fake.expire_tokens()
    await first.send_text(OPENID, "三")  # 42001: refreshed once, and stored
    await second.send_text(OPENID, "四")  # its cached token is stale too: it takes the new one, no fetch
    assert fake.token_fetches == 2
    assert [m.content for m in fake.sent] == ["一", "二", "三", "四"]
    await db.close()
    assert fake.issued[-1].encode() not in stored_bytes(tmp_path / "t.sqlite3")  # encrypted at rest


async def test_without_a_shared_store_processes_invalidate_each_other(session: ClientSession, fake: FakeWeChat) -> None:
    fake.latest_only = True
    first, second = mp(session, fake), mp(session, fake)
    for text in ("一", "二", "三", "四"):
        await first.send_text(OPENID, text)
        await second.send_text(OPENID, text)
    assert fake.token_fetches == 8  # each call's token was replaced by the other process: the case the store avoids
    assert len(fake.sent) == 8


@pytest.mark.parametrize(("errcode", "status"), [(45009, 200), (-1, 200), (45011, 200), (0, 502)])
async def test_busy_answers_are_retried_and_delivered_once(
    session: ClientSession, fake: FakeWeChat, errcode: int, status: int
) -> None:
    fake.fail("message/custom/send", errcode, status=status)
    api = mp(session, fake)
    await api.send_text(OPENID, "hi")
    assert fake.calls.count("/cgi-bin/message/custom/send") == 2
    assert len(fake.sent) == 1 and fake.token_fetches == 1


async def test_busy_beyond_max_attempts_raises(session: ClientSession, fake: FakeWeChat) -> None:
    fake.fail("message/custom/send", 45009, times=10, errmsg="api freq out of limit")
    api = mp(session, fake, max_attempts=3)
    with pytest.raises(WeChatApiError) as info:
        await api.send_text(OPENID, "hi")
    assert info.value.errcode == 45009
    assert fake.calls.count("/cgi-bin/message/custom/send") == 3 and not fake.sent


async def test_busy_token_endpoint_is_retried(session: ClientSession, fake: FakeWeChat) -> None:
    fake.fail("token", -1, errmsg="system error")
    api = mp(session, fake)
    await api.send_text(OPENID, "hi")
    assert fake.token_fetches == 2 and len(fake.sent) == 1


@pytest.mark.parametrize(
    ("errcode", "errmsg"),
    [(48001, "api unauthorized"), (45015, "response out of time limit"), (45047, "out of response count limit")],
)
async def test_other_errors_raise_at_once(session: ClientSession, fake: FakeWeChat, errcode: int, errmsg: str) -> None:
    fake.fail("message/custom/send", errcode, errmsg=errmsg)
    api = mp(session, fake)
    with pytest.raises(WeChatApiError) as info:
        await api.send_text(OPENID, "hi")
    assert (info.value.errcode, info.value.errmsg) == (errcode, errmsg)
    assert fake.calls.count("/cgi-bin/message/custom/send") == 1 and not fake.sent


async def test_wrong_credentials_raise_without_retrying(session: ClientSession, fake: FakeWeChat) -> None:
    bad_app = WeChatApi(session, fake.base_url, "mp", "wx_other", fake.secret, backoff_seconds=0.01)
    with pytest.raises(WeChatApiError) as info:
        await bad_app.send_text(OPENID, "hi")
    assert info.value.errcode == 40013
    bad_secret = WeChatApi(session, fake.base_url, "mp", fake.app_id, "wrong", backoff_seconds=0.01)
    with pytest.raises(WeChatApiError) as info:
        await bad_secret.send_text(OPENID, "hi")
    assert info.value.errcode == 40001
    assert fake.token_fetches == 2 and not fake.sent


async def test_network_errors_are_retried_then_raise(session: ClientSession) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api = WeChatApi(session, f"http://127.0.0.1:{port}", "mp", "wx", "s", max_attempts=2, backoff_seconds=0.01)
    with pytest.raises(WeChatApiError) as info:
        await api.send_text(OPENID, "hi")
    assert info.value.errcode == -1 and "ClientConnectorError" in info.value.errmsg


async def test_chinese_text_arrives_unescaped_and_intact(session: ClientSession, fake: FakeWeChat) -> None:
    text = "催收天天打电话，犯法吗？\n“引号” \\u4e2d 😀 <b>&amp;"
    api = mp(session, fake)
    await api.send_text(OPENID, text)
    assert fake.sent[0].content == text
    assert "催收天天打电话".encode() in fake.raw_bodies[0]


async def test_download_media_returns_the_bytes(session: ClientSession, fake: FakeWeChat) -> None:
    picture = bytes(range(256)) * 200
    media_id = fake.add_media(picture)
    assert await mp(session, fake).download_media(media_id, max_bytes=1_000_000) == picture
    fake.chunked_media = True
    assert await work(session, fake).download_media(media_id, max_bytes=len(picture)) == picture


async def test_unknown_media_id_raises_40007(session: ClientSession, fake: FakeWeChat) -> None:
    for api in (mp(session, fake), work(session, fake)):  # text/plain JSON from MP, application/json from WeCom
        with pytest.raises(WeChatApiError) as info:
            await api.download_media("no_such_media", max_bytes=10)
        assert info.value.errcode == 40007


@pytest.mark.parametrize("chunked", [False, True])
async def test_download_over_max_bytes_is_refused(session: ClientSession, fake: FakeWeChat, chunked: bool) -> None:
    fake.chunked_media = chunked
    media_id = fake.add_media(b"\xff" * 100_000)
    with pytest.raises(WeChatApiError) as info:
        await mp(session, fake).download_media(media_id, max_bytes=50_000)
    assert info.value.errcode == TOO_LARGE and info.value.errmsg == "too large"
    assert fake.calls.count("/cgi-bin/media/get") == 1  # not retried


async def test_wecom_send_text_uses_gettoken_and_agentid(session: ClientSession, fake: FakeWeChat) -> None:
    api = work(session, fake)
    await api.send_text(USERID, "你好", agent_id=AGENT)
    await api.send_text(USERID, "再见", agent_id=AGENT)
    assert fake.calls.count("/cgi-bin/gettoken") == 1 and fake.token_fetches == 1
    assert [(m.kind, m.to_user, m.msgtype, m.content, m.agent_id) for m in fake.sent] == [
        ("work", USERID, "text", "你好", AGENT),
        ("work", USERID, "text", "再见", AGENT),
    ]
    with pytest.raises(ValueError, match="agent_id"):
        await api.send_text(USERID, "no agent")


async def test_wecom_upload_then_send_file(session: ClientSession, fake: FakeWeChat) -> None:
    api = work(session, fake)
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 10
    media_id = await api.upload_file("证据清单.pdf", pdf)
    assert fake.uploads[media_id] == ("证据清单.pdf", pdf)
    await api.send_file(USERID, media_id, AGENT)
    sent = await fake.wait_sent(1)
    assert (sent[0].msgtype, sent[0].content, sent[0].agent_id) == ("file", media_id, AGENT)
    assert await api.download_media(media_id, max_bytes=len(pdf)) == pdf


async def test_upload_is_retried_after_a_busy_answer(session: ClientSession, fake: FakeWeChat) -> None:
    fake.fail("media/upload", 45009)
    media_id = await work(session, fake).upload_file("a.txt", b"hello")
    assert fake.uploads == {media_id: ("a.txt", b"hello")}


async def test_create_menu_is_recorded(session: ClientSession, fake: FakeWeChat) -> None:
    menu = {
        "button": [
            {"type": "click", "name": "遇到催收", "key": "COLLECTION"},
            {"type": "click", "name": "验证码轰炸", "key": "SMS_BOMB"},
        ]
    }
    await mp(session, fake).create_menu(menu)
    assert fake.menus == [menu]


async def test_generic_call_returns_the_answer(session: ClientSession, fake: FakeWeChat) -> None:
    api = mp(session, fake)
    answer = await api.call("POST", "/cgi-bin/menu/create", json_body={"button": [{"type": "click", "name": "x"}]})
    assert answer == {"errcode": 0, "errmsg": "ok"}


async def test_kind_specific_methods_refuse_the_other_kind(session: ClientSession, fake: FakeWeChat) -> None:
    with pytest.raises(ValueError):
        await mp(session, fake).send_file(OPENID, "m", AGENT)
    with pytest.raises(ValueError):
        await work(session, fake).create_menu({"button": []})
    assert not fake.calls


async def test_tokens_secrets_and_texts_never_reach_the_logs(
    session: ClientSession, fake: FakeWeChat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api = mp(session, fake)
    await api.send_text(OPENID, "秘密内容一")
    fake.expire_tokens()
    fake.fail("message/custom/send", 45009)
    await api.send_text(OPENID, "秘密内容二")
    fake.fail("message/custom/send", 48001)
    with pytest.raises(WeChatApiError) as info:
        await api.send_text(OPENID, "秘密内容三")
    assert len(fake.issued) == 2 and caplog.records  # something was logged
    logged = caplog.text + repr(api) + str(info.value)
    for secret in [*fake.issued, fake.secret, "秘密内容"]:
        assert secret not in logged
    assert "45009" in caplog.text and "48001" in caplog.text
