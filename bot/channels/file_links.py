"""Channels (⑥), download links: documents for channels that cannot send files, as signed, expiring, per-user links.

A link is `{public_url}{prefix}/files/{id}.{expires}.{signature}`: the id is 128 random bits, the expiry is a Unix
time, and the signature is an HMAC over id, expiry and the owner's pseudonym, so a link can be neither guessed,
extended nor moved to another person's file. The file itself is stored encrypted (storage/files_repo.py), erased by
/forget and swept once expired: at start and then every `sweep_seconds` by a task that runs while the server does
(`start`/`stop`). Every bad link gets the same 404; an expired one gets 410 and says what to do.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hmac
import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import quote

from aiohttp import web

from bot.contract.messages import FileOut
from bot.storage.crypto import Crypto
from bot.storage.files_repo import FileStore
from bot.texts import Texts
from bot.web import Route

_TOKEN = re.compile(r"^([0-9a-f]{32})\.(\d{1,12})\.([A-Za-z0-9_-]{22})$")
_PURPOSE = "file-link"
ASCII_FALLBACK = "anning-document"  # the plain filename= for clients that ignore filename*=UTF-8''
log = logging.getLogger(__name__)


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
        sweep_seconds: float = 600.0,
    ) -> None:
        self.store = store
        self.crypto = crypto
        self.base = f"{public_url.rstrip('/')}/{prefix.strip('/')}".rstrip("/") if public_url else ""
        self.ttl = ttl_seconds
        self.texts = texts
        self.clock = clock
        self.sweep_seconds = sweep_seconds
        self._stop = asyncio.Event()
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Delete expired files now, then every sweep_seconds until stop()."""
        await self.sweep()
        self._stop.clear()
        self._sweeper = asyncio.create_task(self._sweep_forever())

    async def stop(self) -> None:
        """Stop the sweeping task."""
        self._stop.set()
        if self._sweeper is not None:
            await self._sweeper
            self._sweeper = None

    async def sweep(self) -> int:
        """Delete every file whose link has expired; returns how many."""
        return await self.store.sweep(datetime.fromtimestamp(self.clock(), UTC))

    async def _sweep_forever(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.sweep_seconds):
                    await self._stop.wait()
            if self._stop.is_set():
                return
            try:
                await self.sweep()
            except Exception:  # a database hiccup must not end the sweeping
                log.exception("sweeping expired download files failed")

    def validity(self) -> str:
        """How long a link works, in words, rounded down (texts channels.valid_*): "24 小时", "20 秒"."""
        for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
            if self.ttl >= 2 * size:
                return self.texts.get(f"channels.valid_{unit}", n=self.ttl // size)
        return self.texts.get("channels.valid_seconds", n=max(0, self.ttl))

    @property
    def enabled(self) -> bool:
        """Links need the public address users reach."""
        return bool(self.base)

    def _sign(self, file_id: str, expires: int, owner: str) -> str:
        digest = self.crypto.tag(_PURPOSE, f"{file_id}.{expires}.{owner}".encode())[:16]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    async def link(self, user_key: str, file: FileOut) -> str:
        """Store the file for the user and return its download URL."""
        expires = int(self.clock()) + self.ttl
        file_id, owner = await self.store.put(user_key, file, datetime.fromtimestamp(expires, UTC))
        return f"{self.base}/files/{file_id}.{expires}.{self._sign(file_id, expires, owner)}"

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """GET /files/{token}: the file, 404 for anything wrong, 410 once expired."""
        match = _TOKEN.match(request.match_info.get("token", ""))
        if match is None:
            return _text(404, self.texts.get("channels.link_invalid"))
        file_id, expires_text, signature = match.groups()
        expires = int(expires_text)
        if self.clock() > expires:  # the file may already be swept; an expired link says so, valid or not
            return _text(410, self.texts.get("channels.link_expired"))
        stored = await self.store.get(file_id)
        if stored is None or not hmac.compare_digest(signature, self._sign(file_id, expires, stored.user_id)):
            return _text(404, self.texts.get("channels.link_invalid"))
        name = stored.file.name
        ascii_name = ascii_fallback(name)
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


def ascii_fallback(name: str) -> str:
    """A readable ASCII filename for clients that ignore filename*: the name's ASCII words if any has a letter,
    else "anning-document" plus its numbers; the extension kept ("证据清单-20261103.pdf" -> "anning-document-20261103.pdf")."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,8}", ext):
        stem, ext = name, ""
    words = re.findall(r"[A-Za-z0-9]+", stem)
    readable = any(re.search(r"[A-Za-z]", w) for w in words)
    base = "-".join(words if readable else [ASCII_FALLBACK, *words])
    return f"{base}.{ext.lower()}" if ext else base


def _text(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, content_type="text/plain", charset="utf-8")
