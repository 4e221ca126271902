"""The person's own account of what collectors did, kept from their messages for a document's 事实经过."""

from __future__ import annotations

import pytest

from bot.understand.account import account_of, add_account


@pytest.mark.parametrize(
    ("text", "account"),
    [
        ("催收还打电话给我同事，违法吗", "催收还打电话给我同事"),
        ("他们说要上门，会不会真的来", "他们说要上门"),
        ("我被验证码轰炸了三天了，每天几百条，怎么办", "我被验证码轰炸了三天了，每天几百条"),
        ("他们把我照片发到家族群里了", "他们把我照片发到家族群里了"),
    ],
)
def test_what_happened_is_kept_without_the_question(text: str, account: str) -> None:
    assert account_of(text) == account


@pytest.mark.parametrize("text", ["犯法吗", "怎么投诉12378", "我欠了网贷还不上怎么办", "我好害怕", "会不会影响征信？"])
def test_a_question_or_a_feeling_is_not_an_account(text: str) -> None:
    assert account_of(text) == ""


def test_accounts_are_kept_once_and_the_latest_six() -> None:
    kept = ""
    for n in range(8):
        kept = add_account(kept, f"他们第{n}次打给我同事")
    kept = add_account(kept, "他们第7次打给我同事")
    assert kept.split("\n") == [f"他们第{n}次打给我同事" for n in range(2, 8)]
