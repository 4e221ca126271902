"""Splitting pasted SMS: every copy layout phones and messengers produce, duplicates, and the size limit."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.clock import CHINA
from bot.sms.parse import MAX_PASTE_CHARS, SmsRecord, dedupe, parse_paste

DAY = date(2026, 12, 8)


def at(y: int, mo: int, d: int, h: int, mi: int, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=CHINA)


def test_one_message_without_time_or_sender() -> None:
    records = parse_paste("【花生记账】您的短信验证码为739201，3分钟内有效。")
    assert records == [SmsRecord("【花生记账】您的短信验证码为739201，3分钟内有效。", None, None, "paste")]


def test_blank_lines_separate_messages_and_lines_inside_one_stay_together() -> None:
    records = parse_paste("第一条\n\n\n第二条第一行\n第二条第二行\n\n", source="chat")
    assert [r.text for r in records] == ["第一条", "第二条第一行\n第二条第二行"]
    assert {r.source for r in records} == {"chat"}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2026-12-08 02:14", at(2026, 12, 8, 2, 14)),
        ("2026/12/8 2:14:03", at(2026, 12, 8, 2, 14, 3)),
        ("2026年12月8日 02:14", at(2026, 12, 8, 2, 14)),
        ("12月8日 02:14", at(2026, 12, 8, 2, 14)),
        ("12-08 23:59", at(2026, 12, 8, 23, 59)),
        ("昨天 23:10", at(2026, 12, 7, 23, 10)),
        ("前天 下午3:05", at(2026, 12, 6, 15, 5)),
        ("今天 凌晨1:30", at(2026, 12, 8, 1, 30)),
        ("昨晚 23:41", at(2026, 12, 7, 23, 41)),
        ("昨天晚上 23:45", at(2026, 12, 7, 23, 45)),
        ("[2026-12-08 02:14:09]", at(2026, 12, 8, 2, 14, 9)),
        ("2026-12-07T18:14:09Z", at(2026, 12, 8, 2, 14, 9)),
        ("２０２６－１２－０８　０２：１４", at(2026, 12, 8, 2, 14)),
    ],
)
def test_timestamp_lines(line: str, expected: datetime) -> None:
    records = parse_paste(f"{line}\n别睡了，起来还钱", default_date=DAY)
    assert len(records) == 1
    assert records[0].sent_at == expected
    assert records[0].sent_at.tzinfo is not None
    assert records[0].text == "别睡了，起来还钱"


def test_relative_days_need_a_default_date() -> None:
    records = parse_paste("昨天 23:10\n还钱\n今天 01:00\n还钱!!")
    assert [(r.text, r.sent_at) for r in records] == [("还钱", None), ("还钱!!", None)]


def test_timestamp_lines_split_messages_without_blank_lines() -> None:
    paste = "2026-12-08 02:14\n【云图相机】验证码 551203\n2026-12-08 02:15\n【小熊打车】验证码 662091"
    records = parse_paste(paste)
    assert [r.sent_at for r in records] == [at(2026, 12, 8, 2, 14), at(2026, 12, 8, 2, 15)]


def test_sender_lines_before_the_body() -> None:
    paste = "1069012345678\n【飞鱼读书】验证码 120934\n\n+86 139 1234 5678\n你的事我们已经通知你家里人了\n\n95588\n您的账户余额变动"
    records = parse_paste(paste)
    assert [r.sender for r in records] == ["1069012345678", "+86 139 1234 5678", "95588"]
    assert records[1].text == "你的事我们已经通知你家里人了"


def test_masked_ports_and_numbers_are_senders() -> None:
    records = parse_paste("106xxxxxxxx\n【飞鱼读书】验证码 120934\n139xxxx5678\n今天把钱还上")
    assert [r.sender for r in records] == ["106xxxxxxxx", "139xxxx5678"]


def test_phone_copy_layout_sender_then_time_then_body() -> None:
    paste = "10690000111\n短信\n今天 02:14\n【飞鱼读书】验证码 120934\n10690000222\n今天 02:15\n【乐跑】验证码 771203"
    records = parse_paste(paste, default_date=DAY)
    assert [(r.sender, r.sent_at) for r in records] == [
        ("10690000111", at(2026, 12, 8, 2, 14)),
        ("10690000222", at(2026, 12, 8, 2, 15)),
    ]


def test_messenger_layout_name_and_time_on_one_line() -> None:
    paste = "催收小王 2026-12-08 22:01\n今晚十点前不处理就联系你老婆\n催收小王 2026-12-08 22:05\n别装死"
    records = parse_paste(paste)
    assert [(r.sender, r.text) for r in records] == [
        ("催收小王", "今晚十点前不处理就联系你老婆"),
        ("催收小王", "别装死"),
    ]


def test_time_and_port_before_the_body_on_one_line() -> None:
    records = parse_paste(
        "[2026-12-08 02:14] 10690000333: 【乐跑】验证码 771203\n2026-12-08 02:16 【飞鱼读书】验证码 120934"
    )
    assert [(r.sender, r.sent_at, r.text) for r in records] == [
        ("10690000333", at(2026, 12, 8, 2, 14), "【乐跑】验证码 771203"),
        (None, at(2026, 12, 8, 2, 16), "【飞鱼读书】验证码 120934"),
    ]


def test_share_sheet_fields_after_the_body_belong_to_it() -> None:
    paste = "【乐跑】验证码 771203\n发件人：10690000444\n时间：2026-12-08 03:01\n\n发件人：10690000555\n时间：2026-12-08 03:02\n内容：【飞鱼读书】验证码 120934"
    records = parse_paste(paste)
    assert [(r.text, r.sender, r.sent_at) for r in records] == [
        ("【乐跑】验证码 771203", "10690000444", at(2026, 12, 8, 3, 1)),
        ("【飞鱼读书】验证码 120934", "10690000555", at(2026, 12, 8, 3, 2)),
    ]


def test_each_signature_line_starts_a_new_message() -> None:
    paste = "【乐跑】验证码 771203，请勿泄露。【飞鱼读书】验证码 120934，请勿泄露。\n【米多】验证码 5521"
    assert [r.text for r in parse_paste(paste)] == [
        "【乐跑】验证码 771203，请勿泄露。",
        "【飞鱼读书】验证码 120934，请勿泄露。",
        "【米多】验证码 5521",
    ]


def test_a_trailing_signature_and_times_inside_sentences_do_not_split() -> None:
    text = "您正在登录乐跑，验证码 771203。【乐跑】"
    assert [r.text for r in parse_paste(text)] == [text]
    body = "包裹已到驿站\n请于今日21:00前取件\n12月9日到期"
    assert [r.text for r in parse_paste(body)] == [body]


def test_contact_number_inside_a_body_stays_in_the_body() -> None:
    records = parse_paste("催收小王 2026-12-08 22:01\n今天必须处理\n回电 13912345678")
    assert len(records) == 1
    assert records[0].text == "今天必须处理\n回电 13912345678"


def test_raw_text_is_kept_with_full_width_digits_and_emoji() -> None:
    raw = "【乐跑】验证码：７７１２０３ 😀"
    assert parse_paste(raw)[0].text == raw


def test_dedupe_counts_the_same_message_pasted_twice() -> None:
    paste = "2026-12-08 02:14\n【乐跑】验证码 771203\n\n2026-12-08 02:14\n【乐跑】验证码  771203\n\n2026-12-08 02:20\n【乐跑】验证码 771203"
    unique, dropped = dedupe(parse_paste(paste))
    assert dropped == 1
    assert [r.sent_at for r in unique] == [at(2026, 12, 8, 2, 14), at(2026, 12, 8, 2, 20)]


def test_more_than_200k_characters_is_refused_clearly() -> None:
    assert MAX_PASTE_CHARS == 200_000
    parse_paste("还" * MAX_PASTE_CHARS)
    with pytest.raises(ValueError, match="200000"):
        parse_paste("还" * (MAX_PASTE_CHARS + 1))


def test_a_clock_time_before_each_line_starts_a_message() -> None:
    paste = "23:41 【淘宝】验证码 882011，请勿泄露\n23:41 【闲鱼】您的验证码为 3302\n23:42 【小红书】验证码：771290"
    records = parse_paste(paste, default_date=date(2026, 12, 2))
    assert [r.sent_at.strftime("%H:%M") if r.sent_at else None for r in records] == ["23:41", "23:41", "23:42"]
    assert records[1].text.startswith("【闲鱼】")
    assert parse_paste("21:00前取件，快递柜", default_date=date(2026, 12, 2))[0].sent_at is None


def test_a_day_and_part_of_day_before_the_time_stay_with_their_message() -> None:
    paste = "昨天晚上 23:45 【京东】验证码 118822\n今天凌晨 1:02 【滴滴】验证码 5521"
    records = parse_paste(paste, default_date=DAY)
    assert [(r.text, r.sent_at) for r in records] == [
        ("【京东】验证码 118822", at(2026, 12, 7, 23, 45)),
        ("【滴滴】验证码 5521", at(2026, 12, 8, 1, 2)),
    ]


def test_a_timed_sender_line_after_an_untimed_one_is_a_new_message() -> None:
    # the playtest's paste: the threat on the second line was swallowed into the code message above it
    paste = (
        "106900012345：【美团】您的验证码是482913，5分钟内有效\n"
        "23:47 106550101：您已逾期，今晚不还款明天爆你通讯录，通知你单位和家人"
    )
    first, second = parse_paste(paste, default_date=date(2026, 12, 3))
    assert first.sender == "106900012345" and "482913" in first.text
    assert second.sender == "106550101" and second.text.startswith("您已逾期")
    assert second.sent_at == at(2026, 12, 3, 23, 47)
    assert len(parse_paste("请在21:00 前取件\n明天 10:00 到")) == 1  # times inside sentences open nothing


def test_a_short_106_sender_before_a_colon_starts_its_own_message() -> None:
    code, threat = parse_paste(
        "23:41 【抖音】验证码 1234，用于登录\n1065502：王八蛋 再装死 明天去你单位 让你全公司都知道你是老赖"
    )
    assert "1234" in code.text and "老赖" not in code.text
    assert threat.sender == "1065502" and threat.text.startswith("王八蛋")


def test_an_image_placeholder_in_a_wechat_forward_is_not_a_message() -> None:
    records = parse_paste("张三 2026-12-03 02:14\n[图片]\n张三 2026-12-03 02:15\n你再不还钱我们就去你家")
    assert [r.text for r in records] == ["你再不还钱我们就去你家"]  # the picture is not logged as an SMS
