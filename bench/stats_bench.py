"""Benchmark: evidence statistics (bombing episodes) on 6,000 and 49,000 verification codes, before and after.

"before" is the episode search as it was (it merged each window into the open episode with a sorted set union,
quadratic in the length of an episode); "after" is bot/evidence/stats.py. The log is one long flood: a code every
3 s from 40 platforms (6,000 codes = 5 hours, 49,000 codes = 41 hours), the case that froze the server. Each "before"
run goes in a child process stopped after LIMIT seconds. Prints figures; asserts nothing.
Run: `.venv/bin/python bench/stats_bench.py`.
"""

from __future__ import annotations

import multiprocessing
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evidence.model import Episode, EvidenceItem  # noqa: E402
from bot.evidence.stats import CODE_LABEL, compute, episodes  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
LIMIT = 120.0  # seconds a "before" run may take
REPEAT = 5


def make_log(n: int) -> list[EvidenceItem]:
    start = datetime(2026, 11, 3, 21, 0, tzinfo=SH)
    out = []
    for k in range(n):
        sent = start + timedelta(seconds=3 * k)
        out.append(
            EvidenceItem(k + 1, sent, sent, "backup", f"code {k}", None, CODE_LABEL, f"平台{k % 40}", (), (), "", "")
        )
    return out


def episodes_before(items: list[EvidenceItem], window: timedelta = timedelta(minutes=10)) -> list[Episode]:
    """The episode search as it was before the fix (min_codes=5, min_platforms=3)."""
    codes = sorted((i.sent_at, i.platform or "?") for i in items if i.label == CODE_LABEL and i.sent_at)
    found: list[Episode] = []
    start = 0
    current: list[tuple[datetime, str]] = []
    for end in range(len(codes)):
        while codes[end][0] - codes[start][0] > window:
            start += 1
        span = codes[start : end + 1]
        if len(span) >= 5 and len({p for _, p in span}) >= 3:
            if current and span[0][0] <= current[-1][0] + window:
                current = sorted(set(current) | set(span))
            else:
                if current:
                    found.append(Episode(current[0][0], current[-1][0], len(current), ()))
                current = list(span)
    if current:
        found.append(Episode(current[0][0], current[-1][0], len(current), ()))
    return found


def median(run: Callable[[], object], repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def _before_child(n: int, queue: multiprocessing.Queue[float]) -> None:
    items = make_log(n)
    queue.put(median(lambda: episodes_before(items), repeat=1 if n > 10_000 else 3))


def before(n: int) -> str:
    queue: multiprocessing.Queue[float] = multiprocessing.Queue()
    child = multiprocessing.Process(target=_before_child, args=(n, queue))
    child.start()
    child.join(LIMIT)
    if child.is_alive():
        child.terminate()
        child.join()
        return f"> {LIMIT:.0f} s (stopped)"
    return f"{queue.get():8.3f} s"


def main() -> None:
    print(f"episodes of one flood, a code every 3 s (median of {REPEAT} after; before: median of 3, or 1 run)")
    for n in (6_000, 49_000):
        items = make_log(n)
        after = median(lambda: episodes(items))  # noqa: B023 - run at once
        whole = median(lambda: compute(items))  # noqa: B023
        print(f"{n:6} codes: before {before(n)}   after {after:8.3f} s   (all statistics after: {whole:.3f} s)")


if __name__ == "__main__":
    main()
