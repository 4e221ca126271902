"""The engine end to end on a real database and index: commands, privacy commands, bad input, restarts."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from bot.settings import Settings
from bot.texts import Texts
from bot.wiring import App, build_app
from tests.support import msg, say


async def test_start_help_steps_cancel(app: App) -> None:
    assert "安宁" in await say(app.engine, "/start")
    assert "/forget" in await say(app.engine, "/help")
    assert "没有进行中的操作" in await say(app.engine, "/cancel")
    assert "步骤 1/7" in await say(app.engine, "/steps")
    assert "已取消" in await say(app.engine, "/cancel")
    assert "不认识这个命令" in await say(app.engine, "/frobnicate")


async def test_question_gets_cited_answer(app: App) -> None:
    replies = await app.engine.handle(msg("催收天天用验证码轰炸我手机，犯法吗？"))
    assert len(replies) == 1
    assert "《民法典》第一千零三十三条" in replies[0].text
    assert any(c.id == "civil-code:1033" for c in replies[0].citations)


async def test_forget_asks_then_erases_everything(app: App) -> None:
    await say(app.engine, "验证码轰炸怎么办", user="alice")
    assert "问过的问题：1 个" in await say(app.engine, "/mydata", user="alice")
    replies = await app.engine.handle(msg("/forget", user="alice"))
    assert replies[0].buttons and "确定要删除" in replies[0].text
    done = await app.engine.handle(msg(user="alice", button=replies[0].buttons[0].payload))
    assert "已删除" in done[0].text
    assert await app.engine.store.load("alice") is None
    assert "没有保存" in await say(app.engine, "/mydata", user="alice")


async def test_forget_can_be_declined_by_number(app: App) -> None:
    await say(app.engine, "你好", user="bob")
    await say(app.engine, "/forget", user="bob")
    assert "没有删除" in await say(app.engine, "2", user="bob")
    assert await app.engine.store.load("bob") is not None


async def test_forget_pending_then_a_question_keeps_data_and_answers(app: App) -> None:
    await say(app.engine, "/forget", user="carol")
    text = await say(app.engine, "催收打电话给我家人合法吗", user="carol")
    assert "个人信息" in text
    assert await app.engine.store.load("carol") is not None


async def test_bad_inputs_get_friendly_replies(app: App) -> None:
    e = app.engine
    assert "没有收到内容" in await say(e, "")
    assert "没有收到内容" in await say(e, "   \n\t ")
    huge = "催收" * 50_000  # 100 KB
    assert "太长了" in await say(e, huge)
    assert "不是文字" in await say(e, "\x00\x01\x02\x03garbage\x04\x05\x06\x07\x08")
    assert "表情" in await say(e, "😭😭😭🙏")
    assert "没有覆盖" in await say(e, "明天广州下不下雨")
    assert "Legal basis" in await say(e, "Collectors keep insulting me by SMS, what can I do?")


async def test_session_survives_a_restart(settings: Settings, app: App) -> None:
    await say(app.engine, "/forget", user="dave")
    await app.close()
    again = await build_app(settings)
    try:
        session = await again.engine.store.load("dave")
        assert session is not None and session.flow == "forget_confirm"
        assert "已删除" in await say(again.engine, "1", user="dave")
    finally:
        await again.close()


async def test_one_user_is_served_in_order_and_users_do_not_block_each_other(app: App) -> None:
    texts = [f"问题{i} 验证码轰炸怎么办" for i in range(5)]
    results = await asyncio.gather(
        *(app.engine.handle(msg(t, user="eve")) for t in texts), app.engine.handle(msg("/help", user="frank"))
    )
    assert all(r for r in results)
    session = await app.engine.store.load("eve")
    assert session is not None and session.questions == 5


async def test_personal_data_is_encrypted_at_rest(settings: Settings, app: App) -> None:
    await say(app.engine, "/forget", user="telegram:123456789")
    db_file = settings.database_url.split("///", 1)[1]
    raw = Path(db_file).read_bytes()
    assert b"123456789" not in raw and b"forget_confirm" not in raw
    assert len(raw) > 0


async def test_a_message_replayed_after_a_crash_is_applied_once(app: App) -> None:
    """The inbox replays a message whose answer was lost in a crash: if the session already took it in, the step
    does not move twice; the person is told the reply may have been lost."""

    async def step(text: str, key: str) -> str:
        await app.engine.handle(replace(msg(text, "replayer"), key=key))
        session = await app.engine.store.load("replayer")
        assert session is not None
        return session.journey_step or ""

    first = await step("/steps", "k1")
    second = await step("下一步", "k2")
    assert second != first
    replies = await app.engine.handle(replace(msg("下一步", "replayer"), key="k2"))  # k2 again: a replay
    assert [r.text for r in replies] == [Texts().get("engine.replayed")]
    assert await step("下一步", "k3") not in (first, second)  # the next new message moves on by one
