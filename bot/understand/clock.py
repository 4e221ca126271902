"""Understanding, clock times: "晚上9点半打电话算不算" -> 21:30, so a night-time answer can say whether that time is
inside the night it names (pure)."""

from __future__ import annotations

import re

from bot.knowledge.numerals import chinese_number

_TIME = re.compile(
    r"(凌晨|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|夜里|半夜|深夜)?\s*"
    r"([0-9]{1,2}|[零一二两三四五六七八九十]{1,3})\s*(?:点|:|：|时)\s*(半|[0-9]{1,2}|[一二三四五六七八九十]{1,3}(?=分))?"
)
_RANGE = re.compile(
    r"[一二两三四五六七八九]{2}"
)  # two digits side by side: a rough range ("两三点", "十一二点" is not one)
_LATER = ("下午", "傍晚", "晚上", "夜里")  # "晚上9点" is 21:00 ("深夜/半夜12点" and "晚上12点" are midnight)


def clock_time(text: str) -> tuple[int, int] | None:
    """The first clock time a message names, as (hour, minute) on a 24-hour clock, or None."""
    m = _TIME.search(text)
    if m is None:
        return None
    part, hour_text, minute_text = m.groups()
    if _RANGE.fullmatch(hour_text):  # "凌晨两三点" is about 2, not 23
        hour_text = hour_text[0]
    try:
        hour = chinese_number(hour_text.replace("两", "二"))
        minute = 30 if minute_text == "半" else chinese_number(minute_text) if minute_text else 0
    except ValueError:
        return None
    if hour > 24 or minute > 59:
        return None
    if part in _LATER and hour < 12:
        hour += 12
    elif part in ("半夜", "深夜", "晚上", "夜里") and hour == 12:
        hour = 0
    elif part == "中午" and hour < 11:
        hour += 12
    return hour % 24, minute
