"""Storage, inbox: every platform message recorded before it is acknowledged, until its answer has gone out.

At-least-once processing with exactly-once effects, across restarts and instances sharing the database:

- `take` records a message (its platform id as a keyed hash, the raw update encrypted) before the channel
  acknowledges it; the same id again (a platform retry) is refused, so nothing is taken on twice;
- `answered` keeps the computed answer (encrypted) once the engine has produced it, so a restart sends it instead
  of computing it again; the engine itself skips a message its session already recorded (Session.handled);
- `progress` counts the parts already sent, so a restart resumes after them; `done` drops the payload and the
  answer and keeps only the hash, for de-duplication, until `keep` has passed;
- `unfinished` lists what a restart must finish, oldest first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.crypto import Crypto
from bot.storage.db import Database, InboxRow
from bot.storage.group_commit import GroupCommit

RECEIVED = "received"
ANSWERED = "answered"
DONE = "done"
_TABLE: Table = InboxRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Entry:
    """One recorded message as a restart sees it."""

    id: int
    channel: str
    state: str
    payload: bytes  # the raw update, as the channel recorded it
    answer: bytes  # the computed answer, as the channel serialised it (b"" before `answered`)
    sent: int  # parts of the answer already sent


@dataclass(frozen=True)
class _Take:
    tag: str
    channel: str
    user_id: str
    payload: bytes


@dataclass(frozen=True)
class _Change:
    id: int
    values: dict[str, Any]


class Inbox:
    """Durable record of incoming messages (keyed hashes and encrypted payloads), group-committed."""

    name = "inbox"  # /mydata label: messages received and not yet fully answered

    def __init__(
        self,
        db: Database,
        crypto: Crypto,
        keep: timedelta = timedelta(days=1),
        give_up: timedelta = timedelta(days=2),
        sweep_every: int = 500,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.crypto = crypto
        self.keep = keep  # how long a finished message's id is remembered (platforms retry within minutes)
        self.give_up = give_up  # an unfinished message older than this is not replayed any more
        self.sweep_every = sweep_every
        self.now = now
        self._since_sweep = 0
        # one writer for every inbox write (records and changes, in submission order): two writers would make
        # SQLite's busy-wait put one of them to sleep, and WeChat's 5 seconds do not wait
        self._writes: GroupCommit[_Take | _Change, int | None] = GroupCommit(self._write, self._upkeep)

    # -- recording ----------------------------------------------------------------------------------------------

    async def take(self, channel: str, key: str, user_key: str, payload: bytes) -> int | None:
        """Record a message before acknowledging it: its entry id, or None when its id was taken before."""
        tag = self.crypto.tag("seen", key.encode()).hex()
        uid = self.crypto.pseudonym(user_key) if user_key else ""
        return await self._writes.submit(_Take(tag, channel, uid, self.crypto.encrypt(payload, tag.encode())))

    async def answered(self, entry: int, answer: bytes) -> None:
        """Keep the computed answer: a restart sends it instead of computing it again (queued at once, before any
        later change of the same entry)."""
        sealed = self.crypto.encrypt(answer, _answer_context(entry))
        await self._writes.submit(_Change(entry, {"state": ANSWERED, "answer": sealed}))

    async def progress(self, entry: int, sent: int) -> None:
        """`sent` parts of the answer have gone out."""
        await self._writes.submit(_Change(entry, {"sent": sent}))

    async def done(self, entry: int) -> None:
        """The answer has gone out (or is held in the outbox): only the id's hash stays, for de-duplication."""
        await self._writes.submit(_Change(entry, {"state": DONE, "payload": b"", "answer": b"", "user_id": ""}))

    # -- a restart ----------------------------------------------------------------------------------------------

    async def unfinished(self, channel: str) -> list[Entry]:
        """Messages of `channel` taken on and not done (recent enough to replay), oldest first."""
        since = self.now() - self.give_up
        async with self.db.sessions() as s:
            rows = (
                await s.execute(
                    select(InboxRow)
                    .where(InboxRow.channel == channel, InboxRow.state != DONE, InboxRow.received_at >= since)
                    .order_by(InboxRow.id)
                )
            ).scalars()
            return [self._entry(row) for row in rows]

    def person(self, user_key: str) -> str:
        """The pseudonym a person's entries are filed under ("" for messages without a sender)."""
        return self.crypto.pseudonym(user_key) if user_key else ""

    async def unfinished_of(self, channel: str, person: str) -> list[Entry]:
        """One person's messages of `channel` taken on and not done, oldest first: what their turn must finish
        (storage/turns.py), whichever replica recorded them."""
        since = self.now() - self.give_up
        async with self.db.sessions() as s:
            rows = (
                await s.execute(
                    select(InboxRow)
                    .where(
                        InboxRow.channel == channel,
                        InboxRow.user_id == person,
                        InboxRow.state != DONE,
                        InboxRow.received_at >= since,
                    )
                    .order_by(InboxRow.id)
                )
            ).scalars()
            return [self._entry(row) for row in rows]

    async def stranded(self, channel: str, older_than: timedelta) -> list[str]:
        """People (pseudonyms) with messages of `channel` not done, recorded more than `older_than` ago: left by a
        replica that died, or waiting behind a long backlog."""
        now = self.now()
        async with self.db.sessions() as s:
            found = await s.execute(
                select(InboxRow.user_id)
                .where(
                    InboxRow.channel == channel,
                    InboxRow.state != DONE,
                    InboxRow.user_id != "",
                    InboxRow.received_at < now - older_than,
                    InboxRow.received_at >= now - self.give_up,
                )
                .group_by(InboxRow.user_id)
                .order_by(func.min(InboxRow.id))
            )
            return list(found.scalars())

    def _entry(self, row: InboxRow) -> Entry:
        payload = self.crypto.decrypt(row.payload, row.key.encode()) if row.payload else b""
        answer = self.crypto.decrypt(row.answer, _answer_context(row.id)) if row.answer else b""
        return Entry(row.id, row.channel, row.state, payload, answer, row.sent)

    # -- the person's data --------------------------------------------------------------------------------------

    async def count(self, user_key: str) -> int:
        """How many of the person's messages are recorded and not yet fully answered (/mydata)."""
        uid = self.crypto.pseudonym(user_key)
        async with self.db.sessions() as s:
            found = await s.scalar(
                select(func.count()).select_from(InboxRow).where(InboxRow.user_id == uid, InboxRow.state != DONE)
            )
        return int(found or 0)

    async def erase(self, user_key: str) -> int:
        """/forget: drop the person's recorded messages and answers (the ids' hashes stay, so no retry is
        answered again)."""
        uid = self.crypto.pseudonym(user_key)
        async with self.db.writing() as s:
            result = await s.execute(
                update(InboxRow).where(InboxRow.user_id == uid).values(state=DONE, payload=b"", answer=b"", user_id="")
            )
        await self.db.checkpoint()
        return int(getattr(result, "rowcount", 0) or 0)

    async def sweep(self) -> int:
        """Forget finished ids older than `keep` and unfinished ones older than `give_up`; how many went."""
        now = self.now()
        async with self.db.writing() as s:
            finished = await s.execute(
                delete(InboxRow).where(InboxRow.state == DONE, InboxRow.received_at < now - self.keep)
            )
            stale = await s.execute(delete(InboxRow).where(InboxRow.received_at < now - self.give_up))
        return sum(int(getattr(r, "rowcount", 0) or 0) for r in (finished, stale))

    # -- writing ------------------------------------------------------------------------------------------------

    async def _write(self, ops: list[_Take | _Change]) -> list[int | None]:
        """One transaction for the batch, in order; one per write if another instance recorded one of the same ids
        meanwhile."""
        try:
            return await self._write_together(ops)
        except IntegrityError:
            return [await self._write_one(op) for op in ops]

    async def _write_together(self, ops: list[_Take | _Change]) -> list[int | None]:
        """Core statements, not the ORM's unit of work: the new ids in one INSERT … RETURNING, and the changes in as
        few UPDATEs as their values allow (this runs for every message on every channel)."""
        async with self.db.writing() as s:
            conn = await s.connection()
            tags = [op.tag for op in ops if isinstance(op, _Take)]
            taken = set((await conn.execute(select(_TABLE.c.key).where(_TABLE.c.key.in_(tags)))).scalars())
            first: dict[str, _Take] = {}  # the same id twice in one batch: the first wins
            for op in ops:
                if isinstance(op, _Take) and op.tag not in taken and op.tag not in first:
                    first[op.tag] = op
            ids: dict[str, int] = {}
            if first:
                inserted = await conn.execute(
                    insert(_TABLE).returning(_TABLE.c.key, _TABLE.c.id, sort_by_parameter_order=True),
                    [self._row(op) for op in first.values()],
                )
                ids = {str(key): int(entry) for key, entry in inserted}
            for values, entries in _merged([op for op in ops if isinstance(op, _Change)]):
                await conn.execute(update(_TABLE).where(_TABLE.c.id.in_(entries)).values(**values))
        return [ids[op.tag] if isinstance(op, _Take) and first.get(op.tag) is op else None for op in ops]

    async def _write_one(self, op: _Take | _Change) -> int | None:
        try:
            async with self.db.writing() as s:
                conn = await s.connection()
                if isinstance(op, _Change):
                    await conn.execute(update(_TABLE).where(_TABLE.c.id == op.id).values(**op.values))
                    return None
                return int((await conn.execute(insert(_TABLE).returning(_TABLE.c.id), self._row(op))).scalar_one())
        except IntegrityError:
            return None

    def _row(self, take: _Take) -> dict[str, Any]:
        return {
            "key": take.tag,
            "channel": take.channel,
            "user_id": take.user_id,
            "state": RECEIVED,
            "received_at": self.now(),
            "payload": take.payload,
            "answer": b"",
            "sent": 0,
        }

    async def _upkeep(self, results: list[int | None]) -> None:
        self._since_sweep += sum(1 for r in results if r is not None)
        if self._since_sweep >= self.sweep_every:
            self._since_sweep = 0
            await self.sweep()


def _merged(changes: list[_Change]) -> list[tuple[dict[str, Any], list[int]]]:
    """A batch's changes as few UPDATEs: each entry's changes folded in order (an answer kept and then done within
    one batch is never written), then entries with equal values together (every `done` of the batch is one)."""
    folded: dict[int, dict[str, Any]] = {}
    for change in changes:  # a change always names an entry recorded in an earlier batch
        folded.setdefault(change.id, {}).update(change.values)
    groups: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    for entry, values in folded.items():
        groups.setdefault(tuple(sorted(values.items())), []).append(entry)
    return [(dict(values), ids) for values, ids in groups.items()]


def _answer_context(entry: int) -> bytes:
    """What an entry's answer is bound to (its row), so it cannot be moved to another entry."""
    return f"inbox-answer|{entry}".encode()
