"""Answers typed into a document's form land in the item they are (or nowhere): a wrong fact is worse than a blank."""

from __future__ import annotations

from bot.wiring import App
from tests.support import msg, say


async def _letter(app: App, user: str) -> str:
    return (await app.engine.handle(msg("生成文件", user)))[-1].text


async def test_harassment_typed_when_the_address_is_asked_is_kept_as_facts_not_the_address(app: App) -> None:
    await say(app.engine, "写12300申诉书", "addr")
    await say(app.engine, "我叫孙丽，电话18600003333", "addr")  # the address is asked next
    reply = await say(app.engine, "每天凌晨一两点几十条验证码", "addr")
    assert "记下了：住址" not in reply and "住址还空着" in reply
    letter = await _letter(app, "addr")
    assert "地址：【待填写：住址】" in letter and "地址：每天" not in letter
    assert "据本人陈述：每天凌晨一两点几十条验证码。" in letter


async def test_a_correction_of_the_name_changes_the_name_and_never_becomes_the_facts(app: App) -> None:
    await say(app.engine, "帮我写一封停止催收的告知函", "fix")
    await say(app.engine, "我叫李四", "fix")
    reply = await say(app.engine, "不对 名字写错了 是李思", "fix")
    assert "改好了：姓名 李四 → 李思" in reply
    letter = await _letter(app, "fix")
    assert "本人李思" in letter and "告知人：李思" in letter
    assert "李四" not in letter and "写错了" not in letter


async def test_a_ten_digit_phone_is_refused_kindly_and_not_saved_as_the_lender(app: App) -> None:
    await say(app.engine, "帮我写一封停止催收的告知函", "ten")
    reply = await say(app.engine, "电话 1381234567", "ten")  # the lender was asked
    assert "10位" in reply and "被骚扰的手机号码是什么" in reply and "记下了" not in reply
    letter = await _letter(app, "ten")
    assert "1381234567" not in letter and "致：【待填写：借款平台或放款机构】" in letter


async def test_a_typo_fixed_with_da_cuo_le_stays_in_the_form(app: App) -> None:
    await say(app.engine, "帮我写停止催收告知函", "typo")
    await say(app.engine, "手机号是1391234567", "typo")
    reply = await say(app.engine, "哦打错了 13912345677", "typo")
    assert "不是你借的钱" not in reply and "被骚扰的手机号码 13912345677" in reply
    assert "手机号码13912345677" in await _letter(app, "typo")


async def test_a_corrected_lender_replaces_the_old_one(app: App) -> None:
    await say(app.engine, "帮我写停止催收告知函", "lender-fix")
    await say(app.engine, "平台是安逸花", "lender-fix")
    reply = await say(app.engine, "不对，平台是美团借钱，不是安逸花", "lender-fix")
    assert "改好了：借款平台或放款机构 安逸花 → 美团借钱" in reply
    letter = await _letter(app, "lender-fix")
    assert "致：美团借钱" in letter and "安逸花" not in letter


async def test_a_request_to_sue_is_not_written_into_the_facts(app: App) -> None:
    letter = await say(app.engine, "我想去法院告他们，能帮我写起诉状吗", "sue")
    assert letter.startswith("民事起诉状") or "民事起诉状" in letter
    assert "我想去法院告他们" not in letter


async def test_a_name_they_will_not_give_is_left_blank_kindly(app: App) -> None:
    await say(app.engine, "帮我写停止催收告知函", "withheld")
    await say(app.engine, "平台是安逸花", "withheld")  # the name is asked next
    reply = await say(app.engine, "我不想告诉你名字", "withheld")
    assert "姓名先空着" in reply and "知识库还没有覆盖" not in reply
    assert "本人【待填写：姓名】" in await _letter(app, "withheld")


async def test_a_word_about_the_form_is_never_stored_as_an_item(app: App) -> None:
    await say(app.engine, "写12300申诉书", "fed-up")
    await say(app.engine, "我叫孙丽，电话18600003333", "fed-up")
    await say(app.engine, "住北京市朝阳区建国路1号", "fed-up")  # the operator is asked next
    reply = await say(app.engine, "问这么多烦死了", "fed-up")
    assert "记下了" not in reply and "跳过" in reply
    letter = await _letter(app, "fed-up")
    assert "地址：北京市朝阳区建国路1号" in letter and "烦死了" not in letter
    assert "被申诉人：【待填写：手机号所属运营商】" in letter


async def test_an_address_typed_when_the_name_is_asked_goes_to_the_address(app: App) -> None:
    await say(app.engine, "我要写起述状告催收", "addr-first")  # the name is asked first
    reply = await say(app.engine, "北京市朝阳区建国路1号", "addr-first")
    assert "记下了：住址 北京市朝阳区建国路1号" in reply and "姓名是什么" in reply
    letter = await _letter(app, "addr-first")
    assert "原告：【待填写：姓名】" in letter and "住址：北京市朝阳区建国路1号" in letter


async def test_a_corrected_id_number_is_confirmed_masked(app: App) -> None:
    await say(app.engine, "帮我写12378投诉材料", "id-fix")
    await say(app.engine, "身份证：000000199003071236", "id-fix")
    reply = await say(app.engine, "身份证号写错了 000000199003051235", "id-fix")
    assert "改好了：身份证号码 0000**********1236 → 0000**********1235" in reply
    assert "199003051235" not in reply


async def test_a_persons_name_typed_when_the_lender_is_asked_is_the_name(app: App) -> None:
    await say(app.engine, "帮我写停止催收告知函", "name-first")  # the lender is asked first
    reply = await say(app.engine, "张伟", "name-first")
    assert "记下了：姓名 张伟" in reply and "借款平台或放款机构是什么" in reply
    await say(app.engine, "借呗", "name-first")
    letter = await _letter(app, "name-first")
    assert "本人张伟" in letter and "致：借呗" in letter and "致：张伟" not in letter


async def test_the_lenders_address_is_not_taken_for_the_persons(app: App) -> None:
    await say(app.engine, "我要写起述状告催收", "two-addr")
    await say(app.engine, "姓名：刘芳\n身份证：000000199003051235\n手机号：13600005555\n平台：某某小贷公司", "two-addr")
    await say(app.engine, "跳过", "two-addr")  # the person's address is asked first: left blank
    reply = await say(app.engine, "深圳市南山区某某路100号", "two-addr")  # the lender's address is asked now
    assert "记下了：放款机构的住所地 深圳市南山区某某路100号" in reply
    letter = await _letter(app, "two-addr")
    assert "住所地：深圳市南山区某某路100号" in letter and "住址：【待填写：住址】" in letter


async def test_a_correction_of_what_happened_is_kept_as_told_and_changes_no_item(app: App) -> None:
    await say(app.engine, "帮我写停止催收告知函", "told-fix")
    await say(app.engine, "我叫李四 电话13812345678", "told-fix")
    reply = await say(app.engine, "不对，不是白天，他们是半夜打给我的", "told-fix")
    assert "会写进事实经过" in reply and "改好了" not in reply
    letter = await _letter(app, "told-fix")
    assert "本人李四，手机号码13812345678" in letter and "他们是半夜打给我的" in letter


async def test_an_insult_reported_is_never_the_name_on_a_police_report(app: App) -> None:
    # "催收说我是老赖" made the report read "报案人：老赖"
    await say(app.engine, "帮我写报警材料", "insult-name")
    await say(app.engine, "催收说我是老赖 天天打电话骂我", "insult-name")
    letter = await _letter(app, "insult-name")
    assert "报案人：老赖" not in letter and "报案人：【待填写：姓名】" in letter


async def test_a_wrong_phone_in_a_one_line_answer_is_said_and_done_makes_the_files(app: App) -> None:
    # the 12-digit number was dropped silently, and "好了 生成" was then read as a phone number
    await say(app.engine, "帮我写停止催收告知函", "bad-phone-line")
    reply = await say(app.engine, "我叫李娟 手机139000011112 平台是安逸花 催收号码17012345678", "bad-phone-line")
    assert "139000011112" in reply and "12位" in reply and "姓名 李娟" in reply
    done = await app.engine.handle(msg("好了 生成", "bad-phone-line"))
    assert done[-1].files and "不是有效的手机号" not in done[-1].text
