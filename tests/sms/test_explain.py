"""The SMS reply: counts, notable messages with real citations, the bombing explanation, fraud and 110 advice."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from bot.clock import CHINA
from bot.knowledge import KnowledgeBase
from bot.sms.classify import Classifier, Finding
from bot.sms.explain import MAX_REPLY_CHARS, article_label, citations, explain
from bot.sms.parse import SmsRecord, dedupe, parse_paste
from bot.texts import Texts

CITED = re.compile(r"《([^》]+)》(第[零〇一二两三四五六七八九十百千]+条(?:之[一二三四五六七八九十])?)")


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts()


BOMBING = "\n".join(
    f"2026-12-08 02:{10 + i}:00\n【{p}】验证码 {300000 + i}，请勿泄露。"
    for i, p in enumerate(["乐跑", "飞鱼读书", "米多", "云图相机", "小熊打车", "花生记账"])
)
THREAT = "2026-12-08 02:30\n不还钱明天就派人去你家，顺便问问你爸妈知不知道你欠了多少。"
INSULT = "2026-12-08 09:00\n欠钱不还的人渣。"
FRAUD = "2026-12-08 10:00\n【社保服务】您的社保卡已被暂停使用，请点击 sb-gov.top 重新认证。"
NOTICE = "2026-12-08 11:00\n【信达消费金融】您本期应还2,150.00元已逾期2天，请及时还款。"


def run(clf: Classifier, kb: KnowledgeBase, texts: Texts, paste: str) -> tuple[str, list[Finding]]:
    records, dup = dedupe(parse_paste(paste))
    findings = clf.classify_all(records)
    return explain(findings, kb, texts, duplicates=dup), findings


def assert_citations_exist(reply: str, kb: KnowledgeBase) -> None:
    known = {f"《{ref.instrument.short}》{ref.article.label}" for ref in kb.articles()}
    found = [f"《{law}》{art}" for law, art in CITED.findall(reply)]
    for label in found:
        assert label in known, f"{label} is not in knowledge/"


def test_mixed_paste_reply(clf: Classifier, kb: KnowledgeBase, texts: Texts) -> None:
    paste = "\n\n".join([BOMBING, THREAT, INSULT, FRAUD, NOTICE, NOTICE])
    reply, findings = run(clf, kb, texts, paste)
    assert len(findings) == 10
    assert "10 条短信" in reply and "1 条重复" in reply
    assert "验证码 6 条" in reply and "催收威胁 1 条" in reply and "疑似诈骗 1 条" in reply
    # the threat is listed with its articles, by their real labels
    threat_line = next(line for line in reply.splitlines() if "催收威胁（" in line)
    assert "威胁上门" in threat_line and "《民法典》第一千零三十三条" in threat_line
    # bombing: platforms named, not the lender, where to complain, keep the messages
    assert "【乐跑】" in reply and "【飞鱼读书】" in reply
    assert "不是放贷方" in reply and "客服" in reply and "运营商" in reply and "报警" in reply and "别删短信" in reply
    assert "10086" in reply  # the carrier numbers come from knowledge/contacts.yaml
    # fraud: no links, no transfers, 110, and 96110 now that knowledge/contacts.yaml names it with sources
    assert "不要点" in reply and "不要转账" in reply and "96110" in reply
    assert "110" in reply
    assert_citations_exist(reply, kb)
    assert len(reply) <= MAX_REPLY_CHARS


def test_threats_always_mention_110(clf: Classifier, kb: KnowledgeBase, texts: Texts) -> None:
    reply, findings = run(clf, kb, texts, THREAT)
    assert findings[0].label == "collection_threat"
    assert "110" in reply
    assert_citations_exist(reply, kb)


def test_cited_articles_exist_and_come_from_the_findings(clf: Classifier, kb: KnowledgeBase, texts: Texts) -> None:
    reply, findings = run(clf, kb, texts, "\n\n".join([THREAT, INSULT, FRAUD]))
    cites = citations(findings, kb)
    assert cites
    # each message's first three, the ones its line in the reply names (a visit threat once carried ten)
    assert {c.id for c in cites} == {cid for f in findings for cid in f.articles[:3]}
    assert all(c.label in reply for c in cites)
    for c in cites:
        assert article_label(kb, c.id) == c.label
    assert article_label(kb, "criminal-law:9999") is None


def test_lawful_reminders_only(clf: Classifier, kb: KnowledgeBase, texts: Texts) -> None:
    reply, _ = run(clf, kb, texts, NOTICE)
    assert "催收提醒 1 条" in reply
    assert "不违法" in reply and "协商" in reply
    assert "需要留意" not in reply and "《" not in reply


def test_own_code_is_not_called_bombing(clf: Classifier, kb: KnowledgeBase, texts: Texts) -> None:
    reply, _ = run(clf, kb, texts, "【乐跑】验证码 771203，请勿泄露。")
    assert "验证码 1 条" in reply and "不是放贷方" not in reply


def test_clock_times_without_a_day_are_shown_without_one(clf: Classifier, kb: KnowledgeBase, texts: Texts) -> None:
    # "02:01 【平台】验证码…": the day is only the paste's guess, so the reply shows the times alone (and asks the day)
    paste = "\n".join(
        f"02:0{1 + i} 【{p}】验证码 {500000 + i}，请勿泄露。"
        for i, p in enumerate(["乐跑", "飞鱼读书", "米多", "云图相机", "花生记账"])
    )
    paste += "\n02:09 13800000000：不还钱今晚就去你家，让你爸妈都知道"
    records, dup = dedupe(parse_paste(paste, default_date=datetime(2026, 12, 8).date()))
    assert all(r.date_assumed for r in records)
    reply = explain(clf.classify_all(records), kb, texts, duplicates=dup, day_asked=True)
    assert "02:01 到 02:05" in reply and "02:09" in reply
    assert "12-08" not in reply  # no day the person did not give
    dated, _ = run(clf, kb, texts, BOMBING)
    assert "12-08 02:10 到 12-08 02:15" in dated  # a day the messages show is shown


def test_undated_flood_still_gets_the_bombing_explanation(clf: Classifier, kb: KnowledgeBase, texts: Texts) -> None:
    paste = "\n".join(
        f"【{p}】验证码 {400000 + i}" for i, p in enumerate(["乐跑", "飞鱼读书", "米多", "云图相机", "花生记账"])
    )
    reply, findings = run(clf, kb, texts, paste)
    assert all(f.record.sent_at is None for f in findings)
    assert "不是放贷方" in reply and "没有时间信息" in reply


def test_many_messages_are_summarised_under_the_limit(clf: Classifier, kb: KnowledgeBase, texts: Texts) -> None:
    start = datetime(2026, 12, 8, 22, 0, tzinfo=CHINA)
    records = [
        SmsRecord(f"第{i}次：你这个人渣，欠钱不还，明天就去你家找你爸妈。", None, start + timedelta(minutes=i))
        for i in range(300)
    ]
    reply = explain(clf.classify_all(records), kb, texts)
    assert len(reply) <= MAX_REPLY_CHARS
    assert "300 条短信" in reply and "另有" in reply and "110" in reply


def test_nothing_found(kb: KnowledgeBase, texts: Texts) -> None:
    assert "没有" in explain([], kb, texts)


def test_every_sms_text_key_is_used_from_its_own_file(texts: Texts) -> None:
    for key in ("sms.summary", "sms.bombing", "sms.fraud", "sms.danger", "sms.label.fraud", "sms.signal.insult"):
        assert texts.has(key), key


def test_a_real_court_notice_is_not_called_fraud(clf: Classifier, kb: KnowledgeBase, texts: Texts) -> None:
    court = (
        "【上海市浦东新区人民法院】（2026）沪0115民初4410号案件已立案，请登录 https://zxfw.court.gov.cn 查看诉讼材料。"
    )
    reply, findings = run(clf, kb, texts, court)
    assert findings[0].label != "fraud" and "12368" in reply and "不要置之不理" in reply
    fake, fake_findings = run(clf, kb, texts, "【法院通知】您已被立案，请登录 http://court-gov.cn.xyz/a 查看")
    assert fake_findings[0].label == "fraud" and "12368" not in fake


def test_a_credit_report_notice_is_explained_not_called_unlawful(
    clf: Classifier, kb: KnowledgeBase, texts: Texts
) -> None:
    """征信业管理条例第十五条 asks for advance notice: an SMS announcing the report is that notice, not a breach."""
    reply, findings = run(clf, kb, texts, "【XX金融】您已逾期，将于3日内上报征信")
    assert findings[0].label == "collection_notice" and "credit_threat" in findings[0].signals
    assert "credit-reporting-regulation:15" not in findings[0].articles
    assert "《征信业管理条例》第十五条" in reply and "事先告知" in reply and "不违法" in reply
    assert [c.id for c in citations(findings, kb)] == ["credit-reporting-regulation:15"]
    threat, _ = run(clf, kb, texts, "你再不还钱就上报征信让你征信黑了，你个老赖不要脸")
    line = next(x for x in threat.splitlines() if "可能违反" in x)
    assert "征信业管理条例" not in line  # the insult may breach the law; the credit report notice does not
    assert "事先告知" in threat


def test_in_english_the_reply_lists_the_same_messages_as_in_chinese(
    clf: Classifier, kb: KnowledgeBase, texts: Texts
) -> None:
    paste = "\n\n".join([BOMBING, THREAT, INSULT, FRAUD, NOTICE])
    chinese, findings = run(clf, kb, texts, paste)
    english = explain(findings, kb, texts, lang="en")
    assert english.count("\n1. ") == chinese.count("\n1. ") == 1
    notable = [line for line in chinese.splitlines() if re.match(r"\d+\. ", line)]
    assert len([line for line in english.splitlines() if re.match(r"\d+\. ", line)]) == len(notable) >= 3
    assert "…and" not in english  # English is longer: it may not list fewer messages than Chinese does
    assert "不还钱明天就派人去你家" in english and "threatens a home visit" in english
    assert "【乐跑】" in english and "not the lender" in english and "96110" in english
    assert set(CITED.findall(english)) == set(CITED.findall(chinese))  # the same articles, labelled the same
    assert not re.search(r"[\u4e00-\u9fff]", CITED.sub("", re.sub(r"“[^”]*”|【[^】]*】|（[^）]*）", "", english)))
