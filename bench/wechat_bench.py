"""Benchmark: WeChat Official Account callbacks: requests/s with signature and AES, and exactly-once delivery.

Part 1, callback throughput in safe mode (token "spamtest", WeChat's published EncodingAESKey, app id
"wx_test_app"): N concurrent clients (closed loop, keep-alive) post signed, encrypted text callbacks ("/help" and
"/cancel", each with a fresh MsgId, each OpenID sending at most 10, so the per-user rate limiter stays at its
default 20/min and never interferes) to the real web app (bot/web.py) on 127.0.0.1 for --seconds, after a
1-second warm-up; every answer is signature-checked, decrypted and its content checked. It runs once with a stub
engine that answers "ok" at once (the channel's own cost: signatures, AES both ways, XML, delivery, the message-id
claim written to SQLite, the outbox check), again without the id claim (to show its cost in the same run), and
once with the real engine (SQLite session, texts).
`customer_service=False`, so every answer is passive.
The clients run in the same process and event loop (their own signing, encrypting and decrypting is printed
separately and counts against the bot), so the figures are pessimistic. The product's target: >= 300 callbacks/s
with signature and AES on a 2-core machine.

Part 2, exactly-once under WeChat's retry pattern, timing scaled down ten times (reply budget 0.3 s, hold 0.3 s,
WeChat's timeout 0.5 s, retry window 3 s, at most 3 attempts, see tests/wechat_support.post_like_wechat):
--messages text messages "m-000123" from 100 users (more users past 1,500 messages, so the rate limiter stays out
of the way), --rate new messages per second in all, each user's at seeded random intervals without waiting for
earlier answers (they overlap, as when a person types fast). A stub engine answers "answer m-000123" after a delay drawn per message (seeded): 60%
fast (0-0.1 s), 25% late for attempt 1 but in time for attempt 2 (0.4-0.7 s), 15% later than all three attempts
(1.5-2.5 s). It runs with customer-service pushes (to the fake WeChat API server in tests/fake_wechat.py; the first
5 pushes and 5 more at 90% of the sending are refused with 45015, so some answers wait in the outbox) and without. Afterwards the channel is closed
(delivery settles), then each user's outbox is drained (standing for the person's next message, "继续") and every
marker is counted across the three paths: passive (decrypted HTTP answers; "success" and the channel's own
"working"/"later" acknowledgements carry no marker), pushed (the fake server's record), held (the outbox).

Prints figures; asserts nothing. Everything stays on 127.0.0.1 (connections elsewhere are refused).

Run: `.venv/bin/python bench/wechat_bench.py [--seconds 10] [--concurrency 32] [--messages 1000] [--rate 100]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import random
import re
import shutil
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector, web  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from bot.channels.wechat.api import WeChatApi  # noqa: E402
from bot.channels.wechat.common import user_key  # noqa: E402
from bot.channels.wechat.crypto import MessageCrypto  # noqa: E402
from bot.channels.wechat.mp import CHANNEL, WeChatMpChannel  # noqa: E402
from bot.contract.messages import Incoming, Reply  # noqa: E402
from bot.settings import Settings, WeChatMpSettings  # noqa: E402
from bot.texts import Texts  # noqa: E402
from bot.web import build_web_app  # noqa: E402
from bot.wiring import App, build_app  # noqa: E402
from tests.fake_wechat import FakeWeChat  # noqa: E402
from tests.netguard import loopback_only  # noqa: E402
from tests.wechat_support import (  # noqa: E402
    ACCOUNT,
    Attempt,
    Signer,
    SlowEngine,
    post_like_wechat,
    reply_content,
    text_xml,
)

DEV_QUESTIONS = ROOT.parent / "shared" / "eval" / "dev-questions.jsonl"
TOKEN = "spamtest"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx_test_app"
T = Texts()
MARKER = re.compile(r"m-\d+")

# part 2, WeChat's timing scaled down ten times
BUDGET, HOLD, WECHAT_TIMEOUT, RETRY_WINDOW, ATTEMPTS = 0.3, 0.3, 0.5, 3.0, 3
MIX = (("fast", 0.60, 0.0, 0.1), ("attempt 2", 0.25, 0.4, 0.7), ("too late", 0.15, 1.5, 2.5))
REFUSED_PUSHES = 5


class QuietExpected(logging.Filter):
    """Counts (and keeps off the console) the warnings the injected push refusals cause."""

    def __init__(self) -> None:
        super().__init__()
        self.count: Counter[str] = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and record.name in (
            "bot.channels.wechat.api",
            "bot.channels.wechat.delivery",
        ):
            self.count[record.name.rsplit(".", 1)[1]] += 1
            return False
        return True


# -- engines ---------------------------------------------------------------------------------------------------------


class StubEngine:
    """Answers "ok" at once: isolates the channel's own cost."""

    async def handle(self, msg: Incoming) -> list[Reply]:
        return [Reply("ok")]


class MarkerEngine:
    """Answers "answer <text>": every answer carries its message's marker."""

    async def handle(self, msg: Incoming) -> list[Reply]:
        return [Reply(f"answer {msg.text}")]


# -- the rig ---------------------------------------------------------------------------------------------------------


@dataclass
class Rig:
    url: str
    channel: WeChatMpChannel
    runner: web.AppRunner


async def serve(
    settings: Settings,
    app: App,
    engine: Any,
    api: WeChatApi | None,
    api_base: str,
    no_claim: bool = False,
    **kw: Any,
) -> Rig:
    """The channel in safe mode behind the real web app on 127.0.0.1, a free port."""
    timing = {k: kw.pop(k) for k in ("hold_seconds", "retry_window") if k in kw}
    mp = WeChatMpSettings(
        token=SecretStr(TOKEN),
        app_id=APP_ID,
        app_secret=SecretStr("test-secret"),
        encoding_aes_key=SecretStr(AES_KEY),
        api_base_url=api_base,
        **kw,
    )
    inbox, nonces = (None, None) if no_claim else (app.inbox, app.nonces)
    channel = WeChatMpChannel(engine, mp, T, app.outbox, api, None, inbox=inbox, nonces=nonces, **timing)
    runner = web.AppRunner(build_web_app(settings, channel.routes()), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return Rig(f"http://127.0.0.1:{runner.addresses[0][1]}{settings.web.prefix}/wechat/mp", channel, runner)


def signer() -> Signer:
    return Signer(TOKEN, MessageCrypto(TOKEN, AES_KEY, APP_ID))


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


# -- part 1 ----------------------------------------------------------------------------------------------------------


def rss_mb() -> float:
    """This process's resident memory (the bot and the clients share it), MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def throughput(
    settings: Settings,
    app: App,
    label: str,
    engine: Any,
    seconds: float,
    concurrency: int,
    no_claim: bool = False,
    questions: list[str] | None = None,
) -> None:
    """Closed loop: `concurrency` clients posting encrypted commands (or `questions`, cycled), each OpenID sending at
    most 10; resident memory before, at its peak and after."""
    rig = await serve(settings, app, engine, None, "http://127.0.0.1:9", customer_service=False, no_claim=no_claim)
    sign = signer()
    stub = isinstance(engine, StubEngine)
    bad_texts = {T.get("wechat.rate_limited"), T.get("wechat.error")}
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    client_cpu = [0.0]
    done = [0]

    def check(command: str, openid: str, status: int, text: str) -> str | None:
        if status != 200:
            return f"HTTP {status}"
        if text.strip() in ("", "success"):  # no passive answer (late: it would go by push or wait for "继续")
            return "no passive answer"
        fields = sign.open_reply(text)  # signature checked, decrypted
        content = fields.get("Content", "")
        if fields.get("ToUserName") != openid or fields.get("FromUserName") != ACCOUNT:
            return "wrong addressee"
        if stub:
            return None if content == "ok" else "unexpected content"
        if not content or content in bad_texts or (command == "/help" and "/steps" not in content):
            return "unexpected content"
        return None

    async with ClientSession(connector=TCPConnector(limit=concurrency)) as http:

        async def client(i: int, until: float, record: bool, tag: str) -> None:
            n = 0
            while time.monotonic() < until:
                commands = questions or ["/help", "/cancel"]
                command = commands[(i * 7 + n) % len(commands)] if questions else commands[n % 2]
                openid = f"oBench{tag}{i:03d}x{n // 10:05d}"  # 10 messages per OpenID, far under 20/min
                n += 1
                c0 = time.perf_counter()
                query, body = sign.wrap(text_xml(command, user=openid))
                t0 = time.perf_counter()
                try:
                    async with http.post(rig.url, params=query, data=body, timeout=ClientTimeout(total=10)) as r:
                        status, text = r.status, await r.text()
                    t1 = time.perf_counter()
                    problem = check(command, openid, status, text)
                except (ClientError, TimeoutError, AssertionError, KeyError, ValueError) as exc:
                    t1 = time.perf_counter()
                    problem = type(exc).__name__
                t2 = time.perf_counter()
                if record:
                    latencies.append(t1 - t0)
                    client_cpu[0] += (t0 - c0) + (t2 - t1)
                    done[0] += 1
                    if problem:
                        errors[problem] += 1

        warm = time.monotonic() + 1.0
        await asyncio.gather(*(client(i, warm, False, "w") for i in range(concurrency)))
        before = peak = rss_mb()
        start = time.monotonic()

        async def sample() -> None:
            nonlocal peak
            while True:
                peak = max(peak, rss_mb())
                await asyncio.sleep(0.5)

        sampler = asyncio.create_task(sample())
        await asyncio.gather(*(client(i, start + seconds, True, label[:1]) for i in range(concurrency)))
        wall = time.monotonic() - start
        sampler.cancel()
    await rig.channel.close()
    await rig.runner.cleanup()
    ms = [x * 1000 for x in latencies]
    print(
        f"  {label:<34} {done[0] / wall:6.0f} req/s ({done[0]} in {wall:.1f} s) | latency ms: p50 {pct(ms, 50):6.1f}"
        f"  p95 {pct(ms, 95):6.1f}  p99 {pct(ms, 99):6.1f}  max {max(ms):6.1f} | errors {sum(errors.values())}"
        + (f" {dict(errors)}" if errors else "")
        + f" | client's own sign+encrypt+decrypt {client_cpu[0] / max(1, done[0]) * 1000:.2f} ms/req"
        + f" | RSS MB before {before:.0f}, peak {peak:.0f}, after {rss_mb():.0f}"
    )


# -- part 2 ----------------------------------------------------------------------------------------------------------


def draw_delays(messages: int, seed: int) -> tuple[dict[str, float], dict[str, str]]:
    """Per message: the engine's delay and its category (fast / attempt 2 / too late)."""
    rng = random.Random(seed)
    delays: dict[str, float] = {}
    kinds: dict[str, str] = {}
    for i in range(messages):
        marker = f"m-{i:06d}"
        roll = rng.random()
        name, low, high = MIX[-1][0], MIX[-1][2], MIX[-1][3]
        for kind, share, lo, hi in MIX:
            if roll < share:
                name, low, high = kind, lo, hi
                break
            roll -= share
        delays[marker], kinds[marker] = rng.uniform(low, high), name
    return delays, kinds


async def exactly_once(
    settings: Settings, app: App, messages: int, rate: float, push: bool, seed: int = 20261128
) -> None:
    """WeChat's retry pattern over answers of drawn lateness; count where every answer went."""
    delays, kinds = draw_delays(messages, seed)
    engine = SlowEngine(MarkerEngine(), delays=delays)
    n_users = max(100, math.ceil(messages / 15))  # <= 15 messages per user: the 20/min limiter never interferes
    tag = "P" if push else "N"
    users = [f"oRetry{tag}{u:04d}" for u in range(n_users)]
    owner = {f"m-{i:06d}": users[i % n_users] for i in range(messages)}
    fake = FakeWeChat(app_id=APP_ID)
    await fake.start()
    if push:
        fake.fail("message/custom/send", 45015, times=REFUSED_PUSHES, errmsg="response out of time limit")
    sign = signer()
    api_http = ClientSession()
    api = WeChatApi(api_http, fake.base_url, "mp", APP_ID, fake.secret, backoff_seconds=0.01)
    rig = await serve(
        settings,
        app,
        engine,
        api,
        fake.base_url,
        customer_service=push,
        reply_budget_seconds=BUDGET,
        hold_seconds=HOLD,
        retry_window=RETRY_WINDOW,
    )
    delivered: dict[str, Counter[str]] = {m: Counter() for m in owner}  # marker -> path -> count
    misrouted = 0
    passive_kinds: Counter[str] = Counter()
    attempts: Counter[str] = Counter()
    acks = {T.get("wechat.working"): "working", T.get("wechat.later"): "later"}

    def count(text: str, path: str, to_user: str) -> None:
        nonlocal misrouted
        for marker in MARKER.findall(text):
            if marker in delivered:
                delivered[marker][path] += 1
                misrouted += owner[marker] != to_user

    rng_gap = random.Random(seed + 1)
    mean_gap = n_users / rate  # `rate` new messages per second in all
    async with ClientSession(connector=TCPConnector(limit=0)) as http:  # WeChat opens as many as it needs

        async def one(marker: str, openid: str, at: float) -> None:
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            query, body = sign.wrap(text_xml(marker, user=openid))
            try:
                answer = await post_like_wechat(http, rig.url, query, body, timeout=WECHAT_TIMEOUT, attempts=ATTEMPTS)
            except ClientError as exc:
                attempts[f"error {type(exc).__name__}"] += 1
                return
            attempts[_attempt_label(answer)] += 1
            content = reply_content(sign, answer)
            if content is None:
                passive_kinds["success / none" if answer.status == 200 else f"HTTP {answer.status}"] += 1
            elif content in acks:
                passive_kinds[acks[content]] += 1
            else:
                passive_kinds["answer" if MARKER.search(content) else "other"] += 1
                count(content, "passive", openid)

        async def refuse_late_pushes(at: float) -> None:  # some held answers stay held until the drain
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            fake.fail("message/custom/send", 45015, times=REFUSED_PUSHES, errmsg="response out of time limit")

        start = time.monotonic()
        tasks = [refuse_late_pushes(start + 0.9 * messages / rate)] if push else []
        for u, openid in enumerate(users):
            at = start + rng_gap.uniform(0, mean_gap)
            for i in range(u, messages, n_users):
                tasks.append(one(f"m-{i:06d}", openid, at))
                at += rng_gap.uniform(0.2 * mean_gap, 1.8 * mean_gap)
        await asyncio.gather(*tasks)
        sent_s = time.monotonic() - start
        await rig.channel.close()  # delivery settles: whatever is still computing is pushed or held
        wall = time.monotonic() - start
    for sent in fake.sent:
        count(sent.content, "pushed", sent.to_user)
    held_left = 0
    for openid in users:
        for text in await app.outbox.drain(user_key(CHANNEL, openid)):
            held_left += 1
            count(text, "held", openid)
    await rig.runner.cleanup()
    await api_http.close()
    refused = fake.calls.count("/cgi-bin/message/custom/send") - len(fake.sent)
    await fake.close()

    totals = {m: sum(c.values()) for m, c in delivered.items()}
    lost = [m for m, n in totals.items() if n == 0]
    duplicated = [m for m, n in totals.items() if n > 1]
    paths: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = {name: Counter() for name, *_ in MIX}
    for m, c in delivered.items():
        paths.update(c)
        by_kind[kinds[m]].update(c)
    mode = (
        f"customer_service=True (pushes to the fake API; the first {REFUSED_PUSHES} refused, and "
        f"{REFUSED_PUSHES} more at 90% of the sending)"
        if push
        else "customer_service=False (passive replies and the outbox)"
    )
    mix = Counter(kinds.values())
    print(f"  {mode}")
    print(
        f"    messages {messages} from {n_users} users (fast {mix['fast']}, attempt-2 {mix['attempt 2']}, "
        f"too late {mix['too late']}) | lost {len(lost)} | duplicated {len(duplicated)} | misrouted {misrouted} "
        f"| computed more than once {sum(1 for n in engine.calls_by_text.values() if n > 1)}"
    )
    if lost:
        print(f"    lost: {', '.join(f'{m} ({kinds[m]}, {delays[m]:.2f} s)' for m in lost[:10])}")
    if duplicated:
        print(f"    duplicated: {', '.join(f'{m} {dict(delivered[m])}' for m in duplicated[:10])}")
    print(
        f"    by path: passive {paths['passive']}, pushed {paths['pushed']}, held {paths['held']} | "
        + " | ".join(f"{k}: {dict(sorted(c.items()))}" for k, c in by_kind.items())
    )
    print(
        f"    callback attempts per message: {dict(sorted(attempts.items()))} | passive answers seen: "
        f"{dict(sorted(passive_kinds.items()))}"
    )
    print(
        f"    pushes accepted {len(fake.sent)}, refused {refused} | texts drained from the outbox {held_left} | "
        f"wall {wall:.1f} s (sending {sent_s:.1f} s, settling {wall - sent_s:.1f} s)"
    )


def _attempt_label(answer: Attempt) -> str:
    return f"gave up after {answer.attempts}" if answer.status is None else str(answer.attempts)


# -- main ------------------------------------------------------------------------------------------------------------


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10.0, help="measured time of each throughput run")
    ap.add_argument("--concurrency", type=int, default=32, help="concurrent clients in the throughput runs")
    ap.add_argument("--messages", type=int, default=1000, help="messages in each exactly-once run")
    ap.add_argument("--rate", type=float, default=100.0, help="new messages per second in the exactly-once runs")
    ap.add_argument("--data-dir", type=Path, default=None, help="copy this data folder's index instead of building one")
    ap.add_argument("--load", type=int, default=200, help="concurrent clients asking legal questions (0: skip)")
    ap.add_argument("--only-load", action="store_true", help="run only the legal-questions load")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    quiet = QuietExpected()
    for handler in logging.getLogger().handlers:
        handler.addFilter(quiet)
    socket.socket.connect = loopback_only  # type: ignore[method-assign,assignment]

    with tempfile.TemporaryDirectory() as tmp:
        if args.data_dir is not None:  # its index (and model cache), not its database
            skip = shutil.ignore_patterns("anning.sqlite3*", "secret.key", "files")
            shutil.copytree(args.data_dir, tmp, dirs_exist_ok=True, ignore=skip)
        settings = Settings(data_dir=Path(tmp), knowledge_dir=ROOT / "knowledge")
        t0 = time.perf_counter()
        app = await build_app(settings)
        print(
            f"app built in {time.perf_counter() - t0:.1f} s ({'copied index' if args.data_dir else 'fresh data dir'})"
        )
        try:
            if not args.only_load:
                print(f"callbacks in safe mode (signature + AES), {args.concurrency} concurrent clients, passive:")
                stub = StubEngine()
                await throughput(settings, app, "stub engine (channel only)", stub, args.seconds, args.concurrency)
                await throughput(
                    settings, app, "stub engine, no id claim in SQLite", stub, args.seconds, args.concurrency, True
                )
                await throughput(
                    settings, app, "real engine, /help and /cancel", app.engine, args.seconds, args.concurrency
                )
            if args.load:
                rows = (json.loads(line) for line in DEV_QUESTIONS.read_text(encoding="utf-8").splitlines() if line)
                asked = [row["question"] for row in rows][:40]
                print(f"legal questions from the dev set, {args.load} concurrent clients, passive replies:")
                await throughput(
                    settings, app, "real engine, legal questions", app.engine, args.seconds, args.load, questions=asked
                )
            if args.only_load:
                return
            print(
                f"exactly-once under WeChat's retries (budget {BUDGET} s, hold {HOLD} s, WeChat timeout "
                f"{WECHAT_TIMEOUT} s, retry window {RETRY_WINDOW} s, {ATTEMPTS} attempts):"
            )
            await exactly_once(settings, app, args.messages, args.rate, push=True)
            await exactly_once(settings, app, args.messages, args.rate, push=False)
            if quiet.count:
                print(f"expected warnings from the refused pushes, not shown: {dict(quiet.count)}")
        finally:
            await app.close()


if __name__ == "__main__":
    asyncio.run(main())
