"""The day harassment began, said the way people say it ("上周三开始", "前天晚上起", "三天前开始")."""

from __future__ import annotations

from datetime import date

import pytest

from bot.understand.slots import extract

FRIDAY = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("他们从上周三开始每天打我同事电话", "2026-11-25"),
        ("前天晚上开始一直轰炸", "2026-12-02"),
        ("昨天起就没停过", "2026-12-03"),
        ("三天前开始的", "2026-12-01"),
        ("两个星期前开始", "2026-11-20"),
        ("这周一起", "2026-11-30"),
        ("上上周五开始", "2026-11-20"),
        ("星期天开始", "2026-11-29"),  # said on a Friday: the Sunday just gone, never a day to come
        ("11月20号晚上开始", "2026-11-20"),
    ],
)
def test_a_spoken_start_day_becomes_a_date(text: str, start: str) -> None:
    assert extract(text, FRIDAY).get("start_date") == start


@pytest.mark.parametrize("text", ["两个月前开始", "上周三他们打了电话", "周六再说", "一百天前开始"])
def test_vague_or_not_a_start_is_left_for_the_person(text: str) -> None:
    assert "start_date" not in extract(text, FRIDAY)
