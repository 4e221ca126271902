"""Evidence, log: pure hashing of items, the hash chain over a user's log, and its verification."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.evidence.model import EvidenceItem

GENESIS = "0" * 64


def item_hash(raw_text: str, sent_at: datetime | None, source: str) -> str:
    """SHA-256 of the raw item: its exact text, its claimed send time and where it came from."""
    payload = json.dumps([raw_text, sent_at.isoformat() if sent_at else "", source], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def dedupe_key(raw_text: str, sent_at: datetime | None) -> str:
    """Identity of a message for duplicate detection: the same text and send time, whatever the source."""
    payload = json.dumps([raw_text.strip(), sent_at.isoformat() if sent_at else ""], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def chain_hash(previous: str, item: str) -> str:
    """SHA-256(previous chain hash + item hash)."""
    return hashlib.sha256((previous + item).encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Verification:
    """Whether a log is intact, and where it first breaks.

    `reason_key` and `reason_values` name the user-facing text of why (texts.get(reason_key, **reason_values));
    the caller phrases it.
    """

    ok: bool
    count: int
    head: str
    broken_at: int | None = None
    reason_key: str = ""
    reason_values: Mapping[str, object] = field(default_factory=dict)


def verify(items: list[EvidenceItem]) -> Verification:
    """Recompute every item hash and the chain; any edit, insertion, deletion or reordering is found."""
    previous = GENESIS
    for expected_seq, item in enumerate(items, 1):
        if item.seq != expected_seq:
            values = {"expected": expected_seq, "actual": item.seq}
            return Verification(False, len(items), previous, item.seq, "evidence_log.verify_seq_gap", values)
        recomputed = item_hash(item.raw_text, item.sent_at, item.source)
        if recomputed != item.item_hash:
            return Verification(False, len(items), previous, item.seq, "evidence_log.verify_item_changed")
        link = chain_hash(previous, item.item_hash)
        if link != item.chain_hash:
            return Verification(False, len(items), previous, item.seq, "evidence_log.verify_chain_broken")
        previous = link
    return Verification(True, len(items), previous)


def against_head(items: list[EvidenceItem], head: str) -> Verification:
    """Verify the log, then find `head` (the chain hash an exported list ends with): a log cut short or changed
    after the export no longer holds it. When found, broken_at stays None and reason_values name its position."""
    check = verify(items)
    if not check.ok:
        return check
    wanted = head.strip().lower()
    for item in items:
        if item.chain_hash == wanted:
            values = {"seq": item.seq, "added": len(items) - item.seq}
            return Verification(True, len(items), check.head, None, "evidence_log.verify_head_found", values)
    return Verification(False, len(items), check.head, len(items) + 1, "evidence_log.verify_head_missing")
