"""Channels (⑥), download links: documents for channels that cannot send files, as signed, expiring, per-user links.

A link is `{public_url}{prefix}/files/{id}.{expires}.{signature}`: the id is 128 random bits, the expiry is a Unix
time, and the signature is an HMAC over id, expiry and the owner's pseudonym, so a link can be neither guessed,
extended nor moved to another person's file. The file itself is stored encrypted (storage/files_repo.py), erased by
/forget and swept once expired. Every bad link gets the same 404; an expired one gets 410 and says what to do.
"""

from __future__ import annotations

import base64
import hmac
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from aiohttp import web

from bot.contract.messages import FileOut
from bot.storage.crypto import Crypto
from bot.storage.files_repo import FileStore
from bot.texts import Texts
from bot.web import Route

_TOKEN = re.compile(r"^([0-9a-f]{32})\.(\d{1,12})\.([A-Za-z0-9_-]{22})$")
_PURPOSE = "file-link"
_SWEEP_EVERY = 600.0  # seconds between sweeps of expired files


class FileLinks:
    """Make links for files and serve them."""

    def __init__(
        self,
        store: FileStore,
        crypto: Crypto,
        public_url: str,
        prefix: str,
        ttl_seconds: int,
        texts: Texts,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.crypto = crypto
        self.base = f"{public_url.rstrip('/')}/{prefix.strip('/')}".rstrip("/") if public_url else ""
        self.ttl = ttl_seconds
        self.texts = texts
        self.clock = clock
        self._last_sweep = 0.0

    @property
    def enabled(self) -> bool:
        """Links need the public address users reach."""
        return bool(self.base)

    def _sign(self, file_id: str, expires: int, owner: str) -> str:
        digest = self.crypto.tag(_PURPOSE, f"{file_id}.{expires}.{owner}".encode())[:16]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    async def link(self, user_key: str, file: FileOut) -> str:
        """Store the file for the user and return its download URL."""
        now = self.clock()
        if now - self._last_sweep > _SWEEP_EVERY:
            self._last_sweep = now
            await self.store.sweep(datetime.fromtimestamp(now, UTC))
        expires = int(now) + self.ttl
        file_id, owner = await self.store.put(user_key, file, datetime.fromtimestamp(expires, UTC) + timedelta(hours=1))
        return f"{self.base}/files/{file_id}.{expires}.{self._sign(file_id, expires, owner)}"

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """GET /files/{token}: the file, 404 for anything wrong, 410 once expired."""
        match = _TOKEN.match(request.match_info.get("token", ""))
        if match is None:
            return _text(404, self.texts.get("channels.link_invalid"))
        file_id, expires_text, signature = match.groups()
        expires = int(expires_text)
        stored = await self.store.get(file_id)
        if stored is None or not hmac.compare_digest(signature, self._sign(file_id, expires, stored.user_id)):
            return _text(404, self.texts.get("channels.link_invalid"))
        if self.clock() > expires:
            return _text(410, self.texts.get("channels.link_expired"))
        name = stored.file.name
        ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", name) or "document"
        return web.Response(
            body=stored.file.data,
            content_type=stored.file.mime,
            headers={
                "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )

    def routes(self) -> list[Route]:
        """The download route, relative to the web prefix."""
        return [("GET", "/files/{token}", self.serve)]


def _text(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, content_type="text/plain", charset="utf-8")
