"""Drafting documents in the chat: menu, 【待填写】 markers, filling fields, facts from the evidence log, files."""

from __future__ import annotations

import io

import pytest
from docx import Document

from bot.contract.session import Session
from bot.wiring import App
from tests.support import msg, say


async def _press(app: App, user: str, label_part: str) -> list:  # type: ignore[type-arg]
    session = await app.engine.store.load(user)
    assert session is not None
    payload = next(p for label, p in session.pending.choices if label_part in label)
    return await app.engine.handle(msg(user=user, button=payload))


async def test_menu_then_draft_with_missing_markers_and_files(app: App) -> None:
    menu = await app.engine.handle(msg("/draft", user="d"))
    assert len(menu[0].buttons) == 10
    replies = await _press(app, "d", "停止催收骚扰告知函")
    reply = replies[-1]
    assert "【待填写：" in reply.text and "5 项还没填" in reply.text
    assert reply.text.count("被骚扰的手机号码") <= 3  # in the letter and its list of what is missing, not again
    names = sorted(f.name.rsplit(".", 1)[1] for f in reply.files)
    assert names == ["docx", "pdf"]
    pdf = next(f for f in reply.files if f.name.endswith(".pdf"))
    assert pdf.data.startswith(b"%PDF")
    assert "《中华人民共和国民法典》第一千零三十三条" in reply.text


@pytest.mark.slow
async def test_fields_are_filled_validated_and_never_asked_twice(app: App) -> None:
    await say(app.engine, "/draft cease_notice", user="f")
    text = await say(app.engine, "姓名：张某\n借款平台或放款机构：鹿鸣分期\n被骚扰的手机号码：12345", user="f")
    assert "不是有效的手机号" in text and "5位" in text and "鹿鸣分期" in text and "张某" in text
    text = await say(app.engine, "被骚扰的手机号码：138 0000 0000", user="f")
    assert "13800000000" in text
    later = await say(app.engine, "/draft lender_complaint", user="f")
    assert "张某" in later and "鹿鸣分期" in later  # remembered across documents


async def test_facts_come_from_the_evidence_log(app: App) -> None:
    await say(
        app.engine,
        "2026-11-03 02:14\n【速购优选】验证码：582017\n\n2026-11-03 02:15\n【橙意出行】您的验证码是4419",
        user="e",
    )
    text = await say(app.engine, "/draft police_report", user="e")
    assert "速购优选" in text or "2026年11月3日" in text
    assert "受案回执" in text


async def test_template_injection_is_printed_literally(app: App) -> None:
    await say(app.engine, "/draft cease_notice", user="i")
    noted = await say(app.engine, "姓名：{{7*7}}{% for x in y %}\x07", user="i")
    assert "{{7*7}}" in noted and "\x07" not in noted  # confirmed in one line, printed as typed
    replies = await app.engine.handle(msg("生成文件", user="i"))
    text = replies[-1].text
    assert "{{7*7}}{% for x in y %}" in text and "49" not in text.split("本人", 1)[1][:20] and "\x07" not in text
    docx_file = next(f for f in replies[-1].files if f.name.endswith(".docx"))
    body = "\n".join(p.text for p in Document(io.BytesIO(docx_file.data)).paragraphs)
    assert "{{7*7}}" in body


async def test_a_question_during_a_draft_is_answered(app: App) -> None:
    await say(app.engine, "/draft cease_notice", user="q")
    assert "法律依据" in await say(app.engine, "催收打电话给我家人合法吗", user="q")


@pytest.mark.slow
async def test_walk_seven_steps_generating_every_offered_document(app: App) -> None:
    await say(app.engine, "/steps", user="w")
    generated = []
    for _ in range(7):
        session = await app.engine.store.load("w")
        assert session is not None
        draft = [p for label, p in session.pending.choices if label.startswith("生成文书")]
        if draft:
            replies = await app.engine.handle(msg(user="w", button=draft[0]))
            assert replies[-1].files
            generated.append(draft[0])
            await say(app.engine, "/steps", user="w")
        await _press(app, "w", "下一步")
    assert len(generated) == 6
    session = await app.engine.store.load("w")
    assert session is not None and session.journey_step is None


async def test_a_draft_keeps_its_own_words_for_skip_continue_and_cancel(app: App) -> None:
    await say(app.engine, "帮我写停止催收告知函", user="dw")
    several = await say(app.engine, "姓名：张伟 手机号：13600001111 平台：安逸花", user="dw")  # one line, three fields
    assert "姓名 张伟；被骚扰的手机号码 13600001111；借款平台或放款机构 安逸花" in several
    skipped = await say(app.engine, "跳过", user="dw")
    assert "先空着" in skipped and "步骤" not in skipped  # the field is skipped, the journey does not start
    assert "步骤" not in await say(app.engine, "继续", user="dw")
    dated = await say(app.engine, "2026-11-01", user="dw")  # a date, whatever was asked: the date it is
    assert "骚扰开始的日期 2026年11月1日" in dated
    assert "先不写了" in await say(app.engine, "取消", user="dw")


async def test_a_question_in_the_middle_of_a_draft_says_how_to_go_on(app: App) -> None:
    await say(app.engine, "帮我写报警材料", user="dq")
    answer = await say(app.engine, "警察不管怎么办", user="dq")
    assert "你正在写《报案材料（情况说明）》，刚才问到：姓名" in answer


@pytest.mark.parametrize("question", ["多久有结果", "how long does it take"])
async def test_a_question_asked_when_a_name_is_wanted_is_not_taken_for_the_name(app: App, question: str) -> None:
    user = f"dl-{len(question)}"
    await say(app.engine, "帮我写投诉信", user=user)
    answer = await say(app.engine, question, user=user)
    assert "记下了" not in answer
    session = await app.engine.store.load(user)
    assert session is not None and question not in str(session.slots)


async def test_danger_and_pause_inside_a_draft_never_become_its_content(app: App) -> None:
    await say(app.engine, "帮我写报警材料", user="dd")
    danger = await say(app.engine, "他们在门口了", user="dd")
    assert danger.startswith("⚠️") and "110" in danger.split("\n")[0]
    assert "暂停" not in str((await app.engine.store.load("dd") or Session("dd")).slots)
    assert "先不写了" in await say(app.engine, "暂停", user="dd")
    session = await app.engine.store.load("dd")
    assert session is not None and not session.slots and session.flow is None


async def test_what_the_person_told_us_goes_into_the_facts_of_the_letter(app: App) -> None:
    await say(app.engine, "催收还打电话给我同事，违法吗", "teller")
    await say(app.engine, "他们说要上门，会不会真的来", "teller")
    text = await say(app.engine, "帮我写一份告知函", "teller")
    assert "据本人陈述：催收还打电话给我同事；他们说要上门。" in text
    assert "【待填写：事实经过" not in text


async def test_a_letter_asked_for_with_details_in_one_message_opens_with_them(app: App) -> None:
    text = await say(app.engine, "帮我写投诉信 我叫张伟 电话13812345678 每天300多条验证码 还给我领导打电话", "onego")
    assert "投诉信" in text.split("\n")[0]
    assert "本人张伟（注册手机号13812345678）" in text
    assert "据本人陈述：每天300多条验证码，还给我领导打电话。" in text  # the same message's facts, in 事实经过


@pytest.mark.parametrize("text", ["生成文件", "写好了吗 发给我", "把pdf发我"])
async def test_asking_for_the_files_outside_a_draft_offers_the_documents(app: App, text: str) -> None:
    menu = await say(app.engine, text, f"files-{text}")
    assert "起草" in menu and "知识库还没有覆盖" not in menu


async def test_the_files_keep_the_facts_of_the_request_and_send_me_returns_the_open_draft(app: App) -> None:
    await say(app.engine, "帮我写投诉信 他们每天打给我领导 还在群里发我照片", "keeps")
    files = await app.engine.handle(msg("现在生成文件", "keeps"))  # the button's words, typed
    assert "据本人陈述：他们每天打给我领导，还在群里发我照片。" in files[-1].text and files[-1].files
    again = await app.engine.handle(msg("写好了吗 发给我", "keeps"))
    assert again[-1].text.startswith("关于违规催收的投诉信") and again[-1].files


async def test_one_message_with_several_details_fills_them_all_and_tells_the_facts(app: App) -> None:
    await say(app.engine, "帮我写投诉信", "several")
    kept = await say(app.engine, "平台是速借花 我欠了八千多 他们从上周三开始每天打我同事电话", "several")
    assert "速借花" in kept and "骚扰开始的日期" in kept  # the lender and the day they said it began
    letter = (await app.engine.handle(msg("生成文件", "several")))[-1].text
    assert "据本人陈述：他们从上周三开始每天打我同事电话。" in letter
    assert "我欠了" not in letter  # the debt is not part of what collectors did
    assert "包括骚扰单位同事和频繁来电" in letter and "验证码轰炸" not in letter  # only what they said happened


async def test_a_feeling_typed_when_a_name_is_asked_is_not_taken_as_the_name(app: App) -> None:
    await say(app.engine, "帮我写投诉信", "vent")
    await say(app.engine, "平台是速借花", "vent")
    text = await say(app.engine, "我真的要崩溃了 肯定是他们干的", "vent")
    assert "记下了：姓名" not in text
    letter = (await app.engine.handle(msg("生成文件", "vent")))[-1].text
    assert "崩溃" not in letter and "【待填写：姓名】" in letter


async def test_what_happened_typed_when_a_name_is_asked_goes_to_the_facts(app: App) -> None:
    await say(app.engine, "帮我写投诉信", "told")
    await say(app.engine, "平台是速借花", "told")
    text = await say(app.engine, "他们每天半夜给我打电话骂我", "told")
    assert "会写进事实经过" in text and "记下了：姓名" not in text
    letter = (await app.engine.handle(msg("生成文件", "told")))[-1].text
    assert "据本人陈述：他们每天半夜给我打电话骂我。" in letter and "【待填写：姓名】" in letter
    assert "包括深夜联系、辱骂和频繁来电" in letter


async def test_a_letter_with_nothing_alleged_asks_to_stop_without_naming_conduct(app: App) -> None:
    letter = (await app.engine.handle(msg("/draft lender_complaint", "plain")))[-1].text
    assert "（一）立即停止并制止上述违规催收；" in letter
    assert "验证码轰炸" not in letter.split("三、依据")[0]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("please write a letter to the lender telling them to stop", "停止催收骚扰告知函"),
        ("I need a police report document", "报案材料"),
        ("Can you write a letter to the lender telling them to stop?", "停止催收骚扰告知函"),
    ],
)
async def test_english_asks_get_the_named_document_with_an_english_note(app: App, text: str, title: str) -> None:
    replies = await app.engine.handle(msg(text, f"en-{title}"))
    assert replies[0].text.startswith("Here is a draft of") and "Chinese" in replies[0].text
    assert replies[-1].text.startswith(title) and replies[-1].files


@pytest.mark.parametrize("text", ["help me draft a complaint", "Can I get it as PDF?", "send me the pdf"])
async def test_an_english_ask_for_some_document_gets_an_english_menu(app: App, text: str) -> None:
    menu = (await app.engine.handle(msg(text, f"en-menu-{text}")))[-1]
    assert menu.text.startswith("I can draft") and len(menu.buttons) == 10


@pytest.mark.parametrize("text", ["pdf", "给我pdf", "好了 给我pdf", "generate the file"])
async def test_asking_for_the_file_while_an_item_is_asked_is_never_stored_as_that_item(app: App, text: str) -> None:
    await say(app.engine, "帮我写投诉信", f"send-{text}")
    await say(app.engine, "速借花", f"send-{text}")
    replies = await app.engine.handle(msg(text, f"send-{text}"))
    assert replies[-1].files and "记下了：姓名" not in replies[-1].text
    assert f"投诉人：{text}" not in replies[-1].text


async def test_an_item_they_cannot_give_is_not_asked_again(app: App) -> None:
    await say(app.engine, "帮我写投诉信", "skip-once")
    await say(app.engine, "平台是速借花 我叫王强 电话13812345678 从上周一开始", "skip-once")
    skipped = await say(app.engine, "合同编号不知道 没有", "skip-once")
    assert "先空着" in skipped and "借款合同编号是什么" not in skipped
    done = (await app.engine.handle(msg("他们每天打我同事电话", "skip-once")))[-1]
    assert done.files and "借款合同编号先空着" in done.text and "借款合同编号是什么" not in done.text


async def test_a_question_typed_while_a_name_is_asked_is_answered_not_taken_as_the_name(app: App) -> None:
    await say(app.engine, "帮我写12378投诉材料", "qn")
    text = await say(app.engine, "地方金融管理局电话多少", "qn")
    assert "记下了：姓名" not in text and "地方金融管理部门" in text
    assert "记下了：姓名 张伟" in await say(app.engine, "张伟", "qn")  # the draft is still open


async def test_the_letter_carries_what_was_told_earlier_in_the_conversation(app: App) -> None:
    await say(app.engine, "我在安心借借了5000 合同号AX20240311 逾期两个月了", user="told")
    await say(app.engine, "催收天天给我同事打电话 还说要去我单位闹", user="told")
    await say(app.engine, "我3月5号已经在app里投诉过了 客服说已记录 然后就没下文了", user="told")
    letter = await say(app.engine, "帮我写12378投诉材料", user="told")
    assert "被投诉机构：安心借" in letter and "借款合同编号：AX20240311" in letter
    assert "3月5日" in letter and "没下文" in letter
    assert "向借款平台投诉的日期" not in letter.split("还需要补充的内容")[-1]  # not asked again
