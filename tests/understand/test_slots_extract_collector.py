"""A phone number said to be the collector's is not taken for the person's own."""

from __future__ import annotations

import pytest

from bot.understand.slots import extract


@pytest.mark.parametrize(
    ("text", "phone", "theirs"),
    [
        ("催收电话是13800138000 每天大概两百条验证码", None, "13800138000"),
        ("My collector's number is 13800138000, please write a notice letter", None, "13800138000"),
        ("我手机13912345678，催收用13800138000一直打", "13912345678", "13800138000"),
        ("我叫李明 手机13912345678", "13912345678", None),
    ],
)
def test_the_collectors_number_is_kept_apart(text: str, phone: str | None, theirs: str | None) -> None:
    found = extract(text)
    assert found.get("phone") == phone
    assert found.get("collector_numbers") == theirs
