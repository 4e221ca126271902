"""Benchmark: Telegram webhook load on one `anning serve` with SQLite versus two replicas on one PostgreSQL.

Each simulated person posts `--each` messages to the webhook one after the other (the next once the last got its
200), alternating between the replicas; all people at once. `--mix commands` sends commands only; `--mix mixed` (the
default) cycles through commands, pasted SMS and legal questions (4:3:3, each chosen to get exactly one text answer),
the traffic the issue's target is about. `--rate R` paces the posts at R updates/s in all (open loop: a post is not
held back by a slow answer, only by its own acknowledgement); without it people post as fast as they are
acknowledged. The replicas start with the default rate limit (20 a minute per person, counted in the database when
they share PostgreSQL) and are measured once ready (/readyz: the engine is built). The fake Bot API server
(tests/fake_telegram.py) timestamps every answer. Prints updates answered per second, answer latency (post to answer
received: p50, p95) in all and per kind, answers lost or doubled, each replica's memory, and the load average.
Asserts nothing.

Run: `.venv/bin/python bench/replicas_bench.py [--users 100] [--each 10] [--mix mixed|commands] [--rate R]
[--data-dir DIR] [--server URL] [--only sqlite|postgresql]`
(DIR: a data folder with a built index, e.g. var/ after `anning chat`; URL: a PostgreSQL server whose user may create
databases, default $ANNING_TEST_DATABASE_URL, e.g. from `scripts/pg_throwaway.sh start DIR`; without one, SQLite only).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict, deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import ClientError, ClientSession, ClientTimeout  # noqa: E402

from tests.databases import PG_ENV, postgres_database  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402
from tests.serve_support import free_port, serving, webhook_env  # noqa: E402

SECRET = "replicas-bench-secret"
COMMANDS = ("/help", "/start", "/cancel", "/mydata")
SMS = (
    "【速购优选】您的验证码是582017，用于注册，5分钟内有效。",
    "2026-11-03 02:10:00\n【橙意出行】验证码 906341，5分钟内有效。\n\n2026-11-03 02:10:30\n【小鹿视频】您的验证码是 118820。",
    "再不还钱就把你的照片发到你们公司群里，让你同事都知道。",
)
QUESTIONS = (
    "催收天天用验证码轰炸我手机，犯法吗？",
    "催收打电话给我的通讯录联系人合法吗？",
    "晚上十一点还打催收电话可以投诉吗？",
)
# one person's messages in turn (kind, text): 4 commands, 3 SMS, 3 questions
MIXED = (
    ("command", "/start"),
    ("sms", SMS[0]),
    ("question", QUESTIONS[0]),
    ("command", "/help"),
    ("sms", SMS[1]),
    ("question", QUESTIONS[1]),
    ("command", "/mydata"),
    ("sms", SMS[2]),
    ("question", QUESTIONS[2]),
    ("command", "/cancel"),
)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def message_of(mix: str, n: int) -> tuple[str, str]:
    """The n-th message of a person: (kind, text)."""
    if mix == "commands":
        return "command", COMMANDS[n % len(COMMANDS)]
    return MIXED[n % len(MIXED)]


def quantiles(values: list[float]) -> str:
    """p50 and p95 in milliseconds."""
    q = statistics.quantiles(values, n=100) if len(values) > 1 else [values[0] if values else 0.0] * 99
    return f"p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms"


async def run(
    label: str, database_url: str, replicas: int, data: Path, users: int, each: int, mix: str, rate: float | None
) -> None:
    fake = await FakeTelegram().start()
    answered: dict[int, deque[float]] = defaultdict(deque)  # chat -> when each answer arrived
    fake.on_sent = lambda sent: answered[sent.chat_id].append(time.monotonic()) if not sent.is_document else None
    base = {k: v for k, v in os.environ.items() if not k.startswith("ANNING_")}
    env = {
        **webhook_env(fake, SECRET, data, database_url, "C" * 43, base),
        "ANNING_TELEGRAM__RATE_LIMIT_PER_MINUTE": "20",
    }
    ports = [free_port() for _ in range(replicas)]
    people = list(range(80_001, 80_001 + users))
    posted: dict[int, list[float]] = defaultdict(list)
    kinds: dict[int, list[str]] = defaultdict(list)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with contextlib.AsyncExitStack() as stack:
        procs = await asyncio.gather(
            *(stack.enter_async_context(serving(env, port, "readyz", None, signal.SIGTERM)) for port in ports)
        )

        async def person(index: int, uid: int, http: ClientSession) -> None:
            for n in range(each):
                kind, text = message_of(mix, n)
                msg = fake.message(uid, text=text)
                if text.startswith("/"):
                    msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
                update = {"update_id": uid * 1000 + n, "message": msg}
                if rate:  # this post's turn in the paced stream
                    await asyncio.sleep(max(0.0, began + (n * users + index) / rate - time.monotonic()))
                kinds[uid].append(kind)
                posted[uid].append(time.monotonic())
                for attempt in range(100):
                    port = ports[(uid + n + attempt) % len(ports)]
                    with contextlib.suppress(OSError, ClientError, TimeoutError):
                        url = f"http://127.0.0.1:{port}/hooks/telegram"
                        async with http.post(url, json=update, headers=headers) as resp:
                            if resp.status == 200:
                                break
                    await asyncio.sleep(0.2)

        cpu_before = [cpu_seconds(p.pid) for p in procs]
        began = time.monotonic()
        async with ClientSession(timeout=ClientTimeout(total=60)) as http:
            await asyncio.gather(*(person(i, uid, http) for i, uid in enumerate(people)))
        total = users * each
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and sum(len(answered[u]) for u in people) < total:
            await asyncio.sleep(0.05)
        finished = max((t for u in people for t in answered[u]), default=time.monotonic())
        await asyncio.sleep(2.0)  # late duplicates
        memory = [rss_mb(p.pid) for p in procs]
        cpu = sum(cpu_seconds(p.pid) for p in procs) - sum(cpu_before)
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    await fake.close()
    by_kind: dict[str, list[float]] = defaultdict(list)
    for u in people:
        for kind, p, a in zip(kinds[u], posted[u], answered[u], strict=False):
            by_kind[kind].append(a - p)
    latencies = [x for values in by_kind.values() for x in values]
    got = sum(min(len(answered[u]), each) for u in people)
    doubled = sum(max(0, len(answered[u]) - each) for u in people)
    offered = f"offered {rate:.0f}/s" if rate else "offered as fast as acknowledged"
    print(
        f"{label} ({mix}, {offered}): {total} updates from {users} people; answered {got}, lost {total - got}, "
        f"doubled {doubled}; {got / (finished - began):.0f} answered/s; latency {quantiles(latencies)}; "
        f"memory per replica {', '.join(f'{m:.0f} MB' for m in memory)}; replicas' CPU {cpu * 1000 / max(got, 1):.0f} ms "
        f"per update; load average {load}"
    )
    for kind, values in sorted(by_kind.items()):
        print(f"  {kind}: {len(values)} answered, {quantiles(values)}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--each", type=int, default=10, help="messages per person")
    parser.add_argument("--mix", choices=("mixed", "commands"), default="mixed")
    parser.add_argument("--rate", type=float, default=None, help="updates/s offered in all (default: unpaced)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), default=None, help="run one setup only")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var")
    parser.add_argument("--server", default=os.environ.get(PG_ENV, ""), help="PostgreSQL server URL")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="anning-replicas-"))
    data = work / "data"
    shutil.copytree(args.data_dir, data, ignore=shutil.ignore_patterns("anning.sqlite3*", "secret.key", "files"))
    try:
        shape = (args.users, args.each, args.mix, args.rate)
        if args.only != "postgresql":
            await run("sqlite, 1 process", f"sqlite+aiosqlite:///{work / 'a.sqlite3'}", 1, data, *shape)
        if args.only == "sqlite":
            return
        if args.server:
            os.environ[PG_ENV] = args.server
            async with postgres_database() as url:
                await run("postgresql, 2 replicas", url, 2, data, *shape)
        else:
            print(f"postgresql: skipped (no --server or {PG_ENV})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
