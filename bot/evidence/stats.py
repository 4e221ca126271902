"""Evidence, stats: per-day and per-hour counts, night share, platforms and bombing episodes (pure)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from bot.clock import CHINA
from bot.evidence.model import Episode, EvidenceItem, Stats

CODE_LABEL = "verification_code"


def is_night(moment: datetime) -> bool:
    """Before 08:00 or from 21:00, Asia/Shanghai."""
    hour = moment.astimezone(CHINA).hour
    return hour < 8 or hour >= 21


def when(item: EvidenceItem) -> datetime:
    """The best known time of a message: when it was sent, else when it was received."""
    return (item.sent_at or item.received_at).astimezone(CHINA)


def episodes(
    items: list[EvidenceItem], min_codes: int = 5, min_platforms: int = 3, window: timedelta = timedelta(minutes=10)
) -> list[Episode]:
    """Bursts of verification codes: at least min_codes from min_platforms platforms within the window."""
    codes = sorted((when(i), i.platform or "?") for i in items if i.label == CODE_LABEL and i.sent_at)
    found: list[Episode] = []
    start = 0
    current: list[tuple[datetime, str]] = []
    for end in range(len(codes)):
        while codes[end][0] - codes[start][0] > window:
            start += 1
        span = codes[start : end + 1]
        if len(span) >= min_codes and len({p for _, p in span}) >= min_platforms:
            if current and span[0][0] <= current[-1][0] + window:
                current = sorted(set(current) | set(span))
            else:
                if current:
                    found.append(_episode(current))
                current = list(span)
    if current:
        found.append(_episode(current))
    return found


def _episode(span: list[tuple[datetime, str]]) -> Episode:
    return Episode(span[0][0], span[-1][0], len(span), tuple(sorted({p for _, p in span})))


def compute(items: list[EvidenceItem]) -> Stats:
    """All statistics of a log."""
    times = [when(i) for i in items]
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
        night_share=night / len(items) if items else 0.0,
        platforms=sorted({i.platform for i in items if i.label == CODE_LABEL and i.platform}),
        episodes=episodes(items),
        first=min(times) if times else None,
        last=max(times) if times else None,
    )
