"""Reviewed cards only where they fit: a weak match adds nothing, a card's articles must be relevant, three citations."""

from __future__ import annotations

import pytest

from bot.knowledge import load_knowledge
from bot.legal_qa.bm25 import Tokenizer
from bot.legal_qa.ingest import all_chunks
from bot.legal_qa.retrieve import Retriever
from bot.legal_qa.topics import TopicMatcher, fits
from bot.settings import PROJECT_ROOT
from bot.wiring import QAParts


class _NoDense:
    """Dense search that finds nothing: these tests are about the lexical side and the cards."""

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        return []


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    kb = load_knowledge(PROJECT_ROOT / "knowledge")
    return Retriever(kb, all_chunks(kb), _NoDense(), Tokenizer())


# Real layperson questions about other law (STARD's kind) that happen to contain a card's trigger words.
WEAK = [
    "单位让我签竞业限制协议，违约金合理吗？",
    "父母离婚后，孩子的抚养费怎么算？",
    "工伤以后单位不给报销医疗费，可以起诉吗？",
]


@pytest.mark.parametrize("question", WEAK)
def test_a_weak_card_match_adds_neither_advice_nor_articles(retriever: Retriever, question: str) -> None:
    words = [w for t in retriever.kb.topics for w in (*t.triggers, *t.weak_triggers) if not w.startswith("re:")]
    assert any(w in question for w in words)  # a card's word is there ...
    res = retriever.search(question, k=10)
    assert res.topics == []  # ... but the card does not lead
    assert all(not name.startswith("topic") for p in res.passages for name in p.ranks)


def test_a_strong_match_keeps_its_card_and_its_articles(retriever: Retriever) -> None:
    res = retriever.search("催收天天用验证码轰炸我手机，犯法吗？", k=5)
    assert res.topics and res.topics[0].topic.id == "code_bombing" and fits(res.topics[0], "验证码轰炸 催收")
    assert res.passages[0].chunk.id == "civil-code:1033" and "topic0" in res.passages[0].ranks


def test_a_card_article_that_shares_nothing_with_the_question_is_not_a_candidate(retriever: Retriever) -> None:
    card = next(t for t in retriever.kb.topics if t.id == "code_bombing")
    unrelated = "civil-code:675"  # the borrower's duty to repay on time: not a word about code floods
    patched = card.model_copy(update={"articles": [unrelated, *card.articles]})  # even listed first
    retriever.topics = TopicMatcher([patched])
    try:
        res = retriever.search("催收用验证码轰炸我", k=20)
    finally:
        retriever.topics = TopicMatcher(retriever.kb.topics)
    ids = [p.chunk.id for p in res.passages]
    assert res.topics and "civil-code:1033" in ids and unrelated not in ids


@pytest.mark.parametrize(
    "question",
    ["催收把我欠钱的事发到家族群，还P了我的照片，半夜打电话威胁要上门，还爆了我的通讯录", "验证码轰炸能报警吗"],
)
def test_an_answer_cites_at_most_three_provisions(qa_parts: QAParts, question: str) -> None:
    ans = qa_parts.qa.ask(question)
    assert ans.covered and 1 <= len(ans.citations) <= 3
    assert ans.text.count("《") - ans.text.count("《", 0, ans.text.find("\n")) <= 6  # three quoted articles, no more


@pytest.mark.parametrize(
    ("question", "sued"),
    [
        ("催收威胁要告诉我老公", False),
        ("说要把欠款告诉我家里人", False),
        ("他们说要告我", True),
        ("我被起诉了怎么办", True),
    ],
)
def test_telling_someone_is_not_being_sued(retriever: Retriever, question: str, sued: bool) -> None:
    hits = {hit.topic.id for hit in TopicMatcher(retriever.kb.topics).match(question)}
    assert ("being_sued" in hits) is sued


# An ordinary word that belongs to a card, used in its ordinary sense, must not pick that card (found in a playtest);
# the same words where someone is contacting that person or place still do.
ROUTES = [
    ("公司拖欠我三个月工资不发", None),  # the person's own employer, not a collector calling it
    ("朋友欠我钱不还怎么办", None),  # the person is the creditor
    ("我不小心把催收的短信删除了 还能找回吗", "evidence"),  # deleting SMS, not asking a platform to delete data
    ("新工作入职要授权查征信", "credit_report"),
    ("想起诉 是告借款平台还是告催收公司？催收公司名字都不知道", "who_to_sue"),  # the lawsuit question narrowed to whom
    ("我爸上个月走了，催收天天打电话让我还他的信用卡", "inherited_debt"),  # "走了" beside a debt: died
    ("父债子还是真的吗", "inherited_debt"),
    ("my father passed away and the loan app keeps calling me to pay his debt", "inherited_debt"),
    ("我朋友去世了，他欠我的钱怎么办", None),  # the person is the creditor
    ("网贷逾期了会有什么后果", "overdue_consequences"),
    ("what happens if I can't repay my online loan", "overdue_consequences"),
    ("逾期半年了会怎么样，会被抓吗", "debtor_jail"),  # the jail question is the more specific one
    ("催收让我借新还旧", "negotiation"),
    ("催收冒充公安说我涉嫌诈骗", "fake_legal"),
    (
        "my mother passed away and debt collectors say I must pay her credit card debt",
        "inherited_debt",
    ),  # not "you must"
    ("我爸生前担保的钱 现在他去世了 银行找我还", "inherited_debt"),
    ("爷爷过世了他欠的钱要孙子还吗", "inherited_debt"),
    ("他们上门后走了 我现在该怎么办", None),  # "走了": they left
    ("吓死了 他们说要我还钱", None),  # "死了" of fright
    ("催收说要抓我坐牢", "debtor_jail"),  # the debtor's fear, not the collector's crime
    ("我爸生前给朋友担保了 现在银行找我要钱", "inherited_debt"),  # the father signed, not the son
    ("my wife passed and now they call me every night about her loan", "inherited_debt"),
    ("今天加班到十点 催收还打电话", "harassment_general"),
    ("手机快被打爆了", "harassment_general"),
    ("我想起诉催收公司，能告他们什么？精神损失费能要多少", "lawsuit"),
    ("信用卡逾期了，银行能同意个性化分期吗", "negotiation"),
    ("我欠招商银行信用卡6万多 逾期4个月了 银行说再不还就报案", "debtor_jail"),  # a lawful warning, not a threat
    ("催收说已提交法务 我要不要理", "fake_legal"),
    ("网贷7年前的了 还能起诉我吗", "limitation_period"),
    ("催收打到我单位了，领导都知道了怎么办", "workplace"),
    ("我借的是一个小贷公司的钱 他们天天给我同事打电话", "workplace"),
    ("The collector keeps calling my mother", "contacts_harassment"),
    ("借款app当时让我授权了通讯录、定位、相册，我想撤回授权", "data_rights"),
    ("不还就让你全家好看", "threat"),
    ("催收公司打电话说我欠了钱 可是我根本没借过", "not_my_debt"),  # a collection company is not the workplace
    ("I never took any loan but collectors keep calling me", "not_my_debt"),
    ("平台把我的债务转让给了另一家公司，我要还给谁", "debt_transfer"),
    ("我想买手机分期 哪个平台利息低", None),  # buying in instalments is not negotiating a debt
    ("逾期了能分期吗", "negotiation"),
    ("被催收拉黑了 我想还钱都找不到人", "negotiation"),
    ("家里被偷了 要报警吗 还是先找物业", None),
    ("催收天天来我家 邻居都知道了", "home_visit"),
    ("个人放的贷 月息5分 天天催 我想举报他", "illegal_lending_crime"),
    ("借了我表哥5万 写了欠条 现在还不上 他会告我吗", "personal_loan"),  # no lender's customer service to call
    ("can they put me in jail for not paying credit card", "debtor_jail"),
    ("我向运营商投诉了验证码轰炸 没人管怎么办", "operator_complaint"),
    ("催收还说要上门 我老公还不知道", "home_visit"),  # the visit is not to the husband (another clause)
    ("欠了两个月房租 房东天天打电话还说要把我东西扔出去", "rent_arrears"),  # no lender, no 12378
    ("my landlord keeps calling me at night about rent", "rent_arrears"),
    ("2017年借的网贷一直没还 现在还能起诉我吗", "limitation_period"),
    ("我给我哥做的担保 他不还 现在银行找我还 我必须还吗", "guarantor"),
    ("I co-signed my brothers bank loan and now the bank wants me to pay", "guarantor"),
    ("已经还清了 催收还在打电话 还说我没还", "paid_off"),
    ("我手机号以前是别人的 天天有人催他的债", "not_my_debt"),
    ("我弟用我的微信借了微粒贷 现在催我", "not_my_debt"),
    ("我爸去世了 留下网贷 催收找我要 要还吗", "inherited_debt"),  # inheritance: 民法典第一千一百六十一条
    ("垃圾短信 卖房子卖保险的 烦死了", "data_rights"),  # spam (12321), not an insult
    ("催收骂我是垃圾", "insult"),
    ("我是做催收的 公司让我们打借款人的通讯录 我这样会坐牢吗", "personal_info_crime"),  # the collector's own liability
    ("我儿子借了网贷 催收找我要钱 我要替他还吗", "family_liability"),  # a parent asked to pay (was "not covered")
    ("网贷逾期了 亲戚朋友会不会被起诉", "family_liability"),  # they are not the ones sued (was the borrower's card)
    ("催收让我爸妈替我还钱", "family_liability"),
    ("我欠的钱会不会连累家人", "family_liability"),
    ("do my parents have to pay my loan", "family_liability"),
    ("我老公借的网贷 要替他还吗", "spouse_debt"),  # a spouse's debt may be a joint one: its own card
    ("我给我弟做了担保 他不还 要我替他还吗", "guarantor"),  # a guarantor does owe: its own card
    ("他说要去法院起诉我 流程是什么样的", "being_sued"),  # was answered with how to sue a collector
    ("车贷两期没还 车会被拖走吗", "secured_loan"),  # was "not covered"
    ("房贷断供了会怎样", "secured_loan"),  # the home, not overdue loans in general
    ("my car loan is overdue, can they take my car", "secured_loan"),
    ("车贷逾期会坐牢吗", "debtor_jail"),  # the fear of prison keeps its own card
    ("催收说不还钱就把我的裸照发给我通讯录里所有人", "intimate_images"),  # extortion, not exposure alone
    ("the collector says he will post my nudes if i dont pay tonight", "intimate_images"),  # was the night-calls card
    ("他说要派人去我爸妈家 催收的", "threat"),  # was the contacts card
    ("he said he'd send people to my parents house", "threat"),  # was "not covered"
    ("i'm my brother's emergency contact and they say i must pay his loan", "family_liability"),  # was "must repay"
    ("my husband borrowed from an app without telling me, do i have to pay", "spouse_debt"),  # was "must repay"
    ("will my parents get in trouble because of my loan", "family_liability"),
    ("网贷的事会不会把我爸妈也牵连进去啊 他们都七十多了", "family_liability"),
    ("我哥当年借网贷是我签字担保的 现在他跑路了", "guarantor"),
    ("法院判了我还钱 但我现在没钱 会被抓吗", "debtor_jail"),  # was the negotiation card
    ("有没有免费的律师", "lawyer"),
    ("收到律师函说要起诉我", "being_sued"),  # a letter from "lawyers" is not a question about hiring one
    ("催收把我p成遗像发给我同事", "exposure"),
    ("上班累得要命 回家还要接催收电话", "harassment_general"),  # was a list of unrelated articles
    ("催收说要去我儿子学校找他 我儿子才上小学", "threat"),  # was "not covered"
    ("they said theyll go to my kids school", "threat"),
    ("he told me hes sending some guys to my mom and dads place", "threat"),
    ("哪里能找到不要钱的律师", "lawyer"),
    ("催收说警察已经在抓我了 是不是真的", "debtor_jail"),  # was the police card
    ("我累死了 想一次性还清算了 怎么还", "repay_safely"),  # was "not covered"
    ("i want to pay it all back. how do i make sure they stop", "repay_safely"),
    ("走投无路了 借了新的还旧的", "negotiation"),  # borrowing new to repay old
    ("i borrowed 3000 rmb from an app and now they message my classmates", "contacts_harassment"),
    ("催收说你还不上就去死吧", "insult"),  # a curse: was the negotiation card (and a crisis card)
    (
        "i'm an exchange student, i borrowed 2000 yuan and now they message my classmates",
        "contacts_harassment",
    ),  # not "ex"
    ("my colleague put me as his emergency contact and now they ask me to pay his debt", "family_liability"),
    ("they said they will report me to immigration and i'll lose my visa", "threat"),
    ("the collectors called my line manager 4 times today", "workplace"),
    ("loan app say if i no pay they go post my passport photo online", "exposure"),
    ("想一次还清 怎么还", "repay_safely"),
    ("还清以后要他们给什么证明", "repay_safely"),
    ("催收说法院马上要拍卖我名下的房子 我借的是网贷", "secured_loan"),
    ("我是房东 催收打电话让我交出租客的地址 我要配合吗", "bystander"),  # was the rent card, spoken to a tenant
    ("以前的同事欠网贷 催收天天打我电话 我跟他早就不联系了", "bystander"),  # was the borrower's harassment card
    ("I'm her landlord and collectors keep calling me to give them her address", "bystander"),
    ("催收让我告诉他们我邻居住哪", "bystander"),
    ("我爸替我还钱合法吗", "family_liability"),  # was "not covered"
    ("催收说已经报案了 派出所明天来带我走 我是不是得赶紧躲起来", "debtor_jail"),  # a threat of arrest, not reporting
    ("我老公打牌欠的钱 我要替他还吗", "spouse_debt"),  # was "not covered"
    ("我媳妇在外面借了网贷 催收要我还", "spouse_debt"),  # 媳妇: was "not covered"
    ("我老婆背着我…借了钱 现在催收打到我这", "spouse_debt"),  # was the borrower's card
    ("合租的室友借了贷款 现在催收打给我 我需要管吗", "bystander"),  # was "not covered"
    ("到底该往哪个账户还钱啊 催收给的和app上的不一样", "repay_safely"),
    ("they call me like 30 times a day i'm losing my mind", "harassment_general"),  # was "not covered"
    ("how much money could i get if i sue", "lawsuit"),  # was the time-and-cost card
    ("收到一个律所发的函 说要对我提起诉讼 真的会被告吗", "being_sued"),  # was how to sue the collector
    ("催收说我替别人担保了 可我从来没签过", "not_my_debt"),  # was the kinds of guarantee
    ("我丈夫上个月车祸没了 留下好多网贷", "inherited_debt"),  # was "not covered"
    ("我男人上个月出车祸没了 手机里全是网贷", "inherited_debt"),
    ("哦打错了 13912345677", None),  # a typo put right: was "not your debt"
    ("他们说孙子不还 就要我这个当奶奶的还", "family_liability"),  # a grandmother: was the threat card
    ("我孙子赌博欠了网贷 催收天天打我座机", "family_liability"),  # was the 110 card
    ("催收天天打我座机", "harassment_general"),  # was a list of credit-card crime articles
    ("催收发了一个银行卡号让我往里还钱", "repay_safely"),  # was a fallback on 恶意透支
    ("还款账户跟app里的不一样 我该打到哪个", "repay_safely"),  # was "not covered"
    ("拉进一个群 里面全是我的亲戚 还发我欠款截图", "exposure"),  # was the evidence card
    ("我借五千现在要我还一万二 利息对不对", "illegal_debt"),  # was a fallback
    ("楼道贴了我名字 写着欠债不还", "exposure"),  # was "not covered"
    ("律师说可以帮我起诉催收 先交五千 靠谱吗", "lawyer"),  # was the damages card
    ("我想还钱 但是不知道还到哪个账户", "repay_safely"),  # was "not covered"
    ("催收一天打我三十多次 我人快疯了", "harassment_general"),  # was "not covered"
    ("how do i get them to stop calling me", "harassment_general"),
    ("I dont speak chinese, collectors keep calling me", "harassment_general"),
    ("can a loan app take my house if i only have a credit loan", "secured_loan"),
    ("我儿子学校老师打电话说孩子在学校打架了", None),  # a school calling about a child is no collector
    ("i'm dying to know if they can actually sue me", "being_sued"),
    ("催收说警察已经在找我了 真的假的", "debtor_jail"),
    ("催收 天天打 我 电话 烦死了 咋整", "harassment_general"),  # spaces between the words
    ("催收说要去我老家把我爸妈的房子拆了", "threat"),
    ("he says he will send my nudes to my family by midnight", "intimate_images"),  # not the night-calls card
    ("they threaten to send my nude photos to my parents by tonight", "intimate_images"),  # not the threat card
    ("loan app people keep calling my line leader", "workplace"),
    ("the collector said you better die", "insult"),
    ("我想找个律师 大概要花多少钱", "lawyer"),  # hiring a lawyer, not what a lawsuit costs
    ("律师函寄到我家了", "fake_legal"),  # a letter posted home is no threat to go to the parents
    ("我打了120 救护车把我妈拉走了 她是被催收气晕的", "harassment_general"),  # to hospital: not the estate card
]


@pytest.mark.parametrize(("question", "card"), ROUTES)
def test_ordinary_words_do_not_pick_a_card_but_contact_with_them_does(
    retriever: Retriever, question: str, card: str | None
) -> None:
    res = retriever.search(question, k=5)
    assert (res.topics[0].topic.id if res.topics else None) == card
