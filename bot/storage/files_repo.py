"""Storage, files: documents waiting behind download links, encrypted, per user, swept after they expire."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select

from bot.contract.messages import FileOut
from bot.storage.crypto import Crypto
from bot.storage.db import Database, FileRow


@dataclass(frozen=True)
class StoredFile:
    """A stored document and whom it belongs to (by pseudonym)."""

    file: FileOut
    user_id: str
    expires_at: datetime


class FileStore:
    """Put a FileOut for a user until a moment; get it back by its random id."""

    name = "download_files"  # /mydata label: documents waiting behind a download link

    def __init__(self, db: Database, crypto: Crypto) -> None:
        self.db = db
        self.crypto = crypto

    async def put(self, user_key: str, file: FileOut, expires_at: datetime) -> tuple[str, str]:
        """Store the file; returns (file id, owner pseudonym). The id is 128 random bits."""
        uid = self.crypto.pseudonym(user_key)
        file_id = secrets.token_hex(16)
        header = json.dumps({"name": file.name, "mime": file.mime}, ensure_ascii=False).encode()
        blob = self.crypto.encrypt(len(header).to_bytes(4, "big") + header + file.data, f"{uid}|{file_id}".encode())
        async with self.db.writing() as s:
            s.add(FileRow(id=file_id, user_id=uid, expires_at=expires_at, payload=blob))
        return file_id, uid

    async def get(self, file_id: str) -> StoredFile | None:
        """The file, or None when it is unknown or was erased."""
        async with self.db.sessions() as s:
            row = await s.get(FileRow, file_id)
        if row is None:
            return None
        plain = self.crypto.decrypt(row.payload, f"{row.user_id}|{file_id}".encode())
        size = int.from_bytes(plain[:4], "big")
        header = json.loads(plain[4 : 4 + size])
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
        return StoredFile(FileOut(header["name"], plain[4 + size :], header["mime"]), row.user_id, expires)

    async def count(self, user_key: str) -> int:
        """How many files the user has stored (for /mydata)."""
        uid = self.crypto.pseudonym(user_key)
        async with self.db.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(FileRow).where(FileRow.user_id == uid)) or 0)

    async def erase(self, user_key: str) -> int:
        """Delete every file of the user (/forget)."""
        uid = self.crypto.pseudonym(user_key)
        async with self.db.writing() as s:
            result = await s.execute(delete(FileRow).where(FileRow.user_id == uid))
        await self.db.checkpoint()  # no copy of the deleted rows stays in the write-ahead log
        return int(getattr(result, "rowcount", 0) or 0)

    async def sweep(self, now: datetime) -> int:
        """Delete expired files."""
        async with self.db.writing() as s:
            result = await s.execute(delete(FileRow).where(FileRow.expires_at < now))
        return int(getattr(result, "rowcount", 0) or 0)
