"""Benchmark: intent classification time, warm reply time per conversation turn, chat RSS.

Prints figures (medians, p95); asserts nothing. Targets (issue 12): warm reply p95 <= 50 ms, intent <= 5 ms,
chat RSS <= 350 MB. Run: `.venv/bin/python bench/understand_bench.py`.
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.contract.messages import Incoming  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import build_app  # noqa: E402

CONVERSATIONS = ROOT.parent / "shared" / "eval" / "dev-conversations.jsonl"


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main() -> None:
    """Build the app once (first load excluded), then time every turn of the dev conversations three times."""
    work = Path(tempfile.mkdtemp(prefix="anning-understand-bench-"))
    subprocess.run([sys.executable, "-m", "bot", "index", "--data-dir", str(work)], check=True, capture_output=True)
    settings = Settings(data_dir=work)
    t0 = time.perf_counter()
    app = await build_app(settings)
    print(f"start with a built index: {time.perf_counter() - t0:.1f} s")
    turns = [t["text"] for line in CONVERSATIONS.read_text().splitlines() for t in json.loads(line)["turns"]]
    model = app.parts.intents
    assert model is not None
    for text in turns:  # warm-up
        model.classify(text)
    intent_ms = []
    for _ in range(5):
        for text in turns:
            s = time.perf_counter()
            model.classify(text)
            intent_ms.append((time.perf_counter() - s) * 1000)
    reply_ms: list[float] = []
    by_intent: dict[str, list[float]] = {}
    for rnd in range(3):
        for i, text in enumerate(turns):
            s = time.perf_counter()
            result = await app.engine.respond(Incoming("terminal", f"bench:{rnd}:{i % 7}", text))
            ms = (time.perf_counter() - s) * 1000
            reply_ms.append(ms)
            kind = "document" if any(r.files for r in result.replies) else result.intent
            by_intent.setdefault(kind, []).append(ms)
    await app.close()
    print(f"intent classification: median {statistics.median(intent_ms):.1f} ms, p95 {pct(intent_ms, 0.95):.1f} ms")
    print(
        f"warm reply per turn ({len(reply_ms)} turns): median {statistics.median(reply_ms):.1f} ms, "
        f"p95 {pct(reply_ms, 0.95):.1f} ms, max {max(reply_ms):.1f} ms"
    )
    no_docs = [ms for kind, values in by_intent.items() if kind != "document" for ms in values]
    print(
        f"  without turns that render DOCX/PDF ({len(no_docs)}): median {statistics.median(no_docs):.1f} ms, "
        f"p95 {pct(no_docs, 0.95):.1f} ms"
    )
    for kind, values in sorted(by_intent.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"  {kind:24s} n={len(values):3d} median {statistics.median(values):7.1f} ms  max {max(values):7.1f} ms")
    print(
        f"peak RSS (this process, index already built): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    asyncio.run(main())
