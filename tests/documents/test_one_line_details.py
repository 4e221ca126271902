"""Details given in one line end up in every field of the document they fit, and nowhere they do not."""

from __future__ import annotations

from bot.wiring import App
from tests.support import msg, say


async def _letter(app: App, user: str) -> str:
    return (await app.engine.handle(msg("生成文件", user)))[-1].text


async def test_a_plaintiffs_line_fills_the_civil_complaint(app: App) -> None:
    await say(app.engine, "我想去法院告他们，能帮我写起诉状吗", "civil")
    line = "原告 刘芳，女，1990年3月5日生，身份证 000000199003051235，住北京市朝阳区建国路1号，电话13600005555"
    await say(app.engine, line, "civil")
    await say(app.engine, "被告是深圳市某某信息科技有限公司，催收公司", "civil")
    await say(app.engine, "从2026年10月起每天短信轰炸，还把我的照片发到我家人群里", "civil")
    await say(app.engine, "要求赔偿精神损失5000元，赔礼道歉", "civil")
    letter = await _letter(app, "civil")
    for shown in (
        "原告：刘芳",
        "性别：女",
        "出生日期：1990年3月5日",
        "身份证号码：000000199003051235",  # a complaint to a court shows it in full
        "住址：北京市朝阳区建国路1号",
        "联系电话：13600005555",
        "被告：深圳市某某信息科技有限公司",
        "自2026年10月起",
        "精神损害抚慰金5000元",
    ):
        assert shown in letter, shown
    assert "我想去法院告他们" not in letter and "被告是深圳市" not in letter  # details, not facts
    assert "通讯录" not in letter  # never mentioned


async def test_wo_shi_with_a_number_names_the_complainant(app: App) -> None:
    await say(app.engine, "我想去银保监会告招联金融，帮我写投诉材料", "nfra")
    await say(
        app.engine,
        "我是赵敏 13711112222，借的是招联好期贷，从11月1号开始每天晚上给我打十几个电话，还给我爸妈打",
        "nfra",
    )
    letter = await _letter(app, "nfra")
    assert "投诉人：赵敏" in letter and "【待填写：姓名】" not in letter
    assert "据本人陈述：我是赵敏" not in letter and "从11月1号开始每天晚上给我打十几个电话" in letter
    assert "本人已于" not in letter  # no complaint to the lender is assumed
    assert "向被投诉机构投诉的日期：【待填写" in letter


async def test_a_carrier_complaint_in_one_line_fills_the_12300_appeal(app: App) -> None:
    await say(app.engine, "写12300申诉书", "miit")
    await say(
        app.engine, "我叫孙丽，电话18600003333，联通，11月25日打过10010投诉，工单号LT20261125001，一直没处理", "miit"
    )
    letter = await _letter(app, "miit")
    assert "被申诉人：中国联通" in letter and "向中国联通投诉" in letter
    assert "投诉工单号：LT20261125001" in letter and "运营商的处理情况：一直没处理" in letter
    assert "【待填写：向运营商投诉的日期】" not in letter


async def test_the_collector_named_addresses_the_notice_and_its_start_day_is_read_from_the_facts(app: App) -> None:
    await say(app.engine, "帮我写停止催收告知函", "notice")
    for line in ("姓名：李建国", "手机号：13500001234", "催收方：速借花"):
        await say(app.engine, line, "notice")
    await say(app.engine, "事实经过：2026年11月20日起每天晚上11点后打电话发短信，还打给我妈和我老婆", "notice")
    letter = await _letter(app, "notice")
    assert "致：速借花" in letter and "自2026年11月20日起" in letter and "【待填写" not in letter
    assert "同事" not in letter and "骚扰家人" in letter  # they named 妈 and 老婆, nobody at work


async def test_an_app_named_in_quotes_is_the_lender_of_the_police_report(app: App) -> None:
    await say(app.engine, "我想报警，帮我写个报警的材料", "police")
    await say(app.engine, "我叫王小红 手机13912345678", "police")
    await say(app.engine, '是一个叫"速借花"的app，催收的号码是17088886666', "police")
    letter = await _letter(app, "police")
    assert "与速借花的借款催收有关" in letter and "使用的号码：17088886666" in letter
