"""Benchmark: WeChat Official Account callbacks: requests/s with signature and AES, and exactly-once delivery.

Part 1 posts signed, encrypted callbacks (safe mode, WeChat's sample key) to the real web app (bot/web.py) with N
concurrent clients for a fixed time, and decrypts every answer: once with the real engine answering commands, once
with a stub engine that answers "ok" at once, to show the channel's own cost (signature, AES, XML, delivery, the
outbox check). The per-user rate limiter is off (every client is one user sending as fast as it can).

Part 2 sends 1,000 messages from 100 users in WeChat's retry pattern (a callback unanswered after `timeout` is sent
again, three attempts at most) to an engine whose answer takes a drawn time: 60% fast, 25% too late for attempt 1
but in time for attempt 2, 15% later than every attempt. Timing is scaled down ten times (0.45 s budget, 0.5 s
WeChat timeout). It runs with customer-service pushes (to the fake WeChat API server, with some pushes refused)
and without; afterwards each user's outbox is drained (standing for their next message) and every answer is
counted: lost, duplicated, and by path (passive, pushed, held). Prints figures; asserts nothing.

Run: `.venv/bin/python bench/wechat_bench.py [--seconds 8] [--concurrency 32] [--messages 1000]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from bot.channels.wechat_api import WeChatApi  # noqa: E402
from bot.channels.wechat_crypto import MessageCrypto  # noqa: E402
from bot.channels.wechat_mp import WeChatMpChannel  # noqa: E402
from bot.engine.messages import Incoming, Reply  # noqa: E402
from bot.settings import Settings, WeChatMpSettings  # noqa: E402
from bot.texts import Texts  # noqa: E402
from bot.web import build_web_app  # noqa: E402
from bot.wiring import App, build_app  # noqa: E402
from tests.fake_wechat import FakeWeChat  # noqa: E402
from tests.wechat_support import Signer, post_like_wechat, reply_content, text_xml  # noqa: E402

TOKEN = "spamtest"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx_test_app"


class StubEngine:
    """Answers at once: isolates the channel's cost."""

    async def handle(self, msg: Incoming) -> list[Reply]:
        return [Reply("ok")]


class DrawnDelayEngine:
    """Answers "answer <text>" after a delay drawn per message."""

    def __init__(self, delays: dict[str, float]) -> None:
        self.delays = delays
        self.calls: Counter[str] = Counter()

    async def handle(self, msg: Incoming) -> list[Reply]:
        self.calls[msg.text] += 1
        await asyncio.sleep(self.delays.get(msg.text, 0.0))
        return [Reply(f"answer {msg.text}")]


async def start(
    settings: Settings, app: App, engine: Any, fake: FakeWeChat | None, http: ClientSession, **mp: Any
) -> tuple[str, WeChatMpChannel, web.AppRunner]:
    timing = {k: mp.pop(k) for k in ("hold_seconds", "retry_window") if k in mp}
    base_url = fake.base_url if fake else "http://127.0.0.1:9"
    cfg = WeChatMpSettings(
        token=SecretStr(TOKEN),
        app_id=APP_ID,
        app_secret=SecretStr(fake.secret if fake else ""),
        encoding_aes_key=SecretStr(AES_KEY),
        api_base_url=base_url,
        rate_limit_per_minute=0,
        **mp,
    )
    api = WeChatApi(http, base_url, "mp", APP_ID, fake.secret, backoff_seconds=0.01) if fake else None
    channel = WeChatMpChannel(engine, cfg, Texts(), app.outbox, api, None, **timing)
    runner = web.AppRunner(build_web_app(settings, channel.routes()), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return f"http://127.0.0.1:{runner.addresses[0][1]}/hooks/wechat/mp", channel, runner


async def throughput(settings: Settings, app: App, engine: Any, seconds: float, concurrency: int) -> dict[str, Any]:
    """Closed loop: `concurrency` clients, each one user, posting encrypted commands for `seconds`."""
    signer = Signer(TOKEN, MessageCrypto(TOKEN, AES_KEY, APP_ID))
    async with ClientSession(connector=TCPConnector(limit=concurrency * 2)) as http:
        url, channel, runner = await start(settings, app, engine, None, http, customer_service=False)
        latencies: list[float] = []
        errors = 0
        deadline = time.monotonic() + seconds

        async def client(i: int) -> None:
            nonlocal errors
            n = 0
            while time.monotonic() < deadline:
                n += 1
                query, body = signer.wrap(text_xml("/help" if n % 2 else "/cancel", user=f"oBench{i:04d}"))
                t0 = time.perf_counter()
                async with http.post(url, params=query, data=body, timeout=ClientTimeout(total=10)) as r:
                    text = await r.text()
                    ok = r.status == 200 and bool(signer.open_reply(text).get("Content"))
                latencies.append(time.perf_counter() - t0)
                errors += 0 if ok else 1

        t0 = time.monotonic()
        await asyncio.gather(*(client(i) for i in range(concurrency)))
        wall = time.monotonic() - t0
        await channel.close()
        await runner.cleanup()
    ms = sorted(x * 1000 for x in latencies)
    return {
        "requests": len(ms),
        "per_second": len(ms) / wall,
        "p50_ms": statistics.median(ms),
        "p95_ms": ms[int(len(ms) * 0.95)],
        "p99_ms": ms[int(len(ms) * 0.99)],
        "errors": errors,
    }


async def exactly_once(settings: Settings, app: App, messages: int, push: bool, seed: int = 7) -> dict[str, Any]:
    """WeChat's retry pattern over slow answers; count where every answer went."""
    rng = random.Random(seed)
    budget, timeout, hold = 0.45, 0.5, 0.2
    delays: dict[str, float] = {}
    for i in range(messages):
        roll = rng.random()
        if roll < 0.60:
            delays[f"m-{i:06d}"] = rng.uniform(0, 0.1)
        elif roll < 0.85:
            delays[f"m-{i:06d}"] = rng.uniform(0.7, 1.0)  # attempt 2 starts at ~0.65 s and waits to ~1.1 s
        else:
            delays[f"m-{i:06d}"] = rng.uniform(2.0, 3.0)  # after the third attempt (~1.3-1.75 s)
    engine = DrawnDelayEngine(delays)
    fake = FakeWeChat()
    await fake.start()
    if push:
        fake.fail("message/custom/send", 45015, times=20, errmsg="response out of time limit")
    signer = Signer(TOKEN, MessageCrypto(TOKEN, AES_KEY, APP_ID))
    users = [f"oUser{u:03d}" for u in range(100)]
    delivered: Counter[str] = Counter()
    paths: Counter[str] = Counter()
    attempts: Counter[int] = Counter()
    acks = {Texts().get("wechat.working"), Texts().get("wechat.later")}
    async with ClientSession(connector=TCPConnector(limit=400)) as http:
        url, channel, runner = await start(
            settings,
            app,
            engine,
            fake if push else None,
            http,
            customer_service=push,
            reply_budget_seconds=budget,
            hold_seconds=hold,
            retry_window=3.0,
        )

        def count(text: str | None, path: str) -> None:
            if not text or text in acks:
                return
            for marker in set(part for part in text.split() if part.startswith("m-")):
                delivered[marker] += 1
                paths[path] += 1

        async def user(u: int) -> None:
            for i in range(u, messages, len(users)):
                query, body = signer.wrap(text_xml(f"m-{i:06d}", user=users[u]))
                answer = await post_like_wechat(http, url, query, body, timeout=timeout)
                attempts[answer.attempts] += 1
                count(reply_content(signer, answer), "passive")
                await asyncio.sleep(rng.uniform(0, 0.2))

        t0 = time.monotonic()
        await asyncio.gather(*(user(u) for u in range(len(users))))
        await channel.close()
        wall = time.monotonic() - t0
        for m in fake.sent:
            count(m.content, "pushed")
        for name in users:
            for text in await app.outbox.drain(f"wechat_mp:{name}"):
                count(text, "held")
        await runner.cleanup()
    await fake.close()
    markers = [f"m-{i:06d}" for i in range(messages)]
    return {
        "messages": messages,
        "lost": sum(1 for m in markers if delivered[m] == 0),
        "duplicated": sum(1 for m in markers if delivered[m] > 1),
        "computed_twice": sum(1 for n in engine.calls.values() if n > 1),
        "paths": dict(paths),
        "attempts": dict(sorted(attempts.items())),
        "wall_s": round(wall, 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=ROOT / "var", knowledge_dir=ROOT / "knowledge")
        settings.database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        t0 = time.monotonic()
        app = await build_app(settings, notice=lambda s: print(s, file=sys.stderr))
        print(f"app built in {time.monotonic() - t0:.1f} s (index in var/)")
        try:
            for label, engine in (("stub engine", StubEngine()), ("real engine, /help and /cancel", app.engine)):
                r = await throughput(settings, app, engine, args.seconds, args.concurrency)
                print(
                    f"callbacks, safe mode, {label}: {r['per_second']:.0f} req/s over {r['requests']} requests, "
                    f"p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
                    f"errors {r['errors']}"
                )
            for push in (True, False):
                r = await exactly_once(settings, app, args.messages, push)
                mode = "with customer-service pushes (20 refused)" if push else "without pushes (outbox)"
                print(
                    f"exactly-once, {mode}: {r['messages']} messages, lost {r['lost']}, duplicated "
                    f"{r['duplicated']}, computed twice {r['computed_twice']}, paths {r['paths']}, "
                    f"attempts {r['attempts']}, {r['wall_s']} s"
                )
        finally:
            await app.close()


if __name__ == "__main__":
    asyncio.run(main())
