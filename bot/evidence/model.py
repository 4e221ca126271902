"""Evidence, model: the records of the evidence log and the statistics computed from them (plain data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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
    per_day: dict[str, int]  # "2026-11-03" -> count (by sent_at, else received_at)
    per_hour: list[int]  # 24 buckets, Asia/Shanghai
    night_share: float  # share of messages before 08:00 or from 21:00
    platforms: list[str]  # distinct 【】 platforms of verification codes
    episodes: list[Episode] = field(default_factory=list)
    first: datetime | None = None
    last: datetime | None = None
