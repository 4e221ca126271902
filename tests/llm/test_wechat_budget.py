"""The WeChat Official Account answers within its reply budget (4.5 s) with a model configured: the real channel,
web app and engine, WeChat played by real HTTP callbacks, the model at the fake OpenAI-compatible server. The WeChat
channels get their own, tighter model deadlines, so a slow model costs the offline answer, passively and in time."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession, web
from pydantic import SecretStr

from bot.channels.wechat.mp import WeChatMpChannel
from bot.llm.guard import Deadlines
from bot.settings import LLMSettings, Settings, WeChatMpSettings
from bot.texts import Texts
from bot.web import build_web_app
from bot.wiring import App, deadlines_of
from tests.fake_openai import FakeOpenAI, Say, Slow
from tests.support import msg
from tests.wechat_support import Signer, post_like_wechat, reply_content, text_xml

TOKEN = "budgettest"
QUESTION = "催收天天用验证码轰炸我手机，犯法吗？"
BUDGET = WeChatMpSettings().reply_budget_seconds


@pytest.fixture
async def wechat(llm_app: App, settings: Settings) -> AsyncIterator[tuple[str, ClientSession]]:
    """The Official Account channel on llm_app, without the push API: only a passive reply in time reaches the
    person on the first attempt."""
    mp = WeChatMpSettings(token=SecretStr(TOKEN), app_id="wx_budget", customer_service=False)
    channel = WeChatMpChannel(
        llm_app.engine, mp, Texts(), llm_app.outbox, None, None, inbox=llm_app.inbox, nonces=llm_app.nonces
    )
    runner = web.AppRunner(build_web_app(settings, list(channel.routes())), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    http = ClientSession()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/hooks/wechat/mp", http
    await http.close()
    await channel.close()
    await runner.cleanup()


async def ask(url: str, http: ClientSession) -> tuple[str | None, float]:
    signer = Signer(TOKEN)
    query, body = signer.wrap(text_xml(QUESTION))
    started = time.monotonic()
    attempt = await post_like_wechat(http, url, query, body, timeout=5.0, attempts=1)
    return reply_content(signer, attempt), time.monotonic() - started


def test_the_wechat_deadlines_leave_room_in_the_reply_budget() -> None:
    s = LLMSettings()
    assert s.wechat_understand_deadline_seconds + s.wechat_answer_deadline_seconds <= BUDGET - 1.0
    d = deadlines_of(Settings(llm=s))
    assert d.for_answer("wechat_mp:x") == d.for_answer("wecom:x") == s.wechat_answer_deadline_seconds
    assert d.for_answer("wechat_mp:x", streaming=True) == s.wechat_answer_deadline_seconds  # never longer there
    assert d.for_understanding("wecom:x") == s.wechat_understand_deadline_seconds
    assert d.for_answer("telegram:1", streaming=True) == s.stream_deadline_seconds
    assert d.for_answer("terminal:me") == s.answer_deadline_seconds
    assert Deadlines(answer=1.0, tight_answer=3.0).for_answer("wecom:x") == 1.0  # the tighter of the two


@pytest.mark.slow
async def test_a_slow_model_costs_the_offline_answer_within_the_budget(
    wechat: tuple[str, ClientSession], llm_app: App, app: App, fake_openai: FakeOpenAI
) -> None:
    offline = (await app.engine.handle(msg(QUESTION)))[0].text
    fake_openai.default = Slow(30, Say("太晚了 [P1]。"))
    text, took = await ask(*wechat)
    assert text is not None, "no passive reply within WeChat's wait"
    assert took < BUDGET
    assert text.split("\n")[0] == offline.split("\n")[0] and "太晚了" not in text
    assert llm_app.llm is not None and llm_app.llm.guard.stats.late >= 1


async def test_a_good_model_is_heard_within_the_budget(
    wechat: tuple[str, ClientSession], fake_openai: FakeOpenAI
) -> None:
    text, took = await ask(*wechat)
    assert text is not None and took < BUDGET
    assert text.startswith("这种做法不合法，你可以保留证据并投诉 [1]。")  # tests/fake_openai.good_model
