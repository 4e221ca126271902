"""Operations, retention: `anning maintenance` erases the data of people inactive for N days, and expired rows.

A person's last activity is the newest of their session's last change, their evidence entries, held replies and
recorded messages (every table keyed by their pseudonym). Whoever is past the cut-off loses everything /forget
erases: the session, the evidence log, held replies, download files, and their recorded messages (whose id hashes
stay, so a platform retry is still not answered twice). Expired download files, finished inbox ids and used
callback nonces are swept as well. `decide` is pure; `run` does it on the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update

from bot.storage.crypto import Crypto
from bot.storage.db import Database, EvidenceRow, FileRow, InboxRow, OutboxRow, SessionRow
from bot.storage.files_repo import FileStore
from bot.storage.inbox_repo import DONE, Inbox
from bot.storage.nonce_repo import CallbackNonces

# every table that holds a person's rows, by its user_id column; tests/ops check no table is missing
PERSONAL = (SessionRow, EvidenceRow, OutboxRow, FileRow, InboxRow)


@dataclass(frozen=True)
class Report:
    """What one maintenance run did (or, dry, would do)."""

    inactive_users: int
    files_expired: int
    inbox_swept: int
    nonces_swept: int


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite returns naive UTC datetimes


def decide(last_seen: dict[str, datetime], now: datetime, inactive_days: int) -> list[str]:
    """Pure: the pseudonyms whose last activity is older than `inactive_days` before `now` (none when 0)."""
    if inactive_days <= 0:
        return []
    cutoff = now - timedelta(days=inactive_days)
    return sorted(uid for uid, seen in last_seen.items() if _aware(seen) < cutoff)


def newest(pairs: Iterable[tuple[str, datetime]]) -> dict[str, datetime]:
    """Pure: each pseudonym's newest moment."""
    out: dict[str, datetime] = {}
    for uid, moment in pairs:
        if uid and (uid not in out or _aware(moment) > out[uid]):
            out[uid] = _aware(moment)
    return out


async def last_seen(db: Database) -> dict[str, datetime]:
    """Every person's last activity across the tables that hold their data."""
    columns = (
        (SessionRow.user_id, SessionRow.updated_at),
        (EvidenceRow.user_id, EvidenceRow.received_at),
        (OutboxRow.user_id, OutboxRow.created_at),
        (InboxRow.user_id, InboxRow.received_at),
    )
    pairs: list[tuple[str, datetime]] = []
    async with db.sessions() as s:
        for uid, moment in columns:
            rows = await s.execute(select(uid, func.max(moment)).where(uid != "").group_by(uid))
            pairs.extend((str(u), m) for u, m in rows.all() if m is not None)
        # download files carry an expiry, not a creation time: a person with only files is as old as those are
        files = await s.execute(select(FileRow.user_id).distinct())
        known = {u for u, _ in pairs}
        pairs.extend((str(u), datetime.min.replace(tzinfo=UTC)) for (u,) in files.all() if u not in known)
    return newest(pairs)


async def erase(db: Database, uid: str) -> None:
    """Erase one pseudonym's data in one transaction, as /forget does (inbox ids stay as hashes)."""
    async with db.sessions() as s, s.begin():
        for table in (SessionRow, EvidenceRow, OutboxRow, FileRow):
            await s.execute(delete(table).where(table.user_id == uid))
        await s.execute(
            update(InboxRow).where(InboxRow.user_id == uid).values(state=DONE, payload=b"", answer=b"", user_id="")
        )


async def run(db: Database, crypto: Crypto, now: datetime, inactive_days: int, *, dry_run: bool = False) -> Report:
    """One maintenance pass at `now`: erase inactive people, then sweep expired files, inbox ids and nonces."""
    gone = decide(await last_seen(db), now, inactive_days)
    if dry_run:
        return Report(len(gone), 0, 0, 0)
    for uid in gone:
        await erase(db, uid)
    files = await FileStore(db, crypto).sweep(now)
    inbox = await Inbox(db, crypto, now=lambda: now).sweep()
    nonces = await CallbackNonces(db, crypto, now=lambda: now).sweep()
    await db.checkpoint()  # no copy of the erased rows stays in SQLite's write-ahead log
    return Report(len(gone), files, inbox, nonces)
