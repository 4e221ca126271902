"""Labelling SMS by the reviewed rules: every label and signal, extraction, messy input, bursts, rule-file errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from bot.clock import CHINA
from bot.evidence.stats import NIGHT_FROM, NIGHT_UNTIL
from bot.knowledge import KnowledgeBase, KnowledgeError
from bot.sms.classify import Classifier, Finding
from bot.sms.parse import SmsRecord, parse_paste
from bot.sms.rules import DEFAULT_RULES_PATH, LABELS, load_rules
from bot.texts import Texts


def one(clf: Classifier, text: str, when: datetime | None = None, sender: str | None = None) -> Finding:
    return clf.classify(SmsRecord(text, sender, when))


NOON = datetime(2026, 12, 8, 12, 0, tzinfo=CHINA)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("【花生记账】您的短信验证码为739201，3分钟内有效，请勿向他人透露。", "verification_code"),
        ("【Kiwi】Your one-time passcode is 448190.", "verification_code"),
        ("G-402918 is your Google verification code.", "verification_code"),
        ("【小熊打车】383920（验证码），请在页面输入完成手机号验证。", "verification_code"),
        ("【信达消费金融】王先生，您的贷款本期应还2,150.00元已逾期2天，请及时还款。", "collection_notice"),
        ("您好，这里是贷后部，关于您在某平台的欠款，想跟您确认一下还款时间，请回电。", "collection_notice"),
        ("【花橙借呗】您的借款将于明日到期，应还金额1,020元，请保持还款卡余额充足。", "collection_notice"),
        ("再不还款，我们就按你手机通讯录挨个打电话，让你亲戚朋友都知道你欠钱不还。", "collection_threat"),
        ("今天下午3点前不处理，我们的人会直接去你单位找你领导谈谈。", "collection_threat"),
        ("你的案件已移交法务部，即将申请强制执行，冻结你所有账户，欠款请今天结清。", "collection_threat"),
        ("你欠的钱再拖下去，明天外访组直接上门，到时候邻居都看着，别怪没提醒你。", "collection_threat"),
        ("不还钱就让你手机一夜不停，后果自负。", "collection_threat"),
        ("你这个垃圾人，活该一辈子穷。", "harassment_insult"),
        ("接电话！接电话！别装死！", "harassment_insult"),
        ("还钱还钱还钱还钱", "harassment_insult"),
        ("【闪借】您有一笔8000元额度待领取，立即申请 a.cn/x 回T退订", "marketing_spam"),
        ("网贷逾期别害怕，专业团队帮你协商停催，不成功不收费，加微信了解", "marketing_spam"),
        ("黑户白户都能贷，无视征信，当天放款，最高可借20万", "marketing_spam"),
        ("【社保服务】您的社保卡已被暂停使用，请点击 sb-gov.top 重新认证，逾期将作废。", "fraud"),
        ("爸，我手机掉水里了，这是我同学的号，先给我转3000交培训费。", "fraud"),
        ("我是市检察院的，你涉嫌一起非法集资案件，需将资金转入安全账户配合核查。", "fraud"),
        ("【某东客服】您的商品因质量问题召回，我们将双倍理赔，请加客服微信办理退款。", "fraud"),
        ("兼职刷单，日结300元，佣金当天返", "fraud"),
        ("【国家电网】您户号尾号3321本月电费102.30元，请于15日前缴纳。", "normal"),
        ("明天来我家吃饭吧，我妈做了红烧肉。", "normal"),
        ("【花橙借呗】您已成功还款1,020元，本期账单已结清。", "normal"),
        ("【顺丰速运】您的快件已到驿站，凭取件码 5-1-3320 取件。", "normal"),
        ("老板说明天去你们公司开会，记得准备材料", "normal"),
        ("明天我去你家接孩子", "normal"),
        ("你爸妈在家吗？我想过去拜访一下叔叔阿姨。", "normal"),
        ("123456是你的微信验证码，请勿告诉他人。", "verification_code"),
        ("我是你孩子的班主任，孩子在学校受伤了，急需手术费，请先转账到这个卡号。", "fraud"),
        ("你的案子已经提交仲裁委，再不还款，裁决下来直接执行你的工资。", "collection_threat"),
        ("你父母的住址我们已经有了，周末过去拜访一下老人家，聊聊你的欠款。", "collection_threat"),
    ],
)
def test_labels(clf: Classifier, text: str, label: str) -> None:
    finding = one(clf, text, NOON)
    assert finding.label == label, finding.rule
    assert finding.label in LABELS


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("三天内不还，你通讯录上的人都会收到催款短信。", "third_party_contact"),
        ("已经通知了你的紧急联系人，今天必须把欠款处理掉。", "third_party_contact"),
        ("不还钱我们明天就派同事去你家里坐坐，欠款今天处理。", "home_visit_threat"),
        ("逾期这么久，我们会发函到你们公司人事，让单位知道。", "workplace_threat"),
        ("你的借款纠纷已立案，法院传票近日送达，届时冻结名下银行卡。", "fake_legal_threat"),
        ("不还钱就等着被拘留吧，欠款已转刑事处理。", "fake_legal_threat"),
        ("欠钱不还的人渣，不要脸。", "insult"),
        ("逾期将上报征信，影响你以后买房贷款。", "credit_threat"),
        ("再不还款就把你的身份证照片和欠款记录发到家族群里曝光。", "exposure_threat"),
    ],
)
def test_signals(clf: Classifier, text: str, signal: str) -> None:
    finding = one(clf, text, NOON)
    assert signal in finding.signals, (finding.label, finding.signals)
    if finding.label in ("collection_threat", "harassment_insult"):
        assert finding.articles, "a threat or insult names the articles it may breach"
    else:  # a lawful reminder that mentions the credit report cites nothing
        assert finding.label == "collection_notice"
        assert finding.articles == ()


def test_night_time_is_before_eight_or_from_ten_as_the_answer_says(clf: Classifier) -> None:
    text = "起来还钱！别睡了！"
    assert "night_time" in one(clf, text, datetime(2026, 12, 8, 7, 59, tzinfo=CHINA)).signals
    assert "night_time" in one(clf, text, datetime(2026, 12, 8, 22, 0, tzinfo=CHINA)).signals
    assert "night_time" not in one(clf, text, datetime(2026, 12, 8, 8, 0, tzinfo=CHINA)).signals
    assert "night_time" not in one(clf, text, datetime(2026, 12, 8, 21, 59, tzinfo=CHINA)).signals
    assert "night_time" not in one(clf, text, None).signals
    # a UTC time is judged in Shanghai: 14:30 UTC is 22:30 in Beijing
    assert "night_time" in one(clf, text, datetime(2026, 12, 8, 14, 30, tzinfo=UTC)).signals


def test_codes_carry_no_threat_signals_even_with_scary_words(clf: Classifier) -> None:
    finding = one(clf, "【米多】验证码 5521，若非本人操作请立即冻结账户。", NOON)
    assert finding.label == "verification_code"
    assert finding.signals == ()
    assert finding.articles == ()


def test_extraction_platform_code_sender_amounts_dates(clf: Classifier) -> None:
    f = one(clf, "【飞鱼读书】您的验证码为 120934，5分钟内有效。", NOON, sender="10690000111")
    assert (f.platform, f.code, f.sender) == ("飞鱼读书", "120934", "10690000111")
    tail = one(clf, "您正在登录乐跑，验证码 7712，请勿泄露。【乐跑】")
    assert (tail.platform, tail.code) == ("乐跑", "7712")
    english = one(clf, "Your login code: 660913. Valid for 5 minutes.")
    assert (english.platform, english.code) == (None, "660913")
    notice = one(clf, "【信达消费金融】您本期应还2,150.00元已逾期，请于12月10日前还款，另有罚息¥35.5。")
    assert notice.code is None
    assert notice.amounts == ("2,150.00元", "¥35.5")
    assert "12月10日" in notice.dates
    spaced = one(clf, "【米多】您的验证码是：9 3 8 2 1 0")
    assert (spaced.label, spaced.code) == ("verification_code", "938210")
    spoken = one(clf, "连一千块都还不上，废物。")
    assert "一千块" in spoken.amounts


def test_full_width_digits_emoji_and_traditional_characters(clf: Classifier) -> None:
    f = one(clf, "【云图相机】您的验证码：５５２１８３，有效期５分钟。😀")
    assert (f.label, f.code, f.platform) == ("verification_code", "552183", "云图相机")
    assert "５５２１８３" in f.record.text  # the raw text is kept
    trad = one(clf, "【驗證】您的驗證碼是 662910，請勿洩露。")
    assert (trad.label, trad.code) == ("verification_code", "662910")
    spaced = one(clf, "你 这 个 人 渣 🤬，还 钱！")
    assert spaced.label == "harassment_insult"
    assert "insult" in spaced.signals


def test_every_cited_article_exists_in_knowledge(clf: Classifier, kb: KnowledgeBase) -> None:
    for sig in clf.rules.signals:
        for cid in sig.articles:
            assert kb.get(cid) is not None, cid
    for lab in clf.rules.labels:
        for cid in lab.articles:
            assert kb.get(cid) is not None, cid


def _burst_paste(start: datetime, n: int, platforms: list[str], step_s: int = 30) -> str:
    lines = []
    for i in range(n):
        when = start + timedelta(seconds=step_s * i)
        lines.append(f"{when:%Y-%m-%d %H:%M:%S}\n【{platforms[i % len(platforms)]}】验证码 {100000 + i}，请勿泄露。")
    return "\n".join(lines)


def test_a_burst_of_codes_from_several_platforms_is_marked(clf: Classifier) -> None:
    start = datetime(2026, 12, 8, 2, 10, tzinfo=CHINA)
    paste = (
        _burst_paste(start, 6, ["乐跑", "飞鱼读书", "米多", "云图相机"])
        + "\n\n2026-12-08 15:00:00\n【乐跑】验证码 999999"
    )
    findings = clf.classify_all(parse_paste(paste))
    assert [("code_bombing_part" in f.signals) for f in findings] == [True] * 6 + [False]
    assert all("night_time" in f.signals for f in findings[:6])
    assert "civil-code:1033" in findings[0].articles
    assert findings[-1].articles == ()


def test_no_burst_when_too_few_codes_platforms_or_too_spread_out(clf: Classifier) -> None:
    start = datetime(2026, 12, 8, 2, 10, tzinfo=CHINA)
    for paste in (
        _burst_paste(start, 4, ["乐跑", "飞鱼读书", "米多", "云图相机"]),  # too few codes
        _burst_paste(start, 6, ["乐跑", "飞鱼读书"]),  # too few platforms
        _burst_paste(start, 6, ["乐跑", "飞鱼读书", "米多"], step_s=300),  # 5 codes need > 10 minutes
    ):
        assert not any("code_bombing_part" in f.signals for f in clf.classify_all(parse_paste(paste)))


def _broken_rules(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path = tmp_path / "sms_rules.yaml"
    path.write_text(text, encoding="utf-8")
    line = text[: text.index(new)].count("\n") + 1
    return path, line


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "criminal-law:246, civil-code:1033",
            "criminal-law:999, civil-code:1033",
            "unknown article 'criminal-law:999'",
        ),
        ("'老赖|人渣", "'(老赖|人渣", "bad regex"),
        ("'老赖|人渣", "'老赖！|人渣", "NFKC"),
        ("signals: [insult]", "signals: [insults]", "unknown signal 'insults'"),
        ("window_minutes: 10", "window_minutes: ten", "window_minutes"),
    ],
)
def test_rule_file_errors_name_file_and_line(
    tmp_path: Path, kb: KnowledgeBase, old: str, new: str, message: str
) -> None:
    path, line = _broken_rules(tmp_path, old, new)
    with pytest.raises(KnowledgeError) as err:
        load_rules(kb, path)
    assert str(err.value).startswith(f"{path}:{line}: "), str(err.value)
    assert message in str(err.value)


def test_classification_is_fast(clf: Classifier) -> None:
    # not a timed target (see bench/sms_bench.py); guards against an accidental quadratic blow-up
    records = [SmsRecord("【乐跑】验证码 771203，请勿泄露。", None, NOON + timedelta(seconds=i)) for i in range(2000)]
    assert len(clf.classify_all(records)) == 2000


def test_one_night_everywhere_the_rules_the_statistics_and_the_documents() -> None:
    rules = yaml.safe_load(DEFAULT_RULES_PATH.read_text("utf-8"))["night"]
    assert (rules["from"], rules["before"]) == (f"{NIGHT_FROM}:00", f"{NIGHT_UNTIL:02d}:00")
    texts = Texts()
    for key in ("evidence.summary_night", "evidence.chart_hour_title"):
        assert f"{NIGHT_FROM}:00" in texts.get(key, timed=1, percent="1%")
    assert f"{NIGHT_FROM}时" in texts.get("documents.evidence.night", timed=1, percent="1%")  # the 证据清单 says it too
