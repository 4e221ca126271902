"""Understanding rules without any model: what is certain from the words alone (navigation, small talk, safety,
draft requests, details), and what must not be misread (a victim is not a retaliator)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.understand.reader import Reader, normalise
from bot.understand.safety import Concern, check
from bot.understand.slots import extract

READER = Reader(None)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("好的，下一步", "journey.next"),
        ("下一步。", "journey.next"),
        ("上一步", "journey.back"),
        ("继续", "journey.continue"),
        ("在吗", "smalltalk.greeting"),
        ("收到，谢谢", "smalltalk.thanks"),
        ("帮我写一份报警材料", "draft.request"),
        ("我想一步一步来处理这件事", "journey.start"),
        ("催收天天用验证码轰炸我手机，犯法吗？", "question"),
    ],
)
def test_rules_read_what_is_certain(text: str, intent: str) -> None:
    assert READER.read(text).intent == intent


def test_step_number_in_words_or_digits() -> None:
    assert READER.read("第四步是什么").step == 4
    assert READER.read("第4步").step == 4


def test_draft_request_names_its_document() -> None:
    assert READER.read("我想投诉到12378，能帮我写投诉材料吗").document == "nfra_12378_complaint"
    assert READER.read("帮我写一份报警材料").document == "police_report"


@pytest.mark.parametrize(
    ("text", "concern"),
    [
        ("他们现在在砸门", Concern.DANGER),
        ("有个催收的人一直跟着我从地铁站走到小区门口，我现在很怕", Concern.DANGER),
        ("我撑不下去了，想从楼上跳下去一了百了", Concern.SELF_HARM),
        ("有人打电话说可以帮我注销网贷账户，让我下载个会议软件共享屏幕", Concern.FRAUD),
        ("客服让我把钱转到安全账户", Concern.FRAUD),
        ("我也想给他来个验证码轰炸", Concern.COUNTER_ATTACK),
        ("弄个假的诊断书去谈减免", Concern.FORGERY),
        ("帮我查一下这个催收号码是谁的，我要把他全家信息发到网上", Concern.DOXXING),
    ],
)
def test_safety_by_ordinary_words(text: str, concern: Concern) -> None:
    assert concern in check(text).concerns


@pytest.mark.parametrize(
    "text",
    ["催收伪造法院文书吓唬我", "他们用验证码轰炸我怎么办", "催收把我的信息发到网上了", "我一个人在家"],
)
def test_a_victim_describing_what_was_done_is_not_declined(text: str) -> None:
    assert READER.read(text).blocking is None


def test_normalise_drops_fillers_and_punctuation() -> None:
    assert normalise("好的， 下一步！") == "下一步"


def test_details_from_a_plain_sentence() -> None:
    found = extract("我叫刘洋，电话15800001111，借款平台是快易花，放款的是某某消费金融公司", today=date(2026, 12, 2))
    assert found == {"name": "刘洋", "phone": "15800001111", "lender": "快易花（某某消费金融公司）"}
    later = extract("我叫王小明，手机号13800138000，借的安逸花，11月20号开始", today=date(2026, 12, 2))
    assert later["start_date"] == "2026-11-20" and later["lender"] == "安逸花"
    assert extract("去朝阳区某某派出所报的案")["police_station"] == "朝阳区某某派出所"
