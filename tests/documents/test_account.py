"""The person's own account of what collectors did, kept from their messages for a document's 事实经过."""

from __future__ import annotations

import pytest

from bot.contract.session import MemoryTurn
from bot.documents.account import account_of, accounts, is_sentence
from bot.documents.facts import conduct
from bot.texts import Texts


@pytest.mark.parametrize(
    ("text", "account"),
    [
        ("催收还打电话给我同事，违法吗", "催收还打电话给我同事"),
        ("他们说要上门，会不会真的来", "他们说要上门"),
        ("我被验证码轰炸了三天了，每天几百条，怎么办", "我被验证码轰炸了三天了，每天几百条"),
        ("他们把我照片发到家族群里了", "他们把我照片发到家族群里了"),
        ("帮我写投诉信 每天300多条验证码 还给我领导打电话", "每天300多条验证码，还给我领导打电话"),
        ("帮我写一封投诉信，他们天天打电话给我同事", "他们天天打电话给我同事"),
    ],
)
def test_what_happened_is_kept_without_the_question(text: str, account: str) -> None:
    assert account_of(text) == account


@pytest.mark.parametrize(
    "text",
    [
        "犯法吗",
        "怎么投诉12378",
        "我欠了网贷还不上怎么办",
        "我好害怕",
        "会不会影响征信？",
        "我想给催收回个短信让他别再打了 怎么写",
        "我想去法院告他们",  # a request, never a fact
        "我要去派出所报警 他们太过分了",
        "我要让他们赔钱",
        "我要求他们删掉我的照片",
    ],
)
def test_a_question_or_a_feeling_is_not_an_account(text: str) -> None:
    assert account_of(text) == ""


def test_accounts_come_from_recent_questions_once_and_the_latest_six() -> None:
    memory = [MemoryTurn(f"他们第{n}次打给我同事，违法吗", "question", "", "", ()) for n in range(8)]
    memory += [
        MemoryTurn("他们第7次打给我同事", "question", "", "", ()),
        MemoryTurn("他们在门口了", "safety.danger", "", "", ()),  # not a question: not an account for a letter
    ]
    assert accounts(memory) == [f"他们第{n}次打给我同事" for n in range(2, 8)]


@pytest.mark.parametrize(
    ("text", "account"),
    [
        ("平台是速借花 我欠了八千多 他们从上周三开始每天打我同事电话", "他们从上周三开始每天打我同事电话"),
        ("我真的要崩溃了，他们一直打我妈电话，肯定是他们干的", "他们一直打我妈电话"),
        ("从昨天开始，他们每天发几百条验证码", "从昨天开始，他们每天发几百条验证码"),
        ("我手机半夜一直收验证码 我想投诉他们", "我手机半夜一直收验证码"),  # what they want is not what happened
    ],
)
def test_details_feelings_and_guesses_stay_out_of_the_account(text: str, account: str) -> None:
    assert account_of(text) == account


@pytest.mark.parametrize("text", ["我真的要崩溃了 肯定是他们干的", "他们每天打我同事电话", "你们能不能快点啊"])
def test_a_sentence_is_not_a_short_item(text: str) -> None:
    assert is_sentence(text)


@pytest.mark.parametrize("text", ["张伟", "速借花", "欧阳娜娜", "Li Wei", "中国移动", "鹿鸣分期（杭州某某小贷公司）"])
def test_a_name_or_a_lender_is_not_a_sentence(text: str) -> None:
    assert not is_sentence(text)


def test_a_fee_called_kantouxi_is_not_a_threat_in_the_letter() -> None:
    texts = Texts()
    assert conduct(None, ["他们收了我1800砍头息"], texts) == ""  # 砍头息 is a deducted fee, not "砍" (a knife)
    assert conduct(None, ["他说要砍我"], texts) == texts.get("documents.conduct.threat")
