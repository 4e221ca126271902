"""Questions about a complaint or help channel ("地方金融管理局是干嘛的") answered from its reviewed entry."""

from __future__ import annotations

import re

import pytest

from bot.knowledge import load_knowledge
from bot.legal_qa.contact_answer import ContactQuestions
from bot.settings import PROJECT_ROOT
from bot.texts import BASE, ENGLISH, Texts
from bot.wiring import App
from tests.support import msg


@pytest.fixture(scope="module")
def contacts() -> ContactQuestions:
    return ContactQuestions(load_knowledge(PROJECT_ROOT / "knowledge"), Texts())


@pytest.mark.parametrize(
    ("question", "contact", "says"),
    [
        ("地方金融管理局是干嘛的", "local-financial-regulator", "小额贷款公司"),
        ("银保监会电话多少", "nfra-12378", "2023年"),  # the old name leads to the body that replaced it
        ("12378管不管网贷", "nfra-12378", "只管它监管的持牌机构"),
        ("打110有用吗", "police-110", "派出所报案"),
        ("互金协会怎么投诉", "nifa", "中国互联网金融协会"),
    ],
)
def test_a_question_about_a_body_gets_its_reviewed_entry(
    contacts: ContactQuestions, question: str, contact: str, says: str
) -> None:
    found = contacts.answer(question, "zh_CN")
    assert found is not None
    assert found.contact.id == contact
    assert says in found.text
    assert "。 " not in found.text  # folded YAML lines joined without a stray space


@pytest.mark.parametrize(
    "question",
    [
        "催收天天打电话骚扰我，违法吗",  # names no body
        "我打了12378，他们说会转给平台，然后一直没有消息，过了一个月平台还在骚扰我，接下来怎么办才好呢",  # a story
        "客服电话0101237890是干嘛的",  # 12378 inside another number
        "他说要去法院起诉我 流程是什么样的",  # being sued: not the court as a place to complain
    ],
)
def test_other_questions_are_left_to_retrieval(contacts: ContactQuestions, question: str) -> None:
    assert contacts.answer(question, "zh_CN") is None


def test_an_english_question_gets_english_labels(contacts: ContactQuestions) -> None:
    found = contacts.answer("what is 96110?", ENGLISH)
    assert found is not None and found.contact.id == "anti-fraud-96110"
    assert found.text.startswith("96110 (anti-fraud line)")
    assert "What it handles:" in found.text


async def test_the_chat_answers_what_a_body_is_instead_of_not_covered(app: App) -> None:
    replies = await app.engine.handle(msg("地方金融管理局是干嘛的"))
    text = "\n".join(r.text for r in replies)
    assert "没有覆盖" not in text
    assert "小额贷款公司" in text and "地方金融管理部门" in text


@pytest.mark.parametrize(
    ("question", "says", "never"),
    [
        ("12300多久处理", ["5个工作日", "30日内答复"], ["不受理"]),  # what it refuses is no time limit
        ("投诉了平台多久会回复", ["15日内", "没有查到规定"], []),  # the lender, in people's words
        ("投诉12378多久有结果", ["没有查到官方规定的期限"], ["15", "工作日"]),  # no number the entry does not give
    ],
)
def test_how_long_gets_the_time_limits_a_reviewed_entry_states_and_no_others(
    contacts: ContactQuestions, question: str, says: list[str], never: list[str]
) -> None:
    found = contacts.answer(question, "zh_CN")
    assert found is not None
    assert all(s in found.text for s in says) and not any(n in found.text for n in never)


async def test_how_long_a_carrier_takes_is_answered_not_drafted_as_a_letter(app: App) -> None:
    replies = await app.engine.handle(msg("运营商投诉几天会回复"))
    text = "\n".join(r.text for r in replies)
    assert "15日内" in text and "待填写" not in text


_KEPT = re.compile(r"\([^()]*(\([^()]*\)[^()]*)*\)|\"[^\"]*\"|“[^”]*”")  # Chinese names kept in brackets or quotes
_HAN = re.compile(r"[\u4e00-\u9fff]")
IN_CHINESE = Texts().get("contact_answer.in_chinese", ENGLISH)


def _line(text: str, label: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(label))


@pytest.mark.parametrize(
    ("question", "contact", "how_says"),
    [
        ("what do i say when i call 10086", "carrier-service", ["Call customer service", "ticket number", "12300"]),
        ("how do I complain to 12378", "nfra-12378", ["Call 12378", "complaint number"]),
        ("what is 12300?", "miit-12300", ["in writing", "5 working days"]),
    ],
)
def test_an_english_speaker_gets_the_channel_facts_in_english(
    contacts: ContactQuestions, question: str, contact: str, how_says: list[str]
) -> None:
    found = contacts.answer(question, ENGLISH)
    assert found is not None and found.contact.id == contact
    how = _line(found.text, "How: ")
    assert all(s in how for s in how_says), how
    for line in found.text.splitlines():  # Chinese only as a name in brackets or quotes, beside its English
        assert not _HAN.search(_KEPT.sub("", line)), line
    assert IN_CHINESE not in found.text  # nothing was left in Chinese, so no note saying it is


def test_the_carrier_numbers_are_labelled_in_english(contacts: ContactQuestions) -> None:
    found = contacts.answer("what is 10086", ENGLISH)
    assert found is not None
    assert _line(found.text, "Phone: ") == "Phone: 10086 (China Mobile) / 10010 (China Unicom) / 10000 (China Telecom)"


def test_how_long_in_english_quotes_the_english_time_limits_only(contacts: ContactQuestions) -> None:
    found = contacts.answer("how long does 12300 take", ENGLISH)
    assert found is not None and found.contact.id == "miit-12300"
    assert "5 working days" in found.text and "30 days" in found.text and "15 days" in found.text
    assert "5 months" not in found.text  # what it refuses to take is no time limit
    assert not _HAN.search(_KEPT.sub("", found.text)) and IN_CHINESE not in found.text


def test_a_chinese_question_still_gets_the_reviewed_chinese(contacts: ContactQuestions) -> None:
    found = contacts.answer("10086怎么投诉", BASE)
    assert found is not None and found.contact.id == "carrier-service"
    how = " ".join(found.contact.how.split()).replace("； ", "；").replace("。 ", "。")
    assert _line(found.text, "怎么找：") == f"怎么找：{how}"
    assert "Call customer service" not in found.text


def test_a_field_without_english_is_shown_in_chinese_with_the_note(contacts: ContactQuestions) -> None:
    kb = load_knowledge(PROJECT_ROOT / "knowledge")
    carrier = kb.contacts["carrier-service"]
    kb.contacts["carrier-service"] = carrier.model_copy(update={"limits_en": ""})
    found = ContactQuestions(kb, Texts()).answer("what is 10086", ENGLISH)
    assert found is not None
    assert _HAN.search(_line(found.text, "Limits: ")) and found.text.endswith(IN_CHINESE)
    assert "Call customer service" in _line(found.text, "How: ")  # the fields that have English stay English


def test_every_channel_has_its_facts_in_english() -> None:
    for contact in load_knowledge(PROJECT_ROOT / "knowledge").contacts.values():
        for field in ("handles", "when", "how", "limits"):
            if getattr(contact, field):
                english = contact.english(field)
                assert english and not _HAN.search(_KEPT.sub("", english)), (contact.id, field)
