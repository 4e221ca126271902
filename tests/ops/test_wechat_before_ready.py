"""A WeChat Official Account message that arrives while the index is still loading is acknowledged within WeChat's
window (a holding line) and answered by customer-service message once `anning serve` is ready."""

from __future__ import annotations

import threading
from pathlib import Path

from aiohttp import ClientSession
from pydantic import SecretStr

from bot.settings import PROJECT_ROOT, Settings
from bot.texts import Texts
from tests.fake_wechat import FakeWeChat
from tests.ops.support import HeldEmbeddings, serving, until
from tests.wechat_support import OPENID, Signer, post_like_wechat, reply_content, text_xml

TOKEN = "opsMpToken"


async def test_an_official_account_message_before_ready_is_pushed_once_ready(tmp_path: Path) -> None:
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
            query, body = signer.wrap(text_xml("/help"))
            answer = await post_like_wechat(http, f"{srv.base}/wechat/mp", query, body, timeout=5.0, attempts=1)
            assert answer.status == 200  # acknowledged within WeChat's window, with a holding line
            assert reply_content(signer, answer) == Texts().get("wechat.working")
            assert fake.sent_to(OPENID) == []
            held.release.set()
            await until(lambda: fake.sent_to(OPENID))
            assert [m.content for m in fake.sent_to(OPENID)] == [Texts().get("commands.help")]
    finally:
        held.abort()
        await fake.close()
