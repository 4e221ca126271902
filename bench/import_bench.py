"""Benchmark: twenty people import a ~9 MB SMS backup at once while other people ask plain questions.

Builds the whole application (knowledge index in --data-dir, var/ by default; a fresh SQLite file in a temporary
folder), generates a synthetic "SMS Backup & Restore" XML file (--messages received messages, verification codes
from 40 platforms every few seconds plus some collection messages, about 9 MB for 49,000), and sends it as a
document from --users people at once through Engine.handle. Meanwhile a new person asks a plain legal question
every --every seconds (open loop, each on its own) until every import has its answer, and a ticker measures how
late the event loop wakes up (what /healthz would feel).

Prints: time until the last import answered; import outcomes (logged / asked to wait / errors, with the first
error); messages logged per person; p50 / p95 / max of the questions' latency and their errors; the longest
event-loop stall; RSS before the imports, at the peak (sampled every 0.1 s), right after, and after --settle
seconds idle. Asserts nothing.

Run from the tree to measure (the "before" figures come from a copy of the old code with this file copied in):
`.venv/bin/python bench/import_bench.py [--users 20] [--messages 49000] [--every 0.5]`.

One run each, 3 December 2026, on the 2-core machine shared with other work (load average 12-14 throughout):
before issue 17 (main at ed03d47): 1 of 20 imports logged, 19 "database is locked"; questions p50 445 s, p95 548 s,
167 of 195 failed ("database is locked" saving the session); event loop stalled 285 s; RSS 290 -> 3,176 -> 3,161 MB.
after: 20 of 20 logged (49,000 each), none refused, no errors, all answered after 1,576 s (classifying 49,000
messages is about 21 s of CPU per file); questions p50 1.5 s, p95 7.8 s, max 17 s, 0 of 1,885 failed; longest stall
4.0 s; RSS 290 -> 640 -> 455 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.contract.messages import Attachment, Incoming  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import build_app  # noqa: E402

QUESTIONS = ("催收天天用验证码轰炸我手机，犯法吗？", "催收给我的通讯录打电话合法吗？", "催收威胁上门怎么办？")
THREATS = (
    "【{p}】您已逾期{d}天，今日18点前不处理将联系您的紧急联系人和单位。",
    "再不还钱就把你的通讯录发给你全家，你等着。",
    "【{p}】贵司欠款已移交法务部门，将于3日内上门核实，请保持电话畅通。",
)


def synthetic_backup(messages: int, seed: int = 7) -> bytes:
    """An SMS Backup & Restore XML file with `messages` received messages (codes, with a threat every 20th)."""
    rng = random.Random(seed)
    start = datetime(2026, 9, 1, 21, 0, tzinfo=UTC)
    parts = [f"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"{messages}\">\n"]
    for k in range(messages):
        platform = f"平台{k % 40}"
        if k % 20 == 19:
            body = rng.choice(THREATS).format(p=platform, d=rng.randint(3, 90))
        else:
            body = f"【{platform}】您的验证码是 {rng.randint(100000, 999999)}，5分钟内有效，请勿泄露给他人。"
        when = int((start + timedelta(seconds=3 * k)).timestamp() * 1000)
        parts.append(
            f'  <sms protocol="0" address="1069{k % 40:04d}{k % 7}" date="{when}" type="1" '
            f'body={quoteattr(body)} read="1" status="-1" locked="0" />\n'
        )
    parts.append("</smses>\n")
    return "".join(parts).encode("utf-8")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


async def run(args: argparse.Namespace) -> None:
    data = synthetic_backup(args.messages)
    print(f"backup: {args.messages} messages, {len(data) / 1e6:.1f} MB; {args.users} people send it at once")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=args.data_dir)
        settings.database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = await build_app(settings, lambda line: print(line, file=sys.stderr))
        await app.engine.handle(Incoming("bench", "warm", text=QUESTIONS[0]))
        before, peak, stall = rss_mb(), [rss_mb()], [0.0]
        done = asyncio.Event()

        async def sample() -> None:
            while not done.is_set():
                peak.append(rss_mb())
                t = time.perf_counter()
                await asyncio.sleep(0.1)
                stall[0] = max(stall[0], time.perf_counter() - t - 0.1)

        async def ask(n: int) -> tuple[float, str]:
            t = time.perf_counter()
            try:
                replies = await app.engine.handle(Incoming("bench", f"asker{n}", text=QUESTIONS[n % 3]))
            except Exception as exc:  # an error the person would see
                return time.perf_counter() - t, f"{type(exc).__name__}: {exc}"
            return time.perf_counter() - t, "" if replies and replies[0].text else "empty answer"

        sampler = asyncio.create_task(sample())
        started = time.perf_counter()
        imports = [
            asyncio.create_task(
                app.engine.handle(
                    Incoming(
                        "bench", f"imp{i}", attachments=(Attachment("document", "sms.xml", bytes(bytearray(data))),)
                    )
                )
            )
            for i in range(args.users)
        ]
        questions: list[asyncio.Task[tuple[float, str]]] = []
        while not all(task.done() for task in imports):
            questions.append(asyncio.create_task(ask(len(questions))))
            await asyncio.wait(imports, timeout=args.every)
        took = time.perf_counter() - started
        outcomes = await asyncio.gather(*imports, return_exceptions=True)
        answers = await asyncio.gather(*questions)
        right_after = rss_mb()
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        texts = [o[0].text if o else "" for o in outcomes if not isinstance(o, BaseException)]
        busy = [t for t in texts if t.startswith(tuple(args.busy_prefix.split(",")))]
        counts = [await app.evidence.count(f"imp{i}") for i in range(args.users)]
        await asyncio.sleep(args.settle)
        done.set()
        await sampler
        settled = rss_mb()
        latencies = [s for s, _ in answers]
        failed = [e for _, e in answers if e]
        print(
            f"imports: all answered after {took:.1f} s; {len(texts) - len(busy)} logged, {len(busy)} asked to wait, "
            f"{len(errors)} errors" + (f" (first: {type(errors[0]).__name__}: {errors[0]})" if errors else "")
        )
        print(
            f"  messages logged per person: min {min(counts)}, median {statistics.median(counts):.0f}, "
            f"max {max(counts)} (of {args.messages})"
        )
        print(
            f"questions from {len(answers)} other people: p50 {pct(latencies, 0.5):.2f} s, "
            f"p95 {pct(latencies, 0.95):.2f} s, max {max(latencies, default=0):.2f} s, {len(failed)} errors"
            + (f" (first: {failed[0]})" if failed else "")
        )
        print(f"longest event-loop stall: {stall[0]:.2f} s")
        print(
            f"RSS MB: before {before:.0f}, peak {max(peak):.0f}, right after {right_after:.0f}, "
            f"after {args.settle:.0f} s idle {settled:.0f}"
        )
        await app.close()


def main() -> None:
    """Parse arguments, run once, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--messages", type=int, default=49_000)
    parser.add_argument("--every", type=float, default=0.5, help="seconds between new askers")
    parser.add_argument("--settle", type=float, default=5.0, help="idle seconds before the last RSS figure")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var", help="where the knowledge index lives")
    parser.add_argument("--busy-prefix", default="已有导入,现在导入", help="how 'please wait' replies start (a,b)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
