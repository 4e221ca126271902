"""A WeChat Official Account message that arrives while the index is still loading is acknowledged within WeChat's
window (a holding line) and answered by customer-service message once `anning serve` is ready."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from aiohttp import ClientSession
from pydantic import SecretStr

from bot.settings import PROJECT_ROOT, Settings
from bot.texts import Texts
from tests.fake_wechat import FakeWeChat
from tests.ops.support import HeldEmbeddings, serving, until
from tests.wechat_support import OPENID, Signer, post_like_wechat, reply_content, text_xml

TOKEN = "opsMpToken"
NAME, PHONE = "司马懿", "13700001111"


async def test_an_official_account_message_before_ready_is_pushed_once_ready(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO)  # what `anning serve` logs
    fake = FakeWeChat()
    await fake.start()
    held = HeldEmbeddings(threading.Event())
    s = Settings(data_dir=tmp_path, knowledge_dir=PROJECT_ROOT / "knowledge")
    s.database_url = f"sqlite+aiosqlite:///{tmp_path / 'anning.sqlite3'}"
    s.encryption_key = SecretStr("D" * 43)
    s.understand.embedding = "hash"
    s.web.port = 0
    s.wechat_mp.token = SecretStr(TOKEN)
    s.wechat_mp.app_id = fake.app_id
    s.wechat_mp.app_secret = SecretStr(fake.secret)
    s.wechat_mp.api_base_url = fake.base_url
    s.wechat_mp.reply_budget_seconds = 0.3  # WeChat's 4.5 s, scaled down
    signer = Signer(TOKEN)
    try:
        async with serving(s, held) as srv, ClientSession() as http:
            first = await post_like_wechat(
                http, f"{srv.base}/wechat/mp", *signer.wrap(text_xml(f"我叫{NAME}，电话{PHONE}"))
            )
            assert first.status == 200
            query, body = signer.wrap(text_xml("/help"))
            answer = await post_like_wechat(http, f"{srv.base}/wechat/mp", query, body, timeout=5.0, attempts=1)
            assert answer.status == 200  # acknowledged within WeChat's window, with a holding line
            assert reply_content(signer, answer) == Texts().get("wechat.working")
            assert fake.sent_to(OPENID) == []
            held.release.set()
            await until(lambda: len(fake.sent_to(OPENID)) >= 2)
            assert fake.sent_to(OPENID)[-1].content == Texts().get("commands.help")  # in the person's order
    finally:
        held.abort()
        await fake.close()
    out, err = capfd.readouterr()
    logged = "\n".join([r.getMessage() for r in caplog.records] + [out, err])
    assert "serving: wechat_mp" in logged  # the capture works
    for needle in (OPENID, NAME, PHONE, TOKEN, fake.secret, "D" * 43):
        assert needle not in logged, needle
