"""Bombing episodes: the one-pass episodes() agrees with a brute-force reference and copes with 49,000 codes."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.evidence.model import Episode, EvidenceItem
from bot.evidence.stats import CODE_LABEL, episodes

SH = ZoneInfo("Asia/Shanghai")
NIGHT = datetime(2026, 11, 3, 2, 0, tzinfo=SH)


def item(seq: int, seconds: float, platform: str | None, label: str = CODE_LABEL, timed: bool = True) -> EvidenceItem:
    sent = NIGHT + timedelta(seconds=seconds)
    return EvidenceItem(
        seq, sent, sent if timed else None, "paste", f"code {seq}", None, label, platform, (), (), "", ""
    )


def reference(
    items: list[EvidenceItem], min_codes: int = 5, min_platforms: int = 3, window: timedelta = timedelta(minutes=10)
) -> list[Episode]:
    """The definition, computed the slow way: for every code, the window of codes ending at it (scanned from the
    start); a qualifying window joins the open episode when it starts within `window` of that episode's last code."""
    codes = sorted(
        ((i.sent_at.astimezone(SH), i.platform or "?") for i in items if i.label == CODE_LABEL and i.sent_at),
    )
    groups: list[set[int]] = []
    for end in range(len(codes)):
        span = [k for k in range(end + 1) if codes[end][0] - codes[k][0] <= window]
        if len(span) < min_codes or len({codes[k][1] for k in span}) < min_platforms:
            continue
        if groups and codes[span[0]][0] <= codes[max(groups[-1])][0] + window:
            groups[-1] |= set(span)
        else:
            groups.append(set(span))
    return [
        Episode(codes[min(g)][0], codes[max(g)][0], len(g), tuple(sorted({codes[k][1] for k in g}))) for g in groups
    ]


def test_matches_the_reference_on_random_logs() -> None:
    rng = random.Random(20261103)
    for case in range(400):
        n = rng.randint(0, 60)
        spread = rng.choice([60, 600, 3600, 6 * 3600])
        platforms = [f"平台{k}" for k in range(rng.randint(1, 6))] + [None]
        items = []
        for seq in range(1, n + 1):
            label = CODE_LABEL if rng.random() < 0.85 else "collection_threat"
            seconds = rng.randint(0, spread) if rng.random() < 0.9 else rng.randint(0, spread // 4)
            items.append(item(seq, seconds, rng.choice(platforms), label, timed=rng.random() < 0.95))
        for params in ({}, {"min_codes": 2, "min_platforms": 1, "window": timedelta(minutes=2)}):
            assert episodes(items, **params) == reference(items, **params), (case, params)  # type: ignore[arg-type]


def test_same_moment_and_platform_twice_counts_twice() -> None:
    """Two different codes from one platform in the same second are two codes (not one)."""
    items = [item(k, 0 if k < 3 else k * 10, "平台0" if k < 3 else f"平台{k % 3}") for k in range(1, 8)]
    assert episodes(items) == reference(items)
    assert episodes(items)[0].count == 7


def test_forty_nine_thousand_codes_in_one_night() -> None:
    """One dense night: 49,000 codes from 40 platforms, about one every 0.3 s, make one episode holding them all."""
    items = [item(k, k * 0.3, f"平台{k % 40}") for k in range(49_000)]
    found = episodes(items)
    assert len(found) == 1
    assert found[0].count == 49_000 and len(found[0].platforms) == 40
    assert found[0].start == NIGHT and found[0].end == NIGHT + timedelta(seconds=48_999 * 0.3)


def test_forty_nine_thousand_codes_in_separate_bursts() -> None:
    """49,000 codes in 1,000 bursts of 49, an hour apart: 1,000 episodes of 49 codes each."""
    items = [item(b * 49 + k, b * 3600 + k * 5, f"平台{k % 7}") for b in range(1000) for k in range(49)]
    found = episodes(items)
    assert len(found) == 1000 and {e.count for e in found} == {49}
