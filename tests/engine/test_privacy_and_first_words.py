"""Asking how Anning keeps one's data gets a straight answer; a first message about what 'they' did finds its card."""

from __future__ import annotations

from bot.wiring import App
from tests.support import say


async def test_asking_whether_the_bot_leaks_data_gets_how_it_is_kept(app: App) -> None:
    reply = await say(app.engine, "你会不会泄露我的信息", "private")
    assert "加密保存" in reply and "/mydata" in reply and "/forget" in reply


async def test_a_collector_leaking_data_is_still_a_legal_question(app: App) -> None:
    reply = await say(app.engine, "催收泄露我的信息违法吗", "leaked")
    assert "加密保存" not in reply and "法律依据" in reply


async def test_a_first_message_about_what_they_did_is_answered_not_refused(app: App) -> None:
    reply = await say(app.engine, "他们把我的信息发到网上了", "posted")
    assert "没有覆盖" not in reply
    assert "截图" in reply and "法律依据" in reply
