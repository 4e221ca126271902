"""The day question's answers as people give them: tapped or typed, with a few extra words; an answer names a day
counted from the paste, 记不清 names none, and anything else is not an answer."""

from __future__ import annotations

from datetime import date

import pytest

from bot.sms.dates import DATE_PREFIX, UNKNOWN, HeldPaste, choice_of, day_for

PASTED = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        (DATE_PREFIX + "yesterday", "yesterday"),
        ("昨天", "yesterday"),
        ("就是昨天收到的。", "yesterday"),
        ("今天", "today"),
        ("前天", "before"),
        ("记不清了", UNKNOWN),
        ("我不记得了", UNKNOWN),
        ("不知道", UNKNOWN),
    ],
)
def test_answers_tapped_or_typed_name_their_choice(text: str, choice: str) -> None:
    assert choice_of(text) == choice


@pytest.mark.parametrize("text", ["明天", "怎么投诉他们", "昨天他们又打电话来骂我了", DATE_PREFIX + "lastweek"])
def test_other_words_are_not_an_answer(text: str) -> None:
    assert choice_of(text) is None


def test_a_day_is_counted_from_the_paste_not_from_the_answer() -> None:
    assert day_for("today", PASTED) == PASTED
    assert day_for("before", PASTED) == date(2026, 12, 1)
    assert day_for(UNKNOWN, PASTED) is None


def test_a_held_paste_survives_its_storage_and_a_broken_state_is_none() -> None:
    held = HeldPaste("02:01 【某团】您的验证码是482913", "paste", PASTED)
    assert HeldPaste.decode(held.encode()) == held
    assert HeldPaste.decode("not json") is None


def test_clock_times_pasted_just_after_the_last_one_stay_on_one_night() -> None:
    from datetime import datetime

    from bot.clock import CHINA
    from bot.sms.parse import parse_paste

    paste = "\n".join(f"02:0{m} 【美团】您的验证码是48291{m}，5分钟内有效。" for m in range(1, 6))
    now = datetime(2026, 12, 5, 1, 52, tzinfo=CHINA)  # 02:03 on are later than the paste: yesterday
    records = parse_paste(paste, "paste", now.date(), now=now)
    days = {r.sent_at.date() for r in records if r.sent_at is not None}
    assert len(records) == 5 and days == {datetime(2026, 12, 4).date()}  # one night, yesterday's
