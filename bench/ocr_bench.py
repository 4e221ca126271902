"""Benchmark: screenshot OCR — cold first call (import + model load + first image) and warm median per screenshot;
then another person's answer latency while eight tall screenshots are being read.

Renders the same phone-style screenshots as tests/sms/test_ocr.py (clean PNG, 60% JPEG q60, a long scrolling
screenshot) and prints seconds and character accuracy (1 - CER, whitespace ignored, NFKC-folded).
The contention figure runs the whole application (knowledge index in the data folder, var/ by default; a fresh
database): eight people send a tall screenshot at once, and other people ask a question every 2 s (open loop, each on its
own) until the screenshots are read; the figure is the median (p90, max) of those answers' latencies. "before": OCR on the default threads (`asyncio.to_thread`, as before issue 17);
"after": OCR's own bounded queue (bot/sms/ocr_queue.py). `--contention-only` skips the accuracy part.
Prints figures; asserts nothing. Run: `.venv/bin/python bench/ocr_bench.py`.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.contract.messages import Attachment, Incoming  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.sms.ocr import OcrResult, RapidOcr, slice_count  # noqa: E402
from bot.wiring import build_app  # noqa: E402
from tests.sms.test_ocr import SENDER, THREAD, degraded_bytes, png_bytes, render  # noqa: E402

RUNS = 5


def fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def accuracy(truth: str, read: str) -> float:
    """1 - character error rate (Levenshtein distance over the truth's length)."""
    a, b = fold(truth), fold(read)
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1 - previous[-1] / max(1, len(a))


def truth_of(thread: list[tuple[str, list[str]]]) -> str:
    return SENDER + "".join(stamp + "".join(lines) for stamp, lines in thread)


def long_thread(days: int) -> list[tuple[str, list[str]]]:
    return [
        (f"11月{d}日 星期六 14:{d % 60:02d}", [f"【速借宝】您的验证码为 {100000 + d * 1111}，", "如非本人操作请忽略。"])
        for d in range(1, days + 1)
    ]


class DefaultThreads:
    """OCR as it was before issue 17: each screenshot on the loop's default threads, behind rapidocr's lock."""

    def __init__(self, reader: RapidOcr) -> None:
        self.reader = reader

    async def read(self, user_key: str, data: bytes) -> OcrResult:
        return await asyncio.to_thread(self.reader.read, data)


QUESTIONS = ("催收天天用验证码轰炸我手机，犯法吗？", "催收给我的通讯录打电话合法吗？", "催收威胁上门怎么办？")


async def contention(shots: int = 8, every: float = 2.0) -> None:
    """Another person's answer latency while `shots` tall screenshots are read: idle, before and after."""
    tall = png_bytes(render(long_thread(30)))
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings()
        settings.database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = await build_app(settings, lambda line: print(line, file=sys.stderr))
        queue = app.sms.ocr
        reader = queue.reader
        assert isinstance(reader, RapidOcr)
        reader.warm_up()
        picture = Attachment("image", "tall.png", tall, "image/png")
        single = time.perf_counter()
        await app.engine.handle(Incoming("bench", "warm", attachments=(picture,)))
        single = time.perf_counter() - single
        threads = min(32, (os.cpu_count() or 1) + 4)
        print(
            f"contention: {shots} screenshots of {len(tall) // 1024} KB, {slice_count(tall)} OCR passes each, "
            f"{single:.1f} s to read one alone; default threads {threads}"
        )

        async def ask(user: str, n: int) -> float:
            t = time.perf_counter()
            await app.engine.handle(Incoming("bench", user, text=QUESTIONS[n % len(QUESTIONS)]))
            return time.perf_counter() - t

        idle = [await ask(f"idle{n}", n) for n in range(6)]
        print(f"  idle: answer median {statistics.median(idle):.2f} s over {len(idle)} questions")
        modes: dict[str, Any] = {"before (default threads)": DefaultThreads(reader), "after (OCR queue)": queue}
        for name, ocr in modes.items():
            app.sms.ocr = ocr
            tag = name.split()[0]
            started = time.perf_counter()
            pictures = [
                asyncio.create_task(app.engine.handle(Incoming("bench", f"{tag}-s{i}", attachments=(picture,))))
                for i in range(shots)
            ]
            await asyncio.sleep(0.2)  # the screenshots reach OCR first
            questions: list[asyncio.Task[float]] = []
            while not all(p.done() for p in pictures):  # open loop: a new person asks every `every` seconds
                questions.append(asyncio.create_task(ask(f"{tag}-asker{len(questions)}", len(questions))))
                await asyncio.wait(pictures, timeout=every)
            replies = await asyncio.gather(*pictures)
            total = time.perf_counter() - started
            latencies = sorted(await asyncio.gather(*questions))
            waits = sum(r[0].text.startswith(("正在识别", "现在识别")) for r in replies)
            print(
                f"  {name}: answer median {statistics.median(latencies):.2f} s, "
                f"p90 {latencies[int(0.9 * (len(latencies) - 1))]:.2f} s, max {latencies[-1]:.2f} s over "
                f"{len(latencies)} questions asked every {every:.0f} s while the screenshots were read "
                f"({total:.0f} s; {shots - waits} read, {waits} asked to wait)"
            )
        app.sms.ocr = queue
        await app.close()


def main() -> None:
    """Print one line per figure."""
    if "--contention-only" in sys.argv:
        asyncio.run(contention())
        return
    clean_img, long_img = render(THREAD), render(long_thread(24))
    cases = {
        f"clean PNG {clean_img.width}x{clean_img.height}": (png_bytes(clean_img), truth_of(THREAD)),
        "60% JPEG q60": (degraded_bytes(clean_img), truth_of(THREAD)),
        f"long screenshot {long_img.width}x{long_img.height}": (png_bytes(long_img), truth_of(long_thread(24))),
    }
    ocr = RapidOcr()
    first_data = next(iter(cases.values()))[0]
    t0 = time.perf_counter()
    ocr.read(first_data)
    print(f"cold first call (import + load models + clean screenshot): {time.perf_counter() - t0:.2f} s")
    for name, (data, truth) in cases.items():
        times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            result = ocr.read(data)
            times.append(time.perf_counter() - t)
        # status bar and input bar are rendered but not part of the truth; drop their lines before scoring
        read = "".join(line for line in result.lines if not line.startswith(("14:52", "短信")))
        print(
            f"{name}: median {statistics.median(times):.2f} s over {RUNS} warm runs, "
            f"accuracy {accuracy(truth, read):.1%}, mean confidence {result.mean_confidence:.3f}, {len(result.lines)} lines"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")
    asyncio.run(contention())


if __name__ == "__main__":
    main()
