"""The real-message set (tests/data/sms-real.jsonl): messages quoted on public pages, scored as a person would meet
them; the labels the issue's done-when names hold, and a message pasted in another layout keeps its label."""

from __future__ import annotations

import pytest

from bot.settings import PROJECT_ROOT
from bot.sms.classify import Classifier
from bot.sms.evaluate import evaluate_sms, item_record, load_items, paste_record

REAL = PROJECT_ROOT / "tests" / "data" / "sms-real.jsonl"


@pytest.fixture(scope="module")
def result(clf: Classifier) -> dict[str, object]:
    return evaluate_sms(clf, REAL)


def test_every_item_names_its_source_and_how_it_was_found() -> None:
    for item in load_items(REAL):
        assert item.get("source") and item.get("kind"), item["id"]
        assert item.get("signals_partial") is True, item["id"]  # signals are only partly annotated here


def test_codes_and_collection_threats_meet_the_done_when_targets(result: dict[str, object]) -> None:
    labels = result["labels"]
    assert isinstance(labels, dict)
    assert labels["verification_code"]["f1"] >= 0.97
    assert labels["collection_threat"]["f1"] >= 0.9


def test_each_paste_comes_back_as_one_message_with_the_label_of_the_message_alone(clf: Classifier) -> None:
    items = [it for it in load_items(REAL) if "paste" in it]
    assert len(items) >= 10
    for it in items:
        record, count = paste_record(it)
        assert count == 1, it["paste"]
        assert record.text == it["text"], it["paste"]
        assert clf.classify(record).label == clf.classify(item_record(it)).label == it["label"], it["paste"]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # the same kinds of message as the real set, in other words (not copied from it)
        ("王某，你借的钱已经逾期三个月，两天内不处理，你爸妈替你还吧", "collection_threat"),
        ("明天上午十点我们的外访同事会上门核实情况，请家里留人", "collection_threat"),
        ("你的朋友刘某在我司借款逾期未还，请督促他尽快还款", "collection_threat"),
        ("【某某快递】您的包裹在运输中破损，请添加客服微信办理理赔", "fraud"),
        ("您有一张法院传票未领取，请回复1查询", "fraud"),
        ("520318为您的注册验证码，请勿泄露", "verification_code"),
        ("【某某驿站】您的快递已到站，取件码 3-2-1048，请于今天20点前取件", "normal"),
        ("【某某银行】您尾号1234的账户12月3日养老金到账2,345.67元，余额8,000.00元。", "normal"),
        ("您的社保卡已被暂停使用，请尽快点击以下链接完成认证", "fraud"),
        ("老同学，我是王某，这是我新号码，原号码停用了，收到请回复", "fraud"),
    ],
)
def test_messages_like_the_real_ones_get_their_label(text: str, label: str, clf: Classifier) -> None:
    assert clf.classify(item_record({"text": text, "label": label})).label == label
