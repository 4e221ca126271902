"""Benchmark: Telegram webhook mode, sustained updates/s and update-to-reply latency, with the offline engine.

The fake Bot API server from tests/fake_telegram.py pushes updates to the real aiohttp web app (bot/web.py) with
the secret header, the real PTB Application processes them through the real engine (SQLite, knowledge index, no
LLM), and the replies come back to the fake server as sendMessage calls. Latency = fake server pushes the update
-> fake server receives the reply. Everything runs in one process and one event loop (the fake server's work
counts against the bot), so the figures are pessimistic. Prints figures; asserts nothing.

Run: `.venv/bin/python bench/telegram_bench.py [--rate 250] [--seconds 10] [--users 500]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict, deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "true")

from aiohttp import web  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from bot.channels.telegram.channel import TelegramChannel  # noqa: E402
from bot.settings import Settings, TelegramSettings  # noqa: E402
from bot.texts import Texts  # noqa: E402
from bot.web import build_web_app  # noqa: E402
from bot.wiring import build_app  # noqa: E402
from tests.fake_telegram import FakeTelegram, Sent  # noqa: E402

SECRET = "bench-secret-token"
# Each message gets exactly one reply, so replies can be matched to updates per chat, in order.
COMMANDS = ["/help", "/start", "/mydata", "/cancel"]
SMS = [
    "【速购优选】您的验证码是582017，用于注册，5分钟内有效。",
    "2026-11-03 02:10:00\n【橙意出行】验证码 906341，5分钟内有效。\n\n2026-11-03 02:10:30\n【小鹿视频】您的验证码是 118820。",
    "再不还钱就把你的照片发到你们公司群里，让你同事都知道。",
]
QUESTIONS = [
    "催收天天用验证码轰炸我手机，犯法吗？",
    "催收打电话给我的通讯录联系人合法吗？",
    "晚上十一点还打催收电话可以投诉吗？",
]


class Meter:
    """Matches replies to updates per chat (FIFO) and records latencies."""

    def __init__(self) -> None:
        self.pending: dict[int, deque[float]] = defaultdict(deque)
        self.latencies: list[float] = []
        self.last_reply = 0.0
        self.unmatched = 0

    def sent(self, chat_id: int) -> None:
        self.pending[chat_id].append(time.monotonic())

    def reply(self, sent: Sent) -> None:
        queue = self.pending.get(sent.chat_id)
        if not queue:
            self.unmatched += 1
            return
        self.latencies.append(sent.at - queue.popleft())
        self.last_reply = sent.at

    def outstanding(self) -> int:
        return sum(len(q) for q in self.pending.values())


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def phase(
    fake: FakeTelegram, name: str, texts: list[str], rate: float, seconds: float, users: int, first_user: int
) -> None:
    meter = Meter()
    fake.on_sent = meter.reply
    total = int(rate * seconds)
    start = time.monotonic()
    for i in range(total):
        target = start + i / rate
        delay = target - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        uid = first_user + i % users
        meter.sent(uid)
        await fake.send_text(uid, texts[i % len(texts)])
    offered_s = time.monotonic() - start
    deadline = time.monotonic() + 60
    while meter.outstanding() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    done = len(meter.latencies)
    span = meter.last_reply - start
    lat_ms = [x * 1000 for x in meter.latencies]
    print(
        f"{name:<26} offered {total / offered_s:6.0f}/s for {offered_s:4.1f} s | handled {done}/{total} "
        f"= {done / span:6.0f} updates/s | update-to-reply ms: p50 {pct(lat_ms, 50):6.1f}  p95 {pct(lat_ms, 95):6.1f}"
        f"  p99 {pct(lat_ms, 99):6.1f}  max {max(lat_ms):6.1f}"
        + (f" | unmatched {meter.unmatched}" if meter.unmatched else "")
    )


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=250.0, help="offered updates per second")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--users", type=int, default=500)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings()  # the knowledge index in the data folder (var/ by default), a fresh database
        settings.database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        t0 = time.perf_counter()
        app = await build_app(settings, lambda s: print(s, file=sys.stderr))
        print(f"engine built in {time.perf_counter() - t0:.1f} s (data dir {settings.data_dir})")

        fake = await FakeTelegram(webhook_lanes=16).start()
        tg = TelegramSettings(
            token=SecretStr(fake.token),
            base_url=fake.base_url,
            base_file_url=fake.base_file_url,
            webhook_secret=SecretStr(SECRET),
            rate_limit_per_minute=100_000,  # the bench is one flood; the limiter is tested elsewhere
        )
        channel = TelegramChannel(app.engine, tg, Texts())
        runner = web.AppRunner(build_web_app(settings, channel.routes()), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        tg.webhook_url = f"http://127.0.0.1:{runner.addresses[0][1]}{settings.web.prefix}/telegram"
        await channel.start(polling=False)
        try:
            await phase(fake, "warm-up (commands)", COMMANDS, 50, 2, 50, 1)
            await phase(fake, "commands", COMMANDS, args.rate, args.seconds, args.users, 10_000)
            await phase(
                fake,
                "commands + SMS (1:1)",
                COMMANDS + SMS[:3] + ["/help"],
                args.rate,
                args.seconds,
                args.users,
                20_000,
            )
            await phase(fake, "legal questions (QA)", QUESTIONS, args.rate, args.seconds / 2, args.users, 30_000)
            statuses = {s: fake.webhook_statuses.count(s) for s in set(fake.webhook_statuses)}
            print(f"webhook HTTP statuses: {statuses}")
        finally:
            await channel.stop()
            await runner.cleanup()
            await fake.close()
            await app.close()


if __name__ == "__main__":
    asyncio.run(main())
