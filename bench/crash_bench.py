"""Benchmark: SIGKILL under Telegram webhook load; counts what was lost and what was answered twice.

`anning serve` runs in its own process against the fake Bot API server (tests/fake_telegram.py) on 127.0.0.1.
Clients post updates to the webhook as Telegram does: an update that got no 200 (refused, connection reset by the
kill) is posted again until one is acknowledged. While the load runs the server is killed with SIGKILL `--kills`
times at random moments and restarted at once. At the end every update has been acknowledged exactly once from
Telegram's point of view; each should have been answered exactly once. Prints figures; asserts nothing.

Run: `.venv/bin/python bench/crash_bench.py [--users 60] [--each 10] [--kills 3] [--data-dir DIR]`
(DIR: a data folder with a built index, e.g. one `anning chat` has used; else one is built first, ~30 s).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import ClientError, ClientSession, ClientTimeout  # noqa: E402

from bot.texts import Texts  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402
from tests.serve_support import free_port, start_serve, webhook_env  # noqa: E402

SECRET = "crash-bench-secret"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--each", type=int, default=10, help="updates per user")
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="anning-crash-"))
    data = work / "data"
    if args.data_dir is not None:  # its index (and model cache), not its database
        shutil.copytree(args.data_dir, data, ignore=shutil.ignore_patterns("anning.sqlite3*", "secret.key", "files"))
    fake = await FakeTelegram().start()
    port = free_port()
    env = webhook_env(fake, SECRET, data, f"sqlite+aiosqlite:///{work / 'anning.sqlite3'}", "B" * 43)
    url = f"http://127.0.0.1:{port}/hooks/telegram"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    users = list(range(70_001, 70_001 + args.users))
    help_text = Texts().get("commands.help")
    proc = await start_serve(env, port, timeout=None, interval=0.05)
    posts = Counter[str]()
    acked = 0

    async def person(uid: int, http: ClientSession) -> None:
        nonlocal acked
        for n in range(args.each):
            update = {"update_id": uid * 1000 + n, "message": fake.message(uid, text="/help")}
            while True:  # Telegram redelivers until it gets a 200
                posts["attempts"] += 1
                try:
                    async with http.post(url, json=update, headers=headers) as resp:
                        if resp.status == 200:
                            acked += 1
                            break
                        posts[f"http {resp.status}"] += 1
                except (OSError, ClientError, TimeoutError):
                    posts["connection lost"] += 1
                await asyncio.sleep(0.2)
            await asyncio.sleep(rng.uniform(0.0, 0.3))

    async def killer() -> None:
        nonlocal proc
        for _ in range(args.kills):
            await asyncio.sleep(rng.uniform(1.0, 4.0))
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            posts["kills"] += 1
            proc = await start_serve(env, port, timeout=None, interval=0.05)

    began = time.monotonic()
    async with ClientSession(timeout=ClientTimeout(total=30)) as http:
        load = asyncio.gather(*(person(uid, http) for uid in users))
        await asyncio.gather(load, killer())
    total = args.users * args.each
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and sum(len(fake.texts_to(u)) for u in users) < total:
        await asyncio.sleep(0.2)
    await asyncio.sleep(2.0)  # late duplicates
    elapsed = time.monotonic() - began
    got = {u: fake.texts_to(u).count(help_text) for u in users}
    lost = sum(max(0, args.each - n) for n in got.values())
    twice = sum(max(0, n - args.each) for n in got.values())
    proc.send_signal(signal.SIGTERM)
    await proc.wait()
    await fake.close()
    shutil.rmtree(work, ignore_errors=True)
    print(f"updates: {total} from {args.users} users; acknowledged {acked}; kills {posts['kills']}; {elapsed:.1f} s")
    print(
        f"post attempts {posts['attempts']}, connection lost {posts['connection lost']}, "
        f"other refusals {sum(v for k, v in posts.items() if k.startswith('http'))}"
    )
    print(
        f"answered once: {sum(1 for n in got.values() if n == args.each)} of {args.users} users; "
        f"lost {lost}; answered twice {twice}"
    )


if __name__ == "__main__":
    asyncio.run(main())
