"""Benchmark: time to export a 1,000-item evidence log to PDF, DOCX and CSV (median of 3 runs each).

Prints figures; asserts nothing. Target: PDF within 3 s on a 2-core machine. Run: `.venv/bin/python bench/export_bench.py`.
"""

from __future__ import annotations

import hashlib
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evidence.export import ExportMeta, export_csv, export_docx, export_pdf  # noqa: E402
from bot.evidence.model import Episode, EvidenceItem, Stats  # noqa: E402
from bot.office.fonts import find_cjk_font  # noqa: E402

CN = timezone(timedelta(hours=8))
PLATFORMS = [
    "美团",
    "拼多多",
    "滴滴出行",
    "京东",
    "携程旅行",
    "饿了么",
    "哈啰",
    "唯品会",
    "小红书",
    "抖音",
    "淘宝",
    "闲鱼",
]
THREAT = "张某你再不还钱，明天就把你欠钱的事发到你所有通讯录联系人和你单位群里，让大家都知道你是老赖！我们的人已经在你家楼下了。"


def make_log(n: int = 1000) -> tuple[list[EvidenceItem], Stats]:
    """n items over two weeks: mostly night-time verification-code floods, every tenth a threat."""
    start = datetime(2026, 11, 1, 22, 0, tzinfo=CN)
    items: list[EvidenceItem] = []
    previous = "0" * 64
    for seq in range(1, n + 1):
        sent = start + timedelta(days=seq % 14, seconds=37 * seq % 36_000)
        if seq % 10 == 0:
            label, platform, text, signals = "collection_threat", None, THREAT, ("third_party_contact",)
        else:
            platform = PLATFORMS[seq % len(PLATFORMS)]
            label, signals = "verification_code", ("code_bombing_part",)
            text = f"【{platform}】您的验证码是{(seq * 7919) % 900000 + 100000}，5分钟内有效，请勿泄露给他人。如非本人操作请忽略本短信。"
        item_hash = hashlib.sha256(text.encode() + str(seq).encode()).hexdigest()
        chain = hashlib.sha256((previous + item_hash).encode()).hexdigest()
        items.append(
            EvidenceItem(
                seq,
                sent,
                sent,
                "forward",
                text,
                "1069" + str(seq),
                label,
                platform,
                signals,
                ("civil-code:1033",),
                item_hash,
                chain,
            )
        )
        previous = chain
    hours = [0] * 24
    for item in items:
        hours[item.received_at.hour] += 1
    days = Counter(item.received_at.date().isoformat() for item in items)
    stats = Stats(
        total=n,
        by_label=dict(Counter(i.label for i in items)),
        per_day=dict(sorted(days.items())),
        per_hour=hours,
        night_share=sum(hours[h] for h in (*range(8), 21, 22, 23)) / n,
        platforms=sorted(PLATFORMS),
        episodes=[Episode(start, start + timedelta(minutes=9), 40, tuple(PLATFORMS))],
        first=min(i.received_at for i in items),
        last=max(i.received_at for i in items),
    )
    return items, stats


def median_seconds(run: Callable[[], bytes], repeat: int = 3) -> tuple[float, float, int]:
    """Median wall time of repeat runs, the first (cold) run's time, and the output size."""
    times, size = [], 0
    for _ in range(repeat):
        began = time.perf_counter()
        size = len(run())
        times.append(time.perf_counter() - began)
    return statistics.median(times), times[0], size


def main() -> None:
    items, stats = make_log()
    meta = ExportMeta(person="张某", article_labels={"civil-code:1033": "《民法典》第一千零三十三条"})
    print(f"font: {find_cjk_font()}")
    for name, run in (
        ("pdf", lambda: export_pdf(items, stats, meta)),
        ("docx", lambda: export_docx(items, stats, meta)),
        ("csv", lambda: export_csv(items, stats, meta)),
    ):
        seconds, first, size = median_seconds(run)
        print(f"{name:5} 1000 items: {seconds:6.2f} s (median of 3; first run {first:.2f} s), {size / 1024:7.0f} KB")


if __name__ == "__main__":
    main()
