"""The seven-step journey in the chat: buttons, progress, pause and resume, questions mid-way, restarts."""

from __future__ import annotations

from bot.settings import Settings
from bot.wiring import App, build_app
from tests.support import msg, say

STEP_TITLES = ["识别骚扰", "保留证据", "要求停止", "向借款平台投诉", "向运营商投诉", "报警或起诉", "向金融监管部门投诉"]


async def _press(app: App, user: str, label_part: str) -> str:
    session = await app.engine.store.load(user)
    assert session is not None
    payload = next(p for label, p in session.pending.choices if label_part in label)
    replies = await app.engine.handle(msg(user=user, button=payload))
    return "\n".join(r.text for r in replies)


async def test_walk_all_seven_steps_with_buttons(app: App) -> None:
    text = await say(app.engine, "/steps", user="w")
    assert "步骤 1/7：识别骚扰" in text and "《民法典》第一千零三十三条" in text
    for n, title in enumerate(STEP_TITLES[1:], 2):
        text = await _press(app, "w", "下一步")
        assert f"步骤 {n}/7：{title}" in text
    assert "12378" in text and "2023" in text  # regulators step names the current regulator
    text = await _press(app, "w", "下一步")
    assert "七个步骤都走完了" in text and "协商" in text
    session = await app.engine.store.load("w")
    assert session is not None and session.flow is None and session.journey_step is None


async def test_operator_step_names_the_operator_first_rule(app: App) -> None:
    await say(app.engine, "/steps", user="op")
    for _ in range(4):
        text = await _press(app, "op", "下一步")
    assert "步骤 5/7" in text and "15 日" in text and "12300" in text and "10086" in text


async def test_back_skip_and_numbered_choices(app: App) -> None:
    await say(app.engine, "/steps", user="b")
    await _press(app, "b", "跳过")
    text = await _press(app, "b", "上一步")
    assert "步骤 1/7" in text
    session = await app.engine.store.load("b")
    assert session is not None
    number = next(i for i, (label, _) in enumerate(session.pending.choices, 1) if "下一步" in label)
    assert "步骤 2/7" in await say(app.engine, str(number), user="b")


async def test_pause_then_resume_days_later_across_a_restart(settings: Settings, app: App) -> None:
    await say(app.engine, "/steps", user="p")
    await _press(app, "p", "下一步")
    await _press(app, "p", "下一步")
    assert "第 3/7 步" in await _press(app, "p", "暂停")
    await app.close()
    again = await build_app(settings)
    try:
        text = await say(again.engine, "/steps", user="p")
        assert "欢迎回来" in text and "步骤 3/7" in text
    finally:
        await again.close()


async def test_question_mid_flow_is_answered_then_the_journey_waits(app: App) -> None:
    await say(app.engine, "/steps", user="q")
    await _press(app, "q", "下一步")
    text = await say(app.engine, "录音合法吗？催收电话能录吗", user="q")
    assert "第 2/7 步" in text and "继续" in text
    assert "步骤 2/7" in await say(app.engine, "继续", user="q")


async def test_cancel_ends_the_flow_and_steps_resumes(app: App) -> None:
    await say(app.engine, "/steps", user="c")
    await _press(app, "c", "下一步")
    assert "已取消" in await say(app.engine, "/cancel", user="c")
    assert "法律依据" in await say(app.engine, "验证码轰炸违法吗", user="c")  # a normal answer, no flow hint
    assert "步骤 2/7" in await say(app.engine, "/steps", user="c")


async def test_first_step_uses_the_evidence_log(app: App) -> None:
    await say(
        app.engine,
        "2026-11-03 02:14\n【速购优选】验证码：582017\n\n2026-11-03 02:15\n【橙意出行】您的验证码是4419",
        user="e",
    )
    assert "证据记录里目前有 2 条" in await say(app.engine, "/steps", user="e")


async def test_typed_words_typos_and_a_number_too_far(app: App) -> None:
    await say(app.engine, "/steps", user="tw")
    assert "步骤 2/7" in await say(app.engine, "下一部", user="tw")  # a common typo of 下一步
    assert "没有这个选项" in await say(app.engine, "9", user="tw")  # five choices: 9 is none of them
    assert "第 2/7 步" in await say(app.engine, "？？", user="tw")  # a vague word gets where they are, not a menu
    assert "步骤 3/7" in await say(app.engine, "ok", user="tw")  # "ok" under the step's buttons: on to the next
    assert "已记下你在第 3/7 步" in await say(app.engine, "暂停一下", user="tw")


async def test_stopping_for_today_in_their_own_words_keeps_everything(app: App) -> None:
    await say(app.engine, "/steps", user="tired")
    await say(app.engine, "下一步", user="tired")
    assert "已记下你在第 2/7 步" in await say(app.engine, "好累 不想弄了 明天再说吧", user="tired")
    assert "步骤 2/7" in await say(app.engine, "/steps", user="tired")  # back where they stopped
    # away from the steps: a kind "come back any time", not "the knowledge base does not cover this"
    reply = await say(app.engine, "我不想弄了 明天再说", user="asked")
    assert "随时" in reply and "知识库" not in reply
    assert "12356" in await say(app.engine, "我累了 不想活了", user="asked2")  # despair is not a pause


async def test_an_sms_pasted_during_the_journey_is_logged_as_evidence(app: App) -> None:
    await say(app.engine, "/steps", user="tp")
    await say(app.engine, "1", user="tp")
    pasted = await say(
        app.engine, "【安逸花】您已逾期32天，今日17点前不还款将联系您的紧急联系人和单位，后果自负。", user="tp"
    )
    assert "已记入你的证据记录" in pasted
    assert await app.evidence.count("tp") == 1
    assert "步骤 2/7" in await say(app.engine, "继续", user="tp")  # and the journey is where it was


async def test_next_after_a_side_trip_moves_on_from_where_the_journey_was(app: App) -> None:
    await say(app.engine, "/steps", user="ts")
    await say(app.engine, "1", user="ts")
    await say(app.engine, "/evidence", user="ts")  # a side trip: the journey stays at step 2
    assert "步骤 3/7" in await say(app.engine, "下一步", user="ts")


async def test_coming_back_after_a_break_picks_the_steps_up(app: App) -> None:
    await say(app.engine, "/steps", user="back")
    await say(app.engine, "下一步", user="back")
    await say(app.engine, "我不想弄了 明天再说", user="back")
    assert "步骤 2/7" in await say(app.engine, "我回来了 接着弄吧", user="back")
    useful = await say(app.engine, "有用吗", user="back")
    assert "有用" in useful and "知识库还没有覆盖" not in useful


async def test_asking_what_a_step_means_shows_that_step(app: App) -> None:
    await say(app.engine, "/steps", user="means")
    reply = await say(app.engine, "第三步是什么意思 我要自己跟催收说吗 不敢", user="means")
    assert "步骤 3/7" in reply and "可以跳过" in reply  # the step again, and that it can be skipped
