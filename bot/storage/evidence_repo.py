"""Storage, evidence repository: append-only, hash-chained, encrypted evidence log per user."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from sqlalchemy import delete, func, insert, select

from bot.evidence.log import GENESIS, chain_hash, dedupe_key, item_hash
from bot.evidence.model import EvidenceItem
from bot.locks import KeyedLocks
from bot.storage.crypto import Crypto
from bot.storage.db import Database, EvidenceRow


class UnreadableEntry(ValueError):
    """A stored entry that cannot be decrypted or read back: its bytes were altered or damaged."""

    def __init__(self, seq: int) -> None:
        super().__init__(f"evidence entry {seq} cannot be decrypted (altered or damaged)")
        self.seq = seq


@dataclass(frozen=True)
class NewEvidence:
    """An analysed message to be logged."""

    raw_text: str
    sent_at: datetime | None
    source: str
    received_at: datetime
    sender: str | None = None
    label: str = "normal"
    platform: str | None = None
    signals: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Sealed:
    """One batch ready to write: its rows, and the log's sequence number and chain head after it."""

    rows: list[dict[str, Any]]
    seq: int
    head: str
    duplicates: int
    refused: int


@dataclass(frozen=True)
class AppendResult:
    """What an append did."""

    added: int
    duplicates: int
    head: str
    refused: int = 0  # new entries not logged because the log is full (max_items)


class EvidenceStore:
    """The only way to write the log is append(); the only way to remove it is erase() (/forget).

    A log holds at most `max_items` entries, so every job a person can start on it (summary, steps, drafts,
    exports) has a bound; decrypting runs in a worker thread, off the event loop.
    """

    name = "evidence_items"  # /mydata label

    def __init__(self, db: Database, crypto: Crypto, max_items: int = 60_000, batch_size: int = 500) -> None:
        self.db = db
        self.crypto = crypto
        self.max_items = max_items
        self.batch_size = max(1, batch_size)
        self._logs: KeyedLocks[str] = KeyedLocks()  # one append or erasure per log at a time: the chain stays in order

    def _dedupe(self, uid: str, raw_text: str, sent_at: datetime | None) -> str:
        return hmac.new(uid.encode(), dedupe_key(raw_text, sent_at).encode(), hashlib.sha256).hexdigest()

    async def append(self, user_key: str, entries: Sequence[NewEvidence]) -> AppendResult:
        """Add entries in order, skipping ones already logged (same text and send time) and refusing past max_items.

        Written `batch_size` entries at a time: each batch is hashed and encrypted in a worker thread, then written
        in one short transaction by the store's single writer, so a 49,000-message import never holds the database
        and other writers wait at most one batch. A failure leaves whole batches logged, in order (the chain stays
        intact); sending the same messages again adds only the rest. Appends to one log run one at a time."""
        uid = self.crypto.pseudonym(user_key)
        async with self._logs.lock(uid):
            seq, head = await self._head(uid)
            added = duplicates = refused = 0
            for start in range(0, len(entries), self.batch_size):
                batch = entries[start : start + self.batch_size]
                keys = await asyncio.to_thread(self._keys, uid, batch)
                known = await self._known(uid, keys)
                sealed = await asyncio.to_thread(self._seal, uid, batch, keys, known, seq, head)
                if sealed.rows:
                    async with self.db.writing() as s:
                        await s.execute(insert(EvidenceRow), sealed.rows)
                seq, head = sealed.seq, sealed.head
                added += len(sealed.rows)
                duplicates += sealed.duplicates
                refused += sealed.refused
        return AppendResult(added, duplicates, head, refused)

    def _keys(self, uid: str, batch: Sequence[NewEvidence]) -> list[str]:
        return [self._dedupe(uid, e.raw_text, e.sent_at) for e in batch]

    async def _head(self, uid: str) -> tuple[int, str]:
        async with self.db.sessions() as s:
            last = (
                await s.execute(
                    select(EvidenceRow.seq, EvidenceRow.chain_hash)
                    .where(EvidenceRow.user_id == uid)
                    .order_by(EvidenceRow.seq.desc())
                    .limit(1)
                )
            ).first()
        return (last[0], last[1]) if last else (0, GENESIS)

    async def _known(self, uid: str, keys: list[str]) -> set[str]:
        """Which of these dedupe keys the log already holds."""
        async with self.db.sessions() as s:
            found = await s.execute(
                select(EvidenceRow.dedupe_key).where(EvidenceRow.user_id == uid, EvidenceRow.dedupe_key.in_(keys))
            )
            return set(found.scalars())

    def _seal(
        self, uid: str, batch: Sequence[NewEvidence], keys: list[str], known: set[str], seq: int, head: str
    ) -> _Sealed:
        """Hash, chain and encrypt one batch (CPU: called in a worker thread)."""
        rows: list[dict[str, Any]] = []
        duplicates = refused = 0
        for e, key in zip(batch, keys, strict=True):
            if key in known:
                duplicates += 1
                continue
            if seq >= self.max_items:
                refused += 1
                continue
            known.add(key)
            seq += 1
            ih = item_hash(e.raw_text, e.sent_at, e.source)
            head = chain_hash(head, ih)
            payload = {
                "raw_text": e.raw_text,
                "sent_at": e.sent_at.isoformat() if e.sent_at else None,
                "source": e.source,
                "sender": e.sender,
                "label": e.label,
                "platform": e.platform,
                "signals": list(e.signals),
                "articles": list(e.articles),
            }
            blob = self.crypto.encrypt(json.dumps(payload, ensure_ascii=False).encode(), f"{uid}:{seq}".encode())
            rows.append(
                {
                    "user_id": uid,
                    "seq": seq,
                    "received_at": e.received_at.astimezone(UTC),
                    "dedupe_key": key,
                    "item_hash": ih,
                    "chain_hash": head,
                    "payload": blob,
                }
            )
        return _Sealed(rows, seq, head, duplicates, refused)

    async def items(self, user_key: str) -> list[EvidenceItem]:
        """The whole log in order, decrypted (in a worker thread: a long log takes a while).

        Raises UnreadableEntry naming the first entry whose stored bytes were altered."""
        uid = self.crypto.pseudonym(user_key)
        columns = (EvidenceRow.seq, EvidenceRow.received_at, EvidenceRow.item_hash, EvidenceRow.chain_hash)
        async with self.db.sessions() as s:
            rows = (
                await s.execute(
                    select(*columns, EvidenceRow.payload).where(EvidenceRow.user_id == uid).order_by(EvidenceRow.seq)
                )
            ).all()
        return await asyncio.to_thread(self._decode, uid, rows)

    def _decode(self, uid: str, rows: Sequence[Any]) -> list[EvidenceItem]:
        out = []
        for seq, received_at, ih, ch, payload in rows:
            try:
                data = json.loads(self.crypto.decrypt(payload, f"{uid}:{seq}".encode()))
            except (InvalidTag, ValueError) as exc:
                raise UnreadableEntry(seq) from exc
            out.append(
                EvidenceItem(
                    seq=seq,
                    received_at=_aware(received_at),
                    sent_at=datetime.fromisoformat(data["sent_at"]) if data["sent_at"] else None,
                    source=data["source"],
                    raw_text=data["raw_text"],
                    sender=data["sender"],
                    label=data["label"],
                    platform=data["platform"],
                    signals=tuple(data["signals"]),
                    articles=tuple(data["articles"]),
                    item_hash=ih,
                    chain_hash=ch,
                )
            )
        return out

    async def count(self, user_key: str) -> int:
        """How many entries the user's log has."""
        uid = self.crypto.pseudonym(user_key)
        async with self.db.sessions() as s:
            return int((await s.execute(select(func.count()).where(EvidenceRow.user_id == uid))).scalar_one())

    async def erase(self, user_key: str) -> int:
        """Delete the user's whole log (the person asked to be forgotten)."""
        uid = self.crypto.pseudonym(user_key)
        async with self._logs.lock(uid), self.db.writing() as s:
            result = await s.execute(delete(EvidenceRow).where(EvidenceRow.user_id == uid))
        await self.db.checkpoint()  # no copy of the deleted rows stays in the write-ahead log
        return int(getattr(result, "rowcount", 0) or 0)


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
