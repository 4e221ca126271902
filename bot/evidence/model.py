"""Evidence, model: the records of the evidence log and the statistics computed from them (plain data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# A signal on a logged message: it gave a clock time but no date, and the day was taken from when it was pasted.
DATE_ASSUMED = "date_assumed"
# A signal on a logged message: it gave a clock time but no date, and the person said which day it came.
DATE_CONFIRMED = "date_confirmed"


@dataclass(frozen=True)
class EvidenceItem:
    """One logged message, exactly as received, with its analysis and its place in the hash chain."""

    seq: int  # 1-based position in the user's log
    received_at: datetime  # when the bot received it (Asia/Shanghai)
    sent_at: datetime | None  # when the message says it was sent, if known (Asia/Shanghai)
    source: str  # "paste" | "forward" | "screenshot" | "backup"
    raw_text: str  # exactly as received
    sender: str | None
    label: str  # verification_code | collection_notice | collection_threat | harassment_insult | ...
    platform: str | None  # 【…】 signature
    signals: tuple[str, ...]
    articles: tuple[str, ...]  # citation ids the message may breach
    item_hash: str  # SHA-256 of the raw item (text + sent_at + source)
    chain_hash: str  # SHA-256(previous chain_hash + item_hash)


@dataclass(frozen=True)
class Episode:
    """A bombing episode: many verification codes from many platforms within minutes."""

    start: datetime
    end: datetime
    count: int
    platforms: tuple[str, ...]


@dataclass(frozen=True)
class Stats:
    """Counts that make harassment visible."""

    total: int
    by_label: dict[str, int]
    per_day: dict[str, int]  # "2026-11-03" -> count, messages with a known send time only
    per_hour: list[int]  # 24 buckets, Asia/Shanghai, known send times only
    night_share: (
        float  # share of the messages with a known send time sent before 08:00 or from 22:00 (stats.NIGHT_HOURS)
    )
    platforms: list[str]  # distinct 【】 platforms of verification codes
    episodes: list[Episode] = field(default_factory=list)
    first: datetime | None = None  # earliest known send time
    last: datetime | None = None
    timed: int = 0  # messages with a known send time (the base of per_day, per_hour, night_share, first/last)
    untimed: int = 0  # messages whose send time is unknown: counted in total and by_label, never in the times
    date_assumed: int = 0  # timed messages whose day was taken from the paste (they gave a clock time only)
