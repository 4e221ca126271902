"""Storage, API tokens: one access token per WeChat account shared by every process, encrypted at rest."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage.crypto import Crypto
from bot.storage.db import ApiTokenRow, Database


class TokenStore:
    """get/put of (token, expiry as a Unix time) by account name; a later put replaces the earlier one."""

    def __init__(self, db: Database, crypto: Crypto) -> None:
        self.db = db
        self.crypto = crypto

    async def get(self, name: str) -> tuple[str, float] | None:
        """The stored token and when it stops being used (Unix time), or None."""
        async with self.db.sessions() as s:
            row = await s.get(ApiTokenRow, name)
            if row is None:
                return None
            token = self.crypto.decrypt(row.payload, name.encode()).decode()
            expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
            return token, expires.timestamp()

    async def put(self, name: str, token: str, expires_at: float) -> None:
        """Store the token fetched last."""
        payload = self.crypto.encrypt(token.encode(), name.encode())
        when = datetime.fromtimestamp(expires_at, UTC)
        async with self.db.writing() as s:
            row = await s.get(ApiTokenRow, name)
            if row is None:
                s.add(ApiTokenRow(name=name, expires_at=when, payload=payload))
            else:
                row.expires_at, row.payload = when, payload
