"""Benchmark: the WeChat Official Account under many concurrent people asking legal questions, clients out of process.

The bot (real engine, SQLite, the copied index, safe mode with signature and AES, customer-service pushes to the
fake WeChat API in tests/fake_wechat.py) serves on 127.0.0.1 in this process. The clients run in a second process,
as WeChat's servers would be elsewhere: --clients closed-loop clients post legal questions from the dev set (each
OpenID asks at most 10, so the per-user limiter stays out of the way) for --seconds after a 2-second warm-up; a
client posts its next question as soon as the callback returns, as WeChat does not wait for pushes.

A callback returns the answer passively, or WeChat's "working on it" acknowledgement at the reply budget (4 s),
or at once when the answers finishing now could not reach it in time, the answer then being pushed; past the
backlog limit (ANNING_WECHAT_MP__MAX_BACKLOG) a new message is answered "busy, send it again" and not taken on.
With --think S a client waits S seconds after an acknowledgement before asking again, as a person reads the
reply (with none, an instant acknowledgement lets the closed loop post as fast as the bot can say "busy").
Printed: callbacks/s, callback latency (p50/p95/max, and how many took over 5 s, the point where WeChat gives up),
the outcomes, answers computed per second (passive plus pushed, until the pushes drain), and the bot process's
resident memory before, at its peak and after each round once the pushes have drained.
The client process takes one of the machine's cores while it runs, so the figures are pessimistic.

Prints figures; asserts nothing. Everything stays on 127.0.0.1.

Run: `.venv/bin/python bench/wechat_load.py --data-dir <folder with a built index> [--clients 200] [--seconds 20]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing as mp
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector  # noqa: E402

from bench.wechat_bench import APP_ID, DEV_QUESTIONS, StubEngine, T, serve, signer  # noqa: E402
from bot.channels.wechat.api import WeChatApi  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import build_app  # noqa: E402
from tests.fake_wechat import FakeWeChat  # noqa: E402
from tests.netguard import loopback_only  # noqa: E402
from tests.wechat_support import text_xml  # noqa: E402

WECHAT_GIVES_UP = 5.0


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


# -- the client process ----------------------------------------------------------------------------------------------


def clients_main(
    url: str, questions: list[str], clients: int, seconds: float, out: Any, tag: str = "", think: float = 0.0
) -> None:
    """Entry point of the client process: runs the closed loop and puts its figures on `out`."""
    out.put(asyncio.run(_clients(url, questions, clients, seconds, tag, think)))


async def _clients(
    url: str, questions: list[str], clients: int, seconds: float, tag: str = "", think: float = 0.0
) -> dict[str, Any]:
    sign = signer()
    kinds = {T.get("wechat.working"): "working", T.get("wechat.later"): "later", T.get("wechat.error"): "error"}
    kinds[T.get("wechat.rate_limited")] = "rate limited"
    kinds[T.get("wechat.busy")] = "busy"
    latencies: list[float] = []
    outcome: Counter[str] = Counter()
    asked: list[str] = []

    async with ClientSession(connector=TCPConnector(limit=0)) as http:

        async def client(i: int, until: float, record: bool, tag: str) -> None:
            n = 0
            while time.monotonic() < until:
                question = questions[(i * 7 + n) % len(questions)]
                openid = f"oLoad{tag}{i:03d}x{n // 10:05d}"
                n += 1
                query, body = sign.wrap(text_xml(question, user=openid))
                t0 = time.perf_counter()
                try:
                    async with http.post(url, params=query, data=body, timeout=ClientTimeout(total=15)) as r:
                        status, text = r.status, await r.text()
                    kind = _kind(sign, status, text, kinds)
                except (ClientError, TimeoutError) as exc:
                    kind = type(exc).__name__
                if record:
                    latencies.append(time.perf_counter() - t0)
                    outcome[kind] += 1
                    asked.append(openid)
                if think and kind != "answer":  # a person told "working on it" or "busy" reads, then asks again
                    await asyncio.sleep(think)

        await asyncio.gather(*(client(i, time.monotonic() + 2.0, False, "w" + tag) for i in range(clients)))
        start = time.monotonic()
        await asyncio.gather(*(client(i, start + seconds, True, "m" + tag) for i in range(clients)))
        wall = time.monotonic() - start
    return {"latencies": latencies, "outcome": dict(outcome), "wall": wall, "asked": len(asked)}


def _kind(sign: Any, status: int, text: str, kinds: dict[str, str]) -> str:
    if status != 200:
        return f"HTTP {status}"
    if text.strip() in ("", "success"):
        return "no passive reply"
    content = sign.open_reply(text).get("Content", "")
    return kinds.get(content, "answer" if content else "empty")


# -- the bot process -------------------------------------------------------------------------------------------------


async def run(data_dir: Path, clients: int, seconds: float, stub: bool, rounds: int = 1, think: float = 0.0) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        skip = shutil.ignore_patterns("anning.sqlite3*", "secret.key", "files")
        shutil.copytree(data_dir, tmp, dirs_exist_ok=True, ignore=skip)
        settings = Settings(data_dir=Path(tmp), knowledge_dir=ROOT / "knowledge")
        app = await build_app(settings)
        fake = FakeWeChat(app_id=APP_ID)
        await fake.start()
        api_http = ClientSession()
        api = WeChatApi(api_http, fake.base_url, "mp", APP_ID, fake.secret, backoff_seconds=0.01)
        engine = StubEngine() if stub else app.engine
        rig = await serve(settings, app, engine, api, fake.base_url, customer_service=True)
        rows = (json.loads(line) for line in DEV_QUESTIONS.read_text(encoding="utf-8").splitlines() if line)
        questions = [row["question"] for row in rows]
        before = rss_mb()
        t0 = time.monotonic()
        results: list[tuple[dict[str, Any], float, int, float]] = []  # (client figures, peak RSS, pushed, RSS after)
        for r in range(rounds):
            result, peak = await _round(rig.url, questions, clients, seconds, str(r), think)
            sent = await _drained(fake)  # after a quiet spell: what the bot keeps once the work is done
            results.append((result, peak, sent, rss_mb()))
        await rig.channel.delivery.close(timeout=120)  # pushes drain
        drained = time.monotonic() - t0
        pushed = len(fake.sent)
        after = rss_mb()
        await api_http.close()
        await fake.close()
        await rig.runner.cleanup()
        await app.close()

    for r, (result, peak, _, after_round) in enumerate(results, 1):
        if rounds > 1:
            print(f"round {r} of {rounds}:")
        _report(result, clients, len(questions))
        print(f"  RSS MB (bot process) peak {peak:.0f}, after the round {after_round:.0f}")
    answers = sum(sum(v for k, v in res["outcome"].items() if k == "answer") for res, *_ in results) + pushed
    print(f"answers computed {answers} in {drained:.1f} s incl. warm-ups and drain ({answers / drained:.1f}/s)")
    print(f"RSS MB (bot process) before {before:.0f}, after {after:.0f}")


async def _round(
    url: str, questions: list[str], clients: int, seconds: float, tag: str, think: float = 0.0
) -> tuple[dict[str, Any], float]:
    """One closed-loop run of the client process; its figures and the bot's peak RSS while it ran."""
    out: Any = mp.get_context("spawn").Queue()
    proc = mp.get_context("spawn").Process(
        target=clients_main, args=(url, questions, clients, seconds, out, tag, think)
    )
    peak = rss_mb()
    proc.start()
    result: dict[str, Any] | None = None
    while result is None:
        peak = max(peak, rss_mb())
        try:
            result = await asyncio.to_thread(out.get, True, 0.5)
        except Exception:  # queue.Empty
            if not proc.is_alive() and out.empty():
                raise SystemExit("the client process died") from None
    proc.join()
    return result, peak


async def _drained(fake: FakeWeChat, quiet: float = 3.0) -> int:
    """Wait until the pushes stop arriving (the outbox is drained); the number pushed so far."""
    last, since = -1, time.monotonic()
    while time.monotonic() - since < quiet:
        await asyncio.sleep(0.5)
        if len(fake.sent) != last:
            last, since = len(fake.sent), time.monotonic()
    return last


def _report(result: dict[str, Any], clients: int, questions: int) -> None:
    ms = [x * 1000 for x in result["latencies"]]
    outcome: dict[str, int] = result["outcome"]
    over = sum(1 for x in ms if x > WECHAT_GIVES_UP * 1000)
    print(f"{clients} clients, {result['wall']:.1f} s measured ({questions} dev questions cycled)")
    print(
        f"  callbacks {len(ms)} ({len(ms) / result['wall']:.0f}/s) | latency ms p50 {pct(ms, 50):.0f}"
        f"  p95 {pct(ms, 95):.0f}  max {max(ms):.0f} | over {WECHAT_GIVES_UP:.0f} s: {over}"
    )
    print(f"  outcomes {dict(sorted(outcome.items()))}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True, help="copy this data folder's index (not its database)")
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--stub", action="store_true", help="an engine that answers 'ok' at once: the channel's own cost")
    ap.add_argument("--rounds", type=int, default=1, help="runs in one bot process: does memory keep growing?")
    ap.add_argument(
        "--think", type=float, default=0.0, help="seconds a client waits after an acknowledgement (a person reading)"
    )
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    socket.socket.connect = loopback_only  # type: ignore[method-assign,assignment]
    asyncio.run(run(args.data_dir, args.clients, args.seconds, args.stub, args.rounds, args.think))


if __name__ == "__main__":
    main()
