"""Benchmark: Telegram webhook load on one `anning serve` with SQLite versus two replicas on one PostgreSQL.

Each simulated person posts `--each` commands to the webhook one after the other (the next once the last got its
200), alternating between the replicas; all people at once. The fake Bot API server (tests/fake_telegram.py)
timestamps every answer. Prints updates answered per second, answer latency (post to answer received: p50, p95),
answers lost or doubled, and each replica's memory. Asserts nothing.

Run: `.venv/bin/python bench/replicas_bench.py [--users 100] [--each 10] [--data-dir DIR] [--server URL]`
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


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def run(label: str, database_url: str, replicas: int, data: Path, users: int, each: int) -> None:
    fake = await FakeTelegram().start()
    answered: dict[int, deque[float]] = defaultdict(deque)  # chat -> when each answer arrived
    fake.on_sent = lambda sent: answered[sent.chat_id].append(time.monotonic()) if not sent.is_document else None
    base = {k: v for k, v in os.environ.items() if not k.startswith("ANNING_")}
    env = webhook_env(fake, SECRET, data, database_url, "C" * 43, base)
    ports = [free_port() for _ in range(replicas)]
    people = list(range(80_001, 80_001 + users))
    posted: dict[int, list[float]] = defaultdict(list)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with contextlib.AsyncExitStack() as stack:
        procs = await asyncio.gather(
            *(stack.enter_async_context(serving(env, port, "healthz", None, signal.SIGTERM)) for port in ports)
        )

        async def person(uid: int, http: ClientSession) -> None:
            for n in range(each):
                text = COMMANDS[n % len(COMMANDS)]
                msg = fake.message(uid, text=text)
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
                update = {"update_id": uid * 1000 + n, "message": msg}
                posted[uid].append(time.monotonic())
                for attempt in range(100):
                    port = ports[(uid + n + attempt) % len(ports)]
                    with contextlib.suppress(OSError, ClientError, TimeoutError):
                        url = f"http://127.0.0.1:{port}/hooks/telegram"
                        async with http.post(url, json=update, headers=headers) as resp:
                            if resp.status == 200:
                                break
                    await asyncio.sleep(0.2)

        began = time.monotonic()
        async with ClientSession(timeout=ClientTimeout(total=60)) as http:
            await asyncio.gather(*(person(uid, http) for uid in people))
        total = users * each
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and sum(len(answered[u]) for u in people) < total:
            await asyncio.sleep(0.05)
        finished = max((t for u in people for t in answered[u]), default=time.monotonic())
        await asyncio.sleep(2.0)  # late duplicates
        memory = [rss_mb(p.pid) for p in procs]
    await fake.close()
    latencies = [a - p for u in people for p, a in zip(posted[u], answered[u], strict=False)]
    got = sum(min(len(answered[u]), each) for u in people)
    doubled = sum(max(0, len(answered[u]) - each) for u in people)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    print(
        f"{label}: {total} updates from {users} people; answered {got}, lost {total - got}, doubled {doubled}; "
        f"{got / (finished - began):.0f} answered/s; latency p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms; "
        f"memory per replica {', '.join(f'{m:.0f} MB' for m in memory)}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--each", type=int, default=10, help="commands per person")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var")
    parser.add_argument("--server", default=os.environ.get(PG_ENV, ""), help="PostgreSQL server URL")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="anning-replicas-"))
    data = work / "data"
    shutil.copytree(args.data_dir, data, ignore=shutil.ignore_patterns("anning.sqlite3*", "secret.key", "files"))
    try:
        await run("sqlite, 1 process", f"sqlite+aiosqlite:///{work / 'a.sqlite3'}", 1, data, args.users, args.each)
        if args.server:
            os.environ[PG_ENV] = args.server
            async with postgres_database() as url:
                await run("postgresql, 2 replicas", url, 2, data, args.users, args.each)
        else:
            print(f"postgresql: skipped (no --server or {PG_ENV})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
