"""A paste as people copy it, through the chat: 28 codes with leading times are one bombing in the reply and the
证据清单; their day is asked once (今天/昨天/前天/记不清) and logged as the person's answer, or unknown; a threat
with no time in it is logged with an unknown send time, not the time it was pasted."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from docx import Document

from bot.clock import CHINA
from bot.sms.dates import DATE_PREFIX
from bot.wiring import App
from tests.support import msg, say

PLATFORMS = ["美团", "拼多多", "京东", "淘宝", "饿了么", "滴滴出行", "携程"]


def leading_times_paste() -> str:
    return "\n".join(
        f"02:{1 + i // 4:02d} 【{PLATFORMS[i % 7]}】您的验证码是{482913 + i * 17}，5分钟内有效，请勿泄露给他人。"
        for i in range(28)
    )


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


async def test_codes_with_leading_times_are_one_bombing_in_chat_and_in_the_list(app: App) -> None:
    first = (await app.engine.handle(msg(leading_times_paste(), user="student")))[0]
    reply = first.text
    assert "28 条短信" in reply and "验证码 28 条" in reply
    assert "02:01 到" in reply and "02:07" in reply and "7 个平台" in reply
    assert "看不出集中轰炸" not in reply
    assert "这些短信大约是哪天收到的？" in reply and "日期按粘贴当天推定" not in reply  # asked, not assumed
    assert [b.label for b in first.buttons] == ["今天", "昨天", "前天", "记不清"]
    assert await app.evidence.items("student") == []  # logged once the day is known

    answer = (await app.engine.handle(msg(button=DATE_PREFIX + "yesterday", user="student")))[0].text
    assert "按昨天" in answer
    items = await app.evidence.items("student")
    yesterday = (datetime.now(CHINA) - timedelta(days=1)).date()
    assert len(items) == 28 and all(
        i.sent_at is not None and i.sent_at.astimezone(CHINA).date() == yesterday for i in items
    )
    summary = await say(app.engine, "/evidence", user="student")
    assert "验证码轰炸" in summary and "28 条，来自 7 个平台" in summary

    docx_file = (await app.engine.handle(msg("/evidence docx", user="student")))[0].files[0]
    body = docx_text(docx_file.data)
    assert "识别出 1 次验证码轰炸" in body and "未识别出" not in body
    assert "验证码短信来自 7 个不同的平台" in body
    assert "日期由本人确认" in body and "日期按粘贴当天推定" not in body


async def test_not_remembering_the_day_keeps_the_send_times_unknown(app: App) -> None:
    await app.engine.handle(msg(leading_times_paste(), user="vague"))
    answer = await say(app.engine, "记不清了", user="vague")
    assert "发送时间记为未知" in answer
    items = await app.evidence.items("vague")
    assert len(items) == 28 and all(i.sent_at is None for i in items)
    docx_file = (await app.engine.handle(msg("/evidence docx", user="vague")))[0].files[0]
    body = docx_text(docx_file.data)
    assert "未知（用户粘贴于" in body and "日期由本人确认" not in body


async def test_a_new_paste_instead_of_an_answer_logs_the_first_without_a_day(app: App) -> None:
    await app.engine.handle(msg(leading_times_paste(), user="busy"))
    replies = await app.engine.handle(msg("13912345678：今晚就带兄弟过去弄死你", user="busy"))
    assert "110" in replies[0].text  # danger first, as always
    assert any("没选日期" in r.text for r in replies)
    items = await app.evidence.items("busy")
    assert len(items) == 29 and all(i.sent_at is None for i in items)


async def test_a_threat_without_a_time_keeps_an_unknown_send_time(app: App) -> None:
    reply = (await app.engine.handle(msg("13912345678：今晚就带兄弟过去弄死你", user="night")))[0].text
    assert reply.lstrip("⚠️ ").startswith("这条短信在威胁你的人身安全") or "110" in reply[:60]
    items = await app.evidence.items("night")
    assert len(items) == 1 and items[0].sent_at is None and items[0].sender == "13912345678"
    assert items[0].raw_text == "今晚就带兄弟过去弄死你"

    summary = await say(app.engine, "/evidence", user="night")
    assert "发送时间未知" in summary and "深夜或清晨" not in summary
    docx_file = (await app.engine.handle(msg("/evidence docx", user="night")))[0].files[0]
    body = docx_text(docx_file.data)
    assert "未知（用户粘贴于" in body
    assert "在夜间" not in body and "100%" not in body


async def test_a_paste_left_undated_is_kept_and_not_said_to_have_shown_no_times(app: App) -> None:
    await say(app.engine, leading_times_paste(), user="undated")
    letter = (await app.engine.handle(msg("帮我写投诉信", "undated")))[-1].text  # the day question left unanswered
    assert "共收到相关短信28条" in letter  # the waiting paste is kept, not dropped with the day question
    assert "发送时间未能确认" in letter and "日期未经本人确认" in letter
    assert "2:01" not in letter.split("二、投诉请求")[0]  # no time stated that the person did not give a day for


async def test_evidence_names_a_paste_still_waiting_for_its_day(app: App) -> None:
    paste = "02:01 【美团】您的验证码是482913\n02:02 【京东】您的验证码是112233\n02:03 【淘宝】验证码551177"
    await say(app.engine, paste, user="held")
    waiting = await say(app.engine, "/evidence", user="held")
    assert "3 条短信还在等你回答" in waiting and "还是空的" not in waiting  # not "your log is empty"
    await say(app.engine, "昨天", user="held")
    assert "共 3 条" in await say(app.engine, "/evidence", user="held")


async def test_an_english_speaker_is_asked_the_day_in_english_and_can_type_it(app: App) -> None:
    # the day buttons were 今天/昨天/前天/记不清 for them
    await app.engine.handle(msg("collectors flood my phone with codes every night", user="en-day"))
    first = (await app.engine.handle(msg(leading_times_paste(), user="en-day")))[0]
    assert [b.label for b in first.buttons] == ["Today", "Yesterday", "The day before yesterday", "Not sure"]
    answer = (await app.engine.handle(msg("not sure", user="en-day")))[0].text
    assert answer.startswith("Logged: the 28 messages that showed only a time have an unknown send time")
