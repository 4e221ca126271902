"""Cited answers: the right articles, exact quotes, honest 'not covered', no invented or stale citations."""

from __future__ import annotations

import re

import pytest

from bot.knowledge import cite as cite_of
from bot.texts import nest_quotes
from bot.wiring import QAParts


def _ids(parts: QAParts, question: str) -> list[str]:
    return [c.id for c in parts.qa.ask(question).citations]


@pytest.mark.parametrize(
    ("question", "must_cite"),
    [
        ("催收天天用验证码轰炸我手机，犯法吗？", "civil-code:1033"),
        ("他们打电话给我通讯录里的人合法吗", "pipl:10"),
        ("催收把我的照片发到微信群里说我是骗子", "civil-code:1032"),
        ("催收说要带人去我家，我很怕", "criminal-law:293"),
        ("被催收骚扰得了抑郁症，能要精神损害赔偿吗", "civil-code:1183"),
        ("征信上的逾期记录会保存多久", "credit-reporting-regulation:16"),
        ("the collector keeps sending me hundreds of verification codes at night, is it legal?", "civil-code:1033"),
    ],
)
def test_answers_cite_the_governing_article(qa_parts: QAParts, question: str, must_cite: str) -> None:
    assert must_cite in _ids(qa_parts, question)


def test_answer_quotes_the_article_text_verbatim(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("催收天天用验证码轰炸我手机，犯法吗？")
    assert ans.covered
    assert "《民法典》第一千零三十三条" in ans.text
    quotes = re.findall(r"：“(.+?)”", ans.text)
    assert quotes
    for cite, quote in zip(ans.citations, quotes, strict=False):
        ref = qa_parts.kb.get(cite.id)
        assert ref is not None
        for piece in quote.rstrip("…").split("……"):
            assert piece.rstrip("：") in nest_quotes(ref.article.text), (cite.id, piece)


def test_answer_says_what_to_do_next_and_where_to_get_help(qa_parts: QAParts) -> None:
    text = qa_parts.qa.ask("验证码轰炸怎么办").text
    assert "12378" in text and "12348" in text


@pytest.mark.parametrize("question", ["明天广州下不下雨啊，要不要带伞", "租手机哪个平台押金低啊", "红烧肉怎么做好吃"])
def test_unrelated_questions_are_honestly_not_covered(qa_parts: QAParts, question: str) -> None:
    ans = qa_parts.qa.ask(question)
    assert not ans.covered
    assert ans.citations == []
    assert "没有覆盖" in ans.text and "12348" in ans.text


def test_english_question_gets_an_english_answer(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("Is it legal for collectors to call my family and friends?")
    assert ans.english and ans.covered
    assert "Legal basis" in ans.text and "12348" in ans.text


def test_superseded_2012_numbering_is_never_cited_and_the_change_is_explained(qa_parts: QAParts) -> None:
    for q in ["催收发短信辱骂威胁我能报警吗", "验证码轰炸能报警吗", "催收半夜一直发短信骂人"]:
        ans = qa_parts.qa.ask(q)
        assert all(c.status != "superseded" for c in ans.citations), q
    text = qa_parts.qa.ask("催收发短信辱骂威胁我能报警吗").text
    assert "2026年1月1日" in text and "第四十二条" in text


def test_an_old_article_number_asked_for_gets_the_article_it_became_and_says_so(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("治安管理处罚法第四十二条")
    assert [c.id for c in ans.citations] == ["public-security-admin-punishments-law-2025:50"]
    assert ans.text.startswith("你问的条文原文如下")
    assert "第四十二条是2012年旧文本的条号，这一条现在是《治安管理处罚法》第五十条" in ans.text
    assert "2026年1月1日" in ans.text
    moved = qa_parts.qa.ask("网络安全法第四十一条")  # the 2016 number; the text in force calls it 第四十三条
    assert [c.id for c in moved.citations] == ["cybersecurity-law-2025:43"]
    assert "第四十一条是2016年旧文本的条号" in moved.text


def test_a_number_that_a_revision_gave_to_another_article_is_flagged(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("网络安全法第四十四条是什么")  # pages quoting the 2016 text mean what is now 第四十六条
    assert [c.id for c in ans.citations] == ["cybersecurity-law-2025:44"]
    assert "如果你看到的是2016年旧文本的《网络安全法》第四十四条，那一条现在是《网络安全法》第四十六条" in ans.text
    plain = qa_parts.qa.ask("民法典第1033条")
    assert "旧文本" not in plain.text


def test_harassment_reported_to_police_cites_the_current_article_with_the_renumbering_note(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("催收天天发短信骂我恐吓我，派出所说是经济纠纷不管，能报警吗")
    ids = [c.id for c in ans.citations]
    assert "public-security-admin-punishments-law-2025:50" in ids
    assert "《治安管理处罚法》第五十条" in ans.text and "第四十二条" in ans.text and "已失效" in ans.text
    named = qa_parts.qa.ask("新治安管理处罚法第五十条怎么规定的")
    assert named.citations[0].id == "public-security-admin-punishments-law-2025:50"


def test_amended_law_citation_carries_its_numbering_note(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("我的个人信息被泄露被卖了，网络安全法怎么规定")
    assert not any(c.id.startswith("cybersecurity-law-2016") for c in ans.citations)
    csl = [c for c in ans.citations if c.id.startswith("cybersecurity-law-2025")]
    assert csl
    assert "2026年1月1日" in ans.text and "旧" in ans.text
    named = qa_parts.qa.ask("网络安全法第四十四条怎么规定的")
    assert named.citations[0].id == "cybersecurity-law-2025:44"


def test_named_article_is_found_directly(qa_parts: QAParts) -> None:
    res = qa_parts.qa.retrieve("民法典第一千零三十八条说的是什么")
    assert res.passages[0].chunk.id == "civil-code:1038"
    res = qa_parts.qa.retrieve("刑法第293条之一")
    assert res.passages[0].chunk.id == "criminal-law:293-1"


def test_every_citation_exists_in_knowledge(qa_parts: QAParts) -> None:
    questions = ["催收打到我单位", "高利贷还用还吗", "收到假传票", "怎么屏蔽验证码", "我想起诉催收公司", "征信能洗白吗"]
    for q in questions:
        for c in qa_parts.qa.ask(q).citations:
            ref = qa_parts.kb.get(c.id)
            assert ref is not None and ref.article.label == c.article and ref.instrument.short == c.law


def test_retrieval_modes_all_return_ranked_passages(qa_parts: QAParts) -> None:
    for mode in ("bm25", "dense", "hybrid", "full"):
        res = qa_parts.qa.retrieve("手机号被拿去注册收到大量验证码短信", k=5, mode=mode)  # type: ignore[arg-type]
        assert len(res.passages) == 5
        scores = [p.score for p in res.passages]
        assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    ("question", "card"),
    [
        ("能跟平台协商分期吗", "negotiation"),
        ("怎么跟催收协商减免", "negotiation"),
        ("我想协商还款，但是平台不同意怎么办", "negotiation"),
        ("网贷催收应该去哪里投诉", "channels"),
        ("投诉找谁", "channels"),
        ("他们说要上报征信，这合法吗", "credit_report"),
    ],
)
def test_citations_under_a_card_are_the_cards_own(qa_parts: QAParts, question: str, card: str) -> None:
    """A playtest found 民法典第一千一百八十七条 (paying damages after negotiation) under the negotiation advice and
    第一千一百六十六、一千一百七十五条 under "where do I complain": retrieval found them for one shared word."""
    ans = qa_parts.qa.ask(question)
    assert ans.topic == card
    topic = next(t for t in qa_parts.kb.topics if t.id == card)
    assert ans.citations and all(c.id in topic.articles for c in ans.citations), [c.id for c in ans.citations]
    assert not {"civil-code:1187", "civil-code:1166", "civil-code:1175"} & {c.id for c in ans.citations}


def test_illegal_debt_collection_offence_is_said_to_cover_only_illegal_debts(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("催收这样算犯罪吗")
    assert "criminal-law:293-1" in [c.id for c in ans.citations]
    assert "只针对催收高利放贷等产生的非法债务" in ans.text and "这个罪名就用不上" in ans.text


def test_limitation_period_question_cites_the_civil_code(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("网贷逾期好几年了，平台现在还能起诉我吗？诉讼时效是多久")
    assert ans.topic == "limitation_period"
    assert "civil-code:188" in [c.id for c in ans.citations] and "三年" in ans.text


def test_a_debt_past_its_limitation_period_gets_the_limitation_rules_not_the_debt_still_owed_card(
    qa_parts: QAParts,
) -> None:
    ans = qa_parts.qa.ask("欠款过了诉讼时效还要还吗")
    assert ans.topic == "limitation_period"
    cited = [c.id for c in ans.citations]
    assert "civil-code:192" in cited  # the defence, and what agreeing to pay afterwards does
    assert "不会主动" in ans.text and "重新计算" in ans.text


@pytest.mark.parametrize(
    "question", ["平台把我的债务转让给了另一家公司，我要还给谁", "说我的欠款已经打包卖给资产管理公司了，要我还给他们"]
)
def test_a_transferred_debt_gets_the_assignment_rules_and_a_scam_warning(qa_parts: QAParts, question: str) -> None:
    ans = qa_parts.qa.ask(question)
    assert ans.topic == "debt_transfer"
    assert ans.citations[0].id == "civil-code:546" and "不发生效力" in ans.text and "96110" in ans.text


def test_a_debt_never_taken_is_not_to_be_paid_and_the_credit_report_is_checked(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("催收打电话说我欠了钱 可是我根本没借过")
    assert ans.topic == "not_my_debt"
    assert [c.id for c in ans.citations][:2] == ["civil-code:465", "credit-reporting-regulation:25"]
    assert "先别因为害怕就转钱" in ans.text and "征信报告" in ans.text


def test_an_interest_question_does_not_cite_the_offence_of_collecting_unlawful_debts(qa_parts: QAParts) -> None:
    plain = qa_parts.qa.ask("借呗和花呗的利息算高利贷吗")
    assert plain.topic == "illegal_debt" and "criminal-law:293-1" not in [c.id for c in plain.citations]
    collected = qa_parts.qa.ask("高利贷的催收天天上门威胁 利息合法吗")  # collecting it: the offence applies
    assert collected.topic == "illegal_debt" and "criminal-law:293-1" in [c.id for c in collected.citations]


def test_spouse_debt_question_cites_the_joint_debt_rule(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("老公背着我借了网贷，现在催收找我要钱，我要替他还吗")
    assert ans.topic == "spouse_debt"
    assert ans.citations[0].id == "civil-code:1064" and "事后追认" in ans.text
    harassed = qa_parts.qa.ask("催收打电话给我老婆，说我欠钱不还")
    assert harassed.topic != "spouse_debt"


def _named_in_text(parts: QAParts, text: str) -> list[str]:
    """Article numbers the answer names outside its quoted basis and its renumbering notes."""
    lines = [ln for ln in text.splitlines() if not re.match(r"^\d+\. |^注（", ln)]
    return re.findall(r"第[一二三四五六七八九十百千零〇\d]+条(?:之[一二三四五六七八九十])?", "\n".join(lines))


@pytest.mark.parametrize(
    "question",
    [
        "验证码轰炸能报警吗？派出所管不管？上回打110人家说你这是经济纠纷去法院起诉，我真的无语了",
        "我就在一个app借过钱，为啥现在好几家听都没听过的公司也来催我，还知道我身份证号、家庭住址？",
        "派出所不受理怎么办",
    ],
)
def test_an_answer_names_no_article_it_does_not_quote(qa_parts: QAParts, question: str) -> None:
    ans = qa_parts.qa.ask(question)
    assert ans.covered and 1 <= len(ans.citations) <= 3
    for number in _named_in_text(qa_parts, ans.text):
        assert any(c.article == number for c in ans.citations), (number, [c.label for c in ans.citations])


def test_a_cards_passing_reference_stays_when_its_article_is_shown(qa_parts: QAParts) -> None:
    answerer = qa_parts.qa.answerer
    kb = qa_parts.kb
    advice = "属于治安违法（治安管理处罚法第五十条）；应当说明理由（第九十条）。别拖（第二十五条）。"
    shown = [cite_of(r) for r in (kb.get("public-security-admin-punishments-law-2025:50"),) if r is not None]
    assert answerer.backed(advice, shown) == "属于治安违法（治安管理处罚法第五十条）；应当说明理由。别拖。"
    both = [*shown, *[cite_of(r) for r in (kb.get("public-security-admin-punishments-law-2025:90"),) if r]]
    assert answerer.backed(advice, both) == "属于治安违法（治安管理处罚法第五十条）；应当说明理由（第九十条）。别拖。"
    civil_90 = [cite_of(r) for r in (kb.get("civil-code:90"),) if r is not None]
    assert "第九十条" not in answerer.backed(advice, civil_90)  # another law's 第九十条 does not back it


def test_a_long_message_about_several_things_names_the_others_under_its_answer(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("我妈接到催收电话 他们还去我单位拉横幅 我借5000到手才3500 砍头息这个合法吗")
    also = next(line for line in ans.text.split("\n") if line.startswith("你还提到了"))
    assert ans.topic == "illegal_debt" and "打到单位、找领导" in also
    short = qa_parts.qa.ask("催收天天用验证码轰炸我手机，犯法吗？")
    assert "你还提到了" not in short.text


def test_sensitive_information_is_cited_only_where_the_question_names_some(qa_parts: QAParts) -> None:
    where = qa_parts.qa.ask("催收居然知道我上周去了哪个城市、住的哪个酒店，这些信息哪来的？这算犯罪吗")
    assert "pipl:28" in [c.id for c in where.citations]  # whereabouts are sensitive personal information
    sold = qa_parts.qa.ask("为啥好几家没听过的公司也来催我，是不是我信息被卖了")
    assert "pipl:28" not in [c.id for c in sold.ranked]
    assert sold.topic == where.topic == "info_leak"


def test_whom_to_sue_rests_on_the_lenders_duty_for_the_agency_it_hired(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("要起诉的话是告借款平台还是告催收公司啊？催收公司我连名字都不知道，只有几个手机号")
    assert ans.topic == "who_to_sue"
    assert {"civil-code:1165", "pipl:21"} <= {c.id for c in ans.ranked}


def test_a_dead_relatives_debt_is_answered_from_the_succession_rules(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("我妈去世了 她欠的网贷催收让我还 我不想还 可以吗")
    assert ans.topic == "inherited_debt" and ans.citations[0].id == "civil-code:1161"
    assert "父债子还”不是法律规定" in ans.text and "放弃继承" in ans.text
    assert "civil-code:1064" not in [c.id for c in ans.ranked]  # the marital-debt rule only for a late spouse
    spouse = qa_parts.qa.ask("老公去世了，他生前借了好多网贷，现在都找我还")
    assert "civil-code:1064" in [c.id for c in spouse.ranked]


def test_someone_posing_as_the_police_is_answered_first_by_the_impersonation_offence(qa_parts: QAParts) -> None:
    posing = qa_parts.qa.ask("催收冒充公安打电话说我涉嫌诈骗")
    assert posing.citations[0].id == "criminal-law:279"
    letter = qa_parts.qa.ask("催收说给我寄了律师函，是真的吗")
    assert letter.topic == posing.topic == "fake_legal"
    assert letter.citations[0].id != "criminal-law:279"


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("民法典1033条说的什么", "civil-code:1033"),
        ("刑法二百五十三条之一", "criminal-law:253-1"),
        ("网络安全法 44条", "cybersecurity-law-2025:44"),
    ],
)
def test_an_article_asked_for_without_di_is_found(qa_parts: QAParts, question: str, article: str) -> None:
    ans = qa_parts.qa.ask(question)
    assert [c.id for c in ans.citations] == [article] and ans.text.startswith("你问的条文原文如下")


def test_published_health_records_are_answered_first_as_sensitive_information(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("催收把我的病历发到家族群里了")
    assert ans.topic == "exposure" and ans.citations[0].id == "pipl:28"
    plain = qa_parts.qa.ask("催收把我的照片和欠款发到家族群里了")
    assert plain.citations[0].id != "pipl:28"


def test_an_article_the_knowledge_base_does_not_have_is_said_to_be_missing(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("民法典第9999条")
    assert not ans.covered and not ans.citations
    assert ans.text.startswith("知识库里没有《民法典》第9999条") and "flk.npc.gov.cn" in ans.text


def test_a_car_loan_default_is_answered_from_the_mortgage_rules(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("车贷两期没还 车会被拖走吗")
    assert ans.topic == "secured_loan" and ans.citations[0].id == "civil-code:410"
    assert "请求法院拍卖、变卖" in ans.text and "协商延期或分期" in ans.text


def test_family_members_are_told_they_need_not_pay_a_loan_they_never_signed(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("我儿子借了网贷 催收找我要钱 我要替他还吗")
    assert ans.topic == "family_liability" and ans.citations[0].id == "civil-code:465"
    assert "没有替借款人还的义务" in ans.text
    assert "civil-code:1064" not in {c.id for c in ans.ranked}  # the spouse's rule only where a spouse is named


def test_a_card_quotes_the_part_of_an_article_that_backs_it(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("催收打电话给我妈还有通讯录里的同事 这样合法吗")
    assert ans.topic == "contacts_harassment" and "pipl:13" in {c.id for c in ans.citations}
    assert "（一）取得个人的同意" in ans.text and "自行公开" not in ans.text  # not the item that reads like a licence


def test_a_house_that_secures_no_loan_is_sold_only_in_enforcement_after_a_judgment(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("催收说我名下的房子要被法院拍卖 我借的是网贷")
    assert ans.topic == "secured_loan" and ans.citations[0].id == "civil-procedure-law:255"
    assert "不是抵押贷款的" in ans.text


def test_how_long_a_lawsuit_takes_comes_first_in_the_lawsuit_cost_card(qa_parts: QAParts) -> None:
    ans = qa_parts.qa.ask("起诉催收公司要多久 花多少钱")
    assert ans.topic == "lawsuit_cost_time" and ans.text.startswith("时间：一审普通程序")
