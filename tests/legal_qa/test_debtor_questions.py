"""What debtors ask beyond harassment: crimes of lenders and collectors, what a lawsuit costs, police refusals."""

from __future__ import annotations

import re

import pytest

from bot.texts import nest_quotes
from bot.wiring import QAParts


def _quotes_are_verbatim(parts: QAParts, question: str) -> list[str]:
    """Ask, check every printed quote against its article's text, and return the quotes."""
    ans = parts.qa.ask(question)
    quotes = re.findall(r"：“(.+?)”", ans.text)
    for cite, quote in zip(ans.citations, quotes, strict=False):
        ref = parts.kb.get(cite.id)
        assert ref is not None
        for piece in quote.rstrip("…").split("……"):
            assert piece.rstrip("：") in nest_quotes(ref.article.text), (cite.id, piece)
    return quotes


def test_personal_information_crime_question_gets_the_item_counts(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("他们把我通讯录卖给别人了，这样算不算侵犯公民个人信息罪")
    ids = [c.id for c in ans.citations]
    assert ans.topic == "personal_info_crime"
    assert ids[0] == "criminal-law:253-1" and "personal-info-crime-interpretation:5" in ids
    assert "50条以上" in ans.text and "500条以上" in ans.text and "5000条以上" in ans.text


def test_illegal_lending_crime_is_said_to_target_the_lender(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("放高利贷的人犯法吗，我能举报吗")
    assert ans.topic == "illegal_lending_crime"
    assert "针对的是放贷的人，不是借钱的人" in ans.text and "36%" in ans.text
    assert "本金通常仍要还" in ans.text
    assert "criminal-law:225" in [c.id for c in ans.ranked] or ans.citations


@pytest.mark.parametrize("question", ["起诉催收公司打官司要多少钱？要多久", "诉讼费交不起能减免吗"])
def test_lawsuit_cost_question_gets_the_fee_rules_and_time_limits(qa_parts: QAParts, question: str) -> None:
    ans = qa_parts.qa.ask(question)
    assert ans.topic == "lawsuit_cost_time"
    assert "缓交、减交或者免交" in ans.text and "6个月内审结" in ans.text and "3个月内审结" in ans.text
    assert {c.law for c in ans.citations} == {"诉讼费用交纳办法"}
    quotes = _quotes_are_verbatim(qa_parts, question)
    assert quotes and not quotes[0].endswith("交纳："), quotes  # a fee quote shows a fee, not only the lead-in


@pytest.mark.parametrize(
    "question", ["警察说是经济纠纷不管", "派出所不受理怎么办", "我去报警，民警说这是民事纠纷不归他们管"]
)
def test_police_refusal_reaches_the_refusal_advice(qa_parts: QAParts, question: str) -> None:
    ans = qa_parts.qa.ask(question)
    assert ans.topic == "police_refused"
    assert "立案监督" in ans.text or "检察院" in ans.text


def test_police_card_quotes_the_item_on_threatening_messages(qa_parts: QAParts) -> None:
    """A playtest found 治安管理处罚法第五十条 quoted by its no-contact paragraph under harassment advice."""
    question = "催收天天骚扰我，我想去派出所报警，警察会管吗"
    assert qa_parts.qa.ask(question).topic == "police"
    quotes = _quotes_are_verbatim(qa_parts, question)
    quote = next(q for q in quotes if q.startswith("有下列行为之一的，处五日以下拘留"))
    assert "（五）多次发送淫秽、侮辱、恐吓等信息" in quote and "禁止接触" not in quote


def test_a_long_lead_in_still_leaves_room_for_the_item(qa_parts: QAParts) -> None:
    quotes = _quotes_are_verbatim(qa_parts, "放高利贷的人犯法吗")
    assert any(q.endswith("（四）其他严重扰乱市场秩序的非法经营行为。") for q in quotes), quotes


def test_limitation_period_quote_keeps_the_three_years(qa_parts: QAParts) -> None:
    quotes = _quotes_are_verbatim(qa_parts, "欠款过了几年还能起诉我吗")
    assert "诉讼时效期间为三年" in quotes[0]


def test_threat_to_tell_the_spouse_is_not_called_a_crime(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("催收威胁要告诉我老公")
    assert ans.topic == "contacts_harassment"
    assert "本身不构成寻衅滋事" in ans.text
    crime = qa_parts.qa.ask("催收说要告诉我老公我欠钱，这算寻衅滋事吗")
    assert "不构成寻衅滋事" in crime.text or "本身不是寻衅滋事" in crime.text
    threatened = qa_parts.qa.ask("催收天天发短信辱骂恐吓我，这算寻衅滋事吗")
    assert "一般不认定为寻衅滋事" in threatened.text


def test_negotiation_is_not_backed_by_repayment_and_late_interest_articles(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("我想跟平台协商分期还款")
    assert ans.topic == "negotiation"
    assert not {"civil-code:675", "civil-code:676"} & {c.id for c in ans.citations}


@pytest.mark.parametrize(
    "question", ["我网贷逾期三个月了，想跟平台协商分期还款，有什么法律依据", "借呗逾期了能不能协商停息挂账"]
)
def test_negotiating_an_online_loan_is_backed_by_the_civil_code_not_the_credit_card_rule(
    qa_parts: QAParts, question: str
) -> None:
    ans = qa_parts.qa.ask(question)
    cited = [c.id for c in ans.citations]
    assert ans.topic == "negotiation" and "civil-code:543" in cited
    assert "credit-card-rules:70" not in cited  # a rule for card issuers does not back a loan app's borrower


@pytest.mark.parametrize("question", ["信用卡逾期了，银行能同意个性化分期吗", "信用卡还不上了，能和银行协商吗"])
def test_negotiating_a_credit_card_debt_cites_the_card_instalment_rule(qa_parts: QAParts, question: str) -> None:
    ans = qa_parts.qa.ask(question)
    assert ans.topic == "negotiation"  # "同意" here is the bank agreeing, not consent to use personal data
    assert ans.citations[0].id == "credit-card-rules:70"


def test_jail_question_names_wage_garnishment_and_the_defaulter_list_conditions(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("欠网贷还不上会坐牢吗")
    assert ans.topic == "debtor_jail"
    assert "协助执行通知书" in ans.text and "有履行能力而拒不履行" in ans.text and "5万元以上" in ans.text
