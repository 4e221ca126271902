"""Benchmark: SMS classification speed on one core, and the dev-set report (per-label F1, confusion, signals).

Prints figures; asserts nothing. Run: `.venv/bin/python bench/sms_bench.py [PATH.jsonl]`.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge import load_knowledge  # noqa: E402
from bot.sms.classify import Classifier  # noqa: E402
from bot.sms.evaluate import evaluate_sms, format_report, item_record, load_items  # noqa: E402
from bot.sms.rules import load_rules  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev-sms.jsonl"
N_MESSAGES = 10_000


def main() -> None:
    """Time classify_all over 10,000 messages (the dev set repeated), then print the evaluation report."""
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEV
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    t0 = time.perf_counter()
    kb = load_knowledge(ROOT / "knowledge")
    classifier = Classifier(load_rules(kb))
    load_s = time.perf_counter() - t0

    base = [item_record(it) for it in load_items(path)]
    records = (base * (N_MESSAGES // len(base) + 1))[:N_MESSAGES]
    classifier.classify_all(records[:200])  # warm-up
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        classifier.classify_all(records)
        best = min(best, time.perf_counter() - t)
    print(f"rules load (incl. knowledge/): {load_s * 1000:.0f} ms")
    print(
        f"classify_all: {len(records)} SMS in {best * 1000:.0f} ms = {len(records) / best:,.0f} SMS/s (one core, best of 3)"
    )
    print()
    print(format_report(evaluate_sms(classifier, path)))


if __name__ == "__main__":
    main()
