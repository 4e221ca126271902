"""Channels (①), Telegram file download: stream a user's file from the Bot API, stopping as soon as it is too big.

The size a message declares can be missing or false, so it is not trusted: the body is read in chunks and the
connection is dropped once more than `limit` bytes have arrived (or when Content-Length already says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

CHUNK = 64 * 1024


@dataclass(frozen=True)
class TooBig:
    """The file is larger than the limit; `size` is at least what was seen (the declared size if larger)."""

    size: int


async def fetch_capped(url: str, limit: int, timeout: float) -> bytes | TooBig | None:
    """The file at `url`, or TooBig once more than `limit` bytes arrive, or None on any network or HTTP error."""
    try:
        async with (
            httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                return None
            declared = _content_length(response)
            if declared is not None and declared > limit:
                return TooBig(declared)
            data = bytearray()
            async for chunk in response.aiter_bytes(CHUNK):
                data += chunk
                if len(data) > limit:
                    return TooBig(len(data))  # leaving the block closes the connection: the rest is never read
            return bytes(data)
    except httpx.HTTPError:
        return None


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "")
    return int(value) if value.isdigit() else None
