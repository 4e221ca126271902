"""Benchmark: screenshot OCR — cold first call (import + model load + first image) and warm median per screenshot.

Renders the same phone-style screenshots as tests/sms/test_ocr.py (clean PNG, 60% JPEG q60, a long scrolling
screenshot) and prints seconds and character accuracy (1 - CER, whitespace ignored, NFKC-folded).
Prints figures; asserts nothing. Run: `.venv/bin/python bench/ocr_bench.py`.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.sms.ocr import RapidOcr  # noqa: E402
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


def main() -> None:
    """Print one line per figure."""
    long_thread = [
        (f"11月{d}日 星期六 14:{d:02d}", [f"【速借宝】您的验证码为 {100000 + d * 1111}，", "如非本人操作请忽略。"])
        for d in range(1, 25)
    ]
    clean_img, long_img = render(THREAD), render(long_thread)
    cases = {
        f"clean PNG {clean_img.width}x{clean_img.height}": (png_bytes(clean_img), truth_of(THREAD)),
        "60% JPEG q60": (degraded_bytes(clean_img), truth_of(THREAD)),
        f"long screenshot {long_img.width}x{long_img.height}": (png_bytes(long_img), truth_of(long_thread)),
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


if __name__ == "__main__":
    main()
