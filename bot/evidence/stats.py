"""Evidence, stats: per-day and per-hour counts, night share, platforms and bombing episodes (pure)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from bot.clock import CHINA
from bot.evidence.model import DATE_ASSUMED, Episode, EvidenceItem, Stats

CODE_LABEL = "verification_code"
# Night, as the night-time answer says (the 中国银行业协会 collection guideline as reported: no collection 22:00–08:00
# without consent); knowledge/sms_rules.yaml `night` is the same (a test checks).
NIGHT_FROM, NIGHT_UNTIL = 22, 8
NIGHT_HOURS = frozenset((*range(NIGHT_FROM, 24), *range(NIGHT_UNTIL)))


def is_night(moment: datetime) -> bool:
    """Before 08:00 or from 22:00, Asia/Shanghai."""
    return moment.astimezone(CHINA).hour in NIGHT_HOURS


def when(item: EvidenceItem) -> datetime | None:
    """When a message was sent, in China time; None when unknown (the time it was pasted is not a send time)."""
    return item.sent_at.astimezone(CHINA) if item.sent_at is not None else None


def episodes(
    items: list[EvidenceItem], min_codes: int = 5, min_platforms: int = 3, window: timedelta = timedelta(minutes=10)
) -> list[Episode]:
    """Bursts of verification codes: at least min_codes from min_platforms platforms within the window.

    Every code in a qualifying window belongs to an episode; a window starting within `window` of the episode's
    last code extends it. One pass (after sorting): the window's platforms are counted as it slides, and each code
    joins an episode at most once, so 50,000 codes take as long as sorting them.
    """
    codes = sorted(
        (i.sent_at.astimezone(CHINA), i.platform or "?") for i in items if i.label == CODE_LABEL and i.sent_at
    )
    found: list[Episode] = []
    in_window: Counter[str] = Counter()
    start = 0
    current: _Open | None = None
    for end, (moment, platform) in enumerate(codes):
        in_window[platform] += 1
        while moment - codes[start][0] > window:
            gone = codes[start][1]
            in_window[gone] -= 1
            if not in_window[gone]:
                del in_window[gone]
            start += 1
        if end - start + 1 < min_codes or len(in_window) < min_platforms:
            continue
        if current is not None and codes[start][0] <= codes[current.last][0] + window:
            current.take(codes, max(start, current.last + 1), end)
        else:
            if current is not None:
                found.append(current.episode(codes))
            current = _Open(start, start - 1)
            current.take(codes, start, end)
    if current is not None:
        found.append(current.episode(codes))
    return found


class _Open:
    """The episode being built: its first and last code (indices into the sorted codes), count and platforms."""

    def __init__(self, first: int, last: int) -> None:
        self.first = first
        self.last = last
        self.count = 0
        self.platforms: set[str] = set()

    def take(self, codes: list[tuple[datetime, str]], lo: int, hi: int) -> None:
        """Add codes[lo..hi] (none of them taken before)."""
        for k in range(lo, hi + 1):
            self.platforms.add(codes[k][1])
        self.count += max(0, hi - lo + 1)
        self.last = hi

    def episode(self, codes: list[tuple[datetime, str]]) -> Episode:
        return Episode(codes[self.first][0], codes[self.last][0], self.count, tuple(sorted(self.platforms)))


def compute(items: list[EvidenceItem]) -> Stats:
    """All statistics of a log; the time statistics count only messages with a known send time."""
    times = [i.sent_at.astimezone(CHINA) for i in items if i.sent_at is not None]
    per_day = Counter(t.date().isoformat() for t in times)
    per_hour = [0] * 24
    for t in times:
        per_hour[t.hour] += 1
    night = sum(1 for t in times if is_night(t))
    return Stats(
        total=len(items),
        by_label=dict(Counter(i.label for i in items)),
        per_day=dict(sorted(per_day.items())),
        per_hour=per_hour,
        night_share=night / len(times) if times else 0.0,
        platforms=sorted({i.platform for i in items if i.label == CODE_LABEL and i.platform}),
        episodes=episodes(items),
        first=min(times) if times else None,
        last=max(times) if times else None,
        timed=len(times),
        untimed=len(items) - len(times),
        date_assumed=sum(1 for i in items if i.sent_at is not None and DATE_ASSUMED in i.signals),
    )
