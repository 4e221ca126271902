"""Details given in one line are all read: who the person is, the other side, dates, a complaint already made."""

from __future__ import annotations

from datetime import date

from bot.understand.slots import extract

TODAY = date(2026, 12, 5)


def test_a_plaintiffs_line_gives_name_gender_birth_id_address_and_phone() -> None:
    found = extract(
        "原告 刘芳，女，1990年3月5日生，身份证 000000199003051235，住北京市朝阳区建国路1号，电话13600005555", TODAY
    )
    assert found["name"] == "刘芳" and found["gender"] == "女" and found["birth_date"] == "1990-03-05"
    assert found["id_number"] == "000000199003051235" and found["address"] == "北京市朝阳区建国路1号"
    assert found["phone"] == "13600005555"
    assert "start_date" not in found  # a birthday is not when the harassment began


def test_wo_shi_and_a_number_give_the_name() -> None:
    found = extract("我是赵敏 13711112222，借的是招联好期贷，从11月1号开始每天晚上给我打十几个电话", TODAY)
    assert found["name"] == "赵敏" and found["phone"] == "13711112222" and found["start_date"] == "2026-11-01"
    assert "name" not in extract("我是学生 欠了网贷还不上", TODAY)


def test_a_complaint_to_the_carrier_gives_its_day_ticket_and_outcome() -> None:
    found = extract("我叫孙丽，电话18600003333，联通，11月25日打过10010投诉，工单号LT20261125001，一直没处理", TODAY)
    assert found["carrier"] == "中国联通" and found["carrier_complaint_date"] == "2026-11-25"
    assert found["carrier_ticket"] == "LT20261125001" and found["carrier_reply"] == "一直没处理"
    assert "lender_complaint_date" not in found and "lender_ticket" not in found


def test_a_month_without_a_day_is_kept_as_the_month() -> None:
    assert extract("从2026年10月起每天短信轰炸", TODAY)["start_date"] == "2026年10月"


def test_the_defendant_the_app_named_in_quotes_and_the_collector_are_the_lender() -> None:
    assert extract("被告是深圳市某某信息科技有限公司，催收公司", TODAY)["lender"] == "深圳市某某信息科技有限公司"
    found = extract('是一个叫"速借花"的app，催收的号码是17088886666', TODAY)
    assert found["lender"] == "速借花" and found["collector_numbers"] == "17088886666"
    found = extract("催我的是安逸花，号码95188和10692345678", TODAY)
    assert found["lender"] == "安逸花" and found["collector_numbers"] == "95188\n10692345678"
    assert "phone" not in found


def test_the_compensation_asked_for() -> None:
    assert extract("要求赔偿精神损失5000元，赔礼道歉", TODAY)["compensation"] == "5000元"
    assert extract("要赔我精神损害抚慰金2万", TODAY)["compensation"] == "20000元"


def test_where_a_collector_waits_is_not_the_persons_address() -> None:
    assert "address" not in extract("催收的人住在我家楼下蹲我", TODAY)
    assert extract("我家住在河南省郑州市金水区某某路8号", TODAY)["address"] == "河南省郑州市金水区某某路8号"


def test_what_a_collector_called_them_is_no_name_and_a_job_far_away_no_lender() -> None:
    # "报案人：老赖", "外地打工客户服务部门" in the documents
    assert "name" not in extract("催收说我是老赖 我要报警", TODAY)
    assert "name" not in extract("他们骂我是骗子", TODAY)
    found = extract("我叫张桂兰…我儿子在外地打工借了网贷", TODAY)
    assert found.get("name") == "张桂兰" and "lender" not in found


def test_a_phone_of_the_wrong_length_is_kept_for_the_form_to_refuse() -> None:
    assert extract("我叫李娟 手机139000011112", TODAY)["phone"] == "139000011112"
