"""A paste as people copy it, through the chat: 28 codes with leading times are one bombing in the reply and the
证据清单; a threat with no time in it is logged with an unknown send time, not the time it was pasted."""

from __future__ import annotations

import io

from docx import Document

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
    reply = (await app.engine.handle(msg(leading_times_paste(), user="student")))[0].text
    assert "28 条短信" in reply and "验证码 28 条" in reply
    assert "02:01 到" in reply and "02:07" in reply and "7 个平台" in reply
    assert "看不出集中轰炸" not in reply
    assert "日期按粘贴当天推定" in reply  # the day was not in the paste, and the reply says so

    items = await app.evidence.items("student")
    assert len(items) == 28 and all(i.sent_at is not None for i in items)
    summary = await say(app.engine, "/evidence", user="student")
    assert "验证码轰炸" in summary and "28 条，来自 7 个平台" in summary

    docx_file = (await app.engine.handle(msg("/evidence docx", user="student")))[0].files[0]
    body = docx_text(docx_file.data)
    assert "识别出 1 次验证码轰炸" in body and "未识别出" not in body
    assert "验证码短信来自 7 个不同的平台" in body
    assert "日期按粘贴当天推定" in body


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
