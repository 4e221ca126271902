"""Screenshots never starve answering: OCR has its own bounded threads, and over-long or too many pictures get kind
replies. The real application and engine, with a screenshot reader that blocks until the test releases it."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.contract.messages import Attachment, Incoming
from bot.contract.outcome import Outcome
from bot.settings import Settings
from bot.sms.ocr import OcrResult, slice_count
from bot.texts import Texts
from bot.wiring import App, QAParts, build_app

T = Texts()
READ = "11月2日 14:20\n【速借宝】您的验证码为 884213"
QUESTION = "催收天天用验证码轰炸我手机，犯法吗？"
LIVENESS = 90.0  # seconds: not a speed limit, only how long a test waits before calling an answer starved


class BlockedReader:
    """Reads every screenshot as READ, but only once the test releases it; tells the test when a read starts."""

    def __init__(self, loop: asyncio.AbstractEventLoop, released: bool = False) -> None:
        self.loop = loop
        self.release = threading.Event()
        if released:
            self.release.set()
        self.started: asyncio.Queue[int] = asyncio.Queue()
        self.calls = 0
        self._lock = threading.Lock()

    def read(self, data: bytes) -> OcrResult:
        with self._lock:
            self.calls += 1
            n = self.calls
        self.loop.call_soon_threadsafe(self.started.put_nowait, n)
        if not self.release.wait(timeout=120):
            raise RuntimeError("the test never released the reader")
        return OcrResult(READ, tuple(READ.splitlines()), 0.99)


def screenshot(width: int = 720, height: int = 1600) -> Attachment:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (255, 255, 255)).save(buf, "PNG")
    return Attachment("image", "shot.png", buf.getvalue(), "image/png")


Factory = Callable[..., Awaitable[tuple[App, BlockedReader]]]


@pytest.fixture
async def make_app(settings: Settings, qa_parts: QAParts, index_dir: Path) -> AsyncIterator[Factory]:
    built: list[tuple[App, BlockedReader]] = []

    async def build(released: bool = False, **ocr: int) -> tuple[App, BlockedReader]:
        settings.data_dir = index_dir
        settings.ocr = settings.ocr.model_copy(update=ocr)
        reader = BlockedReader(asyncio.get_running_loop(), released)
        app = await build_app(settings, parts=qa_parts, ocr_reader=reader)
        built.append((app, reader))
        return app, reader

    yield build
    for app, reader in built:
        reader.release.set()
        await app.close()


def image_from(user: str, shot: Attachment) -> Incoming:
    return Incoming("test", user, attachments=(shot,))


async def first_text(job: Awaitable[list[object]]) -> str:
    replies = await job
    return str(getattr(replies[0], "text", ""))


def handed_over_probe(app: App, count: int) -> asyncio.Event:
    """Set once `count` attachments have reached the SMS handler, which hands a screenshot to OCR before it first
    waits; so by the time a waiter wakes up, every one of them is with OCR (being read or queued)."""
    reached = asyncio.Event()
    original = app.sms.attachment
    seen = [0]

    async def attachment(*args: Any, **kwargs: Any) -> Outcome:
        seen[0] += 1
        if seen[0] == count:
            reached.set()
        return await original(*args, **kwargs)

    app.sms.attachment = attachment  # type: ignore[method-assign]
    return reached


async def test_a_question_is_answered_while_tall_screenshots_are_being_read(make_app: Factory) -> None:
    # the default threads of a small server (1 CPU: min(32, 1 + 4) = 5), which every answer's to_thread uses
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=5))
    app, reader = await make_app()
    handed_over = handed_over_probe(app, 8)
    shot = screenshot()
    shots = [asyncio.create_task(app.engine.handle(image_from(f"sender{i}", shot))) for i in range(8)]
    await handed_over.wait()  # all eight screenshots are with OCR (read or waiting), before the question comes
    await reader.started.get()  # OCR is running, and blocked until released
    question = asyncio.create_task(app.engine.handle(Incoming("test", "asker", text=QUESTION)))
    done, _ = await asyncio.wait({question}, timeout=LIVENESS)
    assert question in done, "the question waited for the screenshots"
    assert not reader.release.is_set() and not any(s.done() for s in shots)  # answered while OCR was still blocked
    assert "《" in question.result()[0].text  # a cited answer
    reader.release.set()
    for task in shots:
        assert (await task)[0].text == T.get("evidence_log.ocr_read", text=READ)  # eight fit: all are read


async def test_an_over_long_screenshot_gets_a_friendly_reply_and_is_not_read(make_app: Factory) -> None:
    app, reader = await make_app(released=True)
    tall = screenshot(1080, 12_000)  # 5 passes of 2,400 px: more than the default 4
    assert slice_count(tall.data) == 5
    assert await first_text(app.engine.handle(image_from("tall", tall))) == T.get("sms.image_too_long")
    assert reader.calls == 0
    normal = await first_text(app.engine.handle(image_from("tall", screenshot(1080, 9_000))))
    assert normal == T.get("evidence_log.ocr_read", text=READ)  # 4 passes are fine


async def test_a_person_resending_while_their_screenshot_is_read_is_asked_to_wait(make_app: Factory) -> None:
    app, reader = await make_app(max_pending_per_user=1)
    first = asyncio.create_task(app.engine.handle(image_from("resender", screenshot())))
    await reader.started.get()
    first.cancel()  # the channel gave up waiting (WeChat's 5 s); the read goes on and keeps its place
    again = asyncio.create_task(app.engine.handle(image_from("resender", screenshot())))
    done, _ = await asyncio.wait({again}, timeout=LIVENESS)
    assert again in done, "the second screenshot waited for the first"
    assert again.result()[0].text == T.get("sms.ocr_wait")
    other = asyncio.create_task(app.engine.handle(image_from("someone_else", screenshot())))
    reader.release.set()
    assert (await other)[0].text == T.get("evidence_log.ocr_read", text=READ)  # others are not limited by it
    assert reader.calls == 2


async def test_when_everyone_is_sending_screenshots_the_next_one_is_asked_to_wait(make_app: Factory) -> None:
    app, reader = await make_app(workers=2, max_pending=2)
    running = [asyncio.create_task(app.engine.handle(image_from(f"u{i}", screenshot()))) for i in range(2)]
    await reader.started.get()
    await reader.started.get()  # both workers are reading
    busy = await first_text(app.engine.handle(image_from("third", screenshot())))
    assert busy == T.get("sms.ocr_busy")
    reader.release.set()
    for task in running:
        assert (await task)[0].text == T.get("evidence_log.ocr_read", text=READ)
    assert app.ocr.pending() == 0


async def test_someone_who_writes_english_gets_the_screenshot_check_and_the_evidence_summary_in_english(
    make_app: Factory,
) -> None:
    # the OCR confirmation, the log's summary and the export's note were all Chinese for them
    app, _ = await make_app(released=True)
    await app.engine.handle(
        Incoming("test", "en-shot", text="collectors keep sending me codes all night, what can I do")
    )
    check = await first_text(app.engine.handle(image_from("en-shot", screenshot())))
    assert check.startswith("I read the following from the screenshot") and READ in check
    logged = await first_text(app.engine.handle(Incoming("test", "en-shot", text="yes")))
    assert "Added to your evidence log: 1 new" in logged
    summary = await first_text(app.engine.handle(Incoming("test", "en-shot", text="/evidence")))
    assert summary.startswith("Your evidence log: 1 message(s)") and "verification code (1)" in summary
    exported = await app.engine.handle(Incoming("test", "en-shot", text="/evidence csv"))
    assert "It is in Chinese" in exported[0].text and exported[0].files[0].name.startswith("证据清单")
