"""Understanding rules without any model: what is certain from the words alone (navigation, small talk, safety,
draft requests, details), and what must not be misread (a victim is not a retaliator)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.texts import is_english, is_pinyin
from bot.understand.intents import load_typos
from bot.understand.reader import Reader, normalise
from bot.understand.safety import Concern, check
from bot.understand.slots import extract

READER = Reader(None)
KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


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
        ("hi sorry my chinese not good, can you help in english?", "smalltalk.english"),  # was "not covered"
        ("English please", "smalltalk.english"),
        ("can you talk to me in english please?", "smalltalk.english"),
        ("最近太累了 想休息几天 先放一放", "journey.pause"),  # was the night-calls card
        ("我在上班 等会再跟你说", "journey.pause"),  # was "not covered"
        ("I dont speak chinese, collectors keep calling me", "question"),  # the story is what to answer
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
    reply = READER.read("我想给催收回个短信让他别再打了 怎么写")  # a reply asking them to stop: the notice
    assert reply.intent == "draft.request" and reply.document == "cease_notice"


def test_asking_whether_a_report_to_the_police_is_real_is_not_asking_for_one() -> None:
    # '出' inside 派出所 once read as the verb of making a document, and a police report was drafted
    assert READER.read("他们说我是诈骗 要去我户籍地派出所报案 真的假的").intent != "draft.request"


@pytest.mark.parametrize(
    ("text", "concern"),
    [
        ("他们现在在砸门", Concern.DANGER),
        ("有个催收的人一直跟着我从地铁站走到小区门口，我现在很怕", Concern.DANGER),
        ("我撑不下去了，想从楼上跳下去一了百了", Concern.SELF_HARM),
        ("有人打电话说可以帮我注销网贷账户，让我下载个会议软件共享屏幕", Concern.FRAUD),
        ("客服让我把钱转到安全账户", Concern.FRAUD),
        ("短信说我中奖了让我点链接领奖", Concern.FRAUD),
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
    evening = extract("6月3号晚上开始 一晚上300多条验证码 第二天催收发短信说要找我单位", today=date(2026, 12, 2))
    assert evening["start_date"] == "2026-06-03"


def test_a_document_name_typed_alone_picks_it() -> None:
    assert READER.read("报警材料").document == "police_report"
    assert READER.read("告知函").intent == "draft.request"
    assert READER.read("律师函有法律效力吗").intent == "question"


@pytest.mark.parametrize(
    ("text", "concern"),
    [
        ("算了 活着太累了", Concern.SELF_HARM),
        ("我把药都准备好了 就是想跟谁说一声", Concern.SELF_HARM),
        ("要是就这么冲下去是不是就都结束了", Concern.SELF_HARM),
        ("催收现在在我单位门口大喊大叫 拉横幅", Concern.DANGER),
        ("There are two guys outside my apartment door right now", Concern.DANGER),
        ("他说是官方的 还给我看了工作证", Concern.FRAUD),
        ("对不起爸妈 我先走了", Concern.SELF_HARM),
        ("还有个说是淘宝客服要给我退款 让我把手机收到的验证码念给他", Concern.FRAUD),
        ("对方说帮我注销校园贷 要我把花呗借呗的钱都借出来转给他", Concern.FRAUD),
        ("他们说知道我孩子在哪个学校上学", Concern.DANGER),
        ("They are outside my door right now shouting", Concern.DANGER),
        ("刚才他让我转了5000到一个对公账户", Concern.PAID),
        ("我也要轰炸他 你教我怎么弄", Concern.COUNTER_ATTACK),
        ("那我把催收员的电话名字照片挂网上", Concern.DOXXING),
        ("帮我写个假的还款证明", Concern.FORGERY),
    ],
)
def test_safety_in_indirect_words(text: str, concern: Concern) -> None:
    assert concern in check(text).concerns


def test_a_victim_of_forgery_is_not_refused() -> None:
    assert READER.read("他们还冒充我发假病历给我公司说我有传染病").blocking is None
    assert READER.read("跳过").intent == "journey.skip"


@pytest.mark.parametrize(
    "text",
    [
        "保险公司说会赔给家里吗",
        "网贷是不是不还就结束了",
        "他们把我的照片发到网上了，可以告他们吗",
        "他们说要去我公司闹，怎么办",
        "这事总算结束了，谢谢",
    ],
)
def test_ordinary_worries_raise_no_safety_concern(text: str) -> None:
    assert check(text).concerns == ()


def test_common_misspellings_from_pinyin_input_are_put_right() -> None:
    reader = Reader(None, load_typos(KNOWLEDGE / "intents.yaml"))
    assert reader.correct("催手天天给我发验正码 是不是违法de") == "催收天天给我发验证码 是不是违法的"
    assert reader.correct("我叫王催") == "我叫王催"  # nothing but the listed words changes
    assert reader.correct("网带预期了会咋样 信用咔分其行吗") == "网贷逾期了会咋样 信用卡分期行吗"
    assert reader.correct("符合预期") == "符合预期"  # the word itself is left alone, only 预期了 and the like


@pytest.mark.parametrize(
    ("text", "pinyin"),
    [
        ("zen me ban a wo hao hai pa", True),
        ("cuishou shuo yao lai wo gongsi", True),
        ("Should I open the door?", False),
        ("They called my boss", False),
        ("Tell me more", False),
    ],
)
def test_pinyin_is_told_apart_from_english(text: str, pinyin: bool) -> None:
    assert is_pinyin(text) is pinyin and is_english(text) is not pinyin


def test_the_case_as_people_tell_it_fills_the_complaint_fields() -> None:
    today = date(2026, 12, 4)
    assert extract("我在安心借借了5000 合同号AX20240311 逾期两个月了", today=today) == {
        "lender": "安心借",
        "contract_no": "AX20240311",
    }
    told = extract("我3月5号已经在app里投诉过了 客服说已记录 然后就没下文了", today=today)
    assert told == {"lender_complaint_date": "2026-03-05", "lender_reply": "已记录 然后就没下文了"}
    assert extract("12月20号在平台投诉过", today=today)["lender_complaint_date"] == "2025-12-20"  # not a future day
    assert extract("平台说要起诉我", today=today) == {}  # a threat, not the lender's name or its reply
    assert extract("移动客服说已记录 然后就没下文了", today=today) == {}  # the carrier's answer, not the lender's
    assert (
        extract("招行信用卡欠了3万 客服说再不还就要去报案了", today=today) == {}
    )  # a demand, not a complaint's answer
    assert extract("在一个叫速借的app借了钱", today=today) == {"lender": "速借"}
    assert "lender_complaint_date" not in extract(
        "我12月1号在12378投诉了", today=today
    )  # the regulator, not the lender


@pytest.mark.parametrize(
    "text",
    [
        "老婆要跟我离婚 网贷的钱算夫妻共同债务吗",
        "2017年借的网贷一直没还",
        "我妹在外面借了网贷",
        "是我哥借的网贷",
        "我老公因为我欠网贷的事打我",
    ],
)
def test_a_piece_of_the_sentence_is_not_taken_for_the_lender_s_name(text: str) -> None:
    # these became "钱算夫妻共同债务吗客户服务（投诉处理）部门" and the like at the head of complaint letters
    assert "lender" not in extract(text, today=date(2026, 12, 4))
