"""Pastes as people really copy them: times in front or after, dates on their own line, senders, exports, CSV."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.clock import CHINA
from bot.sms.parse import parse_paste

DAY = date(2026, 12, 3)
PLATFORMS = ["美团", "拼多多", "京东", "淘宝", "饿了么", "滴滴出行", "携程"]


def at(h: int, mi: int, s: int = 0, d: int = 3) -> datetime:
    return datetime(2026, 12, d, h, mi, s, tzinfo=CHINA)


def codes_with_leading_times(n: int = 28, fmt: str = "{h:02d}:{m:02d}") -> str:
    return "\n".join(
        f"{fmt.format(h=2, m=1 + i // 4)} 【{PLATFORMS[i % 7]}】您的验证码是{482913 + i}，5分钟内有效。"
        for i in range(n)
    )


def test_twenty_eight_lines_with_leading_times_are_twenty_eight_timed_messages() -> None:
    records = parse_paste(codes_with_leading_times(), default_date=DAY)
    assert len(records) == 28
    assert [r.sent_at for r in records] == [at(2, 1 + i // 4) for i in range(28)]
    assert all(r.text.startswith("【") for r in records)
    assert all(r.date_assumed for r in records)  # a bare time takes the paste's day, and says so


@pytest.mark.parametrize("fmt", ["{h}:{m:02d}", "{h:02d}:{m:02d}:33", "{h:02d}：{m:02d}"])
def test_leading_time_variants(fmt: str) -> None:
    records = parse_paste(codes_with_leading_times(4, fmt), default_date=DAY)
    assert len(records) == 4 and all(r.sent_at is not None and r.sent_at.hour == 2 for r in records)


def test_leading_time_before_a_message_without_signature() -> None:
    records = parse_paste("01:22 再不还钱今晚就去你家\n01:25 接电话", default_date=DAY)
    assert [(r.text, r.sent_at) for r in records] == [("再不还钱今晚就去你家", at(1, 22)), ("接电话", at(1, 25))]


def test_a_time_inside_a_sentence_is_not_a_send_time() -> None:
    for text in ("请于21:00前还款", "18:00 前还款，否则上门", "请在今晚 21:00 处理"):
        records = parse_paste(text, default_date=DAY)
        assert len(records) == 1 and records[0].sent_at is None and records[0].text == text


@pytest.mark.parametrize(
    ("date_line", "day"),
    [("12月3日", 3), ("12-02", 2), ("2026/12/01", 1), ("昨天", 2), ("周二", 1), ("—————  2026-12-02  —————", 2)],
)
def test_a_date_on_its_own_line_dates_the_bare_times_after_it(date_line: str, day: int) -> None:
    records = parse_paste(f"{date_line}\n02:01 【美团】验证码482913\n02:02 【京东】验证码123456", default_date=DAY)
    assert [r.sent_at for r in records] == [at(2, 1, d=day), at(2, 2, d=day)]
    assert not any(r.date_assumed for r in records)


@pytest.mark.parametrize(
    ("text", "sender"),
    [
        ("1069012345：【美团】您的验证码是482913", "1069012345"),
        ("13912345678：今晚就带兄弟过去弄死你", "13912345678"),
        ("发件人：10690000\n【美团】您的验证码是482913", "10690000"),
        ("+86 139 1234 5678\n你再不还钱就爆你通讯录", "+86 139 1234 5678"),
    ],
)
def test_sender_lines(text: str, sender: str) -> None:
    records = parse_paste(text, default_date=DAY)
    assert len(records) == 1 and records[0].sender == sender
    assert not records[0].text.startswith(sender)


@pytest.mark.parametrize(
    "text",
    [
        "【美团】您的验证码是482913。 02:01\n【京东】您的验证码是123456。 02:02",
        "【美团】您的验证码是482913（02:01）\n【京东】您的验证码是123456（02:02）",
        "【美团】您的验证码是482913\n02:01\n【京东】您的验证码是123456\n02:02",
    ],
)
def test_times_after_the_text(text: str) -> None:
    records = parse_paste(text, default_date=DAY)
    assert [r.sent_at for r in records] == [at(2, 1), at(2, 2)]
    assert [r.text.rstrip("。") for r in records] == ["【美团】您的验证码是482913", "【京东】您的验证码是123456"]


def test_several_timed_messages_on_one_line() -> None:
    records = parse_paste("02:01 【美团】验证码482913 02:02 【京东】验证码123456", default_date=DAY)
    assert [(r.text, r.sent_at) for r in records] == [
        ("【美团】验证码482913", at(2, 1)),
        ("【京东】验证码123456", at(2, 2)),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "时间,号码,内容\n2026-12-03 02:01,10690000,【美团】您的验证码是482913\n2026-12-03 02:02,10690001,【京东】验证码123456",
        "2026-12-03 02:01\t10690000\t【美团】您的验证码是482913\n2026-12-03 02:02\t10690001\t【京东】验证码123456",
        "10690000 2026-12-03 02:01 【美团】您的验证码是482913\n10690001 2026-12-03 02:02 【京东】验证码123456",
        "10690000\n2026-12-03 02:01\n【美团】您的验证码是482913\n10690001\n2026-12-03 02:02\n【京东】验证码123456",
    ],
)
def test_export_rows(text: str) -> None:
    records = parse_paste(text, default_date=DAY)
    assert [(r.sender, r.sent_at) for r in records] == [("10690000", at(2, 1)), ("10690001", at(2, 2))]
    assert records[0].text == "【美团】您的验证码是482913" and not records[0].date_assumed


def test_ios_and_wechat_copies() -> None:
    ios = parse_paste("Text Message\nToday 2:01 AM\n【美团】您的验证码是482913", default_date=DAY)
    assert [(r.sender, r.sent_at) for r in ios] == [(None, at(2, 1))]
    wechat = parse_paste("张三的聊天记录\n张三 12-03 02:01\n你再不还钱就爆你通讯录", default_date=DAY)
    assert [(r.sender, r.text) for r in wechat] == [("张三", "你再不还钱就爆你通讯录")]


def test_a_bare_time_later_than_the_paste_was_yesterday() -> None:
    now = datetime(2026, 12, 3, 1, 22, tzinfo=CHINA)
    records = parse_paste("23:10 【美团】验证码482913\n01:05 【京东】验证码123456", default_date=DAY, now=now)
    assert [r.sent_at for r in records] == [at(23, 10, d=2), at(1, 5)]


def test_a_month_day_after_the_paste_date_is_last_year() -> None:
    records = parse_paste("12月31日 23:10\n还钱", default_date=date(2027, 1, 2))
    assert records[0].sent_at == datetime(2026, 12, 31, 23, 10, tzinfo=CHINA)


def test_no_time_stays_unknown() -> None:
    records = parse_paste("今晚就带兄弟过去弄死你", default_date=DAY)
    assert records[0].sent_at is None and not records[0].date_assumed


def test_a_time_line_after_an_untimed_first_message_opens_the_next_one() -> None:
    records = parse_paste("【美团】验证码482913\n2026-12-03 02:15\n【京东】验证码123456", default_date=DAY)
    assert [(r.text, r.sent_at) for r in records] == [
        ("【美团】验证码482913", None),
        ("【京东】验证码123456", at(2, 15)),
    ]


def test_a_date_and_time_inside_the_text_is_not_a_send_time() -> None:
    for text in ("您预约的时间为 2026-12-05 14:00", "请于 12月5日 18:00", "还款截止 12-05 18:00"):
        records = parse_paste(text, default_date=DAY)
        assert [(r.text, r.sent_at) for r in records] == [(text, None)]


def test_bad_input_is_parsed_whole() -> None:
    many = "\n".join(f"{i // 60 % 24:02d}:{i % 60:02d} 【平台{i % 9}】您的验证码是{100000 + i}" for i in range(5_000))
    assert len(parse_paste(many, default_date=DAY)) == 5_000
    long_line = "还钱😡" * 3_400 + " 02:01"
    records = parse_paste(long_line, default_date=DAY)
    assert len(records) == 1 and records[0].text.startswith("还钱😡") and len(records[0].text) >= 10_000
    mixed = parse_paste("０２：０１　【美团】您的验证码是４８２９１３ Your code", default_date=DAY)
    assert [(r.sent_at, r.text) for r in mixed] == [(at(2, 1), "【美团】您的验证码是４８２９１３ Your code")]


# Bank and card messages are long and carry their own dates and times in the text; a named sender is common.
BANK = "您尾号1234的卡12月2日21:05消费人民币58.00元，可用余额3,210.00元，如有疑问请致电客服。【某某银行】"


@pytest.mark.parametrize(
    "text",
    [
        f"95555 2026-12-02 21:05 {BANK}",  # a number, a full timestamp, then a long message without 【】 in front
        f"某某银行 2026-12-02 21:05 【某某银行】{BANK[:-6]}",  # a named sender before a signed message
        f"2026-12-02 21:05\t某某银行\t{BANK}",  # a tab-separated export row with a named sender
    ],
)
def test_a_long_message_after_its_sender_and_timestamp_is_one_timed_message(text: str) -> None:
    records = parse_paste(text, default_date=DAY)
    assert len(records) == 1
    assert records[0].sent_at == at(21, 5, d=2) and records[0].sender in ("95555", "某某银行")
    assert records[0].text.endswith("如有疑问请致电客服。【某某银行】") or records[0].text.endswith(
        "如有疑问请致电客服。"
    )


def test_a_named_sender_label() -> None:
    records = parse_paste(f"发件人：某某银行\n{BANK}", default_date=DAY)
    assert [(r.sender, r.text) for r in records] == [("某某银行", BANK)]


def test_a_bracketed_time_after_a_message_that_ends_in_a_word() -> None:
    records = parse_paste("更多服务请关注某某银行信用卡官方微信（19:37）", default_date=DAY)
    assert [(r.text, r.sent_at) for r in records] == [("更多服务请关注某某银行信用卡官方微信", at(19, 37))]


def test_a_service_number_glued_to_the_signature_is_the_sender() -> None:
    records = parse_paste(f"95555【某某银行】{BANK[:-6]}", default_date=DAY)
    assert [(r.sender, r.text.startswith("【某某银行】")) for r in records] == [("95555", True)]
    untouched = parse_paste("95566您在我行的账户余额不足", default_date=DAY)  # no signature: the number stays text
    assert [(r.sender, r.text) for r in untouched] == [(None, "95566您在我行的账户余额不足")]


def test_a_sender_name_on_its_own_line_above_a_full_timestamp() -> None:
    records = parse_paste(f"某某银行\n2026-12-02 21:05\n{BANK}", default_date=DAY)
    assert [(r.sender, r.sent_at, r.text) for r in records] == [("某某银行", at(21, 5, d=2), BANK)]
    # a short message above a bare time is still a message
    kept = parse_paste("在吗\n02:01\n【美团】验证码482913", default_date=DAY)
    assert [r.text for r in kept] == ["在吗", "【美团】验证码482913"]
