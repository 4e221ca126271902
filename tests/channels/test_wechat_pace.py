"""WeChat pace: how long a new message would wait behind the answers still being computed, from how fast they finish."""

from __future__ import annotations

from bot.channels.wechat.pace import Pace


def test_the_wait_follows_the_recent_rate_and_forgets_old_finishes() -> None:
    now = [0.0]
    pace = Pace(lambda: now[0], window=10.0, least=5)
    assert pace.wait(3) is None  # nothing finished yet: too early to tell
    for _ in range(11):  # one answer every half second
        pace.finished()
        now[0] += 0.5
    assert pace.rate() == 2.0
    assert pace.wait(9) == 5.0  # ten to go at two a second
    assert pace.wait(0) == 0.0  # nothing ahead: at once, whatever the rate
    now[0] += 30.0
    assert pace.wait(9) is None  # those finishes are too old to say anything about now
