"""Clock times in people's words ("晚上9点半", "凌晨三点", "22:15") on a 24-hour clock; numbers that are not times are not."""

from __future__ import annotations

import pytest

from bot.understand.clock import clock_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("晚上9点半打电话算不算", (21, 30)),
        ("那早上7点呢", (7, 0)),
        ("凌晨三点还在打", (3, 0)),
        ("22:15打来的", (22, 15)),
        ("下午两点", (14, 0)),
        ("半夜12点", (0, 0)),
        ("第3条", None),
        ("12378", None),
    ],
)
def test_clock_times_as_people_write_them(text: str, expected: tuple[int, int] | None) -> None:
    assert clock_time(text) == expected


def test_a_rough_range_is_its_first_hour_not_a_number_made_of_both() -> None:
    assert clock_time("都是半夜来的 凌晨两三点") == (2, 0)  # was 23:00, a time the person never said
    assert clock_time("凌晨三四点还在打") == (3, 0)
    assert clock_time("晚上十一二点") is None  # no guess rather than a wrong one
