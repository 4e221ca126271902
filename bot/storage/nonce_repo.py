"""Storage, callback nonces: each signed (timestamp, nonce) is good for one body, across processes and restarts.

A WeChat callback URL carries timestamp, nonce and signature in its query string, and proxies log it. In plain mode
the signature does not cover the body, so a logged URL could be posted again with another body. WeChat's own retries
of a callback repeat the URL and the body byte for byte, so a pair is bound to the first body it came with: the same
body again is a retry (left to message-id de-duplication), another body is a replay and is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.storage.crypto import Crypto
from bot.storage.db import CallbackNonceRow, Database
from bot.storage.group_commit import GroupCommit

Binding = tuple[str, str]  # (pair tag, body tag)


class CallbackNonces:
    """First-come bindings of a callback's (timestamp, nonce) to its body, kept for `keep` (stored as keyed hashes).

    Bindings are group-committed (bot.storage.group_commit), like message-id claims.
    """

    def __init__(
        self,
        db: Database,
        crypto: Crypto,
        keep: timedelta = timedelta(minutes=15),
        sweep_every: int = 500,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.crypto = crypto
        self.keep = keep  # longer than twice a timestamp window: a timestamp may be early or late by the window
        self.sweep_every = sweep_every
        self.now = now
        self._since_sweep = 0
        self._batches: GroupCommit[Binding, bool] = GroupCommit(self._bind, self._upkeep)

    async def admit(self, channel: str, timestamp: str, nonce: str, body: bytes) -> bool:
        """True for the first use of (timestamp, nonce) on `channel`, or a repeat with the same body (a retry)."""
        pair = self.crypto.tag("callback-nonce", f"{channel}\x00{timestamp}\x00{nonce}".encode()).hex()
        digest = self.crypto.tag("callback-body", body).hex()
        return await self._batches.submit((pair, digest))

    async def _bind(self, batch: list[Binding]) -> list[bool]:
        try:
            return await self._bind_together(batch)
        except IntegrityError:  # another process bound one of these pairs meanwhile
            return [await self._bind_one(pair, digest) for pair, digest in batch]

    async def _bind_together(self, batch: list[Binding]) -> list[bool]:
        pairs = [pair for pair, _ in batch]
        async with self.db.writing() as s:
            rows = await s.execute(
                select(CallbackNonceRow.key, CallbackNonceRow.body).where(CallbackNonceRow.key.in_(pairs))
            )
            bound: dict[str, str] = {key: body for key, body in rows}
            results = []
            for pair, digest in batch:
                if pair not in bound:
                    bound[pair] = digest
                    s.add(CallbackNonceRow(key=pair, body=digest, seen_at=self.now()))
                results.append(bound[pair] == digest)
        return results

    async def _bind_one(self, pair: str, digest: str) -> bool:
        try:
            async with self.db.writing() as s:
                s.add(CallbackNonceRow(key=pair, body=digest, seen_at=self.now()))
        except IntegrityError:
            async with self.db.sessions() as s:
                body = await s.scalar(select(CallbackNonceRow.body).where(CallbackNonceRow.key == pair))
            return body == digest
        return True

    async def _upkeep(self, results: list[bool]) -> None:
        self._since_sweep += len(results)
        if self._since_sweep >= self.sweep_every:
            self._since_sweep = 0
            await self.sweep()

    async def sweep(self) -> int:
        """Forget pairs older than `keep` (their timestamps are refused as stale by then); how many were removed."""
        async with self.db.writing() as s:
            result = await s.execute(delete(CallbackNonceRow).where(CallbackNonceRow.seen_at < self.now() - self.keep))
        return int(getattr(result, "rowcount", 0) or 0)
