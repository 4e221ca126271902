"""SMS analysis stage (③a), OCR queue: screenshots read on OCR's own few threads, with bounds per person and in all.

A tall screenshot takes OCR seconds to minutes and hundreds of megabytes. Run on the event loop's default threads
(`asyncio.to_thread`), waiting screenshots would hold the threads that every answer needs. Here OCR has its own
executor (`workers` threads; rapidocr serialises its calls anyway), a screenshot longer than `max_slices` passes is
refused before it waits, and at most `per_user` screenshots of one person and `total` in all are admitted (running or
waiting); more get `OcrBusy`, which the handler turns into a kind "please wait" reply. A job whose caller went away
keeps its place until it finishes, so resending does not pile up work.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, Protocol

from bot.sms.ocr import ImageRejected, OcrResult, slice_count

BusyReason = Literal["user", "all"]


class OcrReader(Protocol):
    """What reads a screenshot (bot.sms.ocr.RapidOcr, or a fake in tests); called on an OCR thread."""

    def read(self, data: bytes) -> OcrResult:
        """The text of an image; ImageRejected when it cannot be read."""
        ...


class OcrBusy(Exception):
    """No room for another screenshot now: the person's own (`user`) or everyone's (`all`) are still being read."""

    def __init__(self, reason: BusyReason) -> None:
        super().__init__(reason)
        self.reason: BusyReason = reason


class OcrQueue:
    """A bounded OCR executor: admit, read on an OCR thread, release when the read is over."""

    def __init__(
        self, reader: OcrReader, *, workers: int = 1, per_user: int = 2, total: int = 8, max_slices: int = 4
    ) -> None:
        self.reader = reader
        self.per_user = per_user
        self.total = total
        self.max_slices = max_slices
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="anning-ocr")
        self._pending: Counter[str] = Counter()

    def pending(self, user_key: str | None = None) -> int:
        """Screenshots admitted and not finished: one person's, or everyone's."""
        return self._pending[user_key] if user_key is not None else self._pending.total()

    async def read(self, user_key: str, data: bytes) -> OcrResult:
        """Read a screenshot for a person; ImageRejected (too_long, ...) or OcrBusy when it cannot be taken now."""
        if self.max_slices and slice_count(data) > self.max_slices:
            raise ImageRejected("too_long", f"more than {self.max_slices} slices")
        if self._pending[user_key] >= self.per_user:
            raise OcrBusy("user")
        if self.pending() >= self.total:
            raise OcrBusy("all")
        self._pending[user_key] += 1
        future = asyncio.get_running_loop().run_in_executor(self._pool, self.reader.read, data)
        future.add_done_callback(lambda done: self._release(user_key, done))
        return await asyncio.shield(future)  # a caller that gives up does not free the slot of a running read

    def _release(self, user_key: str, done: asyncio.Future[OcrResult]) -> None:
        if not done.cancelled():
            done.exception()  # retrieved here too: a caller that went away never sees it
        self._pending[user_key] -= 1
        if self._pending[user_key] <= 0:
            del self._pending[user_key]

    def close(self) -> None:
        """Drop the screenshots still waiting and stop the threads once the running reads end (no waiting here)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
