"""SMS in the chat: a night of bombing pasted at once, screenshots confirmed before logging, backups, exports."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from docx import Document

from bot.contract.messages import Attachment, Incoming
from bot.evidence.log import verify
from bot.wiring import App
from tests.sms.test_ocr import THREAD, png_bytes, render
from tests.support import msg, say

SH = ZoneInfo("Asia/Shanghai")
PLATFORMS = [
    "速购优选",
    "橙意出行",
    "小鹿视频",
    "青禾买菜",
    "闪电招聘",
    "云朵相册",
    "星河阅读",
    "蓝鲸网盘",
    "米粒外卖",
    "极光打车",
]


def night_paste() -> str:
    """28 verification codes in a 2 a.m. burst plus two threats: what a person copies out of their SMS app."""
    start = datetime(2026, 11, 3, 2, 10, tzinfo=SH)
    blocks = []
    for i in range(28):
        t = start + timedelta(seconds=25 * i)
        p = PLATFORMS[i % len(PLATFORMS)]
        blocks.append(
            f"{t:%Y-%m-%d %H:%M:%S}\n【{p}】您的验证码是{(i * 7919) % 900000 + 100000}，用于注册，5分钟内有效。"
        )
    blocks.append("2026-11-03 01:58:00\n今晚让你好好体验一下，不还钱就别想睡觉，明天把你欠钱的事发给你通讯录里所有人。")
    blocks.append("2026-11-03 09:30:00\n已安排外访同事明天上门，到时候你爸妈和邻居都会知道你是什么人。")
    return "\n\n".join(blocks)


async def test_pasting_a_night_of_bombing_gives_analysis_log_and_documents(app: App) -> None:
    replies = await app.engine.handle(msg(night_paste(), user="victim"))
    text = replies[0].text
    assert "30 条" in text and "验证码" in text
    assert "不是放贷方" in text  # the codes come from the platforms, not the lender
    assert "110" in text  # threats of a home visit
    assert "新增 30 条" in text
    assert replies[0].buttons and replies[0].citations
    assert all(app.parts.kb.get(c.id) is not None for c in replies[0].citations)

    summary = await say(app.engine, "/evidence", user="victim")
    assert "共 30 条" in summary and "验证码轰炸" in summary and "28 条" in summary and "记录完整" in summary

    again = await app.engine.handle(msg(night_paste(), user="victim"))
    assert "新增 0 条" in again[0].text and "重复的 30 条" in again[0].text

    pdf = (await app.engine.handle(msg("/evidence pdf", user="victim")))[0].files[0]
    assert pdf.name.endswith(".pdf") and pdf.data.startswith(b"%PDF") and len(pdf.data) > 10_000
    docx_file = (await app.engine.handle(msg("/evidence docx", user="victim")))[0].files[0]
    doc = Document(io.BytesIO(docx_file.data))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "证据清单" in body
    items = await app.evidence.items("victim")
    assert verify(items).head in body or verify(items).head in "".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells
    )
    assert len(items) == 30

    await say(app.engine, "/forget", user="victim")
    await say(app.engine, "1", user="victim")
    assert await app.evidence.count("victim") == 0


@pytest.mark.slow
async def test_screenshot_is_read_then_confirmed_before_logging(app: App) -> None:
    shot = Attachment(kind="image", name="shot.png", data=png_bytes(render(THREAD)))
    replies = await app.engine.handle(Incoming(channel="test", user_key="shooter", attachments=(shot,)))
    assert "请核对" in replies[0].text and "884213" in replies[0].text.replace(" ", "")
    assert await app.evidence.count("shooter") == 0  # nothing logged before the person confirms
    done = await app.engine.handle(msg(user="shooter", button=replies[0].buttons[0].payload))
    assert "已记入" in done[0].text
    items = await app.evidence.items("shooter")
    assert len(items) == 3 and {i.source for i in items} == {"screenshot"}


@pytest.mark.slow
async def test_screenshot_text_can_be_corrected_or_discarded(app: App) -> None:
    shot = Attachment(kind="image", name="shot.png", data=png_bytes(render(THREAD)))
    await app.engine.handle(Incoming(channel="test", user_key="fixer", attachments=(shot,)))
    corrected = await say(app.engine, "【速借宝】您的验证码为884213，如非本人操作请忽略。", user="fixer")
    assert "已记入" in corrected
    assert [i.raw_text for i in await app.evidence.items("fixer")] == [
        "【速借宝】您的验证码为884213，如非本人操作请忽略。"
    ]
    await app.engine.handle(Incoming(channel="test", user_key="fixer", attachments=(shot,)))
    assert "没有记录" in await say(app.engine, "2", user="fixer")
    assert await app.evidence.count("fixer") == 1


async def test_bad_files_get_friendly_replies(app: App) -> None:
    fake_png = Attachment(kind="image", name="fake.png", data=b"this is not an image at all")
    assert "不是图片" in (await app.engine.handle(Incoming("test", "f", attachments=(fake_png,))))[0].text
    xxe = b'<?xml version="1.0"?><!DOCTYPE smses [<!ENTITY x SYSTEM "file:///etc/passwd">]><smses><sms body="&x;"/></smses>'
    reply = (await app.engine.handle(Incoming("test", "f", attachments=(Attachment("document", "b.xml", xxe),))))[
        0
    ].text
    assert "不安全" in reply and "root:" not in reply
    big = Attachment("document", "big.txt", b"x" * (11 * 1024 * 1024))
    assert "太大" in (await app.engine.handle(Incoming("test", "f", attachments=(big,))))[0].text
    assert await app.evidence.count("f") == 0


async def test_android_backup_is_imported(app: App) -> None:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><smses count="2">'
        '<sms protocol="0" address="10690000" date="1793644200000" type="1" body="【青禾买菜】验证码 906341，5分钟内有效。" />'
        '<sms protocol="0" address="13800000000" date="1793644260000" type="1" body="再不还钱就去你单位找你领导。" />'
        "</smses>"
    ).encode()
    replies = await app.engine.handle(Incoming("test", "bk", attachments=(Attachment("document", "sms.xml", xml),)))
    assert "新增 2 条" in replies[0].text
    assert {i.source for i in await app.evidence.items("bk")} == {"backup"}


async def test_questions_still_go_to_legal_answers(app: App) -> None:
    text = await say(app.engine, "催收天天用验证码轰炸我手机，犯法吗？", user="q")
    assert "法律依据" in text and await app.evidence.count("q") == 0


async def test_a_paste_with_a_question_beside_it_gets_the_analysis_then_the_answer(app: App) -> None:
    pasted = "【某某贷】您的借款已逾期3天，请今日内还款，否则将联系您的通讯录联系人。\n他们这样发违法吗？我该怎么办"
    analysis, answer = await app.engine.handle(msg(pasted, "pq"))
    assert "催收威胁" in analysis.text and await app.evidence.count("pq") == 1
    assert "法律依据" in answer.text and "《个人信息保护法》第十条" in {c.label for c in answer.citations}
    same_line = "收到这个：【XX金融】你已严重逾期，已安排人员明天上门走访，请家人配合。 会不会真的上门啊"
    analysis, answer = await app.engine.handle(msg(same_line, "pq2"))
    assert "上门" in answer.text and answer.citations
    logged = [item.raw_text for item in await app.evidence.items("pq2")]
    assert logged == [
        "【XX金融】你已严重逾期，已安排人员明天上门走访，请家人配合。"
    ]  # the person's words are not evidence


async def test_ten_megabyte_paste_is_refused_and_nothing_is_stored(app: App) -> None:
    block = "【速购优选】您的验证码是582017，用于注册，5分钟内有效。\n\n"
    huge = block * (10 * 1024 * 1024 // len(block.encode()))
    text = await say(app.engine, huge, user="huge")
    assert "太长" in text and f"上限 {app.engine.max_paste_chars} 个字" in text
    assert await app.evidence.count("huge") == 0


async def test_same_message_forwarded_twice_is_logged_once(app: App) -> None:
    sent = datetime(2026, 11, 3, 2, 14, tzinfo=SH)
    forward = Incoming("test", "fw", text="再不还钱就把你的照片发到你们公司群里。", forwarded_at=sent)
    first = await app.engine.handle(forward)
    second = await app.engine.handle(forward)
    assert "新增 1 条" in first[0].text and "新增 0 条" in second[0].text
    items = await app.evidence.items("fw")
    assert len(items) == 1 and items[0].source == "forward" and items[0].sent_at == sent


async def test_an_english_collection_sms_pasted_alone_is_analysed_and_logged(app: App) -> None:
    sms = "Dear customer, your loan is overdue by 5 days. Repay today or we will contact your employer and family."
    reply = await say(app.engine, sms, user="en-sms")
    assert "collection threat" in reply and "110" in reply  # the collector's message (in English), not a question
    assert "共 1 条" in await say(app.engine, "/evidence", user="en-sms")
    # the person's own words about such a message stay a question: nothing logged
    await say(app.engine, "They said my loan is overdue and will call my boss, what should I do?", user="en-q")
    assert "共 1 条" not in await say(app.engine, "/evidence", user="en-q")


async def test_a_bombing_past_midnight_shows_the_day_it_ended(app: App) -> None:
    # "2026-11-30 23:50 至 00:06" read as ending before it began
    platforms = ["美团", "京东", "淘宝", "滴滴出行", "携程", "拼多多", "饿了么", "唯品会", "苏宁", "闲鱼"]
    start = datetime(2026, 11, 30, 23, 55)
    paste = "\n\n".join(
        f"{start + timedelta(minutes=i):%Y-%m-%d %H:%M}\n【{p}】您的验证码是{400000 + i * 7}，5分钟内有效。"
        for i, p in enumerate(platforms)
    )
    await app.engine.handle(msg(paste, user="midnight"))
    summary = await say(app.engine, "/evidence", user="midnight")
    assert "2026-11-30 23:55 至 12-01 00:04" in summary
